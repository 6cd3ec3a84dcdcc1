"""Read queries for the dashboard and exports (the store is the only part that speaks SQL).

Every function takes an open store connection (``Store.conn``, :class:`geo.store.db.Db`;
SQLite or PostgreSQL) and returns rows (:class:`geo.store.db.Record`); :mod:`geo.query`
turns them into DataFrames. The filters are applied
as ``WHERE`` clauses on indexed columns, and the per-place aggregation is a ``GROUP BY``,
so the dashboard never pulls individual mentions it does not show.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterator, Sequence

from geo.store.corrections import NOT_A_PLACE_SQL
from geo.store.corrections import revision as corrections_revision
from geo.store.filters import Filters
from geo.store.db import Db, Record
from geo.store.dialect import (
    FTS_PASSAGES, OTHERS, PLACE_GROUP, RULES, SQLITE, dialect_of, fts_terms,
)


BROAD_KINDS = ("country", "continent")  # place kinds that count as "country level"

# What a place's counts are, everywhere (map, tables, every export): its mentions are the
# mentions resolved to it, by name ("North Korea") and by demonym ("North Korean"),
# ``demonym_mentions`` says how many of them are demonyms; ``articles`` how many articles
# hold at least one. Over ``place_mentions pm`` grouped by place.
# How many other gazetteer places a mention's name could have meant (its alternatives).
OTHERS_SQL = OTHERS[SQLITE]  # (PostgreSQL: geo.store.dialect.OTHERS)
PLACE_COUNTS_SQL = ("count(*) AS mentions,"
                    " sum(CASE WHEN pm.kind = 'demonym' THEN 1 ELSE 0 END) AS demonym_mentions,"
                    " count(DISTINCT pm.article_id) AS articles")
# A text search is bounded, whatever a visitor types or puts in a URL: SQLite refuses a
# LIKE pattern over 50,000 bytes, and an FTS query with many terms is slow.
MAX_SEARCH_CHARS = 200
MAX_SEARCH_WORDS = 16


@dataclass
class Where:
    """A ``WHERE`` clause under construction, and its parameters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""

    def joins(self) -> str:
        return " JOIN places pl ON pl.id = pm.place_id"


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def day_after(iso: str) -> str:
    """The exclusive upper bound, as text, of a date range ending on ``iso``'s day: the
    next day, or ``"9999-12-32"`` after the last day a ``date`` can hold (still above
    every ISO timestamp of 9999-12-31 in SQLite's text order)."""
    day = date.fromisoformat(iso[:10])
    if day == date.max:
        return "9999-12-32"
    return (day + timedelta(days=1)).isoformat()


def search_text(text: str) -> str:
    """``text`` as it is searched: trimmed and cut to :data:`MAX_SEARCH_CHARS`."""
    return text.strip()[:MAX_SEARCH_CHARS].strip()


