"""benchmarks/make_synthetic_store.py: its bulk mode writes the same store as the
article-by-article one (the benchmarks at a million mentions use it)."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from make_synthetic_store import build  # noqa: E402

TABLES = {  # every column but the time an article was stored
    "articles": "id, title, url, source, published, language, path, text, sample",
    "passages": 'id, article_id, idx, start, "end", text, date',
    "places": "*",
    "place_mentions": "*",
    "actors": "*",
    "actor_mentions": "*",
    "actor_mentions_auto": "*",
    "passages_fts": "rowid, id, text",
}


def _contents(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        out = {t: conn.execute(f"SELECT {cols} FROM {t} ORDER BY 1").fetchall()
               for t, cols in TABLES.items()}
        out["schema"] = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master"))
        out["fts"] = conn.execute("SELECT id FROM passages_fts WHERE passages_fts"
                                  " MATCH 'Place00003' ORDER BY id").fetchall()
        out["version"] = conn.execute("PRAGMA user_version").fetchone()
    finally:
        conn.close()
    return out


def test_the_bulk_mode_writes_the_same_store_as_saving_each_article(tmp_path):
    slow, bulk = tmp_path / "slow.sqlite", tmp_path / "bulk.sqlite"
    build(slow, articles=60, mentions=700, places=80, seed=4)
    build(bulk, articles=60, mentions=700, places=80, seed=4, bulk=True, batch=7)
    a, b = _contents(slow), _contents(bulk)
    assert len(a["place_mentions"]) == 700 and a["fts"]
    assert a == b
