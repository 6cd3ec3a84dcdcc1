"""An in-memory index of the resolved place mentions, for fast aggregation.

The dashboard asks the same questions under many filters: which places, how often, on
which days, and the latest passages of the top places. SQL answers each with a
``GROUP BY`` over up to every mention (50–130 ms each on 100,000 mentions, seconds on a
million). Here the mentions are loaded once per store revision into NumPy arrays, a
filter becomes one boolean mask (:meth:`MentionIndex.select`), and every aggregate is a
``bincount`` over the mask: a few milliseconds.

What a filter means is not written here: :func:`geo.store.queries.conditions` defines
each filter once, as a condition on a mention column whose admitted values a subquery
selects. :func:`~geo.store.queries.where_for` writes those conditions as SQL; the mask
runs the same subqueries and looks their values up in the index's arrays.

Nothing is cached here: an index is a value for one store revision, and the caller
keeps it (the dashboard: ``st.cache_resource`` keyed by store URL and revision).
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from geo.store import queries as q
from geo.store.filters import Filters


log = logging.getLogger(__name__)

def _codes(index: pd.Index, values: Sequence) -> np.ndarray:
    return index.get_indexer(pd.Index(values, dtype=object)).astype(np.int64)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank in sorted order (equal values: by position)."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    return ranks


def _sorted_codes(values: list, table: dict) -> np.ndarray:
    """Each of ``values`` as a code into ``table`` (value -> code, grown as needed);
    None is -1."""
    return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values],
                    dtype=np.int64)


def _mention_columns(conn: sqlite3.Connection, place_ix: pd.Index, article_ids: pd.Index,
                     passage_ids: pd.Index, *, chunk: int = 100_000) -> tuple:
    """The resolved mentions as arrays, read ``chunk`` rows at a time (a million rows as
    Python tuples at once would take most of a gigabyte): ids, place, article and
    passage codes, kind codes and kinds, scores, rule codes and rules (both sorted by
    name), and the number of other candidates."""
    parts: list[tuple] = []
    kind_table: dict[str, int] = {}
    rule_table: dict[str, int] = {}
    for rows in q.index_mentions(conn, chunk=chunk):
        ids, pl, ar, pa, kind, score, rule, others = zip(*rows)
        parts.append((np.array(ids, dtype=np.int64), _codes(place_ix, pl),
                      _codes(article_ids, ar), _codes(passage_ids, pa),
                      _sorted_codes(kind, kind_table),
                      np.array([np.nan if v is None else v for v in score], dtype=float),
                      _sorted_codes(rule, rule_table), np.array(others, dtype=np.int64)))
    cols = ([np.concatenate(c) for c in zip(*parts)] if parts
            else [np.zeros(0, dtype=t) for t in (np.int64,) * 5 + (float,) + (np.int64,) * 2])
    ids, place, article, passage, kind, score, rule, others = cols

    def by_name(codes: np.ndarray, table: dict) -> tuple[np.ndarray, list[str]]:
        names = sorted(table)
        remap = np.array([names.index(v) for v in table] + [-1], dtype=np.int64)
        return remap[codes], names  # code -1 takes the last slot: stays -1

    kind, kinds = by_name(kind, kind_table)
    rule, rules = by_name(rule, rule_table)
    return ids, place, article, passage, kind, kinds, score, rule, rules, others


@dataclass(frozen=True)
class Pairs:
    """The distinct (place, value) pairs of the mentions: ``code`` per mention, and per
    pair its ``place`` and ``value``. Which pairs occur among some mentions is then one
    ``bincount`` (no sort per filter)."""

    code: np.ndarray
    place: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, place: np.ndarray, value: np.ndarray) -> "Pairs":
        lo = int(value.min()) if len(value) else 0
        span = (int(value.max()) if len(value) else 0) - lo + 1
        uniq, code = np.unique(place * span + (value - lo), return_inverse=True)
        return cls(code.astype(np.int64).reshape(-1), uniq // span, uniq % span + lo)

    def present(self, m: np.ndarray) -> np.ndarray:
        """Whether each pair occurs among the mentions ``m`` (a mask)."""
        return np.bincount(self.code[m], minlength=len(self.place)) > 0


@dataclass(frozen=True)
class MentionIndex:
    """Resolved place mentions as parallel arrays (ordered by mention id), with the
    place, article and passage attributes the filters read, as code-indexed arrays."""

    revision: str
    mention_id: np.ndarray   # int64, ascending
    place: np.ndarray        # code into ``places``
    article: np.ndarray      # code into ``article_ids``
    passage: np.ndarray      # code into ``passage_ids``, -1 when the mention has none
    kind: np.ndarray         # code into ``kinds``: the mention's kind
    kinds: pd.Index          # "place", "demonym"
    specific: np.ndarray     # bool: the mention's kind is "place" (not a demonym)
    score: np.ndarray        # float, NaN when unknown
    rule: np.ndarray         # code into ``rules``, -1 when none
    rules: list[str]
    others: np.ndarray       # int: how many other candidates the mention's name had
    places: pd.DataFrame     # id, name, lat, lon, kind, country_code, feature_code
    place_broad_kind: np.ndarray  # bool per place: a country or continent
    place_ids: pd.Index
    article_ids: pd.Index
    passage_ids: pd.Index
    fts_passage: np.ndarray   # full-text rowid -> passage code (-1: no such rowid)
    days: list[str]           # every day a mention can be dated to, in order
    article_day: np.ndarray   # code into ``days`` of the publication day, -1 if unknown
    passage_day: np.ndarray   # code into ``days``: the passage's date, else article_day
    name_rank: np.ndarray     # per place: its rank by name (the tie-break of the order)
    # each mention's (place, article), (place, rule) and (place, others) pair, as a code
    # into the distinct pairs (:class:`Pairs`)
    place_article: Pairs
    place_rule: Pairs
    place_others: Pairs

    # -- building ---------------------------------------------------------------------

    @classmethod
    def build(cls, conn: sqlite3.Connection) -> "MentionIndex":
        rev = q.revision(conn)
        places = pd.DataFrame(q.index_places(conn), columns=[
            "place_id", "name", "lat", "lon", "kind", "country_code", "feature_code"])
        place_ix = pd.Index(places["place_id"], dtype=object)
        arts = q.index_articles(conn)
        article_ids = pd.Index([a[0] for a in arts], dtype=object)
        pas = q.index_passages(conn)
        passage_ids = pd.Index([p[0] for p in pas], dtype=object)
        pub_day = [a[1][:10] if a[1] else None for a in arts]
        pas_day = [p[1] if p[1] is not None else (p[2][:10] if p[2] else None) for p in pas]
        days = pd.Index(sorted({d for d in (*pub_day, *pas_day) if d}), dtype=object)
        fts = q.index_fts(conn)
        fts_rowid = np.array([r[0] for r in fts], dtype=np.int64)
        fts_passage = np.full(int(fts_rowid.max()) + 1 if len(fts) else 0, -1, dtype=np.int64)
        fts_passage[fts_rowid] = _codes(passage_ids, [r[1] for r in fts])
        cols = _mention_columns(conn, place_ix, article_ids, passage_ids)
        ids, place_codes, article_codes, passage_codes, kind_codes, kinds, score, \
            rule_codes, rules, others = cols
        return cls(
            revision=rev, mention_id=ids,
            place=place_codes, article=article_codes, passage=passage_codes,
            kind=kind_codes, kinds=pd.Index(kinds, dtype=object),
            specific=kind_codes == (kinds.index("place") if "place" in kinds else -2),
            score=score, rule=rule_codes, rules=rules, others=others,
            places=places,
            place_broad_kind=places["kind"].isin(q.BROAD_KINDS).to_numpy(),
            place_ids=place_ix, article_ids=article_ids,
            passage_ids=passage_ids, fts_passage=fts_passage, days=list(days),
            article_day=_codes(days, pub_day), passage_day=_codes(days, pas_day),
            name_rank=_ranks(places["name"].to_numpy(dtype=str)),
            place_article=Pairs.of(place_codes, article_codes),
            place_rule=Pairs.of(place_codes, rule_codes),
            place_others=Pairs.of(place_codes, others))

    # -- filtering --------------------------------------------------------------------

    def _column(self, name: str) -> tuple[pd.Index, np.ndarray]:
        """(the distinct values of a ``place_mentions`` column, each mention's code)."""
        return {"article_id": (self.article_ids, self.article),
                "passage_id": (self.passage_ids, self.passage),
                "place_id": (self.place_ids, self.place),
                "kind": (self.kinds, self.kind)}[name]

    def _condition_mask(self, conn: sqlite3.Connection, c: q.Condition) -> np.ndarray:
        values, codes = self._column(c.column)
        keys = q.condition_keys(conn, c)
        wanted = (self._fts_codes(np.asarray(keys, dtype=np.int64)) if c.fts_rowids
                  else _codes(values, keys))
        keep = np.zeros(len(values) + 1, dtype=bool)  # last slot: code -1 (no value)
        keep[wanted[wanted >= 0]] = True
        if c.negate:  # SQL's NOT IN: a missing value (NULL) passes neither way
            keep[:-1] = ~keep[:-1]
        return keep[codes]

    def _fts_codes(self, rowids: np.ndarray) -> np.ndarray:
        """The passage codes of full-text ``rowids`` (-1 for one the index lacks)."""
        inside = (rowids >= 0) & (rowids < len(self.fts_passage))
        out = np.full(len(rowids), -1, dtype=np.int64)
        out[inside] = self.fts_passage[rowids[inside]]
        return out

    def mask(self, conn: sqlite3.Connection, f: Filters) -> np.ndarray:
        """True for each mention that passes ``f``: meets every one of
        :func:`geo.store.queries.conditions` (what ``where_for(f)`` selects)."""
        m = np.ones(len(self.mention_id), dtype=bool)
        for c in q.conditions(f, q.dialect_of(conn)):
            m &= self._condition_mask(conn, c)
        return m

    def select(self, conn: sqlite3.Connection, f: Filters) -> "Selection":
        """The mentions passing ``f``, for :mod:`geo.query` to aggregate."""
        return Selection(self, self.mask(conn, f))

    # -- aggregates -------------------------------------------------------------------

    def place_counts(self, m: np.ndarray, *, limit: int | None = None,
                     within: np.ndarray | None = None) -> pd.DataFrame:
        """One row per place with a mention in ``m`` (and, given ``within``, a boolean
        per place, only those), as ``queries.place_counts``: most mentioned first, then
        by name; only the first ``limit`` rows. Counting is ``bincount`` over every
        mention; the rows (names, rules) are made for the places returned only."""
        n = len(self.places)
        pl = self.place[m]
        mentions = np.bincount(pl, minlength=n)
        passing = mentions > 0
        if within is not None:
            passing &= within
        keep = np.flatnonzero(passing)
        keep = keep[np.lexsort((self.name_rank[keep], -mentions[keep]))][:limit]
        score = self.score[m]
        known = ~np.isnan(score)
        total = np.bincount(pl[known], weights=score[known], minlength=n)
        counted = np.bincount(pl[known], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / counted
        specific = np.bincount(pl, weights=self.specific[m], minlength=n)
        df = self.places.iloc[keep].reset_index(drop=True)
        df["mentions"] = mentions[keep]
        df["demonym_mentions"] = (mentions - specific)[keep].round().astype(np.int64)
        df["others"] = self._pair_max(m, self.place_others, n)[keep]
        pairs = self.place_article.present(m)
        df["articles"] = np.bincount(self.place_article.place[pairs], minlength=n)[keep]
        df["score"] = mean[keep]
        df["rules"] = self._rules(m, keep)
        df["broad"] = self.place_broad_kind[keep] | ~(specific[keep] > 0)
        return df

    def passing_places(self, m: np.ndarray) -> pd.DataFrame:
        """Every place with a mention in ``m``: ``lat``, ``lon``, ``country_code``,
        ``mentions`` and ``broad`` (no names, rules or order: cheap for every place)."""
        n = len(self.places)
        pl = self.place[m]
        mentions = np.bincount(pl, minlength=n)
        keep = np.flatnonzero(mentions)
        specific = np.bincount(pl, weights=self.specific[m], minlength=n)[keep] > 0
        df = self.places[["lat", "lon", "country_code"]].iloc[keep].reset_index(drop=True)
        df["mentions"] = mentions[keep]
        df["broad"] = self.place_broad_kind[keep] | ~specific
        return df

    @staticmethod
    def _pair_max(m: np.ndarray, pairs: Pairs, n: int) -> np.ndarray:
        """Per place (of ``n``), the largest value of its pairs among the mentions ``m``
        (0 when none)."""
        present = pairs.present(m)
        out = np.zeros(n, dtype=np.int64)
        np.maximum.at(out, pairs.place[present], pairs.value[present])
        return out

    def _rules(self, m: np.ndarray, keep: np.ndarray) -> list:
        """The distinct rules per kept place, comma-joined in name order (None when
        there is none)."""
        present = self.place_rule.present(m) & (self.place_rule.value >= 0)
        pl, rule = self.place_rule.place[present], self.place_rule.value[present]
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


@dataclass(frozen=True)
class Selection:
    """The mentions of one index that pass one filter value (``mask``)."""

    index: MentionIndex
    mask: np.ndarray
