"""A source's home region: where a newspaper is, as evidence for its ambiguous names.

A Tennessee paper's "Paris" is Paris, Tennessee; a London borough paper's "Richmond" is
Richmond upon Thames; an Ohio paper's "Newark" is Newark, Ohio. The home of a source
(an article's ``source`` field) is a country and, when clear, a first-level region
(its ``admin1`` code: ``US``/``TN``, ``GB``/``ENG``). It comes from, in this order:

* the user's sources file (``--sources FILE`` or the ``NEWS_ATLAS_SOURCES`` setting):
  CSV lines ``source,country,region``, the region optional; a country is an ISO code
  or a name ("US", "United Kingdom"), a region a code or a name ("TN", "Tennessee",
  "England"). A first line ``source,country,region`` is a header; ``#`` starts a
  comment line. A bad line is an :class:`~geo.errors.InputError` naming the file,
  the line and the reason; the other lines still load;
* the places the source's articles mention: those already in the store, then those
  of the batch being analysed, article by article (see :class:`Homes`).

The resolver weighs the home as one piece of evidence (:func:`home_evidence`); the
words around a mention ("Paris, Tenn.", "Athens, TN", a dateline, "Paris, France")
weigh more, so the passage still says otherwise when it does.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from geo.errors import InputError

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer
    from geo.models import GazetteerEntry, PlaceMention
    from geo.store import Store

log = logging.getLogger(__name__)

# places that say where a paper is: towns, districts, states (a country named says
# what the story is about more often than where the paper is)
LOCAL_KINDS = ("city", "admin1", "admin2", "landmark")
# a learned home needs this many distinct (article, place) votes, and this share of
# them in one country (and, for the region, of that country's votes in one region)
MIN_VOTES = 3
MIN_SHARE = 0.6
# a place votes when the resolver was at least this sure of it
MIN_SCORE = 0.5
# the stored articles of a source read to learn its home: its latest ones
STORE_ARTICLES = 500


@dataclass(frozen=True)
class Home:
    """Where a source is: a country code and, when known, a first-level region code."""

    country: str
    region: str | None = None


def home_evidence(entry: "GazetteerEntry", home: Home | None) -> float:
    """1 for a place in the home region, 0.5 for one elsewhere in the home country, 0
    otherwise (and for countries and continents, which a home does not choose)."""
    if home is None or entry.kind in ("country", "continent") and not entry.is_nation \
            or entry.country_code != home.country:
        return 0.0
    if home.region and entry.admin1 == home.region:
        return 1.0
    return 0.5


# the countries whose states' postal codes follow a town's name: "Athens, TN", "Guelph, ON"
POSTAL_COUNTRIES = ("US", "CA")


def state_code(text: str, gazetteer: "Gazetteer") -> "GazetteerEntry | None":
    """The state or province a two-letter postal code names ("TN", "OH", "ON"), the Y
    of "Athens, TN": passage evidence, which outweighs a home elsewhere."""
    if len(text) != 2 or not text.isalpha() or not text.isupper():
        return None
    for cc in POSTAL_COUNTRIES:
        entry = gazetteer.get(f"iso:{cc}-{text}")
        if entry is not None and entry.kind == "admin1":
            return entry
    return None


@dataclass
class Homes:
    """The home of each source: declared, or learned from the store and the batch.

    Learning is incremental, article by article, not a first pass over the batch:
    ``geoparse`` and ``ingest`` stream (each article is written or stored as soon as it
    is analysed, in bounded memory, with spaCy run once), and a first pass would either
    run the model over the batch twice or hold the whole batch's mentions. So an article
    is resolved with the home learned from the store and from its source's earlier
    articles in the batch; a source's first articles (until :data:`MIN_VOTES` places
    agree) are resolved without one, as before. A declared home is used from the start.
    """

    declared: dict[str, Home] = field(default_factory=dict)
    store: "Store | None" = None
    errors: list[InputError] = field(default_factory=list)  # the sources file's bad lines
    _votes: dict[str, Counter] = field(default_factory=dict, repr=False)

    def of(self, source: str | None) -> Home | None:
        """The home of ``source`` (None when not declared and not yet clear)."""
        if not source:
            return None
        if source in self.declared:
            return self.declared[source]
        return learned_home(self._source_votes(source))

    def learn(self, source: str | None, places: Iterable["PlaceMention"]) -> None:
        """Count the confidently resolved local places of one article of ``source``."""
        if not source or source in self.declared:
            return
        votes = self._source_votes(source)
        voters = {m.place.id: m.place for m in places if m.kind == "place" and m.place
                  is not None and m.place.kind in LOCAL_KINDS and m.score >= MIN_SCORE}
        for place in voters.values():  # one vote per place per article
            votes[_vote(place)] += 1

    def _source_votes(self, source: str) -> Counter:
        if source not in self._votes:
            self._votes[source] = stored_votes(self.store, source) \
                if self.store is not None else Counter()
        return self._votes[source]


def _vote(e: "GazetteerEntry") -> tuple[str, str]:
    return (e.country_code or "", e.admin1 or "")


def learned_home(votes: Counter) -> Home | None:
    """The home the votes (``(country, admin1) -> count``) make clear, if any."""
    total = sum(votes.values())
    if total < MIN_VOTES:
        return None
    by_country: Counter = Counter()
    for (cc, _), n in votes.items():
        by_country[cc] += n
    country, n = by_country.most_common(1)[0]
    if not country or n < MIN_SHARE * total:
        return None
    regions = Counter({r: k for (cc, r), k in votes.items() if cc == country and r})
    region = None
    if regions:
        top, k = regions.most_common(1)[0]
        if k >= 2 and k >= MIN_SHARE * sum(regions.values()):
            region = top
    return Home(country, region)


def stored_votes(store: "Store", source: str) -> Counter:
    """The votes of the places the store's latest articles of ``source`` mention: one
    per distinct (article, place), as :meth:`Homes.learn` counts them."""
    kinds = ",".join("?" * len(LOCAL_KINDS))
    rows = store.conn.execute(
        f"""SELECT p.country_code, p.admin1, count(DISTINCT m.article_id || ' ' || p.id)
            FROM place_mentions m JOIN places p ON p.id = m.place_id
            WHERE m.kind = 'place' AND m.score >= ? AND p.kind IN ({kinds})
              AND m.article_id IN (SELECT id FROM articles WHERE source = ?
                                   ORDER BY ingested_at DESC LIMIT ?)
            GROUP BY p.country_code, p.admin1""",
        (MIN_SCORE, *LOCAL_KINDS, source, STORE_ARTICLES)).fetchall()
    return Counter({(cc or "", r or ""): n for cc, r, n in rows})


# -- the sources file ------------------------------------------------------------------

HEADER = ["source", "country", "region"]


def read_sources(path: str | Path, gazetteer: "Gazetteer") -> tuple[dict[str, Home],
                                                                   list[InputError]]:
    """The homes a sources file declares, and an :class:`InputError` for each bad line
    (the file unreadable: one error and no homes)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return {}, [InputError(str(path), f"cannot read the sources file: {err}")]
    homes: dict[str, Home] = {}
    errors: list[InputError] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.casefold() for c in cells[:3]] == HEADER[:len(cells[:3])]:
            continue
        try:
            source, home = _parse_line(cells, gazetteer)
            if source in seen:
                raise ValueError(f"source {source!r} is already declared on line {seen[source]}")
        except ValueError as err:
            errors.append(InputError(str(path), str(err), line=number))
            continue
        seen[source] = number
        homes[source] = home
    return homes, errors


