"""The SQL behind corrections (:mod:`geo.corrections` holds the logic).

A correction is a row of ``corrections`` (migration 6). A place mention that a live
correction decides carries its id (``place_mentions.correction_id``) and keeps what the
geoparser had in ``parser_place_id`` / ``parser_score`` / ``parser_rule`` (migration 7),
so undoing the correction restores it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from geo.store.connect import transaction  # noqa: F401 (geo.corrections uses it here)
from geo.store.db import Db, Record
from geo.store.dialect import CORRECTED_PLACE_ID

if TYPE_CHECKING:
    from geo.store import Store

COLUMNS = ("id", "target", "action", "scope", "name", "article_id", "start", "end",
           "source", "old_value", "new_value", "author", "created_at", "undone_at")
PLACE_COLUMNS = ("id", "name", "lat", "lon", "kind", "country_code", "feature_class",
                 "feature_code", "admin1", "population", "source")
# most specific first: a mention's own correction beats its article's, and so on
SCOPE_RANK_SQL = ("CASE c.scope WHEN 'mention' THEN 0 WHEN 'article' THEN 1"
                  " WHEN 'source' THEN 2 ELSE 3 END")
# a place mention the user marked "not a place" (alias pm): a correction, no place
NOT_A_PLACE_SQL = "(pm.correction_id IS NOT NULL AND pm.place_id IS NULL)"


@dataclass(frozen=True)
class Reach:
    """The stored mentions a change may affect: those named one of ``names`` (case
    aside; None: any name) in ``articles`` (None: every article) from ``source`` (None:
    any source)."""

    names: tuple[str, ...] | None = None
    articles: tuple[str, ...] | None = None
    source: str | None = None




def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


# -- the corrections table --------------------------------------------------------------

def insert(c: Db, row: dict[str, Any]) -> int:
    """Insert a correction (``old_value`` / ``new_value`` as Python values); its id."""
    values = {**row, "old_value": json.dumps(row.get("old_value")),
              "new_value": json.dumps(row.get("new_value"))}
    cols = [k for k in COLUMNS if k != "id"]
    cur = c.execute(f"INSERT INTO corrections ({', '.join(_q(k) for k in cols)})"
                    f" VALUES ({_marks(cols)}) RETURNING id", [values.get(k) for k in cols])
    return int(cur.fetchone()[0])


def _q(column: str) -> str:
    return f'"{column}"' if column == "end" else column


def _decoded(row: Record) -> dict[str, Any]:
    out = {k: row[k] for k in COLUMNS}
    for key in ("old_value", "new_value"):
        out[key] = json.loads(out[key]) if out[key] is not None else None
    return out


def rows(c: Db, *, target: str | None = None, live: bool = False
         ) -> list[dict[str, Any]]:
    """Corrections, newest first (``target`` only; ``live``: not undone)."""
    where, params = [], []
    if target:
        where.append("target = ?")
        params.append(target)
    if live:
        where.append("undone_at IS NULL")
    sql = (f"SELECT {', '.join(_q(k) for k in COLUMNS)} FROM corrections"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC")
    return [_decoded(r) for r in c.execute(sql, params)]


def row(c: Db, correction_id: int) -> dict[str, Any] | None:
    r = c.execute(f"SELECT {', '.join(_q(k) for k in COLUMNS)} FROM corrections"
                  " WHERE id = ?", (correction_id,)).fetchone()
    return _decoded(r) if r else None


def mark_undone(c: Db, correction_id: int, when: str) -> bool:
    """Set ``undone_at``; False when the correction is unknown or already undone."""
    return c.execute("UPDATE corrections SET undone_at = ? WHERE id = ? AND undone_at IS"
                     " NULL", (when, correction_id)).rowcount == 1


def revision(c: Db) -> str:
    """Changes with every correction recorded or undone (part of the store revision)."""
    n, undone = c.execute("SELECT count(*), count(undone_at) FROM corrections").fetchone()
    return f"{n}.{undone}"


# -- places ------------------------------------------------------------------------------

def place_row(c: Db, place_id: str) -> dict[str, Any] | None:
    r = c.execute(f"SELECT {', '.join(PLACE_COLUMNS)} FROM places WHERE id = ?",
                  (place_id,)).fetchone()
    return {k: r[k] for k in PLACE_COLUMNS} if r else None


def place_rows(c: Db, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    return {r["id"]: {k: r[k] for k in PLACE_COLUMNS} for r in c.execute(
        f"SELECT {', '.join(PLACE_COLUMNS)} FROM places WHERE id IN ({_marks(ids)})",
        list(ids))}


def ensure_place(c: Db, place: dict[str, Any]) -> None:
    """Add ``place`` (a places row as a dict) unless a place has its id."""
    c.execute(f"INSERT OR IGNORE INTO places ({', '.join(PLACE_COLUMNS)})"
              f" VALUES ({_marks(PLACE_COLUMNS)})",
              [place.get(k) if k != "population" else place.get(k) or 0
               for k in PLACE_COLUMNS])


def user_place_like(c: Db, name: str, lat: float, lon: float
                    ) -> str | None:
    """The id of a user's point with this name at these coordinates (to 6 decimals)."""
    r = c.execute("SELECT id FROM places WHERE source = 'user' AND name = ?"
                  " AND round(CAST(lat AS NUMERIC), 6) = round(CAST(? AS NUMERIC), 6)"
                  " AND round(CAST(lon AS NUMERIC), 6) = round(CAST(? AS NUMERIC), 6)"
                  " ORDER BY id LIMIT 1", (name, lat, lon)).fetchone()
    return r[0] if r else None


