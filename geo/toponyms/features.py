"""The evidence for reading a mention as a candidate place, one function per piece.

Each feature is ``f(mention, candidate, document) -> float | None``: how much the
evidence speaks for ``candidate`` (a :class:`~geo.models.GazetteerEntry`), before its
weight; ``None`` when it does not speak of this candidate at all. ``mention`` is a
:class:`Mention` (the place mention, its :class:`~geo.toponyms.cues.Cues`, and what its
candidates say together); ``document`` is the article's
:class:`~geo.toponyms.document.Document` (not ``settled`` on the first pass, when the
features that read the rest of the article say nothing).

Adding a piece of evidence is one function and one weight row:

1. add a member to :class:`FeatureCode` (its value is the name users see as the rule,
   and the key of its weight) and write the function here, registered with
   ``@feature(FeatureCode.YOUR_CODE)``; registration order is the order of the sum;
2. add ``"your code": <weight>`` under ``"weights"`` in ``geo/data/rank/weights.json``
   (numbers the function measures with go under ``"params"`` and into
   :class:`~geo.toponyms.document.Params`), and a sentence for the UI in
   :data:`geo.toponyms.rules.EVIDENCE_WORDS`.

Nothing in :mod:`geo.toponyms.rank` or :mod:`geo.resolve` changes.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass

from geo.gazetteer.geometry import haversine_km
from geo.models import GazetteerEntry, PlaceMention
from geo.toponyms.cues import POPULATED_KINDS, Cues
from geo.toponyms.document import Document
from geo.toponyms.home import home_evidence
from geo.toponyms.lexicon import Lexicon
from geo.toponyms.names import city_name, fold, same_name


class FeatureCode(enum.Enum):
    """The named pieces of evidence; the values are the names stored as rules."""

    # members are singletons: hash them as objects (Enum's own __hash__ is Python code,
    # and ranking hashes codes a few hundred thousand times a corpus)
    __hash__ = object.__hash__

    FEATURE_TYPE = "feature type"  # countries before regions before towns; "X River"
    POPULATION = "population"
    MAJOR_CITY = "major city"
    DEFINITE = "the"
    DATELINE = "dateline"
    STATE_NAMED = "state named"
    LIST = "list"
    PROMINENCE = "prominence"
    NAME = "name"
    CURATED = "curated"
    CAPITAL = "capital"
    DOCUMENT_COUNTRY = "document country"
    DOCUMENT_REGION = "document region"
    X_Y = "X, Y"
    SAME_PASSAGE = "same passage"
    NEARBY = "nearby"
    HOME = "home"  # the source's home region
    DEFINED_IN = "defined in"  # "Aurora is a city in Hamilton County, Nebraska"


@dataclass(frozen=True)
class Mention:
    """One place mention as the features see it."""

    place: PlaceMention
    cues: Cues
    lexicon: Lexicon
    key: str  # the folded name: a name never counts as evidence for itself
    owners: frozenset[str]  # ids of the candidates whose own name it is
    is_region: bool  # the name is itself a country's or a state's ("California")
    country_named: bool  # the name is a country's ("Mexico" before Mexico City)

    @classmethod
    def of(cls, place: PlaceMention, cands: list[GazetteerEntry], cues: Cues,
           lexicon: Lexicon) -> Mention:
        owners = frozenset(e.id for e in cands if same_name(place.text, e.name))
        return cls(place, cues, lexicon, fold(place.text), owners,
                   is_region=any(e.kind in ("country", "admin1") for e in cands if e.id in owners),
                   country_named=any(e.kind == "country" for e in cands if e.id in owners))

    def alias_only(self, e: GazetteerEntry) -> bool:
        """The name is some entries' own, but not ``e``'s: "X, Y" and a containing
        region speak only for those, not for a place that merely lists the name."""
        return bool(self.owners) and e.id not in self.owners


Feature = Callable[[Mention, GazetteerEntry, Document], "float | None"]
FEATURES: dict[FeatureCode, Feature] = {}


def feature(code: FeatureCode) -> Callable[[Feature], Feature]:
    """Register a feature function under ``code``."""
    def register(f: Feature) -> Feature:
        FEATURES[code] = f
        return f
    return register


def is_curated(e: GazetteerEntry) -> bool:
    return e.id.startswith("cur:")


def is_major_city(m: Mention, e: GazetteerEntry, doc: Document) -> bool:
    """A city of a million people, or a capital of some size, under its own name,
    unless the name is a country's ("Mexico")."""
    p = doc.params
    return e.kind == "city" and not m.country_named and city_name(m.place.text, e.name) and (
        e.population >= p.major_city_population or (
            e.feature_code == "PPLC" and e.population >= p.major_capital_population))


