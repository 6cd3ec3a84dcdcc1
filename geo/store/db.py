"""The store's connection to its database: one SQLAlchemy Core connection, to SQLite or
to PostgreSQL, with the small interface the store's modules use (``execute``,
``executemany``, ``commit``, ``rollback``; rows readable by position and by name).

Statements are SQL text in SQLite's words, run with ``Connection.exec_driver_sql``;
on PostgreSQL each is first reworded by :func:`geo.store.dialect.pg_statement`. A
driver error reaches the caller as the driver raised it (``sqlite3.Error``,
``psycopg.Error``; :data:`DB_ERRORS` names both), so each store fault keeps its cause.

Transactions: an SQLite connection keeps ``sqlite3``'s own (a write opens one, and the
store's writers open theirs with ``BEGIN IMMEDIATE``); a PostgreSQL connection runs in
autocommit and the writers open theirs with :meth:`Db.begin_write`, so on both a read
never holds a transaction open.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from geo.store.dialect import PG_WRITE_LOCK, POSTGRESQL, SQLITE, pg_ddl, pg_statement

DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError,
                                                 psycopg.IntegrityError)


class Record(tuple):
    """A row: a tuple whose values can also be read by column name (``row["id"]``),
    and a mapping for ``dict(row)``, as ``sqlite3.Row``."""

    __slots__ = ()
    _index: dict[str, int] = {}
    _names: list[str] = []

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _record_type(names: Sequence[str]) -> type[Record]:
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)  # a repeated name reads its first column
    return type("Record", (Record,), {"__slots__": (), "_index": index,
                                      "_names": list(names)})


def _driver_error(err: DBAPIError) -> Exception:
    orig = err.orig
    return orig if isinstance(orig, Exception) else err


def _driver_cursor(result: Any) -> Any:
    """The driver's cursor under a SQLAlchemy result, whose rows are plain tuples (for
    SQL text SQLAlchemy has nothing to convert; its own rows cost a third more on
    100,000 rows)."""
    return result.cursor


class Cursor:
    """The answer of :meth:`Db.execute`: its rows (as :class:`Record`) and counts."""

    def __init__(self, result: Any) -> None:
        self._result = _driver_cursor(result) if result.returns_rows else None
        self.rowcount: int = result.rowcount
        self._make = _record_type(list(result.keys())) if result.returns_rows else None

    def _rows(self, rows: Iterable[Any]) -> list[Record]:
        make = self._make
        return [make(r) for r in rows]  # type: ignore[misc]

    def fetchone(self) -> Record | None:
        if self._make is None:
            return None
        row = self._result.fetchone()
        return None if row is None else self._make(row)

    def fetchall(self) -> list[Record]:
        return self._rows(self._result.fetchall()) if self._make is not None else []

    def fetchmany(self, size: int) -> list[Record]:
        return self._rows(self._result.fetchmany(size)) if self._make is not None else []

    def __iter__(self) -> Iterator[Record]:
        if self._make is None:
            return iter(())
        make = self._make
        return (make(r) for r in iter(self._result.fetchone, None))


class Db:
    """An open connection to the store's database (``dialect``: "sqlite" or
    "postgresql")."""

    def __init__(self, conn: Connection, dialect: str) -> None:
        self.sa = conn
        self.dialect = dialect
        self._lock = threading.RLock()

    @property
    def raw(self) -> Any:
        """The driver's own connection (sqlite3 or psycopg)."""
        return self.sa.connection.driver_connection

    def _run(self, sql: str, params: Any, many: bool = False) -> Any:
        if self.dialect == POSTGRESQL:
            sql = pg_statement(sql, bool(params))
        with self._lock:
            try:
                if many:
                    return self.sa.exec_driver_sql(sql, params)
                return self.sa.exec_driver_sql(sql, tuple(params) if params else ())
            except DBAPIError as err:
                raise _driver_error(err) from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return Cursor(self._run(sql, params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            self._run(sql, rows, many=True)

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Rows as plain tuples (cheaper than records for 100,000 rows)."""
        return list(_driver_cursor(self._run(sql, params)).fetchall())

    def chunks(self, sql: str, size: int) -> Iterator[list[tuple]]:
        cursor = _driver_cursor(self._run(sql, ()))
        while rows := cursor.fetchmany(size):
            yield list(rows)

    def script(self, script: str) -> None:
        """Run the statements of a schema script (its types made the dialect's)."""
        from geo.store.schema import statements

        for statement in statements(pg_ddl(script) if self.dialect == POSTGRESQL else script):
            self.execute(statement)

    # -- transactions ---------------------------------------------------------------

    def begin_write(self) -> None:
        """Open a write transaction that holds the store's write lock until it ends
        (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock)."""
        if self.dialect == POSTGRESQL:
            self.execute("BEGIN")
            self.execute(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
        else:
            self.execute("BEGIN IMMEDIATE")

    def _pg_in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def commit(self) -> None:
        with self._lock:
            try:
                if self.dialect == POSTGRESQL:
                    if self._pg_in_transaction():
                        self.sa.exec_driver_sql("COMMIT")
                else:
                    self.sa.commit()
            except DBAPIError as err:
                raise _driver_error(err) from None

    def rollback(self) -> None:
        with self._lock:
            try:
                if self.dialect == POSTGRESQL:
                    if self._pg_in_transaction():
                        self.sa.exec_driver_sql("ROLLBACK")
                else:
                    self.sa.rollback()
            except DBAPIError as err:
                raise _driver_error(err) from None

    def __enter__(self) -> "Db":
        if self.dialect == POSTGRESQL:
            self.execute("BEGIN")
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def close(self) -> None:
        with self._lock:
            self.sa.close()
            self.sa.engine.dispose()


def sqlite_db(connect: Callable[[], sqlite3.Connection]) -> Db:
    """A :class:`Db` over the SQLite connection ``connect()`` makes."""
    engine = sa.create_engine("sqlite://", creator=connect, poolclass=NullPool)
    try:
        conn = engine.connect()
    except DBAPIError as err:
        engine.dispose()
        raise _driver_error(err) from None
    return Db(conn, SQLITE)


def postgresql_db(url: str, *, read_only: bool = False) -> Db:
    """A :class:`Db` on the PostgreSQL database at ``url`` (``postgresql://...``; the
    psycopg driver), in autocommit (see the module's docstring)."""
    sa_url = sa.make_url(url).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(sa_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        conn = engine.connect()
        if read_only:
            conn.exec_driver_sql("SET default_transaction_read_only = on")
    except DBAPIError as err:
        engine.dispose()
        raise _driver_error(err) from None
    return Db(conn, POSTGRESQL)
