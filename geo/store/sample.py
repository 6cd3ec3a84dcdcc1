"""The built-in sample inside a store (the SQL behind :mod:`geo.sample`).

The sample's articles carry ``articles.sample = 1``. Removing the sample deletes those
articles, their passages and mentions, and the places and actors that nothing else
refers to any more, in one transaction; a note (``notes.sample_removed``) remembers
that the user removed it, so the dashboard does not load it back into the empty store.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from geo.errors import StoreFaultError
from geo.store.connect import fault

if TYPE_CHECKING:
    from geo.store import Store

REMOVED_NOTE = "sample_removed"
_SAMPLE_IDS = "SELECT id FROM articles WHERE sample = 1"
_ALTERNATIVE_IDS = ("SELECT DISTINCT json_extract(j.value, '$.id') FROM place_mentions pm,"
                    " json_each(pm.alternatives) j")


@dataclass(frozen=True)
class SampleRemoval:
    """What removing the sample deleted (all zero when it was absent)."""

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


def sample_count(store: Store) -> int:
    """How many of the store's articles are the built-in sample's."""
    try:
        return store.conn.execute(f"SELECT count(*) FROM ({_SAMPLE_IDS})").fetchone()[0]
    except sqlite3.Error as err:
        raise fault(store.path, err, doing="read") from err


def removed_by_user(store: Store) -> bool:
    """Whether the sample was removed from this store (and not loaded again since)."""
    try:
        row = store.conn.execute("SELECT 1 FROM notes WHERE key = ?",
                                 (REMOVED_NOTE,)).fetchone()
    except sqlite3.Error as err:
        raise fault(store.path, err, doing="read") from err
    return row is not None


def forget_removal(store: Store) -> None:
    """Drop the removal note (the user loads the sample again)."""
    _write(store, "update", lambda c: c.execute("DELETE FROM notes WHERE key = ?",
                                                (REMOVED_NOTE,)))


def remove_sample(store: Store) -> SampleRemoval:
    """Delete the sample's articles, their passages and mentions, and the places and
    actors only they referred to, in one transaction."""
    return _write(store, "remove the sample from", _remove)


def _remove(c: sqlite3.Connection) -> SampleRemoval:
    places = {r[0] for r in c.execute(
        f"SELECT place_id FROM place_mentions WHERE article_id IN ({_SAMPLE_IDS})"
        f" AND place_id IS NOT NULL UNION {_ALTERNATIVE_IDS}"
        f" WHERE pm.article_id IN ({_SAMPLE_IDS})")}
    actors = {r[0] for r in c.execute(
        f"SELECT DISTINCT actor_id FROM actor_mentions WHERE article_id IN ({_SAMPLE_IDS})")}
    counts = {table: c.execute(f"DELETE FROM {table} WHERE article_id IN ({_SAMPLE_IDS})")
              .rowcount for table in ("actor_mentions", "place_mentions", "passages")}
    articles = c.execute("DELETE FROM articles WHERE sample = 1").rowcount
    if not articles:
        return SampleRemoval()
    still = {r[0] for r in c.execute(
        "SELECT DISTINCT place_id FROM place_mentions WHERE place_id IS NOT NULL")}
    still |= {r[0] for r in c.execute(_ALTERNATIVE_IDS)}
    gone_places = sorted(places - still)
    c.executemany("DELETE FROM places WHERE id = ?", [(p,) for p in gone_places])
    gone_actors = [a for a in sorted(actors) if c.execute(
        "SELECT 1 FROM actor_mentions WHERE actor_id = ? LIMIT 1", (a,)).fetchone() is None]
    c.executemany("DELETE FROM actors WHERE id = ?", [(a,) for a in gone_actors])
    c.execute("INSERT OR REPLACE INTO notes (key, value) VALUES (?, ?)",
              (REMOVED_NOTE, datetime.now(timezone.utc).isoformat(timespec="seconds")))
    return SampleRemoval(articles=articles, passages=counts["passages"],
                         place_mentions=counts["place_mentions"],
                         actor_mentions=counts["actor_mentions"],
                         places=len(gone_places), actors=len(gone_actors))


def _write(store: Store, doing: str, work):  # noqa: ANN001, ANN202
    """Run ``work(conn)`` in one write transaction; StoreFaultError when it cannot."""
    if store.read_only:
        raise StoreFaultError(f"cannot {doing} the store {store.path}: it is read-only; "
                              "make the file and its folder writable")
    c = store.conn
    try:
        c.execute("BEGIN IMMEDIATE")
        try:
            result = work(c)
            c.commit()
        except BaseException:
            c.rollback()
            raise
    except sqlite3.Error as err:
        raise fault(store.path, err, doing=doing) from err
    return result
