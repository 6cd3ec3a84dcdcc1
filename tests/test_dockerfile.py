"""The Dockerfile's steps, run here: this machine (and CI) has no Docker engine.

The top-level ``Dockerfile`` is parsed with the ``dockerfile`` package (BuildKit's own Go
parser) and turned into a shell script that runs in a fresh temporary folder with a fresh
``python -m venv``: ENV becomes ``export``, WORKDIR ``cd``, COPY a ``cp`` of what the build
context holds (the repository minus ``.dockerignore``, filtered by the Docker SDK's own
matcher), RUN the command itself. Then the CMD is started on a free 127.0.0.1 port, the
HEALTHCHECK command is run until it passes, and headless Chromium checks that the
dashboard serves the map read-only. A wrong Dockerfile fails here: a folder not copied, a
package not in the lock, a gazetteer not built where the settings look, a health check
that cannot pass, a server that is not read-only.

What differs from a real image, by narrow rules (each named where it is applied):
- the base image is the running Python, which must be the FROM tag's version;
- the image's absolute folders (WORKDIR, VOLUME and the folders of path-valued ENV) are
  moved under the temporary folder;
- commands that only make sense as root in an image (``useradd``, ``groupadd``,
  ``chown``) are left out of RUN lines, and USER is ignored: the test already runs as one
  ordinary user who owns every folder;
- pip may use its cache (``--no-cache-dir`` is dropped), so the install takes less time;
- port 8501 becomes a free port, in the CMD and the HEALTHCHECK alike.
"""
from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

from tests.test_browser import (  # noqa: F401 - fixtures
    CHROMIUM, _free_port, browser, map_frame, page, wait_idle,
)

pytestmark = pytest.mark.docker

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "Dockerfile"
PORT = "8501"
ROOT_ONLY = {"useradd", "groupadd", "adduser", "chown"}  # see the module's docstring


@dataclass
class Image:
    """What the Dockerfile says, as the test runs it."""

    base: str = ""
    script: list[str] = field(default_factory=list)  # shell lines, in the file's order
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # commands left out, for the record


def _roots(commands) -> list[str]:
    """The image's own absolute folders: WORKDIR, VOLUME, and the folders of ENV values
    that are absolute paths (longest first, so /opt/x is moved before /opt)."""
    roots: set[str] = set()
    for c in commands:
        if c.cmd == "WORKDIR":
            roots.add(c.value[0])
        elif c.cmd == "VOLUME":
            roots.update(c.value)
        elif c.cmd == "ENV":
            for value in c.value[1::2]:
                if value.startswith("/"):
                    roots.add(str(PurePosixPath(value).parent))
    return sorted((r.rstrip("/") for r in roots if r.strip("/")), key=len, reverse=True)


def _mover(roots: list[str], under: Path):
    """A function moving the image's absolute folders (as whole path starts) under
    ``under``."""
    pattern = re.compile(r"(?<![\w./-])(" + "|".join(map(re.escape, roots)) + r")(?=[/\s'\":]|$)")
    return lambda text: pattern.sub(lambda m: f"{under}{m.group(1)}", text)


def _ports(text: str, port: int) -> str:
    return re.sub(rf"(?<=[:=]){PORT}\b", str(port), text)


def translate(dockerfile: Path, context: Path, root: Path, port: int) -> Image:
    """The Dockerfile as a shell script over ``context`` (the filtered build context),
    with the image's folders under ``root`` and port 8501 replaced by ``port``."""
    import dockerfile as parser

    commands = parser.parse_file(str(dockerfile))
    move = _mover(_roots(commands), root)
    image = Image()
    workdir = "/"
    for c in commands:
        if c.cmd == "FROM":
            image.base = c.value[0]
        elif c.cmd == "ENV":
            for key, value in zip(c.value[::2], c.value[1::2]):
                image.env[key] = move(value)
                image.script.append(f"export {key}={shlex.quote(move(value))}")
        elif c.cmd == "WORKDIR":
            workdir = move(c.value[0])
            image.script.append(f"mkdir -p {shlex.quote(workdir)} && cd {shlex.quote(workdir)}")
        elif c.cmd == "COPY":
            assert not any(f.startswith("--from") for f in c.flags), "multi-stage COPY"
            image.script += _copy(c.value[:-1], move(c.value[-1]), context, workdir)
        elif c.cmd == "RUN":
            kept = []
            for part in re.split(r"\s*&&\s*", c.value[0]):
                if shlex.split(part)[0] in ROOT_ONLY:
                    image.skipped.append(part)
                else:
                    kept.append(part.replace(" --no-cache-dir", ""))  # pip may use its cache
            if kept:
                image.script.append(_ports(move(" && ".join(kept)), port))
        elif c.cmd == "CMD":
            image.cmd = [_ports(move(v), port) for v in _exec_form(c)]
        elif c.cmd == "HEALTHCHECK":
            assert c.value[0] == "CMD", f"HEALTHCHECK {c.value[0]}: expected CMD"
            image.healthcheck = [_ports(move(v), port) for v in c.value[1:]]
    image.workdir = workdir
    return image


