"""The store: the only part of News Atlas that speaks SQL.

SQLite by default (WAL journal, foreign keys on). ``Store.save`` writes one analysed
article in one transaction, so a failure leaves nothing half-written, and skips an
article that is already stored, so re-ingesting is harmless.

Read queries for the dashboard and exports live in :mod:`geo.store.queries`.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from geo.errors import StoreError
from geo.models import AnalyzedArticle, GazetteerEntry
from geo.store.schema import migrate

log = logging.getLogger(__name__)

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "news_atlas.sqlite"


def default_db_url() -> str:
    """``$NEWS_ATLAS_DB`` when set, else ``data/news_atlas.sqlite`` in the checkout."""
    return os.environ.get("NEWS_ATLAS_DB") or str(DEFAULT_DB)


def sqlite_path(url: str) -> str:
    """The file path of an SQLite URL (``sqlite:///x.db``, ``x.db`` or ``:memory:``)."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    if url.startswith("sqlite://"):
        return url[len("sqlite://"):] or ":memory:"
    if "://" in url:
        raise StoreError(f"unsupported store URL {url!r}: use a file path or sqlite:///PATH")
    return url


class Store:
    """An open News Atlas database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, url: str | None = None, *, read_only: bool = False) -> "Store":
        """Open (creating and migrating when needed) the store at ``url``."""
        path = sqlite_path(url or default_db_url())
        try:
            if read_only and path != ":memory:":
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            else:
                if path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                migrate(conn)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open store {path}: {err}") from err
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def article_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def save(self, analyzed: AnalyzedArticle) -> bool:
        """Store one analysed article in one transaction.

        Returns False (and writes nothing) when the article is already stored.
        """
        art = analyzed.article
        try:
            with self.conn:  # one transaction: all of it or nothing
                if self.has_article(art.id):
                    return False
                self._insert(analyzed)
        except sqlite3.Error as err:
            raise StoreError(f"cannot store article {art.id} ({art.path}): {err}") from err
        return True

    def _insert(self, analyzed: AnalyzedArticle) -> None:
        art, c = analyzed.article, self.conn
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        c.execute(
            "INSERT INTO articles (id, title, url, source, published, language, path, text,"
            " ingested_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (art.id, art.title, art.url, art.source, art.published, art.language, art.path,
             art.text, now),
        )
        c.executemany(
            'INSERT INTO passages (id, article_id, idx, start, "end", text, date)'
            " VALUES (?,?,?,?,?,?,?)",
            [(p.id, p.article_id, p.index, p.start, p.end, p.text, p.date)
             for p in analyzed.passages],
        )
        for m in analyzed.places:
            if m.place is not None:
                self._upsert_place(m.place)
            for cand in m.alternatives:
                self._upsert_place(cand.entry)
        c.executemany(
            'INSERT INTO place_mentions (article_id, passage_id, start, "end", text, kind,'
            " label, place_id, score, rule, alternatives) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(art.id, m.passage_id, m.start, m.end, m.text, m.kind, m.label,
              m.place.id if m.place else None, m.score, m.rule,
              json.dumps([{"id": a.entry.id, "name": a.entry.name, "score": round(a.score, 4)}
                          for a in m.alternatives]))
             for m in analyzed.places],
        )
        for m in analyzed.actors:
            name = m.canonical or m.text
            c.execute("INSERT OR IGNORE INTO actors (name, kind) VALUES (?, ?)", (name, m.label))
            actor_id = c.execute(
                "SELECT id FROM actors WHERE name = ? AND kind = ?", (name, m.label)
            ).fetchone()[0]
            c.execute(
                'INSERT INTO actor_mentions (article_id, passage_id, start, "end", text, actor_id)'
                " VALUES (?,?,?,?,?,?)",
                (art.id, m.passage_id, m.start, m.end, m.text, actor_id),
            )

    def _upsert_place(self, e: GazetteerEntry) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO places (id, name, lat, lon, kind, country_code, feature_class,"
            " feature_code, admin1, population, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (e.id, e.name, e.lat, e.lon, e.kind, e.country_code, e.feature_class,
             e.feature_code, e.admin1, e.population, e.source),
        )
