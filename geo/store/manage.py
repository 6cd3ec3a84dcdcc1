"""Deleting and re-storing articles (the SQL behind ``Store.delete_articles``,
``Store.replace`` and removing the built-in sample).

Deleting an article deletes its passages (their full-text rows go with them, by
trigger), its place and actor mentions, and then the places and actors that no
remaining mention refers to (a place also counts as referred to while it is a
candidate a mention weighed), so they leave the map. Corrections are kept: they name an
article by id and apply again if it comes back.

Each change bumps the note ``changed`` (part of :func:`geo.store.queries.revision`), so
the dashboard's caches see a change even when the article count and the latest
ingestion time stay the same (a re-analysis, a delete and an ingest within a second).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypeVar

from geo.models import Article
from geo.store.connect import fault, transaction
from geo.store.db import DB_ERRORS, Db, Record
from geo.store.dialect import ALTERNATIVE_IDS, JSON_IDS, dialect_of

if TYPE_CHECKING:
    from geo.store import Store

_T = TypeVar("_T")
CHANGED_NOTE = "changed"


@dataclass(frozen=True)
class Removal:
    """What a deletion removed (all zero when nothing matched)."""

    articles: int = 0
    passages: int = 0
    place_mentions: int = 0
    actor_mentions: int = 0
    places: int = 0
    actors: int = 0

    def describe(self) -> str:
        """``1 article, 14 passages, ...``: every count, named."""
        parts = []
        for field in fields(self):
            n = getattr(self, field.name)
            noun = field.name.replace("_", " ")
            parts.append(f"{n} {noun[:-1] if n == 1 else noun}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Deletion:
    """The answer of ``Store.delete_articles``: what went, and the ids not stored."""

    removed: Removal
    deleted: tuple[str, ...]   # the ids that were stored, in the order asked
    unknown: tuple[str, ...]   # the ids asked for that the store does not hold


def write(store: "Store", doing: str, work: Callable[[Db], _T]) -> _T:
    """Run ``work(conn)`` in one ``BEGIN IMMEDIATE`` transaction; StoreFaultError when
    the store is read-only or cannot be written (``doing``: "delete articles from")."""
    with transaction(store, doing=doing) as c:
        return work(c)


def touch(c: Db) -> None:
    """Record that the stored analysis changed (see the module's docstring)."""
    c.execute("INSERT INTO notes (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE"
              " SET value = CAST(CAST(notes.value AS INTEGER) + 1 AS TEXT)", (CHANGED_NOTE,))


def referred(c: Db, ids: Sequence[str]) -> tuple[set[str], set[int]]:
    """The places (chosen or weighed) and actors the articles ``ids`` mention."""
    arg, named = json.dumps(list(ids)), JSON_IDS[dialect_of(c)]
    places = {r[0] for r in c.execute(
        f"SELECT place_id FROM place_mentions WHERE article_id IN ({named})"
        f" AND place_id IS NOT NULL UNION {ALTERNATIVE_IDS[dialect_of(c)]}"
        f" WHERE pm.article_id IN ({named})", (arg, arg))}
    actors = {r[0] for r in c.execute(
        f"SELECT DISTINCT actor_id FROM actor_mentions WHERE article_id IN ({named})", (arg,))}
    return places, actors


def delete_rows(c: Db, ids: Sequence[str]) -> Removal:
    """Delete the articles ``ids`` with their passages and mentions, then the places and
    actors nothing refers to any more, inside the caller's transaction."""
    places, actors = referred(c, ids)
    arg, named = json.dumps(list(ids)), JSON_IDS[dialect_of(c)]
    counts = {table: c.execute(f"DELETE FROM {table} WHERE article_id IN ({named})",
                               (arg,)).rowcount
              for table in ("actor_mentions", "place_mentions", "passages")}
    articles = c.execute(f"DELETE FROM articles WHERE id IN ({named})", (arg,)).rowcount
    if not articles:
        return Removal()
    gone_places, gone_actors = drop_orphans(c, places, actors)
    touch(c)
    return Removal(articles=articles, passages=counts["passages"],
                   place_mentions=counts["place_mentions"],
                   actor_mentions=counts["actor_mentions"],
                   places=gone_places, actors=gone_actors)


def drop_orphans(c: Db, places: set[str], actors: set[int]) -> tuple[int, int]:
    """Delete those of ``places`` and ``actors`` that no mention refers to; return how
    many of each went."""
    gone_places: list[str] = []
    if places:
        still = {r[0] for r in c.execute(
            "SELECT DISTINCT place_id FROM place_mentions WHERE place_id IS NOT NULL")}
        still |= {r[0] for r in c.execute(ALTERNATIVE_IDS[dialect_of(c)])}
        gone_places = sorted(places - still)
        c.executemany("DELETE FROM places WHERE id = ?", [(p,) for p in gone_places])
    gone_actors = [a for a in sorted(actors) if c.execute(
        "SELECT 1 FROM actor_mentions WHERE actor_id = ? LIMIT 1", (a,)).fetchone() is None]
    c.executemany("DELETE FROM actors WHERE id = ?", [(a,) for a in gone_actors])
    return len(gone_places), len(gone_actors)


def stored_ids(c: Db, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` that are stored."""
    named = JSON_IDS[dialect_of(c)]
    return {r[0] for r in c.execute(f"SELECT id FROM articles WHERE id IN ({named})",
                                    (json.dumps(list(ids)),))}


def article_ids(c: Db) -> list[str]:
    """Every stored article's id, in the order they were stored."""
    return [r[0] for r in c.execute("SELECT id FROM articles ORDER BY ingested_at, id")]


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored: what re-analysis starts from."""

    article: Article
    sample: bool
    ingested_at: str


def stored_article(c: Db, article_id: str) -> StoredArticle | None:
    """The stored article ``article_id`` (its text and fields, not its analysis)."""
    r = c.execute("SELECT id, text, title, url, source, published, language, path, sample,"
                  " ingested_at FROM articles WHERE id = ?", (article_id,)).fetchone()
    if r is None:
        return None
    art = Article(id=r["id"], text=r["text"], title=r["title"], url=r["url"],
                  source=r["source"], published=r["published"], language=r["language"],
                  path=r["path"])
    return StoredArticle(art, bool(r["sample"]), r["ingested_at"])


def read_note(store: "Store", key: str) -> str | None:
    """The value of the note ``key`` (None when there is none)."""
    try:
        row = store.conn.execute("SELECT value FROM notes WHERE key = ?", (key,)).fetchone()
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read") from err
    return row[0] if row else None


def write_note(store: "Store", key: str, value: str) -> None:
    """Set the note ``key`` (one small transaction)."""
    write(store, "write a note to", lambda c: c.execute(
        "INSERT INTO notes (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value)))
