"""Reading the gazetteer index: a read-only SQLite file, queried by name key."""
from __future__ import annotations

import functools
import json
import logging
import math
import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ParamSpec, TypeVar

from geo.errors import GazetteerError
from geo.gazetteer.geometry import haversine_km
from geo.gazetteer.normalize import name_key
from geo.gazetteer.paths import default_gazetteer_path
from geo.gazetteer.schema import ENTRY_COLUMNS, MAX_TOKEN_LEN_CAP, SCHEMA_VERSION
from geo.models import GazetteerEntry
from geo.sqlite_check import checked_quickly

logger = logging.getLogger(__name__)

_SELECT = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS)
_BY_KEY = (f"SELECT {_SELECT} FROM names n JOIN entries e ON e.rowid = n.entry "
           "WHERE n.key = ? AND n.lang IN ('', ?) ORDER BY n.score DESC, e.population DESC "
           "LIMIT ?")
_BUILD_HINT = "run `python -m geo gazetteer build` to build it"
_REBUILD_HINT = "run `python -m geo gazetteer build` to rebuild it"
QUICK_CHECK_MAX_BYTES = 512 * 1024 * 1024  # integrity-check indexes up to this size on open

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _guarded(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """A query that turns an SQLite fault (a damaged index) into a GazetteerError."""
    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except sqlite3.DatabaseError as err:
            path = getattr(args[0], "path", "the gazetteer")
            raise GazetteerError(f"the gazetteer index {path} is damaged ({err}): "
                                 f"{_REBUILD_HINT}") from err
    return wrapper


def _check_health(conn: sqlite3.Connection, target: Path) -> None:
    """``PRAGMA quick_check`` (about 0.25 s for the default index), so a file
    overwritten mid-way is refused on open rather than mid-analysis or never; skipped
    while the file is the one that passed it (:func:`geo.sqlite_check.checked_quickly`)."""
    problem = checked_quickly(conn, target, max_bytes=QUICK_CHECK_MAX_BYTES)
    if problem:
        raise GazetteerError(f"the gazetteer index {target} is damaged ({problem}): "
                             f"{_REBUILD_HINT}")


class Gazetteer:
    """The offline gazetteer. Open it with :meth:`open` (read-only, near instant);
    nothing is loaded into memory beyond SQLite's page cache.

    Names are read as one language reads them (``lang``, English by default): the
    names of every language, and those tagged with ``lang`` ("Corée du Nord" for "fr");
    :meth:`for_language` gives another language's view of the same file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, lang: str = "en") -> None:
        self._conn = conn
        self.path = path
        self.lang = lang
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise GazetteerError(f"the gazetteer index {path} has schema version "
                                 f"{meta.get('schema_version')}, this News Atlas reads "
                                 f"{SCHEMA_VERSION}: {_REBUILD_HINT}")
        self._meta = meta
        self.max_token_len: int = int(meta.get("max_token_len", MAX_TOKEN_LEN_CAP))

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> Gazetteer:
        """Open an index read-only; :class:`GazetteerError` when it is missing or broken."""
        target = Path(path) if path is not None else default_gazetteer_path()
        if not target.is_file():
            raise GazetteerError(f"no gazetteer index at {target}: {_BUILD_HINT}")
        conn = None
        try:
            conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            _check_health(conn, target)
            return cls(conn, target)
        except (sqlite3.Error, GazetteerError) as err:
            if conn is not None:
                conn.close()
            if isinstance(err, GazetteerError):
                raise
            raise GazetteerError(f"{target} is not a readable gazetteer index ({err}): "
                                 f"{_REBUILD_HINT}") from err

    def for_language(self, lang: str) -> Gazetteer:
        """The same index read as ``lang`` reads it (its connection shared: close one)."""
        return self if lang == self.lang else Gazetteer(self._conn, self.path, lang=lang)

    # -- lookups ------------------------------------------------------------------------

    @_guarded
    def lookup(self, name: str, *, limit: int | None = None) -> list[GazetteerEntry]:
        """Every entry called ``name`` (own or alternate name, under :func:`name_key`),
        most prominent first."""
        key = name_key(name)
        if not key:
            return []
        rows = self._conn.execute(_BY_KEY, (key, self.lang,
                                            -1 if limit is None else limit + 4))
        seen: set[str] = set()
        out = []
        for row in rows:
            if row[0] not in seen:  # an alias may repeat one of the entry's own names
                seen.add(row[0])
                out.append(GazetteerEntry(*row))
        return out if limit is None else out[:limit]

    @_guarded
    def has_name(self, name: str) -> bool:
        """True when some entry is called ``name`` (fast: one index probe)."""
        key = name_key(name)
        return bool(key) and self._conn.execute(
            "SELECT 1 FROM names WHERE key = ? AND lang IN ('', ?) LIMIT 1",
            (key, self.lang)).fetchone() is not None

    @_guarded
    def get(self, entry_id: str) -> GazetteerEntry | None:
        """The entry with this id (``gn:2013348``, ``cc:RU``, ``iso:RU-PRI``...)."""
        row = self._conn.execute(f"SELECT {_SELECT} FROM entries e WHERE e.id = ?",
                                 (entry_id,)).fetchone()
        return GazetteerEntry(*row) if row else None

    def country(self, code: str) -> GazetteerEntry | None:
        """The country entry of an ISO 3166-1 alpha-2 code."""
        return self.get(f"cc:{code.strip().upper()}") if code else None

    @_guarded
    def demonym(self, word: str) -> str | None:
        """ISO alpha-2 code of the country a demonym names ("Russians" -> "RU")."""
        key = name_key(word)
        row = self._conn.execute("SELECT country_code FROM demonyms WHERE key = ?",
                                 (key,)).fetchone() if key else None
        return row[0] if row else None

    @_guarded
    def nearest(self, lat: float, lon: float, *, kinds: Iterable[str] | None = None,
                max_km: float = 500.0) -> GazetteerEntry | None:
        """The entry closest to a point (within ``max_km``), optionally of some kinds."""
        wanted = set(kinds) if kinds else None
        for box_km in (10.0, 50.0, 200.0, max_km):
            dlat = min(box_km, max_km) / 111.0
            dlon = dlat / max(0.05, math.cos(math.radians(lat)))
            rows = self._conn.execute(
                f"SELECT {_SELECT} FROM entries e WHERE e.lat BETWEEN ? AND ? "
                "AND e.lon BETWEEN ? AND ?", (lat - dlat, lat + dlat, lon - dlon, lon + dlon))
            best = min(((haversine_km(lat, lon, r[2], r[3]), r) for r in rows
                        if wanted is None or r[4] in wanted), default=None)
            if best is not None and best[0] <= min(box_km, max_km):
                return GazetteerEntry(*best[1])
            if box_km >= max_km:
                break
        return None

    # -- housekeeping --------------------------------------------------------------------

    @_guarded
    def info(self) -> dict:
        """What is in the index: entries per kind and per source, names, size, build date."""
        kinds = dict(self._conn.execute("SELECT kind, COUNT(*) FROM entries GROUP BY kind"))
        return {
            "path": str(self.path), "bytes": self.path.stat().st_size,
            "built_at": self._meta.get("built_at"),
            "schema_version": self._meta.get("schema_version"),
            "inputs": self._meta.get("inputs"),
            "entries": sum(kinds.values()), "entries_by_kind": kinds,
            "name_rows": self._conn.execute("SELECT COUNT(*) FROM names").fetchone()[0],
            "demonyms": self._conn.execute("SELECT COUNT(*) FROM demonyms").fetchone()[0],
            "admin_codes": self._admin_codes(),
            "by_source": json.loads(self._meta.get("counts", "{}")),
            "max_token_len": self.max_token_len,
        }

    def _admin_codes(self) -> dict[str, int]:
        """How many subdivisions carry an admin1 code (GeoNames', like the cities')."""
        rows = self._conn.execute(
            "SELECT kind, substr(id, 1, instr(id, ':') - 1), COUNT(*), COUNT(admin1) "
            "FROM entries WHERE kind IN ('admin1', 'admin2') GROUP BY 1, 2")
        out: dict[str, int] = {}
        for kind, prefix, total, coded in rows:
            out[f"{prefix}:{kind}"] = total
            out[f"{prefix}:{kind} with admin1 code"] = coded
        return out

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ensure_gazetteer(path: str | os.PathLike | None = None, *,
                     progress: bool = True) -> Gazetteer:
    """Open the index, building it first when it is missing, or rebuilding it when it
    was built from the default sources and those have changed since (a curated place
    added, the builder or a data package upgraded)."""
    from geo.gazetteer.background import build_lock

    target = Path(path) if path is not None else default_gazetteer_path()
    gaz = _current(target)
    if gaz is not None:
        return gaz
    with build_lock(target):  # a build of it in another process (the dashboard's) ends first
        gaz = _current(target)
        if gaz is not None:
            return gaz
        from geo.gazetteer.build import build_gazetteer

        why = "out of date with its sources" if target.is_file() else "missing"
        logger.info("gazetteer at %s is %s: building it (a minute or so)", target, why)
        build_gazetteer(target, progress=progress)
    return Gazetteer.open(target)


def _current(target: Path) -> Gazetteer | None:
    """The index at ``target``, opened, when it exists and is up to date."""
    from geo.gazetteer.fingerprint import inputs_fingerprint

    if not target.is_file():
        return None
    gaz = Gazetteer.open(target)
    if gaz._meta.get("inputs") in ("custom", inputs_fingerprint()):
        return gaz  # built from chosen sources, or from today's defaults
    gaz.close()
    return None
