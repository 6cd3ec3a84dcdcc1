"""geopy geocoders for News Atlas: the offline one over the gazetteer (the default),
and a factory for geopy's online services with the offline one as their fallback.

    geo = make_geocoder()                       # offline
    geo.geocode("Khasan, Russia").raw["id"]     # "cur:khasan-ru"
    geo = make_geocoder("nominatim", user_agent="news-atlas", domain="nominatim.local")
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from geopy.exc import GeocoderServiceError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer.geometry import haversine_km
from geo.models import GazetteerEntry

logger = logging.getLogger(__name__)

CONTEXT_RADIUS_KM = 300.0  # "X, Y": X within this distance of Y counts as inside Y
_CONTAINERS = ("country", "admin1", "admin2", "region", "continent")


class OfflineGeocoder(Geocoder):
    """A geopy geocoder over the local gazetteer: no network, no rate limit.

    ``raw`` of every :class:`~geopy.location.Location` is the gazetteer row
    (:meth:`GazetteerEntry.as_raw`). No match gives ``None``, never an exception.
    """

    def __init__(self, gazetteer: Any = None, *, path: str | None = None) -> None:
        super().__init__()
        self._gazetteer = gazetteer
        self._path = path

    @property
    def gazetteer(self) -> Any:
        """The gazetteer, opened on first use (from ``path`` or the default path)."""
        if self._gazetteer is None:
            from geo.gazetteer import Gazetteer

            self._gazetteer = Gazetteer.open(self._path)
        return self._gazetteer

    def geocode(self, query: str, *, exactly_one: bool = True, limit: int | None = None,
                country_codes: str | Iterable[str] | None = None,
                kinds: Iterable[str] | None = None, timeout: Any = None
                ) -> Location | list[Location] | None:
        """Places called ``query``, best first. "X, Y" (or "X, Y, Z") prefers an X that
        lies in Y; ``country_codes`` and ``kinds`` restrict the candidates."""
        entries = self.candidates(query, country_codes=country_codes, kinds=kinds)
        if not entries:
            return None
        if exactly_one:
            return self._location(entries[0])
        return [self._location(e) for e in entries[:limit] if e]

    def candidates(self, query: str, *, country_codes: str | Iterable[str] | None = None,
                   kinds: Iterable[str] | None = None) -> list[GazetteerEntry]:
        """The gazetteer entries :meth:`geocode` would return, best first."""
        query = (query or "").strip()
        entries = self.gazetteer.lookup(query)
        if not entries and "," in query:
            head, *context = [p.strip() for p in query.split(",")]
            entries = self._within(self.gazetteer.lookup(head), context)
        codes = {country_codes.upper()} if isinstance(country_codes, str) else (
            {c.upper() for c in country_codes} if country_codes else None)
        wanted = set(kinds) if kinds else None
        return [e for e in entries if (codes is None or e.country_code in codes)
                and (wanted is None or e.kind in wanted)]

    def _within(self, entries: list[GazetteerEntry], context: list[str]) -> list[GazetteerEntry]:
        """Entries ordered by how well they sit inside the places named in ``context``."""
        containers = [c for part in context for c in self.gazetteer.lookup(part, limit=5)
                      if c.kind in _CONTAINERS]
        if not containers:
            return entries

        def fit(entry: GazetteerEntry) -> int:
            score = 0
            for c in containers:
                if c.kind == "country" and entry.country_code == c.country_code:
                    score += 2
                elif c.kind != "country" and (
                        haversine_km(entry.lat, entry.lon, c.lat, c.lon) <= CONTEXT_RADIUS_KM
                        or (entry.country_code == c.country_code and entry.admin1
                            and entry.admin1 == c.admin1)):
                    score += 3
            return score

        fits = [fit(e) for e in entries]
        order = sorted(range(len(entries)), key=lambda i: -fits[i])  # stable: keeps prominence
        return [entries[i] for i in order]

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = None,
                kinds: Iterable[str] | None = None, max_km: float = 500.0
                ) -> Location | list[Location] | None:
        """The gazetteer entry nearest to a point ("lat, lon", a tuple or a geopy Point)."""
        point = Point(query)
        entry = self.gazetteer.nearest(point.latitude, point.longitude, kinds=kinds,
                                       max_km=max_km)
        if entry is None:
            return None
        location = self._location(entry)
        return location if exactly_one else [location]

    def _location(self, entry: GazetteerEntry) -> Location:
        parts = [entry.name]
        if entry.kind != "country" and entry.country_code:
            country = self.gazetteer.country(entry.country_code)
            parts.append(country.name if country else entry.country_code)
        return Location(", ".join(parts), (entry.lat, entry.lon), entry.as_raw())


class FallbackGeocoder(Geocoder):
    """An online geopy geocoder, rate limited, that falls back to the offline one when
    the service fails (error, timeout, unreachable) or finds nothing."""

    def __init__(self, online: Geocoder, offline: OfflineGeocoder, *,
                 min_delay_seconds: float = 1.0) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        super().__init__()
        self.online = online
        self.offline = offline
        self._geocode = RateLimiter(online.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=0, swallow_exceptions=False)
        self._reverse = RateLimiter(online.reverse, min_delay_seconds=min_delay_seconds,
                                    max_retries=0, swallow_exceptions=False)

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: Any = None,
                **offline_options: Any) -> Location | list[Location] | None:
        """Ask the online service; on failure or no result, the offline gazetteer."""
        try:
            found = self._geocode(query, exactly_one=exactly_one, timeout=timeout)
        except GeocoderServiceError as err:
            logger.warning("online geocoder failed for %r (%s): using the offline one",
                           query, err)
            found = None
        if found:
            return found
        return self.offline.geocode(query, exactly_one=exactly_one, **offline_options)

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = None
                ) -> Location | list[Location] | None:
        try:
            found = self._reverse(query, exactly_one=exactly_one, timeout=timeout)
        except GeocoderServiceError as err:
            logger.warning("online reverse geocoding failed (%s): using the offline one", err)
            found = None
        return found or self.offline.reverse(query, exactly_one=exactly_one)


def make_geocoder(name: str = "offline", *, gazetteer: Any = None,
                  min_delay_seconds: float = 1.0, **options: Any) -> Geocoder:
    """The offline geocoder (default), or geopy's geocoder for ``name`` ("nominatim",
    "photon", "pelias", "geonames", ...) built with ``options``, rate limited and
    backed by the offline one."""
    offline = OfflineGeocoder(gazetteer)
    if name.lower() == "offline":
        return offline
    from geopy.geocoders import get_geocoder_for_service

    online = get_geocoder_for_service(name)(**options)
    return FallbackGeocoder(online, offline, min_delay_seconds=min_delay_seconds)
