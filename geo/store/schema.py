"""The store's schema and its migrations, in one place.

The schema version (SQLite's ``PRAGMA user_version``; on PostgreSQL the one row of the
table ``news_atlas_schema``) is the number of migrations applied; opening a writable
store applies the missing ones in order, all in one write transaction (the store's
write lock, :meth:`geo.store.db.Db.begin_write`) that re-reads the version once it
holds the lock, so two processes opening a new store at once never both run a
migration. A migration is only ever appended, never edited, once it has landed.

The same migrations build both back ends: written in SQLite's words, their column types
are made PostgreSQL's by :func:`geo.store.dialect.pg_ddl`; the one migration that
differs in substance (full-text search) has its PostgreSQL script in
:data:`geo.store.dialect.PG_MIGRATIONS`.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

from geo.store.db import Db
from geo.store.dialect import PG_MIGRATIONS, PG_VERSION_TABLE, POSTGRESQL, dialect_of

# A migration is an SQL script, or a function of the connection for one that needs
# Python (it runs inside the same transaction). PostgreSQL runs the same ones, but for
# those geo.store.dialect.PG_MIGRATIONS words differently.
MIGRATIONS: list[str | Callable[[Db], None]] = [
    # 1: the first schema
    """
    CREATE TABLE articles (
        id          TEXT PRIMARY KEY,
        title       TEXT,
        url         TEXT,
        source      TEXT,
        published   TEXT,            -- ISO-8601
        language    TEXT NOT NULL DEFAULT 'en',
        path        TEXT,
        text        TEXT NOT NULL,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_source ON articles(source);

    CREATE TABLE passages (
        id         TEXT PRIMARY KEY,  -- {article_id}-p{index}
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,
        start      INTEGER NOT NULL,
        "end"      INTEGER NOT NULL,
        text       TEXT NOT NULL,
        date       TEXT               -- ISO date the passage speaks of, if any
    );
    CREATE INDEX passages_article ON passages(article_id, idx);

    CREATE TABLE places (
        id           TEXT PRIMARY KEY, -- gazetteer id (gn:..., cur:..., cc:..., ...)
        name         TEXT NOT NULL,
        lat          REAL NOT NULL,
        lon          REAL NOT NULL,
        kind         TEXT NOT NULL,
        country_code TEXT,
        feature_class TEXT,
        feature_code TEXT,
        admin1       TEXT,
        population   INTEGER NOT NULL DEFAULT 0,
        source       TEXT
    );

    CREATE TABLE actors (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL,           -- canonical name
        kind TEXT NOT NULL,           -- PERSON / ORG / NORP
        UNIQUE (name, kind)
    );

    CREATE TABLE place_mentions (
        id           INTEGER PRIMARY KEY,
        article_id   TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        passage_id   TEXT REFERENCES passages(id) ON DELETE CASCADE,
        start        INTEGER NOT NULL,
        "end"        INTEGER NOT NULL,
        text         TEXT NOT NULL,
        kind         TEXT NOT NULL,   -- place / demonym
        label        TEXT,
        place_id     TEXT REFERENCES places(id),
        score        REAL,
        rule         TEXT,
        alternatives TEXT             -- JSON: [{"id", "name", "score"}, ...]
    );
    CREATE INDEX place_mentions_place ON place_mentions(place_id);
    CREATE INDEX place_mentions_passage ON place_mentions(passage_id);
    CREATE INDEX place_mentions_article ON place_mentions(article_id);

    CREATE TABLE actor_mentions (
        id         INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        passage_id TEXT REFERENCES passages(id) ON DELETE CASCADE,
        start      INTEGER NOT NULL,
        "end"      INTEGER NOT NULL,
        text       TEXT NOT NULL,
        actor_id   INTEGER NOT NULL REFERENCES actors(id)
    );
    CREATE INDEX actor_mentions_actor ON actor_mentions(actor_id);
    CREATE INDEX actor_mentions_passage ON actor_mentions(passage_id);
    """,
    # 2: dashboard read paths (geo.store.queries): the per-place aggregation reads only
    # this covering index, and the passage-date filter finds dated passages by index
    """
    CREATE INDEX place_mentions_cover
        ON place_mentions(place_id, kind, article_id, passage_id, score, rule);
    CREATE INDEX passages_date ON passages(date);
    """,
    # 3: full-text search in passages for the dashboard's text filter (SQLite FTS5),
    # kept in step with the passages table by triggers (PostgreSQL: a tsvector column,
    # geo.store.dialect.PG_MIGRATIONS)
    """
    CREATE VIRTUAL TABLE passages_fts USING fts5(id UNINDEXED, text);
    INSERT INTO passages_fts (id, text) SELECT id, text FROM passages;
    CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts (id, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
        DELETE FROM passages_fts WHERE id = old.id;
    END;
    CREATE TRIGGER passages_fts_update AFTER UPDATE OF text ON passages BEGIN
        UPDATE passages_fts SET text = new.text WHERE id = old.id;
    END;
    """,
    # 4: finding the articles that share a URL (an article's id is the hash of its text)
    """
    CREATE INDEX articles_url ON articles(url);
    """,
    # 5: the built-in sample is marked, so the dashboard can say it is showing the demo
    # and `python -m geo sample --remove` can take it out again (geo.sample); a note
    # remembers the removal, so the dashboard does not load the sample back
    """
    -- 1 for the sample's articles; a note records that the user removed the sample
    ALTER TABLE articles ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_sample ON articles(id) WHERE sample = 1;
    CREATE TABLE notes (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 6: corrections a user made to places and actors (geo.corrections): each is kept,
    # with what it replaced, so it is re-applied after re-analysis and to articles
    # added later, listed, exported to another store and undone
    """
    CREATE TABLE corrections (
        id         INTEGER PRIMARY KEY,
        target     TEXT NOT NULL CHECK (target IN ('place', 'actor')),
        action     TEXT NOT NULL,    -- place: choose / point / not_place;
                                     -- actor: merge / split / rename / not_actor
        scope      TEXT NOT NULL
                   CHECK (scope IN ('mention', 'article', 'source', 'everywhere')),
        name       TEXT NOT NULL,    -- the surface name it applies to ("Paris", "Obama")
        article_id TEXT,             -- scope mention / article: the article it was made in
        start      INTEGER,          -- scope mention: the mention's offsets in the text
        "end"      INTEGER,
        source     TEXT,             -- scope source: the articles' source
        old_value  TEXT,             -- JSON: what the geoparser had
        new_value  TEXT,             -- JSON: what the user chose (null: not a place/actor)
        author     TEXT,             -- who made it (an editor's name once sign-in exists)
        created_at TEXT NOT NULL,    -- ISO-8601, UTC
        undone_at  TEXT              -- set by undo; an undone correction is kept, not applied
    );
    CREATE INDEX corrections_live ON corrections(target, name) WHERE undone_at IS NULL;
    CREATE INDEX corrections_article ON corrections(article_id);
    """,
    # 7: actors fold across articles ("Kim Jong Un" / "Kim Jong-un"): actors.key (indexed)
    # finds a name's spelling variants; actor_mentions_auto keeps what the analysis
    # found, so actor corrections (geo.corrections_actors) can rebuild actor_mentions;
    # stored actors get their key and stored variants are folded (geo.store.actors)
    lambda conn: _fold_actors(conn),
    # 8: background jobs (geo.jobs): an ingest started from the dashboard runs in its own
    # process and keeps its progress here, so any visitor sees it live and a job whose
    # process died shows as interrupted; 'reanalyse' jobs use the same table
    """
    CREATE TABLE jobs (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,    -- ingest / reanalyse
        state      TEXT NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'done', 'failed')),
        sources    TEXT NOT NULL DEFAULT '[]',  -- JSON: the paths it reads
        total      INTEGER NOT NULL DEFAULT 0,  -- articles to analyse (known once read)
        done       INTEGER NOT NULL DEFAULT 0,  -- articles analysed so far
        added      INTEGER NOT NULL DEFAULT 0,
        skipped    INTEGER NOT NULL DEFAULT 0,  -- already present
        failed     INTEGER NOT NULL DEFAULT 0,
        current    TEXT,             -- the title of the article being analysed
        pid        INTEGER,          -- the worker process
        error      TEXT,             -- why a failed job stopped
        summary    TEXT,             -- JSON: geo.ingest.IngestSummary (each failure's reason)
        created_at TEXT NOT NULL,    -- ISO-8601, UTC
        started_at TEXT,
        updated_at TEXT,
        finished_at TEXT
    );
    CREATE INDEX jobs_recent ON jobs(created_at);
    """,
    # 9: a place mention remembers which correction decides it now and what the
    # geoparser had, so undoing the correction restores it (geo.corrections); a mention
    # with a correction and no place is one the user marked "not a place"
    """
    ALTER TABLE place_mentions ADD COLUMN correction_id INTEGER;  -- NULL: the geoparser's
    ALTER TABLE place_mentions ADD COLUMN parser_place_id TEXT;   -- the geoparser's choice,
    ALTER TABLE place_mentions ADD COLUMN parser_score REAL;      -- kept while a correction
    ALTER TABLE place_mentions ADD COLUMN parser_rule TEXT;       -- decides the mention
    CREATE INDEX place_mentions_correction ON place_mentions(correction_id)
        WHERE correction_id IS NOT NULL;
    """,
    # 10: the online geocoder's answers (geo.geocoders, geo.store.geocache), so a name is
    # asked once: the raw answer ([] when the service found nothing) and when it came
    """
    CREATE TABLE geocoder_cache (
        geocoder   TEXT NOT NULL,    -- the service and its address: "nominatim https://..."
        query      TEXT NOT NULL,    -- the name, normalised (geo.geocoders.query_key)
        answer     TEXT NOT NULL,    -- JSON: the service's raw results, [] for none
        fetched_at TEXT NOT NULL,    -- ISO-8601, UTC
        PRIMARY KEY (geocoder, query)
    ) WITHOUT ROWID;
    """,
]

_FOLD_ACTORS = """
    CREATE TABLE actor_mentions_auto (
        id         INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        passage_id TEXT,
        start      INTEGER NOT NULL,
        "end"      INTEGER NOT NULL,
        text       TEXT NOT NULL,
        name       TEXT NOT NULL,    -- the canonical name within the article
        kind       TEXT NOT NULL,    -- PERSON / ORG / NORP
        key        TEXT NOT NULL     -- geo.actors.fold_key(name)
    );
    CREATE INDEX actor_mentions_auto_article ON actor_mentions_auto(article_id);
    CREATE INDEX actor_mentions_auto_key ON actor_mentions_auto(key);
"""


def _fold_actors(conn: Db) -> None:
    from geo.store.actors import fold_stored

    conn.script(_FOLD_ACTORS)
    fold_stored(conn)
    conn.execute("CREATE INDEX actors_key ON actors(key, kind)")


def schema_version(conn: Db) -> int:
    if dialect_of(conn) == POSTGRESQL:
        # (a catalog query, not to_regclass(), whose cached answer can be stale here)
        if not conn.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname ="
                            " current_schema() AND tablename = ?",
                            (PG_VERSION_TABLE,)).fetchone()[0]:
            return 0
        row = conn.execute(f"SELECT max(version) FROM {PG_VERSION_TABLE}").fetchone()
        return row[0] or 0
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _set_version(conn: Db, number: int) -> None:
    if conn.dialect == POSTGRESQL:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {PG_VERSION_TABLE} (version INTEGER NOT NULL)")
        conn.execute(f"DELETE FROM {PG_VERSION_TABLE}")
        conn.execute(f"INSERT INTO {PG_VERSION_TABLE} (version) VALUES (?)", (number,))
    else:
        conn.execute(f"PRAGMA user_version = {number}")


def statements(script: str) -> list[str]:
    """The SQL statements of a script, whole (a trigger body's ``;`` included)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def migrate(conn: Db) -> int:
    """Apply the migrations this database lacks, under the write lock; return the
    resulting version."""
    if schema_version(conn) >= len(MIGRATIONS):
        return schema_version(conn)
    conn.begin_write()  # waits for another process's migration
    try:
        version = schema_version(conn)
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            if conn.dialect == POSTGRESQL:
                script = PG_MIGRATIONS.get(number, script)
            if callable(script):
                script(conn)
            else:
                conn.script(script)
            _set_version(conn, number)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return schema_version(conn)
