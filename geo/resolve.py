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
* ``nearby``: closeness to the article's other confidently resolved places;
* ``major city``: a city of a million people, or a capital, is what its bare name means
  ("New York", "Washington", "Buenos Aires") unless the text says the state: "New York
  state", "the state of Washington", "Tacoma, Washington", a list of states, a governor;
* ``state named`` / ``list``: "New York state", "the state of Washington", a governor;
  "Texas, Ohio and New York" (a name listed among states is a state);
* ``dateline``: "NEW YORK (AP) --" names the city the story was filed from;
* ``the``: "the Pacific" is the ocean (seas and regions take "the", towns do not);
* ``curated``: entries listed in ``geo/data`` because news names them (the White House).

The words right around a mention ("Tacoma, Washington", a dateline, "New York state")
decide it whatever the rest of the article says. A name the gazetteer lacks that is a
part of a place it has, or named after one beside it ("North Dallas", "Salinas Valley",
"Lake Manassas"), resolves to that place with the rule "part of X" / "near X"; a
street resolves to the town the article puts it in ("street in X").

Two passes: the first resolves mentions on their own to learn the document's
countries, regions and centre; the second scores every mention with that context.
"""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.dates import CALENDAR_WORDS
from geo.gazetteer.curated import state_abbreviations
from geo.gazetteer.geometry import EARTH_RADIUS_KM, haversine_km
from geo.models import Candidate, GazetteerEntry, PlaceMention
from geo.toponyms.home import Home, home_evidence, state_code
from geo.toponyms.lexicon import Lexicon, lexicon

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer
    from geo.geocoders import CandidateSource

# the resolver's words when none are given, and the folding of names (see _fold)
_ENGLISH = lexicon("en")

# A bare name in news most often means the bigger thing: a country over a town of that
# name, a state or province over a city. Population only ranks places of one kind.
KIND_PRIOR = {
    "country": 8.0, "continent": 6.0, "admin1": 4.5, "region": 4.0, "water": 3.5,
    "admin2": 2.5, "landmark": 1.5, "city": 0.3,
}
POPULATED_KINDS = {"city", "admin2", "landmark"}
# the X of "X, Y" when X was not taken for a place ("Buffalo, New York")
NAME_COMMA = re.compile(r"\b([A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}), ?$")
# evidence from the words right around a mention, which no other mention overrides
LOCAL_RULES = {"X, Y", "state named", "dateline"}
MAJOR_CITY_POPULATION = 1_000_000
# up to this many distinct names, the document context is summed name by name (exactly
# as always); beyond it (a long dossier), by arrays and differences, so that it costs
# O(names), not O(names^2) (an article naming 2,300 towns took minutes)
EXACT_CONTEXT_NAMES = 200
MAJOR_CAPITAL_POPULATION = 300_000


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
    major_city: float = 2.5
    region_word: float = 5.0  # "New York state", "the state of Washington"
    list_kind: float = 3.5  # a list of states wants a state (x1.5 for two others, x2 for 3+)
    dateline: float = 3.0
    definite: float = 3.0
    curated: float = 2.0
    home: float = 6.0  # the source's home region (x0.5 elsewhere in its country)


@dataclass
class _Cues:
    """What the words right around one mention say about the kind of place it is."""

    region_word: bool = False
    dateline: bool = False
    definite: bool = False  # "the Pacific": seas and regions take "the", towns do not
    after: list[GazetteerEntry] | None = None  # readings of X when this is Y in "X, Y"
    list_kinds: Counter = field(default_factory=Counter)  # kinds of the places listed with it
    list_countries: set = field(default_factory=set)  # countries of the states listed with it


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


class Resolver:
    """Chooses one gazetteer entry per place mention of a document."""

    def __init__(self, gazetteer: "Gazetteer", *, weights: Weights | None = None,
                 max_candidates: int = 25, keep_alternatives: int = 5,
                 source: "CandidateSource | None" = None,
                 lexicon: Lexicon | None = None) -> None:
        from geo.geocoders import CandidateSource

        self.gazetteer = gazetteer
        # where a name's candidates come from: the gazetteer, and an online geocoder
        # for the names it lacks when the settings name one (geo.geocoders)
        self.source = source or CandidateSource(gazetteer)
        self.lexicon = lexicon or _ENGLISH
        self.weights = weights or Weights()
        self.max_candidates = max_candidates
        self.keep_alternatives = keep_alternatives
        self.abbreviations = state_abbreviations()
        self.home: Home | None = None

    def resolve(self, mentions: list[PlaceMention], text: str, *,
                aliases: dict[str, str] | None = None,
                home: Home | None = None) -> list[PlaceMention]:
        """Fill ``place``, ``score``, ``rule`` and ``alternatives`` of each mention.

        One sense per document: every mention of a name gets the reading of its best-
        evidenced mention ("Santa Ana, California" decides the later bare "Santa Ana").
        ``aliases`` are names the document defines ("NSW" for "New South Wales"); ``home``
        is the article's source's home region (geo.toponyms.home).
        """
        self.home = home
        streets = [m for m in mentions if m.kind == "place" and m.label == "street"]
        places = [m for m in mentions if m.kind == "place" and m.label != "street"]
        cands = {id(m): self.candidates(m, aliases=aliases) for m in places}
        within: dict[int, str] = {}
        for m in places:
            if not cands[id(m)]:  # "North Dallas", "Salinas Valley": near a known place
                wider = self._within(m.text)
                if wider:
                    within[id(m)], cands[id(m)] = wider
        pairs = {id(m): self._pair_entry(m, text, cands[id(m)]) for m in places}
        cues = self._cues(places, text, cands)
        first = {id(m): self._rank(m, cands[id(m)], None, None, cues[id(m)]) for m in places}
        context = self._context(mentions, first)
        self._list_cues(places, text, first, cues)
        groups: dict[str, list[tuple[PlaceMention, list]]] = {}
        local: set[int] = set()
        for m in places:
            ranked = self._rank(m, cands[id(m)], context, pairs[id(m)], cues[id(m)])
            if pairs[id(m)] is not None:  # "Richmond, Virginia" speaks for itself only
                self._apply(m, ranked)
                continue
            if ranked and ranked[0][2] in LOCAL_RULES:
                # "Tacoma, Washington", "NEW YORK (AP)": the words around this mention
                # decide it, whatever the rest of the article says; it still votes
                self._apply(m, ranked)
                local.add(id(m))
            groups.setdefault(_fold(m.text), []).append((m, ranked))
        for group in groups.values():
            best = max((r for _, r in group), key=lambda r: r[0][1] if r else float("-inf"))
            for m, ranked in group:
                if id(m) in local:
                    continue
                self._apply(m, best)
                if ranked is not best and best and m.rule not in ("only candidate",):
                    m.rule = f"{m.rule} (same name in document)"
        for m in places:
            if id(m) in within and m.place is not None:
                m.rule = f"{within[id(m)]} ({m.rule})"
        towns = _Towns(places)
        for m in streets:
            self._place_street(m, towns)
        for m in mentions:
            if m.kind == "demonym":
                self._resolve_demonym(m)
        return mentions

    def _place_street(self, street: PlaceMention, towns: "_Towns") -> None:
        """A street is in the town named nearest to it in the same passage ("on Collins
        Avenue in Miami Beach", "Harare's Third Street"), else in the last town the
        article named before it. No gazetteer lists streets, so none is looked up by
        name: a village called "Main Street" somewhere is not the street. With no town
        before it the street stays unresolved."""
        town = towns.nearest(street)
        if town is None:
            street.place, street.score, street.rule, street.alternatives = \
                None, 0.0, "no town named before it", []
            return
        street.place, street.score, street.alternatives = town.place, town.score, []
        street.rule = f"street in {town.place.name}"

    # -- candidates -------------------------------------------------------------------

    def candidates(self, mention: PlaceMention, *,
                   aliases: dict[str, str] | None = None) -> list[GazetteerEntry]:
        abbreviated = self._abbreviated(mention.text)
        if abbreviated:  # "Calif.", "D.C.", "B.C."
            return [abbreviated]
        name = (aliases or {}).get(mention.text, mention.text)
        found = self.source.candidates(name, limit=self.max_candidates)
        bare = name.replace(".", "")
        if bare.isupper() and 2 <= len(bare) <= 3:
            # "EU" is not the town of Eu, nor "UK" a village called Uk, when an entry
            # bears the letters as an abbreviation
            other = [e for e in found if e.name.replace(".", "").casefold() != bare.casefold()
                     or e.name.replace(".", "").isupper()]
            found = other or found
        if found:
            return found
        # "Razdolnaya River" as "Razdolnaya", but only entries of the kind the head names:
        # "Wright County" must not become a town that lists "Wright" among its names.
        for pattern, kinds in ((self.lexicon.water_head, {"water"}),
                               (self.lexicon.region_head, {"admin1", "admin2", "region"})):
            head = pattern.search(name)
            if head:
                bare = self.gazetteer.lookup(name[: head.start()].strip(),
                                             limit=self.max_candidates)
                return [e for e in bare if e.kind in kinds]
        return []

    def _abbreviated(self, text: str) -> GazetteerEntry | None:
        """The state or province an exact abbreviation names ("Calif.", "B.C.")."""
        target = self.abbreviations.get(text)
        return self.gazetteer.get(target) if target else None

    def _within(self, name: str) -> tuple[str, list[GazetteerEntry]] | None:
        """A name the gazetteer lacks that is a part of, or the area around, a place it
        has: "North Dallas", "Western US", "Salinas Valley", "Birmingham City"; or a
        feature named after a place beside it: "Lake Manassas"."""
        lex = self.lexicon
        for pattern, relation in ((lex.part_prefix, "part of"), (lex.part_suffix, "part of"),
                                  (lex.near_prefix, "near")):
            rest = pattern.sub("", name, count=1).strip()
            if rest != name and rest[:1].isupper() and (len(rest) >= 3 or rest.isupper()):
                # a town only under its own name: "Cape Peron" is not near a town that
                # lists "Peron" among its alternate names ("Western US" is the country)
                found = [e for e in self.gazetteer.lookup(rest, limit=self.max_candidates)
                         if e.kind != "city" or _same_name(rest, e.name)]
                if found:
                    return f"{relation} {rest}", found
        return None

    # -- scoring ----------------------------------------------------------------------

    def _rank(self, m: PlaceMention, cands: list[GazetteerEntry], ctx: _Context | None,
              pair: GazetteerEntry | None,
              cues: _Cues | None = None) -> list[tuple[GazetteerEntry, float, str]]:
        owners = {e.id for e in cands if _same_name(m.text, e.name)}
        # a name that is itself a state or country ("California" in a list of states)
        # is not placed inside a region by its neighbours
        is_region = any(e.kind in ("country", "admin1") for e in cands if e.id in owners)
        # "Mexico" is the country before it is Mexico City
        country_named = any(e.kind == "country" for e in cands if e.id in owners)
        scored = []
        for e in cands:
            # when the name is some entries' own, "X, Y" and a containing region speak
            # only for those, not for a place that merely lists it among other names
            alias_only = bool(owners) and e.id not in owners
            parts = self._evidence(m, e, ctx, None if alias_only else pair,
                                   is_region=is_region or alias_only, cues=cues,
                                   country_named=country_named)
            scored.append((e, sum(parts.values()), parts))
        scored.sort(key=lambda t: -t[1])
        return [(e, total, _deciding(parts, scored[1][2] if len(scored) > 1 else {}))
                for e, total, parts in scored]

    def _evidence(self, m: PlaceMention, e: GazetteerEntry, ctx: _Context | None,
                  pair: GazetteerEntry | None, *, is_region: bool = False,
                  cues: _Cues | None = None, country_named: bool = False) -> dict[str, float]:
        w = self.weights
        cues = cues or _Cues()
        parts = {"feature type": KIND_PRIOR.get(e.kind, 0.5)}
        if e.kind in POPULATED_KINDS:
            parts["population"] = w.population * math.log10(e.population + 1)
        if e.kind == "city" and not country_named and _city_name(m.text, e.name) and (
                e.population >= MAJOR_CITY_POPULATION or (
                    e.feature_code == "PPLC" and e.population >= MAJOR_CAPITAL_POPULATION)):
            parts["major city"] = w.major_city
        if e.kind == "city" and "major city" in parts and cues.after and any(
                haversine_km(x.lat, x.lon, e.lat, e.lon) < 30 for x in cues.after):
            parts["X, Y"] = w.pair  # "Brooklyn, New York": Brooklyn is part of the city
        if cues.definite and e.kind in ("water", "region", "continent"):
            parts["the"] = w.definite
        if cues.dateline and e.kind == "city":
            parts["dateline"] = w.dateline
        if e.kind in ("admin1", "admin2"):
            if cues.region_word:
                parts["state named"] = w.region_word
            if cues.after and any(e.contains(x) for x in cues.after):
                parts["X, Y"] = w.pair  # "Tacoma, Washington": Washington holds Tacoma
        if cues.list_kinds.get(e.kind) and (e.kind != "admin1" or e.country_code in
                                            cues.list_countries):  # states of one country
            # the longer the list, the surer
            parts["list"] = w.list_kind * min(2.0, 0.5 + 0.5 * cues.list_kinds[e.kind])
        parts["prominence"] = w.alt_names * math.log10(e.alt_names + 1)
        if home_evidence(e, self.home):
            parts["home"] = w.home * home_evidence(e, self.home)
        if e.id.startswith("cur:"):
            # a curated entry's other names were chosen for it ("Pacific" for the ocean),
            # and it is listed because news names it (the White House, not the town)
            parts["name"] = w.own_name
            parts["curated"] = w.curated
        elif _same_name(m.text, e.name):
            parts["name"] = w.own_name
        if e.feature_code == "PPLC":
            parts["capital"] = w.capital
        if self.lexicon.water_head.search(m.text) and e.kind == "water":
            parts["feature type"] += w.feature_head
        if self.lexicon.region_head.search(m.text) and e.kind in ("admin1", "admin2", "region"):
            parts["feature type"] += w.feature_head
        if ctx is None:
            return parts
        key = _fold(m.text)
        countries = ctx.countries_except(key)
        total_c = sum(countries.values()) or 1
        if e.country_code and countries.get(e.country_code, 0) > 0.05 and e.kind != "country":
            share = countries[e.country_code] / total_c
            # a state (and a major city) gains more than a town from its country:
            # "Georgia" in an article about Atlanta is the state, not a town
            boost = 1.5 if e.kind == "admin1" or "major city" in parts else 1.0
            parts["document country"] = w.doc_country * (0.5 + share) * boost
        if e.kind == "city" and e.country_code and \
                ctx.has_region_except(key, (e.country_code, e.admin1 or "")):
            parts["document region"] = w.doc_region
        if pair is not None and pair.contains(e):
            parts["X, Y"] = w.pair
        near = 0.0 if is_region else self._same_passage(m, e, ctx)
        if near:
            parts["same passage"] = near
        extra = []
        if e.kind == "water" and not e.country_code:
            # a sea is beside the countries the article names ("Qatar ... the Gulf"),
            # whose points say too little about a town's place but enough for a sea's
            named = [self.gazetteer.country(cc) for cc, v in countries.items() if v >= 0.5]
            extra = [(c.lat, c.lon) for c in named if c is not None]
        d = ctx.nearest_km(key, e.lat, e.lon, extra) \
            if e.kind in ("city", "admin2", "water", "landmark") else None
        if d is not None:
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
                   if name != own and (b.kind in ("admin1", "admin2") or b.is_nation)
                   and b.id != e.id]
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
        # "the Texas Rangers" says less about where a story is than "in Texas": a state
        # named only inside organisations' names sets no document region
        named_outside_orgs = {_fold(m.text) for m in mentions if m.label != "embedded:ORG"}
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
            if (best.kind == "admin1" or best.is_nation) and best.country_code \
                    and best.admin1 and key in named_outside_orgs:
                regions[key] = (best.country_code, best.admin1)
            if best.kind not in ("country", "continent", "region"):
                points[key] = (best.lat, best.lon)
        return _Context(countries, regions, points, by_passage)

    def _cues(self, places: list[PlaceMention], text: str,
              cands: dict[int, list[GazetteerEntry]]) -> dict[int, _Cues]:
        """The words around each mention: "X state", a dateline, "X, Y" from Y's side."""
        cues: dict[int, _Cues] = {}
        ordered = sorted(places, key=lambda m: m.start)
        for k, m in enumerate(ordered):
            c = _Cues()
            after = text[m.end:m.end + 12]
            lex = self.lexicon
            c.region_word = bool(lex.region_after_re.match(after) or
                                 lex.region_before_re.search(text[max(0, m.start - 12):m.start]))
            c.definite = bool(lex.definite_before.search(text[max(0, m.start - 5):m.start]))
            c.dateline = lex.is_dateline(text, m.start, m.end)
            if k and text[ordered[k - 1].end:m.start] in (", ", ","):
                prev = cands[id(ordered[k - 1])]
            else:  # "Buffalo, New York" where "Buffalo" was not taken for a place
                hit = NAME_COMMA.search(text, max(0, m.start - 40), m.start)
                prev = self.gazetteer.lookup(hit.group(1), limit=self.max_candidates) \
                    if hit and hit.group(1) not in CALENDAR_WORDS else []
            c.after = [e for e in prev if e.kind in POPULATED_KINDS]
            cues[id(m)] = c
        return cues

    def _list_cues(self, places: list[PlaceMention], text: str,
                   first: dict[int, list[tuple[GazetteerEntry, float, str]]],
                   cues: dict[int, _Cues]) -> None:
        """"Texas, Ohio and New York": a name listed among states is a state. A list is
        three names or more, or two joined by "and" / "or" ("Oaxaca State, Mexico" is a
        place and its country, not a list). The kinds of the others come from their
        readings on their own (countries and states only); a name never counts for itself."""
        ordered = sorted(places, key=lambda m: m.start)
        runs: list[list[PlaceMention]] = []
        joined_by_word: list[bool] = []
        for k, m in enumerate(ordered):
            gap = text[ordered[k - 1].end:m.start] if k else None
            if gap is not None and self.lexicon.list_gap.fullmatch(gap):
                runs[-1].append(m)
                joined_by_word[-1] = joined_by_word[-1] or "," not in gap
            else:
                runs.append([m])
                joined_by_word.append(False)
        for run, by_word in zip(runs, joined_by_word):
            if len(run) < 3 and not (len(run) == 2 and by_word):
                continue
            readings = []
            for n in run:
                ranked = first.get(id(n))
                if ranked and ranked[0][0].kind in ("country", "admin1"):
                    readings.append((_fold(n.text), ranked[0][0].kind, ranked[0][0].country_code))
            for m in run:
                own = _fold(m.text)
                others = [(k, cc) for name, k, cc in readings if name != own]
                cues[id(m)].list_kinds = Counter(k for k, _ in others)
                cues[id(m)].list_countries = {cc for k, cc in others if k == "admin1"}

    def _pair_entry(self, m: PlaceMention, text: str,
                    cands: list[GazetteerEntry]) -> GazetteerEntry | None:
        """In "X, Y", the entry Y names (a country or region), when Y is a known place.
        Not when X can be a country: "China, Japan" is a list, not "X, Y"."""
        if any(e.kind == "country" for e in cands):
            return None
        # nor when X is a state itself: "New York, Pennsylvania and New Jersey" is a list
        is_state = any(e.kind == "admin1" and _same_name(m.text, e.name) for e in cands)
        after = text[m.end:m.end + 60]
        hit = self.lexicon.pair_region.match(after)
        if not hit:
            return None
        abbreviated = self._abbreviated(hit.group(1).strip() + ".") \
            if after[hit.end():hit.end() + 1] == "." else None
        if abbreviated:  # "Helena, Mont."
            return abbreviated
        coded = state_code(hit.group(1).strip(), self.gazetteer)  # "Athens, TN"
        if coded:
            return coded
        for e in self.gazetteer.lookup(hit.group(1).strip(), limit=5):
            if e.kind in ("country", "admin1", "admin2", "region"):
                return None if is_state and e.kind != "country" else e
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


class _Towns:
    """The document's mentions resolved to towns, by passage and in text order, so that
    placing each of many streets is a lookup, not a scan of every mention."""

    def __init__(self, places: list[PlaceMention]) -> None:
        towns = [m for m in places if m.place is not None and m.place.kind in POPULATED_KINDS]
        self.by_passage: dict[str | None, list[PlaceMention]] = {}
        for m in towns:
            self.by_passage.setdefault(m.passage_id, []).append(m)
        self.ordered = sorted(towns, key=lambda m: m.start)
        self.starts = [m.start for m in self.ordered]

    def nearest(self, street: PlaceMention) -> PlaceMention | None:
        """The town nearest the street in its passage, else the last one before it."""
        here = self.by_passage.get(street.passage_id)
        if here:
            return min(here, key=lambda m: abs(m.start - street.start))
        before = bisect.bisect_left(self.starts, street.start)
        if not before:
            return None
        # of the towns that start last before the street, the first the article names
        return self.ordered[bisect.bisect_left(self.starts, self.starts[before - 1])]


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


def _city_name(query: str, name: str) -> bool:
    """The query is the city's name, or its name without "City" ("New York City")."""
    return _same_name(query, name) or _fold(name) == _fold(query) + " city"


def _fold(s: str) -> str:
    """Compare names: case, punctuation, a leading "the" and "St." / "Saint" aside (by
    the English lexicon's folding until the module's functions take the document's
    lexicon, with the French part of issue 13)."""
    return _ENGLISH.fold(s)
