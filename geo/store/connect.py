"""Opening a store: URLs, read-only detection, health checks, and what a store fault
means for the user (every database error becomes a :class:`StoreError` that says what
is wrong and what to do).

A store is an SQLite file (``sqlite:///PATH``, or a plain path) or a PostgreSQL
database (``postgresql://USER@HOST:PORT/NAME``). An SQLite store is opened read-only
(no migration, no write, no WAL switch) when its URL asks for it (``?mode=ro``) or when
the file or its folder is not writable; a PostgreSQL store when its URL asks for it.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from pathlib import Path
from urllib.parse import parse_qsl

import psycopg
import sqlalchemy as sa

from geo.errors import QueryTimeoutError, StoreError, StoreFaultError
from geo.sqlite_check import quick_check
from geo.store.db import DB_ERRORS, Db
from geo.store.dialect import POSTGRESQL

BUSY_TIMEOUT_S = 30.0  # every connection waits this long for another writer's lock
PROGRESS_STEPS = 20_000  # time_limit looks at the clock every this many SQLite VM steps
QUICK_CHECK_MAX_BYTES = 128 * 1024 * 1024  # integrity-check stores up to this size on open

_RESTORE = ("restore it from a backup, or move it aside and run `python -m geo ingest` "
            "again to rebuild it")
_READ_ONLY_HINT = ("make the file and its folder writable, or open it read-only with "
                   "sqlite:///PATH?mode=ro")


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store URL: the file path (or ``:memory:``), or for PostgreSQL the URL
    without its password (``path``, for messages) and the URL to connect to
    (``postgresql``); and whether it asks for read-only access."""

    path: str
    read_only: bool = False
    postgresql: str | None = None


_PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def _parse_pg_url(url: str) -> StoreUrl:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as err:
        raise StoreError(f"unsupported store URL: {err}") from err
    query = dict(parsed.query)
    mode = query.pop("mode", "rw")
    if mode not in ("ro", "rw"):
        raise StoreError("unsupported store URL: the only mode options are ?mode=ro and "
                         "?mode=rw")
    parsed = parsed.set(drivername="postgresql", query=query)
    return StoreUrl(parsed.render_as_string(hide_password=True), read_only=mode == "ro",
                    postgresql=parsed.render_as_string(hide_password=False))


def parse_url(url: str) -> StoreUrl:
    """Parse ``sqlite:///PATH[?mode=ro]``, ``sqlite://`` (memory), a plain path or
    ``:memory:``, or ``postgresql://...[?mode=ro]``; :class:`StoreError` for any other
    scheme or option."""
    if url.split("://", 1)[0] in _PG_SCHEMES and "://" in url:
        return _parse_pg_url(url)
    if url.startswith("sqlite://"):
        rest = url[len("sqlite:///"):] if url.startswith("sqlite:///") else \
            url[len("sqlite://"):] or ":memory:"
        path, _, query = rest.partition("?")
        options = dict(parse_qsl(query, keep_blank_values=True))
        mode = options.pop("mode", "rw")
        if options or mode not in ("ro", "rw", "rwc"):
            raise StoreError(f"unsupported store URL {url!r}: the only option is ?mode=ro")
        return StoreUrl(path or ":memory:", read_only=mode == "ro")
    if "://" in url:
        raise StoreError(f"unsupported store URL {url!r}: use a file path, sqlite:///PATH "
                         "or postgresql://USER@HOST/NAME (add ?mode=ro to open it "
                         "read-only)")
    return StoreUrl(url)


@contextmanager
def time_limit(conn: Db | sqlite3.Connection, seconds: float | None) -> Iterator[None]:
    """Stop any statement on ``conn`` that runs past ``seconds`` from now (SQLite's
    progress handler, checked every few thousand virtual-machine steps; PostgreSQL's
    ``statement_timeout``), as a :class:`QueryTimeoutError`; None: no limit. The
    connection stays usable."""
    if seconds is None:
        yield
        return
    if getattr(conn, "dialect", None) == POSTGRESQL:
        with _pg_time_limit(conn, seconds):  # type: ignore[arg-type]
            yield
        return
    if isinstance(conn, Db):
        conn = conn.raw
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
    try:
        yield
    except (sqlite3.OperationalError, StoreError) as err:
        # the store's own methods wrap the error in a StoreError
        cause = err if isinstance(err, sqlite3.Error) else err.__cause__
        if isinstance(cause, sqlite3.OperationalError) and str(cause) == "interrupted" \
                and time.monotonic() > deadline:
            raise QueryTimeoutError(f"the query took longer than {seconds:g} s and was "
                                    "stopped") from cause
        raise
    finally:
        conn.set_progress_handler(None, 0)


@contextmanager
def _pg_time_limit(conn: Db, seconds: float) -> Iterator[None]:
    conn.execute(f"SET statement_timeout = {max(1, round(seconds * 1000))}")
    try:
        yield
    except (psycopg.errors.QueryCanceled, StoreError) as err:
        cause = err if isinstance(err, psycopg.Error) else err.__cause__
        if isinstance(cause, psycopg.errors.QueryCanceled):
            raise QueryTimeoutError(f"the query took longer than {seconds:g} s and was "
                                    "stopped") from cause
        raise
    finally:
        conn.execute("SET statement_timeout = 0")


