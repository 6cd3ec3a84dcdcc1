"""The built-in sample inside a store (the SQL behind :mod:`geo.sample`).

The sample's articles carry ``articles.sample = 1``. Removing the sample deletes those
articles, their passages and mentions, and the places and actors that nothing else
refers to any more, in one transaction; a note (``notes.sample_removed``) remembers
that the user removed it, so the dashboard does not load it back into the empty store.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from geo.store.connect import fault
from geo.store.manage import Removal, delete_rows, write
from geo.store.db import DB_ERRORS, Db

if TYPE_CHECKING:
    from geo.store import Store

REMOVED_NOTE = "sample_removed"
_SAMPLE_IDS = "SELECT id FROM articles WHERE sample = 1"


def sample_count(store: Store) -> int:
    """How many of the store's articles are the built-in sample's."""
    try:
        return store.conn.execute(f"SELECT count(*) FROM ({_SAMPLE_IDS}) AS sample_ids").fetchone()[0]
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read") from err


def removed_by_user(store: Store) -> bool:
    """Whether the sample was removed from this store (and not loaded again since)."""
    try:
        row = store.conn.execute("SELECT 1 FROM notes WHERE key = ?",
                                 (REMOVED_NOTE,)).fetchone()
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read") from err
    return row is not None


def forget_removal(store: Store) -> None:
    """Drop the removal note (the user loads the sample again)."""
    write(store, "update", lambda c: c.execute("DELETE FROM notes WHERE key = ?",
                                               (REMOVED_NOTE,)))


def remove_sample(store: Store) -> Removal:
    """Delete the sample's articles, their passages and mentions, and the places and
    actors only they referred to, in one transaction."""
    return write(store, "remove the sample from", _remove)


def _remove(c: Db) -> Removal:
    removed = delete_rows(c, [r[0] for r in c.execute(_SAMPLE_IDS)])
    if removed.articles:
        note_removal(c)
    return removed


def note_removal(c: Db) -> None:
    """Remember that the user removed the sample (inside the caller's transaction)."""
    c.execute("INSERT INTO notes (key, value) VALUES (?, ?)"
              " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
              (REMOVED_NOTE, datetime.now(timezone.utc).isoformat(timespec="seconds")))