def _like_pattern(text: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern finding ``text`` literally (its ``%`` and ``_``
    are plain characters), for at most :data:`MAX_SEARCH_CHARS` of it."""
    text = search_text(text)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_query(text: str, dialect: str = SQLITE) -> str:
    """A full-text query finding passages with every word of ``text`` (each as a
    prefix): ``armoured tra`` -> FTS5's ``"armoured"* "tra"*`` (PostgreSQL:
    ``armoured:* & tra:*``). Empty when ``text`` has no word. At most
    :data:`MAX_SEARCH_WORDS` words of the first :data:`MAX_SEARCH_CHARS` characters."""
    words = re.findall(r"\w+", search_text(text))[:MAX_SEARCH_WORDS]
    return fts_terms(dialect, words)


@dataclass(frozen=True)
class Condition:
    """One filter as a condition on a column of ``place_mentions``: its value is among
    ``values``, or among the rows ``subquery`` selects (one column, the same kind of
    value), or, with ``negate``, not among them.

    This is the one definition of what a filter means. :func:`where_for` writes each as
    ``pm.<column> [NOT] IN (...)``; :mod:`geo.mention_index` runs the same ``subquery``
    and looks its rows up in its arrays, so the two cannot disagree.
    """

    column: str                      # "article_id", "passage_id", "place_id" or "kind"
    subquery: str | None = None
    params: tuple[Any, ...] = ()
    values: tuple[Any, ...] = ()     # when there is no subquery
    negate: bool = False
    # the subquery selects rowids of the full-text table, whose ``id`` is the passage
    # (an FTS5 rowid comes from the index itself; its ``id`` is read from the content)
    fts_rowids: bool = False

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        inner = (self.subquery, self.params) if self.subquery is not None else (
            _marks(self.values), self.values)
        if self.fts_rowids:
            inner = (f"SELECT id FROM passages_fts WHERE rowid IN ({inner[0]})", inner[1])
        return f"pm.{self.column} {'NOT IN' if self.negate else 'IN'} ({inner[0]})", inner[1]


MENTION_COLUMNS = ("article_id", "passage_id", "place_id", "kind")


def _date_condition(f: Filters) -> Condition | None:
    if not (f.date_from or f.date_to):
        return None
    lo = f.date_from[:10] if f.date_from else "0000"
    hi = day_after(f.date_to) if f.date_to else "9999"
    if f.date_field == "passage":
        # the date the passage speaks of, else the article's publication date
        return Condition(
            "passage_id", "SELECT id FROM passages WHERE date >= ? AND date < ?"
            " UNION ALL SELECT p.id FROM passages p JOIN articles a ON a.id = p.article_id"
            " WHERE p.date IS NULL AND a.published >= ? AND a.published < ?", (lo, hi, lo, hi))
    return Condition("article_id", "SELECT id FROM articles WHERE published >= ?"
                     " AND published < ?", (lo, hi))


def _text_condition(text: str, dialect: str) -> Condition | None:
    if not search_text(text):
        return None
    match = fts_query(text, dialect)
    if match:
        return Condition("passage_id", FTS_PASSAGES[dialect], (match,),
                         fts_rowids=dialect == SQLITE)
    # no word in it (punctuation only): a plain substring search
    return Condition("passage_id", "SELECT id FROM passages WHERE text LIKE ? ESCAPE '\\'",
                     (_like_pattern(text),))


def conditions(f: Filters, dialect: str = SQLITE) -> list[Condition]:
    """The conditions a resolved place mention meets to pass ``f`` (all of them), in
    ``dialect``'s SQL."""
    out = [_date_condition(f)]
    if f.actors:
        out.append(Condition(
            "passage_id", "SELECT am.passage_id FROM actor_mentions am JOIN actors ac"
            f" ON ac.id = am.actor_id WHERE ac.name IN ({_marks(f.actors)})", tuple(f.actors)))
    if f.sources:
        out.append(Condition("article_id", "SELECT id FROM articles WHERE source IN"
                             f" ({_marks(f.sources)})", tuple(f.sources)))
    if f.countries:
        out.append(Condition("place_id", "SELECT id FROM places WHERE country_code IN"
                             f" ({_marks(f.countries)})", tuple(f.countries)))
    if f.kinds:
        out.append(Condition("place_id", f"SELECT id FROM places WHERE kind IN"
                             f" ({_marks(f.kinds)})", tuple(f.kinds)))
    out.append(_text_condition(f.text, dialect))
    if not f.include_broad:
        out.append(Condition("kind", values=("place",)))
        out.append(Condition("place_id", "SELECT id FROM places WHERE kind IN"
                             f" ({_marks(BROAD_KINDS)})", BROAD_KINDS, negate=True))
    return [c for c in out if c is not None]


def condition_keys(conn: Db, c: Condition) -> list[Any]:
    """The values ``c`` admits (or, negated, excludes) for its column."""
    if c.subquery is None:
        return list(c.values)
    return [r[0] for r in _tuples(conn, c.subquery, c.params)]