def _exec_form(c) -> list[str]:
    return list(c.value) if c.json else ["/bin/sh", "-c", c.value[0]]


def _copy(sources: tuple[str, ...], dest: str, context: Path, workdir: str) -> list[str]:
    """``cp`` lines doing what COPY does: sources (globs) from the build context; a
    folder's contents go into the destination folder."""
    target = dest if dest.startswith("/") else f"{workdir}/{dest}"
    lines = [f"mkdir -p {shlex.quote(target if dest.endswith('/') else str(Path(target).parent))}"]
    for source in sources:
        matches = sorted(context.glob(source.rstrip("/"))) if source.strip("/") else [context]
        assert matches, f"COPY {source}: nothing in the build context matches it"
        for m in matches:
            if m.is_dir():
                lines.append(f"mkdir -p {shlex.quote(target)} && "
                             f"cp -R {shlex.quote(str(m))}/. {shlex.quote(target)}/")
            else:
                lines.append(f"cp -p {shlex.quote(str(m))} {shlex.quote(target)}")
    return lines


def build_context(repo: Path, into: Path) -> Path:
    """The files ``docker build`` would send: the repository minus ``.dockerignore``
    (matched by the Docker SDK, as the Docker CLI does)."""
    from docker.utils.build import exclude_paths

    ignore = repo / ".dockerignore"
    patterns = [line.strip() for line in ignore.read_text().splitlines()
                if line.strip() and not line.startswith("#")] if ignore.exists() else []
    for rel in sorted(exclude_paths(str(repo), patterns)):
        src, dst = repo / rel, into / rel
        if src.is_file() and not src.is_symlink():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return into


