"""Make a hand-made test slice (gold JSON Lines for ../shared/eval/score.py) from
stories marked up by hand.

    python benchmarks/language_slice.py tests/data/fr/stories.fr.txt tests/data/fr/slice.fr.jsonl

The stories file has one story per ``== id`` block; each place is written
``[name as in the text](gazetteer id)``. The gold toponym is the name's span in the
story's plain text, with the coordinates of that gazetteer entry (facts from the
gazetteer, not from the geoparser). The output has no ``language`` field, so the
detector chooses each story's language.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.gazetteer import Gazetteer  # noqa: E402

MARK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def stories(path: Path) -> list[tuple[str, str]]:
    """(id, marked-up text) of each ``== id`` block, comments (``#``) left out."""
    out: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("== "):
            out.append((line[3:].strip(), []))
        elif out and line.strip():
            out[-1][1].append(line.strip())
    return [(sid, "\n\n".join(lines)) for sid, lines in out]


def gold(story_id: str, marked: str, gaz: Gazetteer) -> dict:
    """The story's plain text and its toponyms with offsets and coordinates."""
    text, toponyms, pos = [], [], 0
    for hit in MARK.finditer(marked):
        text.append(marked[pos:hit.start()])
        start = sum(map(len, text))
        name, entry_id = hit.group(1), hit.group(2)
        entry = gaz.get(entry_id)
        if entry is None:
            raise SystemExit(f"{story_id}: {entry_id} is not in the gazetteer")
        text.append(name)
        toponyms.append({"start": start, "end": start + len(name), "name": name,
                         "lat": entry.lat, "lon": entry.lon, "gazetteer_id": entry_id})
        pos = hit.end()
    text.append(marked[pos:])
    return {"id": story_id, "text": "".join(text), "toponyms": toponyms}


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit(__doc__)
    source, target = Path(argv[1]), Path(argv[2])
    with Gazetteer.open() as gaz:
        docs = [gold(sid, marked, gaz) for sid, marked in stories(source)]
    target.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                      encoding="utf-8")
    print(f"{target}: {len(docs)} stories, {sum(len(d['toponyms']) for d in docs)} toponyms")


if __name__ == "__main__":
    main(sys.argv)