def where_for(f: Filters, dialect: str = SQLITE) -> Where:
    """The clause selecting the place mentions that pass ``f`` (aliases pm and pl): the
    resolved mentions meeting every one of :func:`conditions`.

    Each is an ``IN (subquery)`` on an indexed column of ``place_mentions``, so only the
    places table is joined to every mention.
    """
    w = Where()
    w.add("pm.place_id IS NOT NULL")
    for c in conditions(f, dialect):
        clause, params = c.sql()
        w.add(clause, *params)
    return w


def place_counts(conn: Db, f: Filters) -> list[Record]:
    """One row per place: its gazetteer fields and how often it is mentioned."""
    d = dialect_of(conn)
    w = where_for(f, d)
    sql = (
        "SELECT pl.id AS place_id, pl.name, pl.lat, pl.lon, pl.kind, pl.country_code,"
        f" pl.feature_code, {PLACE_COUNTS_SQL},"
        f" avg(pm.score) AS score, {RULES[d]} AS rules,"
        f" max({OTHERS[d]}) AS others,"
        " CASE WHEN pl.kind IN ('country', 'continent')"
        " OR max(CASE WHEN pm.kind = 'place' THEN 1 ELSE 0 END) = 0 THEN 1 ELSE 0 END AS broad"
        f" FROM place_mentions pm{w.joins()}{w.sql()}"
        f" GROUP BY {PLACE_GROUP[d]} ORDER BY mentions DESC, pl.name"
    )
    return conn.execute(sql, w.params).fetchall()


def containing_regions(conn: Db,
                       place_ids: Sequence[str]) -> list[tuple[str, str]]:
    """``(place id, name)`` of the stored state or province (``admin1``) each of
    ``place_ids`` lies in, for those whose region is in the store."""
    out = []
    for i in range(0, len(place_ids), 500):
        chunk = list(place_ids[i:i + 500])
        out += conn.execute(
            "SELECT p.id, min(r.name) FROM places p JOIN places r ON r.kind = 'admin1'"
            " AND r.country_code = p.country_code AND r.admin1 = p.admin1 AND r.id != p.id"
            f" WHERE p.id IN ({_marks(chunk)}) AND p.admin1 IS NOT NULL AND p.admin1 != ''"
            " GROUP BY p.id", chunk).fetchall()
    return [(row[0], row[1]) for row in out]


def place_passages(conn: Db, f: Filters, place_ids: Sequence[str], *,
                   per_place: int = 3) -> list[Record]:
    """Up to ``per_place`` passages mentioning each of ``place_ids`` (the most recently
    stored first), with the mention's span relative to its passage.

    Two steps: pick the mention ids on the indexes alone, then read only those rows.
    """
    if not place_ids:
        return []
    w = where_for(f, dialect_of(conn))
    w.add(f"pm.place_id IN ({_marks(place_ids)})", *place_ids)
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM (SELECT pm.id, row_number() OVER (PARTITION BY pm.place_id"
        f" ORDER BY pm.id DESC) AS rn FROM place_mentions pm{w.joins()}{w.sql()}) ranked"
        " WHERE rn <= ?", [*w.params, per_place])]
    return mention_rows(conn, ids)


def mention_rows(conn: Db, ids: Sequence[int]) -> list[Record]:
    """The place mentions ``ids`` with their passage and article, for snippets (grouped
    by place, the latest first)."""
    if not ids:
        return []
    return conn.execute(
        "SELECT pm.id AS mention_id, pm.place_id, pm.article_id, pm.passage_id,"
        " pm.text AS mention,"
        ' pm.start - p.start AS rel_start, pm."end" - p.start AS rel_end, pm.score, pm.rule,'
        " p.text AS passage, p.idx, p.date AS passage_date, a.title, a.published, a.source"
        " FROM place_mentions pm JOIN passages p ON p.id = pm.passage_id"
        f" JOIN articles a ON a.id = pm.article_id WHERE pm.id IN ({_marks(ids)})"
        " ORDER BY pm.place_id, pm.id DESC", list(ids)).fetchall()