def _health(image: Image, env: dict[str, str], timeout: float) -> float:
    """Run the HEALTHCHECK command until it passes; the seconds that took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        done = subprocess.run(image.healthcheck, env=env, cwd=image.workdir,
                              capture_output=True, timeout=30)
        if done.returncode == 0:
            return time.monotonic() - started
        time.sleep(1)
    raise AssertionError(f"the HEALTHCHECK never passed in {timeout:.0f} s: "
                         f"{done.stderr.decode(errors='replace')[-500:]}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dockerignore_keeps_local_data_and_secrets_out(tmp_path):
    """Local stores, gazetteers and secrets never reach the build context."""
    pytest.importorskip("docker")
    (tmp_path / "repo").mkdir()
    repo = tmp_path / "repo"
    shutil.copy2(REPO / ".dockerignore", repo)
    for rel in ("geo/x.py", "data/news_atlas.sqlite", ".streamlit/secrets.toml",
                ".streamlit/config.toml", "elsewhere/store.sqlite", "geo/__pycache__/x.pyc"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("x")
    sent = {p.relative_to(tmp_path / "ctx").as_posix()
            for p in build_context(repo, tmp_path / "ctx").rglob("*") if p.is_file()}
    assert sent == {".dockerignore", "geo/x.py", ".streamlit/config.toml"}


def test_compose_keeps_the_store_in_a_named_volume_and_the_hash_outside():
    """compose.yaml mounts a named volume where the image keeps its store, publishes the
    exposed port, and takes the editors' hash from the environment (neither file holds
    one)."""
    yaml = pytest.importorskip("yaml")
    parser = pytest.importorskip("dockerfile")
    commands = parser.parse_file(str(DOCKERFILE))
    env = {k: v for c in commands if c.cmd == "ENV" for k, v in zip(c.value[::2], c.value[1::2])}
    (volume,) = (c.value[0] for c in commands if c.cmd == "VOLUME")
    (port,) = (c.value[0] for c in commands if c.cmd == "EXPOSE")
    assert env["NEWS_ATLAS_DB"].startswith(volume.rstrip("/") + "/")
    assert "NEWS_ATLAS_EDITOR_PASSWORD_HASH" not in env
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    (service,) = compose["services"].values()
    mounts = dict(reversed(v.split(":")[:2]) for v in service["volumes"])
    assert mounts[volume] in compose["volumes"], "the store is not in a named volume"
    assert f"{port}:{port}" in service["ports"]
    assert service["environment"]["NEWS_ATLAS_EDITOR_PASSWORD_HASH"] == \
        "${NEWS_ATLAS_EDITOR_PASSWORD_HASH:-}"
    for path in (DOCKERFILE, REPO / "compose.yaml"):  # an example, never a real hash
        assert not re.search(r"\$argon2\w*\$v=\d+\$m=", path.read_text()), path


@pytest.mark.browser
def test_dockerfile_steps_build_and_serve_read_only(tmp_path, browser, page):  # noqa: F811
    """Build as the Dockerfile says (fresh folder, fresh venv), start its CMD, pass its
    HEALTHCHECK, and serve the map read-only in Chromium."""
    pytest.importorskip("dockerfile")
    pytest.importorskip("docker")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    started = time.monotonic()
    root, port = tmp_path / "image", _free_port()
    image = translate(DOCKERFILE, build_context(REPO, tmp_path / "context"), root, port)
    version = re.match(r"python:(\d+\.\d+)", image.base)
    assert version, f"FROM {image.base}: expected an official python:X.Y image"
    if version.group(1) != f"{sys.version_info[0]}.{sys.version_info[1]}":
        pytest.skip(f"FROM {image.base}, but this is Python {sys.version.split()[0]}")
    assert image.skipped, "expected the image's user to be created (useradd) and skipped"
    assert image.env.get("NEWS_ATLAS_READ_ONLY") == "1", "the image is read-only by default"

    # the base image: a bare Python (a fresh venv, nothing from this machine's packages)
    venv = root / "venv"
    (root / "home").mkdir(parents=True)
    env = {"PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": str(root / "home"),
           "LANG": "C.UTF-8", "VIRTUAL_ENV": str(venv)}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    script = root / "build.sh"
    script.write_text("set -eux\n" + "\n".join(image.script) + "\n")
    build_log = root / "build.log"
    with build_log.open("wb") as out:
        built = subprocess.run(["sh", str(script)], cwd=root, env=env, stdout=out,
                               stderr=subprocess.STDOUT, timeout=1500)
    assert built.returncode == 0, build_log.read_text(errors="replace")[-3000:]
    build_seconds = time.monotonic() - started

    run_env = {**env, **image.env}
    store = Path(run_env["NEWS_ATLAS_DB"])
    assert Path(run_env["NEWS_ATLAS_GAZETTEER"]).is_file(), "the gazetteer was not built"
    assert store.parent.is_dir() and not store.exists()  # an empty volume
    server_log = (root / "server.log").open("wb")
    server = subprocess.Popen(image.cmd, cwd=image.workdir, env=run_env, stdout=server_log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        healthy = _health(image, run_env, timeout=120)
        assert store.is_file(), "the CMD should create the store in the volume"
        # an operator loads articles through the container (`docker compose run ...`)
        subprocess.run(["python", "-m", "geo", "sample", "--load"], cwd=image.workdir,
                       env=run_env, check=True, capture_output=True, timeout=120)
        before = _sha256(store)
        base = f"http://127.0.0.1:{port}"
        page.goto(base + "/")
        frame = map_frame(page, timeout=60)  # pages, .streamlit (static files), Leaflet
        frame.wait_for_selector(".na-marker, .marker-cluster", timeout=30000)
        wait_idle(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        assert "read-only" in sidebar.inner_text()
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Map" in nav and "Add articles" not in nav and "Manage" not in nav
        page.goto(base + "/add")  # a crafted URL to an editing page
        wait_idle(page)
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        assert _sha256(store) == before, "a visitor changed the store"
        assert page.dialogs == [] and page.external == []
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        server_log.close()
    print(f"\nDockerfile steps: built in {build_seconds:.0f} s, healthy {healthy:.1f} s "
          f"after start, {time.monotonic() - started:.0f} s in all; skipped as root-only: "
          f"{image.skipped}")