@feature(FeatureCode.FEATURE_TYPE)
def feature_type(m: Mention, e: GazetteerEntry, doc: Document) -> float:
    """A bare name most often means the bigger thing (the kind prior); "X River" wants
    a water body, "X County" a region."""
    value = doc.params.kind_prior.get(e.kind, doc.params.kind_prior["other"])
    if m.lexicon.water_head.search(m.place.text) and e.kind == "water":
        value += doc.params.feature_head
    if m.lexicon.region_head.search(m.place.text) and e.kind in ("admin1", "admin2", "region"):
        value += doc.params.feature_head
    return value


@feature(FeatureCode.POPULATION)
def population(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """Orders of magnitude of population, of towns and landmarks only: an area's
    kind already ranks it, and its population is its towns' sum (the Liverpool council
    area in Sydney, 175,000 people, is not what a bare "Liverpool" means)."""
    return math.log10(e.population + 1) if e.kind in ("city", "landmark") else None


@feature(FeatureCode.MAJOR_CITY)
def major_city(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """"New York", "Buenos Aires": the major city is what the bare name means."""
    return 1.0 if is_major_city(m, e, doc) else None


@feature(FeatureCode.DEFINITE)
def definite(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """"the Pacific": seas and regions take "the", towns do not."""
    return 1.0 if m.cues.definite and e.kind in ("water", "region", "continent") else None


@feature(FeatureCode.DATELINE)
def dateline(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """"NEW YORK (AP) --" names the city the story was filed from."""
    return 1.0 if m.cues.dateline and e.kind == "city" else None


@feature(FeatureCode.STATE_NAMED)
def state_named(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """"New York state", "the state of Washington", a governor."""
    return 1.0 if m.cues.region_word and e.kind in ("admin1", "admin2") else None


@feature(FeatureCode.LIST)
def listed(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """"Texas, Ohio and New York": a name listed among states is a state (states of
    one country); the longer the list, the surer."""
    kinds, countries = doc.lists.get(id(m.place), (None, None))
    if not kinds or not kinds.get(e.kind) or (e.kind == "admin1"
                                              and e.country_code not in countries):
        return None
    p = doc.params
    return min(p.list_max, p.list_base + p.list_step * kinds[e.kind])


@feature(FeatureCode.PROMINENCE)
def prominence(m: Mention, e: GazetteerEntry, doc: Document) -> float:
    """Orders of magnitude of alternate names: how widely known a place is."""
    return math.log10(e.alt_names + 1)


@feature(FeatureCode.HOME)
def home(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """The article's source is at home there: 1 in its home region, 0.5 elsewhere in
    its country (:func:`geo.toponyms.home.home_evidence`; a Tennessee paper's "Paris")."""
    return home_evidence(e, doc.home) or None


@feature(FeatureCode.NAME)
def own_name(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """The name is the entry's own, not one of its alternate names (India's Hassan
    lists "Khasan"); a curated entry's names were all chosen for it."""
    return 1.0 if is_curated(e) or same_name(m.place.text, e.name) else None


@feature(FeatureCode.CURATED)
def curated(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """Listed in ``geo/data`` because news names it (the White House, not the town)."""
    return 1.0 if is_curated(e) else None


@feature(FeatureCode.CAPITAL)
def capital(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    return 1.0 if e.feature_code == "PPLC" else None


@feature(FeatureCode.DOCUMENT_COUNTRY)
def document_country(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """The article names places in the candidate's country: its share of the votes.
    A state (and a major city) gains more than a town from its country: "Georgia" in
    an article about Atlanta is the state, not a town."""
    if not doc.settled or not e.country_code or e.kind == "country":
        return None
    countries = doc.countries_except(m.key)
    if countries.get(e.country_code, 0) <= doc.params.country_min_vote:
        return None
    share = countries[e.country_code] / (sum(countries.values()) or 1)
    boost = doc.params.country_state_boost \
        if e.kind == "admin1" or is_major_city(m, e, doc) else 1.0
    return (0.5 + share) * boost


@feature(FeatureCode.DOCUMENT_REGION)
def document_region(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """Another name of the article clearly names the town's state or province."""
    if doc.settled and e.kind == "city" and e.country_code and \
            doc.has_region_except(m.key, (e.country_code, e.admin1 or "")):
        return 1.0
    return None


@feature(FeatureCode.X_Y)
def x_comma_y(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """"Springfield, Illinois" from either side: X is inside Y ("Tacoma, Washington":
    Washington the state holds Tacoma; "Brooklyn, New York": Brooklyn is part of the
    city)."""
    holds = m.cues.holds
    if holds and is_major_city(m, e, doc) and any(
            haversine_km(x.lat, x.lon, e.lat, e.lon) < doc.params.pair_city_km for x in holds):
        return 1.0
    if holds and e.kind in ("admin1", "admin2") and any(e.contains(x) for x in holds):
        return 1.0
    partner = m.cues.partner
    if doc.settled and partner is not None and not m.alias_only(e) and partner.contains(e):
        return 1.0
    return None


@feature(FeatureCode.SAME_PASSAGE)
def same_passage(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """The region named nearest in the same passage contains the place ("Aurora is a
    city in Kane County, Illinois"; in "Richmond is in Missouri ... named after
    Richmond, Virginia" the first Richmond goes with Missouri). Not for a name that is
    itself a state or country."""
    if not doc.settled or m.is_region or m.alias_only(e) or \
            e.kind not in ("city", "admin2", "landmark") or not e.admin1:
        return None
    regions = [(abs(start - m.place.start), b) for name, b, start
               in doc.by_passage.get(m.place.passage_id or "", ())
               if name != m.key and (b.kind in ("admin1", "admin2") or b.is_nation)
               and b.id != e.id]
    if not regions:
        return None
    _, nearest = min(regions, key=lambda t: t[0])
    if nearest.country_code == e.country_code and nearest.admin1 == e.admin1:
        return 1.0
    return None


@feature(FeatureCode.NEARBY)
def nearby(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """Closeness to the article's other places clear on their own; a sea is beside the
    countries the article names ("Qatar ... the Gulf"), whose points say too little
    about a town's place but enough for a sea's."""
    if not doc.settled or e.kind not in ("city", "admin2", "water", "landmark"):
        return None
    extra = doc.country_points(m.key, doc.params.sea_country_min_vote) \
        if e.kind == "water" and not e.country_code else []
    d = doc.nearest_km(m.key, e.lat, e.lon, extra)
    return None if d is None else math.exp(-d / doc.params.nearby_km)


@feature(FeatureCode.DEFINED_IN)
def defined_in(m: Mention, e: GazetteerEntry, doc: Document) -> float | None:
    """"Aurora is a city in Hamilton County, Nebraska", "Kalam, a town in the Swat
    Valley, Pakistan": the sentence that says what kind of place the name is then
    names what holds it. The share of those places (each under any of its readings)
    that hold the candidate."""
    groups = m.cues.defined_in
    if not groups or m.alias_only(e):
        return None
    held = sum(1 for group in groups if any(holds(x, e, doc) for x in group))
    return held / len(groups) if held else None


def holds(x: GazetteerEntry, e: GazetteerEntry, doc: Document) -> bool:
    """``x`` holds ``e`` by their codes (:meth:`GazetteerEntry.contains`); or, when
    ``e``'s record names no first-level region (an online geocoder's candidate: "Little
    Snoring, Norfolk, England"), when ``x`` is a region or county of ``e``'s country
    whose point lies within ``held_km`` of it."""
    if x.contains(e):
        return True
    return e.admin1 is None and x.kind not in ("country", "continent") \
        and bool(e.country_code) and e.country_code == x.country_code \
        and haversine_km(x.lat, x.lon, e.lat, e.lon) <= doc.params.held_km
