"""A batch of short, distinct news articles for the parallel-ingest tests: many places,
and people named in full in one article and by a variant spelling in another (so the
order in which articles are stored decides how actors fold)."""
from __future__ import annotations

import json
from pathlib import Path

CITIES = ["Manila", "Kyiv", "Lviv", "Nairobi", "Lima", "Hanoi", "Dhaka", "Quito",
          "Accra", "Tbilisi", "Harare", "Bogota"]
PEOPLE = ["Volodymyr Zelensky", "Volodymyr Zelenskyy", "Ferdinand Marcos",
          "William Ruto", "Dina Boluarte"]
TEMPLATES = [
    "Floods reached {city} on Monday. {person} visited {city} and {other} on Tuesday,"
    " officials said.",
    "Protesters marched in {city} as {person} met the mayor of {other}.",
    "Heavy rain closed roads between {city} and {other}; {person} asked for help from"
    " Geneva.",
]


def write_batch(folder: Path, count: int, *, broken: bool = True, start: int = 0,
                name: str = "batch.jsonl") -> Path:
    """Articles ``start`` to ``start + count - 1`` as ``folder/NAME``, and (``broken``)
    a broken last line."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(start, start + count):
        city, other = CITIES[i % len(CITIES)], CITIES[(i * 5 + 3) % len(CITIES)]
        text = TEMPLATES[i % len(TEMPLATES)].format(
            city=city, other=other, person=PEOPLE[i % len(PEOPLE)])
        lines.append(json.dumps({"title": f"Report {i}", "text": f"{text} (report {i})",
                                 "published": f"2024-05-{1 + i % 28:02d}"}))
    if broken:
        lines.append("{broken")
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