def _parse_line(cells: list[str], gazetteer: "Gazetteer") -> tuple[str, Home]:
    if len(cells) not in (2, 3):
        raise ValueError(f"expected 'source,country,region' (the region optional), "
                         f"got {len(cells)} field(s)")
    source, country = cells[0], cells[1]
    if not source:
        raise ValueError("the source is empty")
    cc = _country_code(country, gazetteer)
    region = cells[2] if len(cells) == 3 else ""
    return source, Home(cc, _region_code(cc, region, gazetteer) if region else None)


def _country_code(value: str, gazetteer: "Gazetteer") -> str:
    if len(value) == 2 and value.isalpha() and gazetteer.country(value.upper()) is not None:
        return value.upper()
    for e in gazetteer.lookup(value, limit=10):
        if e.kind == "country" and not e.is_nation and e.country_code:
            return e.country_code
    raise ValueError(f"unknown country {value!r} (give an ISO code such as 'US' or 'GB', "
                     f"or a country's name)")


def _region_code(cc: str, value: str, gazetteer: "Gazetteer") -> str:
    """A first-level region's code from its code ("TN") or name ("Tennessee")."""
    by_code = gazetteer.get(f"iso:{cc}-{value.upper()}")
    if by_code is not None and by_code.admin1:
        return by_code.admin1
    for e in gazetteer.lookup(value, limit=25):
        if e.country_code == cc and e.admin1 and (e.kind == "admin1" or e.is_nation):
            return e.admin1
    raise ValueError(f"unknown region {value!r} in {cc} (give a first-level region's "
                     f"code or name, such as 'TN' or 'Tennessee')")


def load_homes(path: str | Path | None, gazetteer: "Gazetteer", *,
               store: "Store | None" = None) -> Homes:
    """The homes for a run: those ``path`` declares (if given), learned beyond them."""
    declared, errors = read_sources(path, gazetteer) if path else ({}, [])
    for err in errors:
        log.warning("%s", err)
    return Homes(declared=declared, store=store, errors=errors)