def next_user_place_number(c: Db) -> int:
    """One more than the highest ``user:<n>`` of the places and of the corrections that
    name one (a point whose mentions are gone keeps its number)."""
    numbers = [0]
    for (pid,) in c.execute("SELECT id FROM places WHERE source = 'user'"):
        numbers.append(_user_number(pid))
    for (pid,) in c.execute(f"SELECT {CORRECTED_PLACE_ID[c.dialect]} FROM corrections"
                            " WHERE target = 'place' AND action = 'point'"):
        numbers.append(_user_number(pid))
    return max(numbers) + 1


def _user_number(place_id: object) -> int:
    tail = str(place_id or "").rpartition(":")[2]
    return int(tail) if tail.isdigit() else 0


# -- place mentions -----------------------------------------------------------------------

MENTION_SQL = (
    "SELECT pm.id, pm.article_id, pm.passage_id, pm.start, pm.\"end\", pm.text, pm.kind,"
    " pm.place_id, pm.score, pm.rule, pm.alternatives, pm.correction_id,"
    " pm.parser_place_id, pm.parser_score, pm.parser_rule,"
    " a.title, a.source, a.published, p.text AS passage, p.start AS passage_start"
    " FROM place_mentions pm JOIN articles a ON a.id = pm.article_id"
    " LEFT JOIN passages p ON p.id = pm.passage_id")


def mention(c: Db, mention_id: int) -> dict[str, Any] | None:
    """One place mention with its article, passage and the geoparser's choice."""
    r = c.execute(f"{MENTION_SQL} WHERE pm.id = ?", (mention_id,)).fetchone()
    return dict(r) if r else None


def mention_at(c: Db, article_id: str, start: int, end: int
               ) -> dict[str, Any] | None:
    r = c.execute(f'{MENTION_SQL} WHERE pm.article_id = ? AND pm.start = ? AND pm."end" = ?',
                  (article_id, start, end)).fetchone()
    return dict(r) if r else None


def place_decisions(c: Db, reach: Reach) -> list[Record]:
    """For each place mention in ``reach``: its id, the correction deciding it now, and
    the live correction that should (the most specific scope, then the latest)."""
    where, params = [], []
    if reach.names is not None:
        if not reach.names:
            return []
        # (lower() folds ASCII letters only, as SQLite's NOCASE; the same on PostgreSQL)
        where.append(f"lower(pm.text) IN ({', '.join(['lower(?)'] * len(reach.names))})")
        params.extend(reach.names)
    if reach.articles is not None:
        if not reach.articles:
            return []
        where.append(f"pm.article_id IN ({_marks(reach.articles)})")
        params.extend(reach.articles)
    if reach.source is not None:
        where.append("a.source = ?")
        params.append(reach.source)
    sql = (
        "SELECT pm.id, pm.correction_id, (SELECT c.id FROM corrections c"
        " WHERE c.target = 'place' AND c.undone_at IS NULL AND lower(c.name) = lower(pm.text)"
        " AND (c.scope = 'everywhere' OR (c.scope = 'source' AND c.source = a.source)"
        " OR (c.scope = 'article' AND c.article_id = pm.article_id)"
        " OR (c.scope = 'mention' AND c.article_id = pm.article_id AND c.start = pm.start"
        ' AND c."end" = pm."end"))'
        f" ORDER BY {SCOPE_RANK_SQL}, c.id DESC LIMIT 1) AS winner"
        " FROM place_mentions pm JOIN articles a ON a.id = pm.article_id"
        + (" WHERE " + " AND ".join(where) if where else ""))
    return c.execute(sql, params).fetchall()


def set_place(c: Db, mention_ids: Sequence[int], *, place_id: str | None,
              score: float | None, rule: str, correction_id: int) -> None:
    """Let correction ``correction_id`` decide the mentions, keeping what the geoparser
    had the first time a correction decides each."""
    c.executemany(
        "UPDATE place_mentions SET"
        " parser_place_id = CASE WHEN correction_id IS NULL THEN place_id ELSE parser_place_id END,"
        " parser_score = CASE WHEN correction_id IS NULL THEN score ELSE parser_score END,"
        " parser_rule = CASE WHEN correction_id IS NULL THEN rule ELSE parser_rule END,"
        " place_id = ?, score = ?, rule = ?, correction_id = ? WHERE id = ?",
        [(place_id, score, rule, correction_id, m) for m in mention_ids])


def restore_parser(c: Db, mention_ids: Sequence[int]) -> None:
    """Give the mentions back what the geoparser had."""
    c.executemany(
        "UPDATE place_mentions SET place_id = parser_place_id, score = parser_score,"
        " rule = parser_rule, correction_id = NULL, parser_place_id = NULL,"
        " parser_score = NULL, parser_rule = NULL WHERE id = ? AND correction_id IS NOT NULL",
        [(m,) for m in mention_ids])


def mentions_decided_by(c: Db, correction_id: int) -> int:
    return c.execute("SELECT count(*) FROM place_mentions WHERE correction_id = ?",
                     (correction_id,)).fetchone()[0]
