"""What a document says about itself: computed once per article, read by features.

Resolution runs in two passes. The first reads each mention on its own (a
:class:`Document` that is not ``settled``); :func:`read_document` then sums what those
readings say: the countries and regions the article names, the points of the places
clear on their own, each passage's clear readings, and the kinds of places each list
holds. The second pass scores every mention with it.

Evidence is kept per distinct name so that a name never counts as evidence for itself:
"California" (the state) must not vote for a town called California.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.gazetteer.geometry import EARTH_RADIUS_KM, haversine_km
from geo.models import GazetteerEntry, PlaceMention
from geo.toponyms.cues import INSIDE_ORG_LABEL, Cues
from geo.toponyms.names import fold

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer
    from geo.toponyms.home import Home

# up to this many distinct names, the document context is summed name by name (exactly
# as always); beyond it (a long dossier), by arrays and differences, so that it costs
# O(names), not O(names^2) (an article naming 2,300 towns took minutes)
EXACT_CONTEXT_NAMES = 200

# a mention's first-pass readings, best first: (entry, score, deciding feature)
Ranked = list[tuple[GazetteerEntry, float, Any]]


@dataclass(frozen=True)
class Params:
    """The numbers evidence is measured with, besides the weights (see
    ``geo/data/rank/weights.json``, where each is explained)."""

    kind_prior: dict[str, float]
    feature_head: float = 3.0
    major_city_population: int = 1_000_000
    major_capital_population: int = 300_000
    pair_city_km: float = 30.0
    country_min_vote: float = 0.05
    country_state_boost: float = 1.5
    sea_country_min_vote: float = 0.5
    nearby_km: float = 500.0
    passage_margin: float = 1.0
    clear_margin: float = 1.5
    list_base: float = 0.5
    list_step: float = 0.5
    list_max: float = 2.0
    held_km: float = 150.0


@dataclass
class Document:
    """The article's evidence, by distinct (folded) name; empty and not ``settled`` on
    the first pass."""

    countries: dict[str, Counter] = field(default_factory=dict)  # name -> country -> weight
    regions: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (cc, admin1)
    points: dict[str, tuple[float, float]] = field(default_factory=dict)  # clear names' points
    # passage -> (name, reading, start) of the readings clear on their own
    by_passage: dict[str, list[tuple[str, GazetteerEntry, int]]] = field(default_factory=dict)
    # mention id -> (kinds of the other places listed with it, countries of the states)
    lists: dict[int, tuple[Counter, frozenset[str]]] = field(default_factory=dict)
    gazetteer: "Gazetteer | None" = None
    params: Params | None = None
    settled: bool = True
    home: "Home | None" = None  # the source's home region (geo.toponyms.home)
    # caches: every mention of a name and every candidate of it ask the same, and a
    # long article has thousands of names (each question once per name, not per pair)
    _memo: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def countries_except(self, key: str) -> Counter:
        if ("countries", key) in self._memo:
            return self._memo["countries", key]
        if len(self.countries) <= EXACT_CONTEXT_NAMES:
            total: Counter = Counter()
            for name, votes in self.countries.items():
                if name != key:
                    total.update(votes)
        else:  # the sum of all names less this one's: equal but for rounding
            if ("all countries", "") not in self._memo:
                everyone: Counter = Counter()
                for votes in self.countries.values():
                    everyone.update(votes)
                self._memo["all countries", ""] = everyone
            total = Counter(self._memo["all countries", ""])
            total.subtract(self.countries.get(key, {}))
            total = +total
        self._memo["countries", key] = total
        return total

    def has_region_except(self, key: str, region: tuple[str, str]) -> bool:
        """Some name other than ``key`` clearly names ``region``."""
        if ("names of regions", "") not in self._memo:
            named: dict[tuple[str, str], set[str]] = {}
            for name, r in self.regions.items():
                named.setdefault(r, set()).add(name)
            self._memo["names of regions", ""] = named
        return bool(self._memo["names of regions", ""].get(region, set()) - {key})

    def nearest_km(self, key: str, lat: float, lon: float,
                   extra: list[tuple[float, float]]) -> float | None:
        """The distance to the nearest point of the other names and of ``extra``
        (None when there is none), exactly as :func:`haversine_km` gives it."""
        if len(self.points) <= EXACT_CONTEXT_NAMES:
            points = [pt for name, pt in self.points.items() if name != key]
        else:
            points = self._nearest_points(key, lat, lon)
        points += extra
        if not points:
            return None
        return min(haversine_km(lat, lon, la, lo) for la, lo in points)

    def _nearest_points(self, key: str, lat: float, lon: float) -> list[tuple[float, float]]:
        """The points of the other names within a metre of the nearest of them, found
        by one numpy pass: the exact minimum over these is the minimum over all."""
        if ("point array", "") not in self._memo:
            values = list(self.points.values())
            self._memo["point array", ""] = (values, {n: i for i, n in enumerate(self.points)},
                                             np.radians(np.array(values, dtype=float)))
        values, position, rad = self._memo["point array", ""]
        p1, p2 = math.radians(lat), rad[:, 0]
        h = np.sin((p2 - p1) / 2) ** 2 + \
            math.cos(p1) * np.cos(p2) * np.sin((rad[:, 1] - math.radians(lon)) / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        if key in position:
            km[position[key]] = np.inf
        if not np.isfinite(km).any():
            return []
        return [values[i] for i in np.flatnonzero(km <= km.min() + 0.001)]

    def country_points(self, key: str, min_vote: float) -> list[tuple[float, float]]:
        """The points of the countries other names vote for with at least ``min_vote``."""
        if self.gazetteer is None:
            return []
        named = [self.gazetteer.country(cc) for cc, v in self.countries_except(key).items()
                 if v >= min_vote]
        return [(c.lat, c.lon) for c in named if c is not None]


def read_document(mentions: list[PlaceMention], first: dict[int, Ranked],
                  cues: dict[int, Cues], *, gazetteer: "Gazetteer",
                  params: Params, home: "Home | None" = None) -> Document:
    """What the document is about, from each name's readings on its own.

    Each distinct name adds one unit of evidence, spread over countries by the
    likelihood of its readings: "Savannah" is unclear between several towns but all
    of them are in the United States. A name repeated ten times counts once. Only
    names clear on their own add their point to the document's centre.
    """
    doc = Document(gazetteer=gazetteer, params=params, home=home)
    # "the Texas Rangers" says less about where a story is than "in Texas": a state
    # named only inside organisations' names sets no document region
    named_outside_orgs = {fold(m.text) for m in mentions if m.label != INSIDE_ORG_LABEL}
    for m in mentions:
        key, ranked = fold(m.text), first.get(id(m))
        if m.kind == "demonym":
            code = gazetteer.demonym(m.text)
            if code:
                doc.countries[key] = Counter({code: 1.0})
            continue
        if not ranked:
            continue
        best, score, _ = ranked[0]
        margin = score - (ranked[1][1] if len(ranked) > 1 else 0.0)
        if m.passage_id and (margin >= params.passage_margin
                             or best.kind in ("country", "admin1")):
            doc.by_passage.setdefault(m.passage_id, []).append((key, best, m.start))
        if key in doc.countries:
            continue  # a repeated name counts once
        votes: Counter = Counter()
        for e, p in zip((e for e, _, _ in ranked), softmax([s for _, s, _ in ranked])):
            if e.country_code:
                votes[e.country_code] += p
        doc.countries[key] = votes
        if margin < params.clear_margin:
            continue
        if (best.kind == "admin1" or best.is_nation) and best.country_code \
                and best.admin1 and key in named_outside_orgs:
            doc.regions[key] = (best.country_code, best.admin1)
        if best.kind not in ("country", "continent", "region"):
            doc.points[key] = (best.lat, best.lon)
    doc.lists = _lists(cues, first)
    return doc


def _lists(cues: dict[int, Cues], first: dict[int, Ranked]) -> dict[int, tuple[Counter, frozenset[str]]]:
    """"Texas, Ohio and New York": the kinds of the other places each listed mention
    stands with, from their readings on their own (countries and states only; a name
    never counts for itself), and the countries of those states."""
    out: dict[int, tuple[Counter, frozenset[str]]] = {}
    for mid, c in cues.items():
        if not c.list_run:
            continue
        own = fold(next(n.text for n in c.list_run if id(n) == mid))
        others = []
        for n in c.list_run:
            ranked = first.get(id(n))
            if ranked and ranked[0][0].kind in ("country", "admin1") and fold(n.text) != own:
                others.append((ranked[0][0].kind, ranked[0][0].country_code))
        out[mid] = (Counter(k for k, _ in others),
                    frozenset(cc for k, cc in others if k == "admin1"))
    return out


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    norm = sum(weights)
    return [w / norm for w in weights]
