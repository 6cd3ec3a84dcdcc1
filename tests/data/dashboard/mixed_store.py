"""A store as a new user makes one: dated and undated articles ingested together by the
real ``python -m geo ingest``, with Markdown in their text, plus one hand-built article
whose every optional value is missing and whose place and actor names are Markdown.

Everything Markdown here points at :data:`BEACON_HOST`: a visitor's browser must never
ask it for anything, and the text must show literally.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from geo.models import Article, GazetteerEntry
from geo.store import Store
from tests.data.dashboard.fixture_articles import _build

REPO = Path(__file__).resolve().parents[3]
BEACON_HOST = "beacon.invalid"
BEACON_MD = f"![b](http://{BEACON_HOST}/beacon.png)"
MARKDOWN_NAME = (f":red[Red Town] {BEACON_MD.replace('beacon.png', 'place.png')} $x^2$"
                 " :material/home: :smile: **bold**")
MARKDOWN_ACTOR = f":blue[Agent Blue] [who](http://{BEACON_HOST}/actor)"
UNDATED_TITLE = f"**Talks** {BEACON_MD.replace('beacon.png', 'title.png')} :red[go on]"
DATED = {"id": "dated-1", "title": "Train reaches Khasan", "date": "2023-09-12",
         "source": "CBC News", "url": "https://www.cbc.ca/news/world/khasan-1.6963531",
         "text": "North Korea's leader arrived by armoured train in Khasan, a station on"
                 " the Russian border, and went on to Vladivostok."}
UNDATED = (f"{UNDATED_TITLE}\n\nOfficials in Moscow said talks {BEACON_MD} with Pyongyang"
           " would go on in Vladivostok next week. $1 + $2 is :smile: <b>not bold</b>.\n")
MARKDOWN_PLACE = GazetteerEntry("test:markdown-town", MARKDOWN_NAME, 10.5, 20.5, "city")


def write_inputs(folder: Path) -> list[Path]:
    """``dated.jsonl`` (one record with a date) and ``undated.txt`` (no date line)."""
    folder.mkdir(parents=True, exist_ok=True)
    dated, undated = folder / "dated.jsonl", folder / "undated.txt"
    dated.write_text(json.dumps(DATED) + "\n", encoding="utf-8")
    undated.write_text(UNDATED, encoding="utf-8")
    return [dated, undated]


def ingest(paths: list[Path], db: str) -> subprocess.CompletedProcess:
    """``python -m geo ingest PATHS --db DB``, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "geo", "ingest", *map(str, paths), "--db", db],
                          cwd=REPO, env=dict(os.environ), capture_output=True, text=True,
                          timeout=600)


def add_markdown_names(db: str) -> None:
    """One article with no title, URL, source, date or score, naming a place and an
    actor whose names are Markdown (stored as the store stores any analysed article)."""
    art = Article("mdnames00000001", "", None, None, None, None)
    analyzed = _build(art, [f"People gathered in {MARKDOWN_NAME} around {MARKDOWN_ACTOR}."],
                      [(0, MARKDOWN_NAME, MARKDOWN_PLACE, "place", None, None)],
                      [(0, MARKDOWN_ACTOR, MARKDOWN_ACTOR, "PERSON")])
    with Store.open(db) as store:
        store.save(analyzed)


def build_mixed_store(folder: Path) -> str:
    """The store: real ingest of the dated and the undated file, then the Markdown names."""
    db = str(folder / "mixed.sqlite")
    done = ingest(write_inputs(folder / "input"), db)
    if done.returncode != 0:
        raise AssertionError(f"ingest failed ({done.returncode}): {done.stdout}{done.stderr}")
    add_markdown_names(db)
    return db


def place_id(db: str, name: str) -> str:
    """The id the real resolver gave ``name`` in the store."""
    with Store.open(db, read_only=True) as store:
        row = store.conn.execute("SELECT id FROM places WHERE name = ? ORDER BY id",
                                 (name,)).fetchone()
    assert row is not None, f"{name} is not in the store"
    return row[0]


def article_id(db: str, *, dated: bool) -> str:
    with Store.open(db, read_only=True) as store:
        row = store.conn.execute(
            "SELECT id FROM articles WHERE published IS " + ("NOT NULL" if dated else "NULL")
            + " AND title IS NOT NULL ORDER BY id").fetchone()
    return row[0]