@contextmanager
def transaction(store: Any, *, doing: str) -> Iterator[Db]:
    """One ``BEGIN IMMEDIATE`` transaction on ``store`` (a :class:`geo.store.Store`):
    committed when the block ends, rolled back on any error. StoreFaultError when the
    store is read-only or cannot be written; ``doing`` ("delete articles from", "record a
    correction in") names the work in that message."""
    if store.read_only:
        raise StoreFaultError(f"cannot {doing} the store {store.path}: it is open "
                              "read-only; make the file and its folder writable")
    c = store.conn
    try:
        c.begin_write()
        try:
            yield c
            c.commit()
        except BaseException:
            c.rollback()
            raise
    except DB_ERRORS as err:
        raise fault(store.path, err, doing=doing) from err


def read_only_url(url: str) -> str:
    """``url`` made to open read-only (``sqlite:///PATH?mode=ro``); an in-memory store
    stays as it is (it cannot be opened read-only)."""
    parsed = parse_url(url)
    if parsed.read_only or parsed.path == ":memory:":
        return url
    if parsed.postgresql:
        return f"{url}{'&' if '?' in url else '?'}mode=ro"
    return f"sqlite:///{parsed.path}?mode=ro"


def fault(path: str, err: Exception, *, doing: str = "use",
          waited: float = BUSY_TIMEOUT_S) -> StoreFaultError:
    """The StoreFaultError for a database error on the store at ``path`` (``waited``:
    the seconds spent waiting for another process's lock, for a busy store)."""
    if isinstance(err, psycopg.Error):
        return _pg_fault(path, err, doing=doing)
    code = getattr(err, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_NOTADB:
        why = f"is not a News Atlas store (not an SQLite database, or truncated): {_RESTORE}"
    elif code == sqlite3.SQLITE_CORRUPT:
        why = f"is damaged ({err}): {_RESTORE}"
    elif code == sqlite3.SQLITE_READONLY:
        why = f"is read-only ({err}): {_READ_ONLY_HINT}"
    elif code == sqlite3.SQLITE_FULL:
        why = f"cannot grow: the disk is full ({err}); free some space and try again"
    elif code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        why = (f"stayed locked by another process for over {waited:.0f} s ({err}); "
               "try again when it has finished")
    elif code == sqlite3.SQLITE_CANTOPEN:
        why = f"cannot be opened ({err}): check that it and its folder exist and are readable"
    else:
        why = f"failed ({err})"
    return StoreFaultError(f"cannot {doing} the store {path}: it {why}")


def _pg_fault(path: str, err: psycopg.Error, *, doing: str) -> StoreFaultError:
    detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if isinstance(err, psycopg.errors.ReadOnlySqlTransaction):
        why = (f"is open read-only ({detail}); open it without ?mode=ro, as a user that "
               "may write it")
    elif isinstance(err, psycopg.errors.InsufficientPrivilege):
        why = f"refused this user ({detail}); grant it the rights or use another user"
    elif isinstance(err, psycopg.OperationalError):
        why = (f"cannot be reached ({detail}): check that the PostgreSQL server is "
               "running and that the URL, user and password are right")
    else:
        why = f"failed ({detail})"
    return StoreFaultError(f"cannot {doing} the store {path}: it {why}")


def is_busy_error(err: Exception) -> bool:
    """Another connection held the lock past the busy timeout."""
    return getattr(err, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY,
                                                            sqlite3.SQLITE_LOCKED)


def is_read_only_error(err: Exception) -> bool:
    return getattr(err, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY


def check_location(path: Path, *, create: bool) -> None:
    """Refuse a folder, a path under a non-folder, or (when not ``create``) a missing
    file, with what to do; create the parent folder when ``create``."""
    if path.is_dir():
        raise StoreFaultError(f"the store {path} is a folder, not a file: give a file path "
                              f"such as {path / 'news_atlas.sqlite'}")
    if path.exists():
        return
    if not create:
        raise StoreFaultError(f"no store at {path}: run `python -m geo ingest FILES --db "
                              f"{path}` to create it, or check the path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreFaultError(f"cannot create the store {path}: its folder {path.parent} "
                              f"cannot be created ({err.strerror or err}); choose another "
                              "path with --db or NEWS_ATLAS_DB") from err


def is_writable(path: Path) -> bool:
    """Whether this process may write the store file and its folder (SQLite writes its
    journal and WAL files beside it); a missing file counts as writable."""
    folder = path.parent
    if not path.exists():
        return os.access(folder, os.W_OK | os.X_OK)
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)


def connect_rw(path: str) -> sqlite3.Connection:
    """A read-write connection (``:memory:`` included), busy timeout set."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def use_wal(conn: Db) -> None:
    """Switch a new store to the WAL journal. The switch does not wait for the busy
    timeout when another process opens the same new store at that moment: retry it."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return  # (a file SQLite may not write keeps its journal mode)
        except sqlite3.OperationalError as err:
            busy = getattr(err, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def connect_ro(path: Path) -> sqlite3.Connection:
    """A read-only connection that never writes. A WAL store in a folder this process
    cannot write has no ``-shm`` to share: it is then read as an immutable file."""
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S,
                               check_same_thread=False)
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.OperationalError as err:
        if getattr(err, "sqlite_errorcode", 0) & 0xFF not in (
                sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
            raise
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True,
                               check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


def check_health(conn: Db, path: str) -> None:
    """Read the header, and run ``PRAGMA quick_check`` when the file is small enough for
    it to be cheap (a store overwritten mid-file is found on open, not mid-ingest)."""
    conn.execute("PRAGMA user_version").fetchone()  # "file is not a database"
    problem = quick_check(conn, path, max_bytes=QUICK_CHECK_MAX_BYTES)
    if problem:
        raise StoreFaultError(f"cannot use the store {path}: it is damaged ({problem}): "
                              f"{_RESTORE}")