def timeline(conn: Db, f: Filters, *, by: str = "published"
             ) -> list[Record]:
    """Mentions per day, by publication date or by the date the passage speaks of."""
    w = where_for(f, dialect_of(conn))
    if by == "passage":
        key, join, day = ("pm.passage_id", "passages p ON p.id = m.k JOIN articles a"
                          " ON a.id = p.article_id", "COALESCE(p.date, substr(a.published, 1, 10))")
    else:
        key, join, day = "pm.article_id", "articles a ON a.id = m.k", "substr(a.published, 1, 10)"
    sql = (f"SELECT {day} AS day, CAST(sum(m.n) AS INTEGER) AS mentions FROM (SELECT {key}"
           f" AS k, count(*) AS n FROM place_mentions pm{w.joins()}{w.sql()} GROUP BY {key})"
           f" m JOIN {join} WHERE {day} IS NOT NULL GROUP BY day ORDER BY day")
    return conn.execute(sql, w.params).fetchall()


def actor_counts(conn: Db, f: Filters, *, limit: int | None = None
                 ) -> list[Record]:
    """Actors named in the passages that hold a mention passing ``f`` (the ``limit``
    most mentioned, with one)."""
    w = where_for(f, dialect_of(conn))
    sql = (
        "SELECT ac.name, ac.kind, count(*) AS mentions,"
        " count(DISTINCT am.article_id) AS articles FROM actor_mentions am"
        " JOIN actors ac ON ac.id = am.actor_id"
        f" WHERE am.passage_id IN (SELECT pm.passage_id FROM place_mentions pm{w.joins()}"
        f"{w.sql()}) GROUP BY ac.id ORDER BY mentions DESC, ac.name"
    )
    if limit is not None:
        return conn.execute(sql + " LIMIT ?", [*w.params, limit]).fetchall()
    return conn.execute(sql, w.params).fetchall()


def article_rows(conn: Db, f: Filters, *, limit: int = 500
                 ) -> list[Record]:
    """Articles with at least one mention passing ``f``, newest first."""
    w = where_for(f, dialect_of(conn))
    sql = (
        "SELECT a.id, a.title, a.source, a.published, a.url, count(*) AS mentions"
        f" FROM articles a JOIN (SELECT pm.article_id FROM place_mentions pm{w.joins()}"
        f"{w.sql()}) m ON m.article_id = a.id GROUP BY a.id"
        " ORDER BY a.published DESC, a.id LIMIT ?"
    )
    return conn.execute(sql, [*w.params, limit]).fetchall()


def all_actors(conn: Db) -> list[Record]:
    return conn.execute(
        "SELECT ac.name, ac.kind, count(am.id) AS mentions FROM actors ac"
        " LEFT JOIN actor_mentions am ON am.actor_id = ac.id"
        " GROUP BY ac.id ORDER BY mentions DESC, ac.name").fetchall()


def distinct_values(conn: Db, column: str) -> list[str]:
    """The values of one filterable column (``source``, ``country_code`` or ``kind``)."""
    table = {"source": "articles", "country_code": "places", "kind": "places"}[column]
    rows = conn.execute(f"SELECT DISTINCT {column} FROM {table}"
                        f" WHERE {column} IS NOT NULL ORDER BY {column}").fetchall()
    return [r[0] for r in rows]


def date_bounds(conn: Db) -> tuple[str | None, str | None]:
    row = conn.execute("SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10))"
                       " FROM articles").fetchone()
    return row[0], row[1]


