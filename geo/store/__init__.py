"""The store: the only part of News Atlas that speaks SQL.

SQLite by default (WAL journal, foreign keys on, a busy timeout on every connection),
or PostgreSQL by URL (``postgresql://USER@HOST/NAME``), both through one SQLAlchemy
Core connection (:mod:`geo.store.db`). ``Store.save`` writes one analysed article in one
write transaction (SQLite's ``BEGIN IMMEDIATE``; on PostgreSQL the store's advisory
lock), so a failure leaves nothing half-written and two processes saving the same
article at once store it once; it skips an article that is already stored, so
re-ingesting is harmless.

A store whose file or folder is not writable, or whose URL says ``?mode=ro``, opens
read-only (``Store.read_only``): it is served but never migrated or written. Every
SQLite fault (a damaged, truncated or non-SQLite file, a folder, a read-only file) is a
:class:`StoreError` that says what is wrong and what to do.

Read queries for the dashboard and exports live in :mod:`geo.store.queries`.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from geo.errors import StoreError, StoreFaultError
from geo.models import AnalyzedArticle, Article, GazetteerEntry
from geo.store.manage import Deletion
from geo.store.connect import (
    BUSY_TIMEOUT_S, check_health, check_location, connect_ro, connect_rw, fault,
    is_busy_error, is_read_only_error, is_writable, parse_url, use_wal,
)
from geo.store.schema import MIGRATIONS, migrate, schema_version
from geo.store.db import DB_ERRORS, INTEGRITY_ERRORS, Db, postgresql_db, sqlite_db

log = logging.getLogger(__name__)

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "news_atlas.sqlite"

LOCK_ATTEMPTS = 3  # busy timeouts a save waits through before it gives up

_SURROGATE = re.compile("[\ud800-\udfff]")


def default_db_url() -> str:
    """``$NEWS_ATLAS_DB`` when set, else ``data/news_atlas.sqlite`` in the checkout
    (:mod:`geo.settings`)."""
    from geo.settings import load

    return load().db_url or str(DEFAULT_DB)


def is_default_store(url: str) -> bool:
    """Whether ``url`` is the default store that no one named: the settings name no
    store (:mod:`geo.settings`) and ``url`` is ``data/news_atlas.sqlite`` (the only
    store the dashboard loads the built-in sample into)."""
    from geo.settings import load

    return url == str(DEFAULT_DB) and not load().db_named


def sqlite_path(url: str) -> str:
    """The file path of an SQLite URL (``sqlite:///x.db``, ``x.db`` or ``:memory:``)."""
    return parse_url(url).path


def storable(value: object) -> object:
    """``value``, with a string made encodable as UTF-8: each lone surrogate (a file
    name's undecodable byte, ``"\\ud800"`` in JSON) becomes U+FFFD, so offsets hold."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)
    return value


def _row(*values: object) -> tuple:
    return tuple(storable(v) for v in values)


def _same_text(a: str, b: str) -> bool:
    return a.split() == b.split()


def _connected(path: str, connect: Callable[[], Db],
               prepare: Callable[[Db], None]) -> Db:
    """``connect()`` then ``prepare(conn)``; on any failure the connection is closed and
    the error is a StoreError saying what to do."""
    conn = None
    try:
        conn = connect()
        prepare(conn)
        return conn
    except (*DB_ERRORS, StoreError) as err:
        if conn is not None:
            conn.close()
        if isinstance(err, StoreError):
            raise
        raise fault(path, err, doing="open") from err


class Store:
    """An open News Atlas database; ``read_only`` when it may not be written. ``path``
    names it in messages (an SQLite file, or a PostgreSQL URL without its password);
    ``url`` is what another process opens it with (the password included)."""

    def __init__(self, conn: Db, *, path: str = ":memory:",
                 read_only: bool = False, url: str | None = None) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only
        self.url = url or path

    @classmethod
    def open(cls, url: str | None = None, *, read_only: bool = False) -> "Store":
        """Open the store at ``url``: read-write (created and migrated when needed), or
        read-only when asked or when the file or its folder is not writable."""
        parsed = parse_url(url or default_db_url())
        path = parsed.path
        if parsed.postgresql:
            return cls._open_pg(parsed.postgresql, path,
                                read_only=read_only or parsed.read_only)
        if path == ":memory:":
            return cls._open_rw(path)
        want_ro = read_only or parsed.read_only
        check_location(Path(path), create=not want_ro)
        if want_ro or not is_writable(Path(path)):
            if not Path(path).exists():
                raise StoreFaultError(f"cannot create the store {path}: its folder is not "
                                      "writable; choose another path with --db or "
                                      "NEWS_ATLAS_DB")
            return cls._open_ro(path)
        try:
            return cls._open_rw(path)
        except StoreFaultError as err:
            if not isinstance(err.__cause__, DB_ERRORS) \
                    or not is_read_only_error(err.__cause__):
                raise
            log.info("%s is not writable: opening it read-only", path)
            return cls._open_ro(path)

    @classmethod
    def _open_rw(cls, path: str) -> "Store":
        def prepare(conn: Db) -> None:
            check_health(conn, path)
            if path != ":memory:":
                use_wal(conn)
            migrate(conn)

        conn = _connected(path, lambda: sqlite_db(lambda: connect_rw(path)), prepare)
        return cls._ready(conn, path, read_only=False)

    @classmethod
    def _open_pg(cls, url: str, shown: str, *, read_only: bool) -> "Store":
        conn = _connected(shown, lambda: postgresql_db(url, read_only=read_only),
                          (lambda conn: None) if read_only else migrate)
        if read_only:
            cls._check_version(conn, shown)
        return cls(conn, path=shown, read_only=read_only, url=url)

    @classmethod
    def _open_ro(cls, path: str) -> "Store":
        conn = _connected(path, lambda: sqlite_db(lambda: connect_ro(Path(path))),
                          lambda conn: check_health(conn, path))
        cls._check_version(conn, path)
        return cls._ready(conn, path, read_only=True)

    @staticmethod
    def _check_version(conn: Db, path: str) -> None:
        try:
            version = schema_version(conn)
        except DB_ERRORS as err:
            conn.close()
            raise fault(path, err, doing="open") from err
        if version < len(MIGRATIONS):
            conn.close()
            what = "is not a News Atlas store (it is empty)" if version == 0 else \
                f"has schema version {version}, older than this News Atlas ({len(MIGRATIONS)})"
            raise StoreFaultError(
                f"the store {path} {what}, and it is read-only, so it cannot be "
                "upgraded: make the file and its folder writable and open it once "
                "(`python -m geo ingest` or the dashboard), or open a newer store")

    @classmethod
    def _ready(cls, conn: Db, path: str, *, read_only: bool) -> "Store":
        conn.execute("PRAGMA foreign_keys=ON")
        return cls(conn, path=path, read_only=read_only)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        try:
            row = self.conn.execute("SELECT 1 FROM articles WHERE id = ?",
                                    (article_id,)).fetchone()
        except DB_ERRORS as err:
            raise fault(self.path, err, doing="read") from err
        return row is not None

    def article_count(self) -> int:
        try:
            return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        except DB_ERRORS as err:
            raise fault(self.path, err, doing="read") from err

    def is_stored(self, article: Article) -> bool:
        """Whether ``article`` is stored: under its id, or (stored by an older News
        Atlas, whose ids hashed the URL) under its URL with the same text."""
        try:
            return self._stored(article)
        except DB_ERRORS as err:
            raise fault(self.path, err, doing="read") from err

    def _stored(self, art: Article) -> bool:
        c = self.conn
        if c.execute("SELECT 1 FROM articles WHERE id = ?", (storable(art.id),)).fetchone():
            return True
        if not art.url:
            return False
        rows = c.execute("SELECT text FROM articles WHERE url = ?", (storable(art.url),))
        return any(_same_text(row[0], art.text) for row in rows)

    def url_twins(self, article: Article) -> list[str]:
        """Where the stored articles that share ``article``'s URL but not its id were
        read from (their path, else their id): different texts under one URL."""
        if not article.url:
            return []
        try:
            rows = self.conn.execute(
                "SELECT coalesce(path, id) FROM articles WHERE url = ? AND id != ?"
                " ORDER BY ingested_at, id", _row(article.url, article.id)).fetchall()
        except DB_ERRORS as err:
            raise fault(self.path, err, doing="read") from err
        return [row[0] for row in rows]

    # -- writing ---------------------------------------------------------------------

    def save(self, analyzed: AnalyzedArticle, *, sample: bool = False) -> bool:
        """Store one analysed article in one transaction, holding the write lock from
        the check to the commit; ``sample`` marks it as the built-in sample's.

        Returns False (and writes nothing) when the article is already stored, by this
        process or by another one meanwhile. A store that another process keeps locked
        past the busy timeout is tried again, :data:`LOCK_ATTEMPTS` times in all.
        :class:`StoreFaultError` when the store cannot be written at all;
        :class:`StoreError` when this article cannot be.
        """
        art = analyzed.article
        if self.read_only:
            raise StoreFaultError(f"cannot store article {art.id} ({art.path}): the store "
                                  f"{self.path} is open read-only")
        doing = f"store article {art.id} ({art.path}) in"
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                return self._save_once(analyzed, sample=sample)
            except INTEGRITY_ERRORS as err:
                raise StoreError(f"cannot store article {art.id} ({art.path}): {err}") \
                    from err
            except DB_ERRORS as err:
                if attempt < LOCK_ATTEMPTS and is_busy_error(err):
                    log.warning("the store %s stayed locked by another process for %.0f s:"
                                " trying again (%d of %d)", self.path, BUSY_TIMEOUT_S,
                                attempt + 1, LOCK_ATTEMPTS)
                    continue
                raise fault(self.path, err, doing=doing,
                            waited=BUSY_TIMEOUT_S * attempt) from err
        raise AssertionError("unreachable")

    def _save_once(self, analyzed: AnalyzedArticle, *, sample: bool) -> bool:
        self.conn.begin_write()
        try:
            if self._stored(analyzed.article):
                self.conn.rollback()
                return False
            self._insert(analyzed, sample=sample)
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        return True

    def delete_articles(self, ids: Sequence[str]) -> Deletion:
        """Delete the articles ``ids`` in one transaction: their passages (and full-text
        rows), their mentions, and the places and actors no other article mentions.
        The answer names what went and the ids the store does not hold. Deleting the
        built-in sample's article remembers it was removed (as ``sample --remove`` does).
        :class:`StoreFaultError` when the store is read-only or cannot be written."""
        from geo.store.manage import delete_rows, stored_ids, write
        from geo.store.sample import note_removal

        wanted = list(dict.fromkeys(storable(i) for i in ids))

        def work(c: Db) -> Deletion:
            present = stored_ids(c, wanted)
            samples = c.execute("SELECT count(*) FROM articles WHERE sample = 1").fetchone()[0]
            removed = delete_rows(c, [i for i in wanted if i in present])
            left = c.execute("SELECT count(*) FROM articles WHERE sample = 1").fetchone()[0]
            if samples and not left:
                note_removal(c)
            return Deletion(removed, tuple(i for i in wanted if i in present),
                            tuple(i for i in wanted if i not in present))

        return write(self, "delete articles from", work)

    def replace(self, analyzed: AnalyzedArticle) -> bool:
        """Replace a stored article's analysis with ``analyzed`` in one transaction: its
        old passages and mentions go, the new ones are stored through :meth:`_insert`
        (which re-applies the user's corrections), places and actors left unmentioned
        go. The article keeps its sample mark and its ingestion time. False (nothing
        written) when the article is not stored; StoreError as :meth:`save`."""
        from geo.store.manage import drop_orphans, referred, stored_article, touch, write

        art = analyzed.article

        def work(c: Db) -> bool:
            old = stored_article(c, storable(art.id))
            if old is None:
                return False
            places, actors = referred(c, [old.article.id])
            c.execute("DELETE FROM articles WHERE id = ?", (old.article.id,))  # cascades
            self._insert(analyzed, sample=old.sample)
            c.execute("UPDATE articles SET ingested_at = ? WHERE id = ?",
                      (old.ingested_at, old.article.id))
            drop_orphans(c, places, actors)
            touch(c)
            return True

        try:
            return write(self, f"re-store article {art.id} ({art.path}) in", work)
        except StoreFaultError as err:
            if isinstance(err.__cause__, INTEGRITY_ERRORS):
                raise StoreError(f"cannot store article {art.id} ({art.path}):"
                                 f" {err.__cause__}") from err.__cause__
            raise

    def _insert(self, analyzed: AnalyzedArticle, *, sample: bool) -> None:
        art, c = analyzed.article, self.conn
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        c.execute(
            "INSERT INTO articles (id, title, url, source, published, language, path, text,"
            " ingested_at, sample) VALUES (?,?,?,?,?,?,?,?,?,?)",
            _row(art.id, art.title, art.url, art.source, art.published, art.language or "en",
                 art.path, art.text, now, int(sample)),
        )
        c.executemany(
            'INSERT INTO passages (id, article_id, idx, start, "end", text, date)'
            " VALUES (?,?,?,?,?,?,?)",
            [_row(p.id, p.article_id, p.index, p.start, p.end, p.text, p.date)
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
            [_row(art.id, m.passage_id, m.start, m.end, m.text, m.kind, m.label,
                  m.place.id if m.place else None, m.score, m.rule,
                  json.dumps([{"id": a.entry.id, "name": a.entry.name,
                               "score": round(a.score, 4)} for a in m.alternatives]))
             for m in analyzed.places],
        )
        from geo.corrections import apply_stored  # (imports this module)
        from geo.store.actors import FoundMention, insert_found

        insert_found(c, art.id, [
            FoundMention(*_row(m.passage_id, m.start, m.end, m.text, m.canonical or m.text,
                               m.label)) for m in analyzed.actors])
        # in this transaction: the places the user corrected; the actors folded across
        # articles (the found mentions become actor_mentions), then the user's actor fixes
        apply_stored(self, [art.id])

    def _upsert_place(self, e: GazetteerEntry) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO places (id, name, lat, lon, kind, country_code, feature_class,"
            " feature_code, admin1, population, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            _row(e.id, e.name, e.lat, e.lon, e.kind, e.country_code, e.feature_class,
                 e.feature_code, e.admin1, e.population, e.source),
        )
