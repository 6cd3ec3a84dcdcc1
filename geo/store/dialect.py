"""What the store says differently to PostgreSQL than to SQLite, in one place.

The store's SQL is written once, in SQLite's words (``?`` parameters, its functions); a
PostgreSQL connection (:class:`geo.store.db.Db`) passes each statement through
:func:`pg_statement`, and the few things the two say in different words are named here
(:data:`FTS`, :data:`JSON_IDS`, ...), keyed by dialect name. The schema's migrations are
written once too: :func:`pg_ddl` turns their column types into PostgreSQL's.

Full-text search: SQLite keeps an FTS5 table (``passages_fts``, kept in step by
triggers); PostgreSQL a generated ``tsvector`` column on ``passages`` with a GIN index.
Both use a plain, language-neutral tokenizer (FTS5's ``unicode61``, PostgreSQL's
``simple`` configuration); SQLite also folds accents, PostgreSQL does not.
"""
from __future__ import annotations

import re
from functools import lru_cache

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

def dialect_of(conn: object) -> str:
    """The SQL dialect of ``conn`` (a store connection; a plain sqlite3 one: SQLite)."""
    return getattr(conn, "dialect", SQLITE)


# -- pieces of SQL that differ ------------------------------------------------------

# the articles named by one JSON-array parameter (no limit on how many)
JSON_IDS = {SQLITE: "SELECT value FROM json_each(?)",
            POSTGRESQL: "SELECT json_array_elements_text(CAST(? AS json))"}
# every place id a mention weighed (its alternatives' ids); ``pm`` is place_mentions
ALTERNATIVE_IDS = {
    SQLITE: ("SELECT DISTINCT json_extract(j.value, '$.id') FROM place_mentions pm,"
             " json_each(pm.alternatives) j"),
    POSTGRESQL: ("SELECT DISTINCT j ->> 'id' FROM place_mentions pm,"
                 " json_array_elements(CAST(pm.alternatives AS json)) j"),
}
# how many other candidates a mention weighed
OTHERS = {SQLITE: "coalesce(json_array_length(pm.alternatives), 0)",
          POSTGRESQL: "coalesce(json_array_length(CAST(pm.alternatives AS json)), 0)"}
# what the per-place counts group by (PostgreSQL wants the places table's key named;
# on SQLite that would cost a sort: 556 -> 715 ms on 100,000 mentions)
PLACE_GROUP = {SQLITE: "pm.place_id", POSTGRESQL: "pm.place_id, pl.id"}
# the distinct rules of a group, comma-separated
RULES = {SQLITE: "group_concat(DISTINCT pm.rule)",
         POSTGRESQL: "string_agg(DISTINCT pm.rule, ',')"}
# a JSON array (as text) of the names a subquery selects
JSON_NAMES = {SQLITE: "json_group_array(name)",
              POSTGRESQL: "coalesce(CAST(json_agg(name ORDER BY name) AS text), '[]')"}
# the place id a correction's new value names
CORRECTED_PLACE_ID = {SQLITE: "json_extract(new_value, '$.place.id')",
                      POSTGRESQL: "CAST(new_value AS json) -> 'place' ->> 'id'"}
# the passages whose text holds every word of a search (the parameter: fts_terms())
FTS_PASSAGES = {
    # FTS5 rowids (read from the index alone); geo.store.queries maps them to passages
    SQLITE: "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?",
    POSTGRESQL: "SELECT id FROM passages WHERE tsv @@ to_tsquery('simple', ?)",
}


def fts_terms(dialect: str, words: list[str]) -> str:
    """The full-text query finding passages with every one of ``words`` (each as a
    prefix): FTS5 ``"armoured"* "tra"*``, PostgreSQL ``armoured:* & tra:*``."""
    if dialect == POSTGRESQL:
        return " & ".join(f"{word}:*" for word in words)
    return " ".join(f'"{word}"*' for word in words)


# -- the schema ---------------------------------------------------------------------

# migration 3 (full-text search) on PostgreSQL
PG_FTS = """
    ALTER TABLE passages ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
    CREATE INDEX passages_tsv ON passages USING GIN (tsv);
"""
# the migrations (by number, geo.store.schema.MIGRATIONS) PostgreSQL runs in its own words
PG_MIGRATIONS = {3: PG_FTS}
# PostgreSQL keeps the schema version in a table (SQLite: PRAGMA user_version)
PG_VERSION_TABLE = "news_atlas_schema"
# every write transaction holds this advisory lock, as SQLite's BEGIN IMMEDIATE holds
# the write lock: writers take turns, so a check-then-insert stays true to its commit
PG_WRITE_LOCK = 0x4E657773  # "News"

_DDL_TYPES = [
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGSERIAL PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    # byte order, as SQLite's BINARY collation: ISO dates and names sort the same way
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
    (re.compile(r"\)\s*WITHOUT ROWID"), ")"),
]


def pg_ddl(script: str) -> str:
    """A migration's SQL with SQLite's column types made PostgreSQL's."""
    for pattern, replacement in _DDL_TYPES:
        script = pattern.sub(replacement, script)
    return script


# -- statements ---------------------------------------------------------------------

_OR_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO\b", re.IGNORECASE)
_QUOTED_OR_MARK = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


@lru_cache(maxsize=1024)
def pg_statement(sql: str, with_params: bool) -> str:
    """An SQLite-worded statement as psycopg takes it: ``?`` -> ``%s`` (and a literal
    ``%`` doubled) when it has parameters; ``INSERT OR IGNORE`` -> ``ON CONFLICT DO
    NOTHING``."""
    if _OR_IGNORE.match(sql):
        sql = _OR_IGNORE.sub("INSERT INTO", sql, count=1).rstrip().rstrip(";") \
            + " ON CONFLICT DO NOTHING"
    if not with_params:
        return sql

    def mark(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _QUOTED_OR_MARK.sub(mark, sql)
