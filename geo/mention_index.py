"""An in-memory index of the resolved place mentions, for fast filtering and aggregation.

The dashboard asks the same questions under many filters: which places, how often, on
which days, and the latest passages of the top places. SQL answers each with a
``GROUP BY`` over up to every mention (50–130 ms each on 100,000 mentions). Here the
mentions are loaded once per store revision into NumPy arrays; a filter becomes one
boolean mask (the few filters that need SQL, actors and text search, return passage
ids), and every aggregate is a ``bincount`` over the mask: a few milliseconds.

The semantics are those of :func:`geo.store.queries.where_for` (the SQL reference,
still used by the other queries); ``tests/test_query.py`` checks both agree.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from geo.store import Store
from geo.store import queries as q
from geo.store.filters import Filters


log = logging.getLogger(__name__)

_CACHE: "weakref.WeakKeyDictionary[Store, MentionIndex]" = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _codes(index: pd.Index, values: Sequence) -> np.ndarray:
    return index.get_indexer(pd.Index(values, dtype=object)).astype(np.int64)


@dataclass(frozen=True)
class MentionIndex:
    """Resolved place mentions as parallel arrays (ordered by mention id), with the
    place, article and passage attributes the filters read, as code-indexed arrays."""

    revision: str
    mention_id: np.ndarray   # int64, ascending
    place: np.ndarray        # code into ``places``
    article: np.ndarray      # code into ``article_ids``
    passage: np.ndarray      # code into ``passage_ids``, -1 when the mention has none
    specific: np.ndarray     # bool: the mention's kind is "place" (not a demonym)
    score: np.ndarray        # float, NaN when unknown
    rule: np.ndarray         # code into ``rules``, -1 when none
    rules: list[str]
    others: np.ndarray       # int: how many other candidates the mention's name had
    places: pd.DataFrame     # id, name, lat, lon, kind, country_code, feature_code
    place_broad_kind: np.ndarray  # bool per place: a country or continent
    article_ids: pd.Index
    published: np.ndarray    # str per article ("" when unknown)
    source: np.ndarray       # object per article
    passage_ids: pd.Index
    passage_when: np.ndarray  # str per passage: its own date, else its article's published
    days: list[str]           # every day a mention can be dated to, in order
    article_day: np.ndarray   # code into ``days`` of the publication day, -1 if unknown
    passage_day: np.ndarray   # code into ``days``: the passage's date, else article_day
    fts_passage: pd.Series    # FTS rowid -> passage code
    by_place_article: np.ndarray  # mention order sorted by (place, article)
    by_place_rule: np.ndarray     # mention order sorted by (place, rule)

    # -- building ---------------------------------------------------------------------

    @classmethod
    def build(cls, conn: sqlite3.Connection) -> "MentionIndex":
        rev = q.revision(conn)
        places = pd.DataFrame(q.index_places(conn), columns=[
            "place_id", "name", "lat", "lon", "kind", "country_code", "feature_code"])
        place_ix = pd.Index(places["place_id"], dtype=object)
        arts = q.index_articles(conn)
        article_ids = pd.Index([a[0] for a in arts], dtype=object)
        published = np.array([a[1] or "" for a in arts], dtype=str)
        source = np.array([a[2] for a in arts], dtype=object)
        pas = q.index_passages(conn)
        passage_ids = pd.Index([p[0] for p in pas], dtype=object)
        when = np.array([p[1] if p[1] is not None else (p[2] or "") for p in pas], dtype=str)
        pub_day = [a[1][:10] if a[1] else None for a in arts]
        pas_day = [p[1] if p[1] is not None else (p[2][:10] if p[2] else None) for p in pas]
        days = pd.Index(sorted({d for d in (*pub_day, *pas_day) if d}), dtype=object)
        fts = q.index_fts(conn)
        fts_passage = pd.Series(_codes(passage_ids, [r[1] for r in fts]),
                                index=[r[0] for r in fts], dtype=np.int64)
        ids, pl, ar, pa, kind, score, rule, others = (
            (list(c) for c in zip(*q.index_mentions(conn)))
            if conn.execute("SELECT 1 FROM place_mentions LIMIT 1").fetchone()
            else ([] for _ in range(8)))
        rule_codes, rules = pd.factorize(pd.Series(rule, dtype=object), sort=True)
        place_codes, article_codes = _codes(place_ix, pl), _codes(article_ids, ar)
        return cls(
            revision=rev, mention_id=np.array(ids, dtype=np.int64),
            place=place_codes, article=article_codes,
            passage=_codes(passage_ids, pa),
            specific=np.array([k == "place" for k in kind], dtype=bool),
            score=np.array([np.nan if s is None else s for s in score], dtype=float),
            rule=np.asarray(rule_codes, dtype=np.int64), rules=[str(r) for r in rules],
            others=np.array(others, dtype=np.int64),
            places=places,
            place_broad_kind=places["kind"].isin(q.BROAD_KINDS).to_numpy(),
            article_ids=article_ids, published=published, source=source,
            passage_ids=passage_ids, passage_when=when, days=list(days),
            article_day=_codes(days, pub_day), passage_day=_codes(days, pas_day),
            fts_passage=fts_passage,
            by_place_article=np.lexsort((article_codes, place_codes)),
            by_place_rule=np.lexsort((np.asarray(rule_codes), place_codes)))

    # -- filtering --------------------------------------------------------------------

    def _passage_mask(self, passage_codes: np.ndarray) -> np.ndarray:
        keep = np.zeros(len(self.passage_ids) + 1, dtype=bool)  # last slot: "no passage"
        keep[passage_codes[passage_codes >= 0]] = True
        return keep[self.passage]

    def _date_mask(self, f: Filters) -> np.ndarray | None:
        if not (f.date_from or f.date_to):
            return None
        lo = f.date_from[:10] if f.date_from else "0000"
        hi = q.day_after(f.date_to) if f.date_to else "9999"
        if f.date_field == "passage":
            ok = (self.passage_when >= lo) & (self.passage_when < hi)
            return self._passage_mask(np.flatnonzero(ok))
        ok = (self.published >= lo) & (self.published < hi)
        return ok[self.article]

    def mask(self, conn: sqlite3.Connection, f: Filters) -> np.ndarray:
        """True for each mention that passes ``f`` (as ``where_for(f)`` would select)."""
        m = np.ones(len(self.mention_id), dtype=bool)
        dates = self._date_mask(f)
        if dates is not None:
            m &= dates
        if f.actors:
            m &= self._passage_mask(_codes(self.passage_ids, q.actor_passages(conn, f.actors)))
        if f.sources:
            m &= np.isin(self.source, list(f.sources))[self.article]
        if f.countries:
            m &= self.places["country_code"].isin(list(f.countries)).to_numpy()[self.place]
        if f.kinds:
            m &= self.places["kind"].isin(list(f.kinds)).to_numpy()[self.place]
        if f.text.strip():
            m &= self._text_mask(conn, f.text)
        if not f.include_broad:
            m &= self.specific & ~self.place_broad_kind[self.place]
        return m

    def _text_mask(self, conn: sqlite3.Connection, text: str) -> np.ndarray:
        match = q.fts_query(text)
        if match:
            rowids = q.fts_rowids(conn, match)
            codes = self.fts_passage.reindex(rowids).dropna().to_numpy(dtype=np.int64)
        else:  # no word in it (punctuation only): a plain substring search
            codes = _codes(self.passage_ids, q.passages_containing(conn, text.strip()))
        return self._passage_mask(codes)

    # -- aggregates -------------------------------------------------------------------

    def place_counts(self, m: np.ndarray) -> pd.DataFrame:
        """One row per place with a mention in ``m``, as ``queries.place_counts``."""
        n = len(self.places)
        pl = self.place[m]
        mentions = np.bincount(pl, minlength=n)
        keep = np.flatnonzero(mentions)
        articles = np.bincount(self._distinct_pairs(m, self.by_place_article, self.article)[0],
                               minlength=n)
        score = self.score[m]
        known = ~np.isnan(score)
        total = np.bincount(pl[known], weights=score[known], minlength=n)
        counted = np.bincount(pl[known], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / counted
        specific = np.bincount(pl, weights=self.specific[m], minlength=n) > 0
        df = self.places.iloc[keep].reset_index(drop=True)
        df["mentions"] = mentions[keep]
        demonyms = np.bincount(pl, weights=~self.specific[m], minlength=n)
        df["demonym_mentions"] = demonyms[keep].astype(np.int64)
        others = np.zeros(n, dtype=np.int64)
        np.maximum.at(others, pl, self.others[m])
        df["others"] = others[keep]
        df["articles"] = articles[keep]
        df["score"] = mean[keep]
        df["rules"] = self._rules(m, keep)
        df["broad"] = self.place_broad_kind[keep] | ~specific[keep]
        order = np.lexsort((df["name"].to_numpy(dtype=str), -df["mentions"].to_numpy()))
        return df.iloc[order].reset_index(drop=True)

    def _distinct_pairs(self, m: np.ndarray, order: np.ndarray, other: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        """The distinct (place, other) pairs among the mentions in ``m``; ``order`` sorts
        the mentions by (place, other), so this is one pass, no sort."""
        rows = order[m[order]]
        pl, ot = self.place[rows], other[rows]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (pl[1:] != pl[:-1]) | (ot[1:] != ot[:-1])
        return pl[first], ot[first]

    def _rules(self, m: np.ndarray, keep: np.ndarray) -> list:
        """The distinct rules per kept place, comma-joined (None when there is none)."""
        pl, rule = self._distinct_pairs(m, self.by_place_rule, self.rule)
        pl, rule = pl[rule >= 0], rule[rule >= 0]
        if len(self.rules) <= 52:  # each place's set of rules as bits (exact in a float)
            bits = np.bincount(pl, weights=np.ldexp(1.0, rule), minlength=len(self.places))
            names: dict[float, str | None] = {0.0: None}
            out = []
            for b in bits[keep].tolist():
                if b not in names:
                    names[b] = ",".join(r for i, r in enumerate(self.rules)
                                        if int(b) >> i & 1)
                out.append(names[b])
            return out
        per_place: dict[int, list[str]] = {}
        for p, r in zip(pl.tolist(), rule.tolist()):
            per_place.setdefault(p, []).append(self.rules[r])
        return [",".join(per_place[p]) if p in per_place else None for p in keep.tolist()]

    def timeline(self, m: np.ndarray, *, by: str = "published") -> tuple[list[str], list[int]]:
        """(days, mentions per day) in day order, as ``queries.timeline``."""
        if by == "passage":
            codes = self.passage[m]
            days = self.passage_day[codes[codes >= 0]]
        else:
            days = self.article_day[self.article[m]]
        counts = np.bincount(days[days >= 0], minlength=len(self.days))
        keep = np.flatnonzero(counts)
        return [self.days[i] for i in keep.tolist()], counts[keep].tolist()

    def latest_mentions(self, m: np.ndarray, place_ids: Sequence[str], *,
                        per_place: int) -> list[int]:
        """The ids of the ``per_place`` latest mentions (highest id) of each place."""
        wanted = _codes(pd.Index(self.places["place_id"], dtype=object), list(place_ids))
        chosen = np.zeros(len(self.places) + 1, dtype=bool)
        chosen[wanted[wanted >= 0]] = True
        rows = np.flatnonzero(m & chosen[self.place])[::-1]  # newest first
        pl = self.place[rows]
        order = np.argsort(pl, kind="stable")
        rows, pl = rows[order], pl[order]
        starts = np.flatnonzero(np.r_[True, pl[1:] != pl[:-1]]) if len(pl) else pl
        rank = np.arange(len(pl)) - np.repeat(starts, np.diff(np.r_[starts, len(pl)]))
        return self.mention_id[rows[rank < per_place]].tolist()


_BACKGROUND: dict[Store, str] = {}  # stores whose index is built off-thread -> their URL
_THREADS: dict[Store, threading.Thread] = {}


def mention_index(store: Store) -> MentionIndex:
    """The index of ``store``, built on first use and again when the store's revision
    changes (articles added)."""
    rev = q.revision(store.conn)
    with _CACHE_LOCK:
        cached = _CACHE.get(store)
        if cached is None or cached.revision != rev:
            cached = MentionIndex.build(store.conn)
            _CACHE[store] = cached
            log.info("indexed %d place mentions (revision %s)", len(cached.mention_id), rev)
        return cached


def defer_index(store: Store, db_url: str) -> None:
    """Build the index of ``store`` off-thread, from its own read-only connection to
    ``db_url``, when :func:`build_in_background` is called (until then, and while it
    runs, :func:`ready_index` returns None and the callers use SQL)."""
    with _CACHE_LOCK:
        _BACKGROUND[store] = db_url


def ready_index(store: Store) -> MentionIndex | None:
    """The up-to-date index of ``store``, or None while a deferred one is not ready
    (a store that was not deferred gets its index built now)."""
    with _CACHE_LOCK:
        deferred = store in _BACKGROUND
        started = store in _THREADS
        cached = _CACHE.get(store)
    if not deferred:
        return mention_index(store)
    if cached is not None and cached.revision == q.revision(store.conn):
        return cached
    if started:  # built before, and the store changed since: build again
        build_in_background(store)
    return None


def build_in_background(store: Store, *, delay: float = 0.0) -> None:
    """Start building the deferred index of ``store`` in ``delay`` seconds (nothing
    happens when it is up to date or being built). The build holds the GIL for a while:
    a delay leaves the server free to serve the page that is loading."""
    with _CACHE_LOCK:
        url = _BACKGROUND.get(store)
        running = _THREADS.get(store)
        cached = _CACHE.get(store)
        if url is None or (running is not None and running.is_alive()):
            return
    if cached is not None and cached.revision == q.revision(store.conn):
        return

    def work() -> None:
        try:
            with Store.open(url, read_only=True) as own:
                index = MentionIndex.build(own.conn)
            with _CACHE_LOCK:
                _CACHE[store] = index
            log.info("indexed %d place mentions in the background (revision %s)",
                     len(index.mention_id), index.revision)
        except (sqlite3.Error, OSError, ValueError) as err:
            log.warning("could not build the mention index: %s", err)

    thread = threading.Timer(delay, work)
    thread.name, thread.daemon = "mention-index", True
    with _CACHE_LOCK:
        _THREADS[store] = thread
    thread.start()


def wait_for_background_builds(timeout: float = 60.0) -> None:
    """Wait until every background build has finished (for benchmarks and tests)."""
    with _CACHE_LOCK:
        threads = list(_THREADS.values())
    for thread in threads:
        thread.join(timeout)
