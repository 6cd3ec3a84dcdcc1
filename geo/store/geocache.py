"""The online geocoder's cache in the store (table ``geocoder_cache``): one row per
(geocoder, normalised query) with the service's raw answer and when it came.

Reading works on any store; writing is one small ``BEGIN IMMEDIATE`` transaction and
is skipped on a read-only store (a cache is never worth refusing a read-only user).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from geo.store.connect import fault
from geo.store.manage import write
from geo.store.db import DB_ERRORS

if TYPE_CHECKING:
    from geo.store import Store


@dataclass(frozen=True)
class CachedAnswer:
    """What the service answered for a query, and when."""

    results: list[dict]
    fetched_at: datetime


def cached_answer(store: "Store", geocoder: str, query: str) -> CachedAnswer | None:
    """The cached answer for ``query`` (already normalised), or None."""
    try:
        row = store.conn.execute(
            "SELECT answer, fetched_at FROM geocoder_cache WHERE geocoder = ? AND query = ?",
            (geocoder, query)).fetchone()
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read the geocoder cache of") from err
    if row is None:
        return None
    return CachedAnswer(json.loads(row[0]), datetime.fromisoformat(row[1]))


def cache_answer(store: "Store", geocoder: str, query: str, results: list[dict], *,
                 at: datetime | None = None) -> bool:
    """Keep the answer for ``query`` (replacing an older one); False when the store is
    read-only (nothing written)."""
    if store.read_only:
        return False
    when = (at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    write(store, "cache a geocoder answer in", lambda c: c.execute(
        "INSERT INTO geocoder_cache (geocoder, query, answer, fetched_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (geocoder, query) DO UPDATE SET answer = excluded.answer,"
        " fetched_at = excluded.fetched_at", (geocoder, query, json.dumps(results), when)))
    return True
