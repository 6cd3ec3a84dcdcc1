"""Resolving place mentions to gazetteer entries, using the whole document.

Each candidate gets a score that adds up evidence, every part named, so the rule
that decided can be reported and a user can see why:

* ``feature type``: countries, continents and first-level regions are what a bare
  name most often means in news; a "X River" mention wants a water body;
* ``prominence``: population and number of alternate names;
* ``name``: the query is the entry's own name, not just one of its alternate names
  (India's Hassan carries "Khasan" among its alternate names);
* ``document country`` / ``document region``: countries and regions already named in
  the same article (Khasan in an article about Russia is the Russian one);
* ``X, Y``: "Springfield, Illinois" puts Springfield inside Illinois;
* ``nearby``: closeness to the article's other confidently resolved places.

Two passes: the first resolves mentions on their own to learn the document's
countries, regions and centre; the second scores every mention with that context.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.gazetteer.geometry import haversine_km
from geo.models import Candidate, GazetteerEntry, PlaceMention

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

# A bare name in news most often means the bigger thing: a country over a town of that
# name, a state or province over a city. Population only ranks places of one kind.
KIND_PRIOR = {
    "country": 8.0, "continent": 6.0, "admin1": 4.5, "region": 4.0, "water": 3.5,
    "admin2": 2.5, "landmark": 1.5, "city": 0.3,
}
POPULATED_KINDS = {"city", "admin2", "landmark"}
WATER_HEADS = re.compile(
    r"\b(river|sea|bay|gulf|strait|straits|lake|ocean|canal|channel|sound)$", re.I)
REGION_HEADS = re.compile(
    r"\b(province|region|oblast|krai|state|county|district|prefecture|governorate)$", re.I)


@dataclass(frozen=True)
class Weights:
    """How much each kind of evidence counts (see the module docstring)."""

    own_name: float = 2.0
    population: float = 0.55  # per order of magnitude of population
    alt_names: float = 0.35  # per order of magnitude of alternate names
    capital: float = 0.8
    doc_country: float = 2.4
    doc_region: float = 1.5
    pair: float = 5.0  # "X, Y"
    nearby: float = 1.5
    feature_head: float = 3.0
    passage_region: float = 2.5  # a region named in the same passage contains it


@dataclass
class _Context:
    """What each distinct name of the document says about the document.

    Evidence is kept per name so that a name never counts as evidence for itself:
    "California" (the state) must not vote for a town called California.
    """

    countries: dict[str, Counter]  # name -> country code -> weight
    regions: dict[str, tuple[str, str]]  # name -> (country code, admin1) it clearly names
    points: dict[str, tuple[float, float]]  # name -> its point, when clear on its own
    # passage -> (name, reading, start) of the readings clear on their own
    by_passage: dict[str, list[tuple[str, GazetteerEntry, int]]]

    def countries_except(self, key: str) -> Counter:
        total: Counter = Counter()
        for name, votes in self.countries.items():
            if name != key:
                total.update(votes)
        return total

    def regions_except(self, key: str) -> set[tuple[str, str]]:
        return {r for name, r in self.regions.items() if name != key}

    def points_except(self, key: str) -> list[tuple[float, float]]:
        return [pt for name, pt in self.points.items() if name != key]


class Resolver:
    """Chooses one gazetteer entry per place mention of a document."""

    def __init__(self, gazetteer: "Gazetteer", *, weights: Weights | None = None,
                 max_candidates: int = 25, keep_alternatives: int = 5) -> None:
        self.gazetteer = gazetteer
        self.weights = weights or Weights()
        self.max_candidates = max_candidates
        self.keep_alternatives = keep_alternatives

    def resolve(self, mentions: list[PlaceMention], text: str, *,
                aliases: dict[str, str] | None = None) -> list[PlaceMention]:
        """Fill ``place``, ``score``, ``rule`` and ``alternatives`` of each mention.

        One sense per document: every mention of a name gets the reading of its best-
        evidenced mention ("Santa Ana, California" decides the later bare "Santa Ana").
        ``aliases`` are names the document defines ("NSW" for "New South Wales").
        """
        places = [m for m in mentions if m.kind == "place"]
        cands = {id(m): self.candidates(m, aliases=aliases) for m in places}
        pairs = {id(m): self._pair_entry(m, text, cands[id(m)]) for m in places}
        first = {id(m): self._rank(m, cands[id(m)], None, None) for m in places}
        context = self._context(mentions, first)
        groups: dict[str, list[tuple[PlaceMention, list]]] = {}
        for m in places:
            ranked = self._rank(m, cands[id(m)], context, pairs[id(m)])
            if pairs[id(m)] is not None:  # "Richmond, Virginia" speaks for itself only
                self._apply(m, ranked)
                continue
            groups.setdefault(_fold(m.text), []).append((m, ranked))
        for group in groups.values():
            best = max((r for _, r in group), key=lambda r: r[0][1] if r else float("-inf"))
            for m, ranked in group:
                self._apply(m, best)
                if ranked is not best and best and m.rule not in ("only candidate",):
                    m.rule = f"{m.rule} (same name in document)"
        for m in mentions:
            if m.kind == "demonym":
                self._resolve_demonym(m)
        return mentions

    # -- candidates -------------------------------------------------------------------

    def candidates(self, mention: PlaceMention, *,
                   aliases: dict[str, str] | None = None) -> list[GazetteerEntry]:
        name = (aliases or {}).get(mention.text, mention.text)
        found = self.gazetteer.lookup(name, limit=self.max_candidates)
        if found:
            return found
        # "Razdolnaya River" as "Razdolnaya", but only entries of the kind the head names:
        # "Wright County" must not become a town that lists "Wright" among its names.
        for pattern, kinds in ((WATER_HEADS, {"water"}),
                               (REGION_HEADS, {"admin1", "admin2", "region"})):
            head = pattern.search(name)
            if head:
                bare = self.gazetteer.lookup(name[: head.start()].strip(),
                                             limit=self.max_candidates)
                return [e for e in bare if e.kind in kinds]
        return []

    # -- scoring ----------------------------------------------------------------------

    def _rank(self, m: PlaceMention, cands: list[GazetteerEntry], ctx: _Context | None,
              pair: GazetteerEntry | None) -> list[tuple[GazetteerEntry, float, str]]:
        owners = {e.id for e in cands if _same_name(m.text, e.name)}
        # a name that is itself a state or country ("California" in a list of states)
        # is not placed inside a region by its neighbours
        is_region = any(e.kind in ("country", "admin1") for e in cands if e.id in owners)
        scored = []
        for e in cands:
            # when the name is some entries' own, "X, Y" and a containing region speak
            # only for those, not for a place that merely lists it among other names
            alias_only = bool(owners) and e.id not in owners
            parts = self._evidence(m, e, ctx, None if alias_only else pair,
                                   is_region=is_region or alias_only)
            scored.append((e, sum(parts.values()), parts))
        scored.sort(key=lambda t: -t[1])
        return [(e, total, _deciding(parts, scored[1][2] if len(scored) > 1 else {}))
                for e, total, parts in scored]

    def _evidence(self, m: PlaceMention, e: GazetteerEntry, ctx: _Context | None,
                  pair: GazetteerEntry | None, *, is_region: bool = False) -> dict[str, float]:
        w = self.weights
        parts = {"feature type": KIND_PRIOR.get(e.kind, 0.5)}
        if e.kind in POPULATED_KINDS:
            parts["population"] = w.population * math.log10(e.population + 1)
        parts["prominence"] = w.alt_names * math.log10(e.alt_names + 1)
        if _same_name(m.text, e.name):
            parts["name"] = w.own_name
        if e.feature_code == "PPLC":
            parts["capital"] = w.capital
        if WATER_HEADS.search(m.text) and e.kind == "water":
            parts["feature type"] += w.feature_head
        if REGION_HEADS.search(m.text) and e.kind in ("admin1", "admin2", "region"):
            parts["feature type"] += w.feature_head
        if ctx is None:
            return parts
        key = _fold(m.text)
        countries = ctx.countries_except(key)
        total_c = sum(countries.values()) or 1
        if e.country_code and countries.get(e.country_code, 0) > 0.05 and e.kind != "country":
            share = countries[e.country_code] / total_c
            boost = 1.5 if e.kind == "admin1" else 1.0
            parts["document country"] = w.doc_country * (0.5 + share) * boost
        if e.kind == "city" and e.country_code and \
                (e.country_code, e.admin1 or "") in ctx.regions_except(key):
            parts["document region"] = w.doc_region
        if pair is not None and _inside(e, pair):
            parts["X, Y"] = w.pair
        near = 0.0 if is_region else self._same_passage(m, e, ctx)
        if near:
            parts["same passage"] = near
        points = ctx.points_except(key)
        if points and e.kind in ("city", "admin2", "water", "landmark"):
            d = min(haversine_km(e.lat, e.lon, la, lo) for la, lo in points)
            parts["nearby"] = w.nearby * math.exp(-d / 500.0)
        return parts

    def _same_passage(self, m: PlaceMention, e: GazetteerEntry, ctx: _Context) -> float:
        """Evidence that the region named nearest in the same passage contains ``e``
        ("Aurora is a city in Kane County, Illinois"; in "Richmond is in Missouri ...
        named after Richmond, Virginia" the first Richmond goes with Missouri)."""
        if e.kind not in ("city", "admin2", "landmark") or not e.admin1:
            return 0.0
        own = _fold(m.text)
        regions = [(abs(start - m.start), b) for name, b, start
                   in ctx.by_passage.get(m.passage_id or "", ())
                   if name != own and b.kind in ("admin1", "admin2") and b.id != e.id]
        if not regions:
            return 0.0
        _, nearest = min(regions, key=lambda t: t[0])
        if nearest.country_code == e.country_code and nearest.admin1 == e.admin1:
            return self.weights.passage_region
        return 0.0

    def _context(self, mentions: list[PlaceMention],
                 first: dict[int, list[tuple[GazetteerEntry, float, str]]]) -> _Context:
        """What the document is about, from each name's readings on its own.

        Each distinct name adds one unit of evidence, spread over countries by the
        likelihood of its readings: "Savannah" is unclear between several towns but all
        of them are in the United States. A name repeated ten times counts once. Only
        names clear on their own add their point to the document's centre.
        """
        countries: dict[str, Counter] = {}
        regions: dict[str, tuple[str, str]] = {}
        points: dict[str, tuple[float, float]] = {}
        by_passage: dict[str, list[tuple[str, GazetteerEntry, int]]] = {}
        for m in mentions:
            key, ranked = _fold(m.text), first.get(id(m))
            if m.kind == "demonym":
                code = self.gazetteer.demonym(m.text)
                if code:
                    countries[key] = Counter({code: 1.0})
                continue
            if not ranked:
                continue
            best, score, _ = ranked[0]
            margin = score - (ranked[1][1] if len(ranked) > 1 else 0.0)
            if m.passage_id and (margin >= 1.0 or best.kind in ("country", "admin1")):
                by_passage.setdefault(m.passage_id, []).append((key, best, m.start))
            if key in countries:
                continue  # a repeated name counts once
            votes: Counter = Counter()
            for e, p in zip((e for e, _, _ in ranked), _softmax([s for _, s, _ in ranked])):
                if e.country_code:
                    votes[e.country_code] += p
            countries[key] = votes
            if margin < 1.5:
                continue
            if best.kind == "admin1" and best.country_code and best.admin1:
                regions[key] = (best.country_code, best.admin1)
            if best.kind not in ("country", "continent", "region"):
                points[key] = (best.lat, best.lon)
        return _Context(countries, regions, points, by_passage)

    def _pair_entry(self, m: PlaceMention, text: str,
                    cands: list[GazetteerEntry]) -> GazetteerEntry | None:
        """In "X, Y", the entry Y names (a country or region), when Y is a known place.
        Not when X can be a country: "China, Japan" is a list, not "X, Y"."""
        if any(e.kind == "country" for e in cands):
            return None
        after = text[m.end:m.end + 60]
        hit = re.match(r",\s*([A-Z][\w.'’ -]{1,40}?)(?=[,.;:)\n]|\s+(?:and|in|on|at|for)\b|$)",
                       after)
        if not hit:
            return None
        for e in self.gazetteer.lookup(hit.group(1).strip(), limit=5):
            if e.kind in ("country", "admin1", "admin2", "region"):
                return e
        return None

    def _apply(self, m: PlaceMention, ranked: list[tuple[GazetteerEntry, float, str]]) -> None:
        if not ranked:
            m.place, m.score, m.rule, m.alternatives = None, 0.0, "no candidate", []
            return
        top = max(s for _, s, _ in ranked)
        weights = [math.exp(s - top) for _, s, _ in ranked]
        norm = sum(weights)
        best, _, rule = ranked[0]
        m.place = best
        m.score = round(weights[0] / norm, 4)
        m.rule = "only candidate" if len(ranked) == 1 else rule
        m.alternatives = [Candidate(entry=e, score=round(wt / norm, 4))
                          for (e, _, _), wt in list(zip(ranked, weights))[1:self.keep_alternatives + 1]]

    def _resolve_demonym(self, m: PlaceMention) -> None:
        code = self.gazetteer.demonym(m.text)
        entry = self.gazetteer.country(code) if code else None
        m.place, m.score, m.rule, m.alternatives = entry, 1.0 if entry else 0.0, "demonym", []


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    norm = sum(weights)
    return [w / norm for w in weights]


def _deciding(best: dict[str, float], runner_up: dict[str, float]) -> str:
    """The piece of evidence that most separates a candidate from the runner-up."""
    if not best:
        return "only candidate"
    return max(best, key=lambda k: best[k] - runner_up.get(k, 0.0))


def _same_name(query: str, name: str) -> bool:
    """The query is the entry's own name ("EU" is not the French town "Eu")."""
    bare = query.replace(".", "")
    if bare.isupper() and len(bare) <= 5:
        return bare == name.replace(".", "")
    return _fold(query) == _fold(name)


def _fold(s: str) -> str:
    s = re.sub(r"^the\s+", "", s.strip(), flags=re.I)
    return re.sub(r"[^\w]+", " ", s.casefold()).strip()


def _inside(e: GazetteerEntry, container: GazetteerEntry) -> bool:
    if e.id == container.id or not e.country_code:
        return False
    if container.kind == "country":
        return e.country_code == container.country_code
    return e.country_code == container.country_code and bool(container.admin1) and \
        e.admin1 == container.admin1