def revision(conn: Db) -> str:
    """Changes whenever articles are added, deleted or re-analysed (the note ``changed``,
    :mod:`geo.store.manage`) or a correction is made or undone: part of the UI's cache
    keys."""
    row = conn.execute("SELECT count(*), max(ingested_at),"
                       " (SELECT value FROM notes WHERE key = 'changed') FROM articles"
                       ).fetchone()
    return f"{row[0]}:{row[1]}:{row[2] or 0}:{corrections_revision(conn)}"


def article(conn: Db, article_id: str) -> Record | None:
    return conn.execute("SELECT id, title, url, source, published, language, text"
                        " FROM articles WHERE id = ?", (article_id,)).fetchone()


def passages(conn: Db, article_id: str) -> list[Record]:
    return conn.execute('SELECT id, idx, start, "end", text, date FROM passages'
                        " WHERE article_id = ? ORDER BY idx", (article_id,)).fetchall()


def article_place_mentions(conn: Db, article_id: str) -> list[Record]:
    return conn.execute(
        'SELECT pm.id, pm.passage_id, pm.start, pm."end", pm.text, pm.kind, pm.place_id,'
        f" pm.score, pm.rule, {NOT_A_PLACE_SQL} AS not_place, pl.name AS place_name, pl.kind AS place_kind, pl.country_code,"
        " pl.lat, pl.lon FROM place_mentions pm LEFT JOIN places pl ON pl.id = pm.place_id"
        " WHERE pm.article_id = ? ORDER BY pm.start", (article_id,)).fetchall()


def article_actor_mentions(conn: Db, article_id: str) -> list[Record]:
    return conn.execute(
        'SELECT am.passage_id, am.start, am."end", am.text, ac.name, ac.kind'
        " FROM actor_mentions am JOIN actors ac ON ac.id = am.actor_id"
        " WHERE am.article_id = ? ORDER BY am.start", (article_id,)).fetchall()


def place(conn: Db, place_id: str) -> Record | None:
    return conn.execute("SELECT id, name, lat, lon, kind, country_code, feature_code,"
                        " population FROM places WHERE id = ?", (place_id,)).fetchone()


# -- what geo.mention_index loads once per revision, and the filters it asks SQL for ----

def _tuples(conn: Db, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Rows as plain tuples (much cheaper than records for 100,000 rows)."""
    if isinstance(conn, Db):
        return conn.tuples(sql, params)
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, params).fetchall()


def index_places(conn: Db) -> list[tuple]:
    return _tuples(conn, "SELECT id, name, lat, lon, kind, country_code, feature_code"
                   " FROM places ORDER BY id")


def index_articles(conn: Db) -> list[tuple]:
    return _tuples(conn, "SELECT id, published, source FROM articles ORDER BY id")


def index_passages(conn: Db) -> list[tuple]:
    return _tuples(conn, "SELECT p.id, p.date, a.published FROM passages p"
                   " JOIN articles a ON a.id = p.article_id ORDER BY p.id")


def index_fts(conn: Db) -> list[tuple]:
    """Each full-text row's rowid and passage id (SQLite; PostgreSQL's full-text search
    selects passages by id, and has none)."""
    if dialect_of(conn) != SQLITE:
        return []
    return _tuples(conn, "SELECT rowid, id FROM passages_fts")


def index_mentions(conn: Db, *, chunk: int = 100_000
                   ) -> Iterator[list[tuple]]:
    """Every resolved place mention's ids, kind, score, rule and number of other
    candidates, by mention id, ``chunk`` rows at a time."""
    sql = ("SELECT pm.id, pm.place_id, pm.article_id, pm.passage_id, pm.kind, pm.score,"
           f" pm.rule, {OTHERS[dialect_of(conn)]} FROM place_mentions pm"
           " WHERE pm.place_id IS NOT NULL ORDER BY pm.id")
    if isinstance(conn, Db):
        yield from conn.chunks(sql, chunk)
        return
    cur = conn.cursor()
    cur.row_factory = None
    cur.execute(sql)
    while rows := cur.fetchmany(chunk):
        yield rows
