"""The layers hold: ``geo`` never imports Streamlit, and no two ``geo`` modules import
each other at load time (no import circle), read from the source files themselves."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GEO = REPO / "geo"


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a module outside functions and classes (inside ``if`` blocks,
    ``if TYPE_CHECKING`` too, and ``try`` blocks)."""
    out = []
    for node in body:
        out.append(node)
        if isinstance(node, (ast.If, ast.Try)):
            for block in (node.body, node.orelse, *(h.body for h in getattr(node, "handlers", ())),
                          getattr(node, "finalbody", [])):
                out.extend(_module_level(block))
    return out


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The modules ``path`` imports (only at module level, type-checking imports
    included, when ``top_level_only``; else anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = _module_level(tree.body) if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _geo_files() -> list[Path]:
    return sorted(GEO.rglob("*.py"))


def test_geo_never_imports_streamlit():
    users = [str(p.relative_to(REPO)) for p in _geo_files()
             if any(m == "streamlit" or m.startswith("streamlit.")
                    for m in _imports(p, top_level_only=False))]
    assert users == []


def test_no_import_circle_among_geo_modules():
    modules = {_module(p): p for p in _geo_files()}
    graph = {name: {m for m in _imports(path, top_level_only=True) if m in modules
                    and m != name} for name, path in modules.items()}
    for name in graph:  # a package's modules load it first: that is not a circle
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail
                              else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_store_queries_load_without_the_query_layer_above_them():
    code = ("import sys, geo.store.queries, geo.mention_index, geo.store.filters;"
            "print('geo.query' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
