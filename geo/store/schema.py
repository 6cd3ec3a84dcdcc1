"""The store's schema and its migrations, in one place.

The database's ``PRAGMA user_version`` is the number of migrations applied; opening a
store applies the missing ones in order, each in its own transaction. A migration is
only ever appended, never edited, once it has landed.
"""
from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
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
    # kept in step with the passages table by triggers
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
]


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database lacks; return the resulting version."""
    version = schema_version(conn)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first; wrap each migration in its own transaction.
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return schema_version(conn)
