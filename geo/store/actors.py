"""Actors in the store: one row per person, organisation or group, folded across articles.

``actor_mentions_auto`` keeps what the analysis found in each article (the canonical
name and kind of each actor mention); ``actor_mentions`` is what the dashboard reads:
the same mentions on their actor rows once folded across articles and corrected
(:mod:`geo.corrections_actors` rebuilds it from the first). ``actors.key`` is
:func:`geo.actors.fold_key`, indexed, so a name finds its spelling variants at once.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.actors import fold_key, pick_fold
from geo.store.db import Db, Record


@dataclass
class FoundMention:
    """One actor mention as the analysis found it (before folding and corrections)."""

    passage_id: str | None
    start: int
    end: int
    text: str
    name: str  # canonical name within its article
    kind: str  # PERSON / ORG / NORP


def actor_id(conn: Db, name: str, kind: str, *, fold: bool = True
             ) -> tuple[int, str]:
    """The (id, name) of the actor ``name`` (``kind``) is: with ``fold``, the stored
    spelling variant of the same person (:func:`geo.actors.pick_fold`), else the row of
    exactly that name; created when there is none."""
    rows = conn.execute("SELECT id, name FROM actors WHERE key = ? AND kind = ? ORDER BY id",
                        (fold_key(name), kind)).fetchall()
    by_name = {r[1]: r[0] for r in rows}
    chosen = pick_fold(name, list(by_name)) if fold else (name if name in by_name else None)
    if chosen is not None:
        return by_name[chosen], chosen
    cur = conn.execute("INSERT INTO actors (name, kind, key) VALUES (?, ?, ?) RETURNING id",
                       (name, kind, fold_key(name)))
    return int(cur.fetchone()[0]), name


def insert_found(conn: Db, article_id: str,
                 mentions: Iterable[FoundMention]) -> None:
    """Keep what the analysis found in ``article_id`` (its visible mentions are built by
    :func:`replace_mentions`), in place of what an earlier analysis found there."""
    conn.execute("DELETE FROM actor_mentions_auto WHERE article_id = ?", (article_id,))
    conn.executemany(
        'INSERT INTO actor_mentions_auto (article_id, passage_id, start, "end", text, name,'
        " kind, key) VALUES (?,?,?,?,?,?,?,?)",
        [(article_id, m.passage_id, m.start, m.end, m.text, m.name, m.kind, fold_key(m.name))
         for m in mentions])


def found_mentions(conn: Db, article_id: str) -> list[FoundMention]:
    rows = conn.execute('SELECT passage_id, start, "end", text, name, kind'
                        " FROM actor_mentions_auto WHERE article_id = ? ORDER BY start, id",
                        (article_id,)).fetchall()
    return [FoundMention(*tuple(r)) for r in rows]


def replace_mentions(conn: Db, article_id: str,
                     mentions: Sequence[tuple[FoundMention, int]]) -> None:
    """Make ``mentions`` (each with its actor id) the visible actor mentions of
    ``article_id``; actors left without any mention are deleted."""
    before = {r[0] for r in conn.execute(
        "SELECT DISTINCT actor_id FROM actor_mentions WHERE article_id = ?", (article_id,))}
    conn.execute("DELETE FROM actor_mentions WHERE article_id = ?", (article_id,))
    conn.executemany(
        'INSERT INTO actor_mentions (article_id, passage_id, start, "end", text, actor_id)'
        " VALUES (?,?,?,?,?,?)",
        [(article_id, m.passage_id, m.start, m.end, m.text, a) for m, a in mentions])
    drop_orphans(conn, before)


def drop_orphans(conn: Db, ids: Iterable[int]) -> None:
    """Delete the actors among ``ids`` that no visible mention refers to."""
    conn.executemany(
        "DELETE FROM actors WHERE id = ? AND NOT EXISTS"
        " (SELECT 1 FROM actor_mentions WHERE actor_id = ?)", [(i, i) for i in ids])


def articles_with_keys(conn: Db, keys: Iterable[str]) -> set[str]:
    """The articles where the analysis found an actor whose fold key is in ``keys``."""
    keys = sorted(set(keys))
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        found |= {r[0] for r in conn.execute(
            "SELECT DISTINCT article_id FROM actor_mentions_auto"
            f" WHERE key IN ({','.join('?' * len(chunk))})", chunk)}
    return found


def fold_stored(conn: Db) -> None:
    """Migration: give every actor its key, keep what the analysis found, and fold the
    spelling variants stored as separate actors into the most mentioned one."""
    conn.script("ALTER TABLE actors ADD COLUMN key TEXT")
    rows = conn.execute("SELECT a.id, a.name, a.kind, count(m.id) FROM actors a"
                        " LEFT JOIN actor_mentions m ON m.actor_id = a.id"
                        " GROUP BY a.id ORDER BY count(m.id) DESC, a.id").fetchall()
    conn.executemany("UPDATE actors SET key = ? WHERE id = ?",
                     [(fold_key(r[1]), r[0]) for r in rows])
    conn.execute(
        'INSERT INTO actor_mentions_auto (article_id, passage_id, start, "end", text, name,'
        ' kind, key) SELECT m.article_id, m.passage_id, m.start, m."end", m.text, a.name,'
        " a.kind, a.key FROM actor_mentions m JOIN actors a ON a.id = m.actor_id")
    kept: dict[tuple[str, str], dict[str, int]] = {}
    for ident, name, kind, _ in rows:
        group = kept.setdefault((fold_key(name), kind), {})
        into = pick_fold(name, list(group))
        if into is None:
            group[name] = ident
            continue
        conn.execute("UPDATE actor_mentions SET actor_id = ? WHERE actor_id = ?",
                     (group[into], ident))
        conn.execute("DELETE FROM actors WHERE id = ?", (ident,))


def articles_showing(conn: Db, key: str, kind: str) -> set[str]:
    """The articles with a visible mention of an actor of fold key ``key`` and ``kind``."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT m.article_id FROM actors a JOIN actor_mentions m"
        " ON m.actor_id = a.id WHERE a.key = ? AND a.kind = ?", (key, kind))}


def mentions_of(conn: Db, name: str, kind: str, *, limit: int = 500
                ) -> list[Record]:
    """The visible mentions of the actor ``name`` (``kind``) with their passage and
    article, for choosing which to split off (the newest articles first)."""
    return conn.execute(
        'SELECT m.article_id, m.start, m."end", m.text, a.title, a.published,'
        ' p.text AS passage, m.start - p.start AS rel_start, m."end" - p.start AS rel_end'
        " FROM actors x JOIN actor_mentions m ON m.actor_id = x.id"
        " JOIN articles a ON a.id = m.article_id LEFT JOIN passages p ON p.id = m.passage_id"
        " WHERE x.name = ? AND x.kind = ? ORDER BY a.published DESC, a.id, m.start LIMIT ?",
        (name, kind, limit)).fetchall()
