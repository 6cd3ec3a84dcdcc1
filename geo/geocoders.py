"""geopy geocoders for News Atlas: the offline one over the gazetteer (the default),
a factory for geopy's online services with the offline one as their fallback, and the
:class:`CandidateSource` the resolver gets every name's candidates from.

    geo = make_geocoder()                       # offline
    geo.geocode("Khasan, Russia").raw["id"]     # "cur:khasan-ru"
    geo = make_geocoder("nominatim", user_agent="news-atlas", domain="nominatim.local")
    source = candidate_source(gazetteer, settings.load(), store=store)
    source.geocode("Wetwang", exactly_one=False)  # [Location(raw=a gazetteer row), ...]

With an online geocoder set (``NEWS_ATLAS_GEOCODER=nominatim``), a name the gazetteer
lacks is asked online (geopy's ``Nominatim`` through geopy's ``RateLimiter``), once: the
answer, empty ones too, is kept in the store's ``geocoder_cache``. Any failure of the
service (timeout, 429, 5xx, a broken answer) is logged once and the name gets only the
offline candidates; the service is not asked again for a while (:data:`FAILURE_PAUSE_S`,
or the server's ``Retry-After``).
"""
from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from geopy.exc import GeocoderRateLimited, GeocoderServiceError, GeopyError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer.geometry import haversine_km
from geo.models import GazetteerEntry

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.store import Store

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


# -- the resolver's candidates ---------------------------------------------------------

ONLINE_LIMIT = 10  # results asked for per name
ONLINE_RETRIES = 1  # the RateLimiter retries a failed request once (not a 429)
FAILURE_PAUSE_S = 60.0  # after a failure the service rests this long (or its Retry-After)
NEGATIVE_TTL = timedelta(days=30)  # "nothing found" is asked again after this; finds never
# any of these from the service or from reading its answer means: use the offline gazetteer
ONLINE_ERRORS = (GeopyError, OSError, ValueError, TypeError, KeyError, AttributeError)
NOMINATIM_ORIGIN = "nominatim"  # GazetteerEntry.source of Nominatim's candidates starts so


def query_key(query: str) -> str:
    """A query as the cache keys it: NFC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", query).casefold().split())


def from_online(entry: GazetteerEntry) -> str | None:
    """"Nominatim" when an online geocoder gave ``entry``, else None (the gazetteer)."""
    return "Nominatim" if (entry.source or "").startswith(NOMINATIM_ORIGIN) else None


def origin_note(place_id: str) -> str | None:
    """What a popup says of a place an online geocoder gave (its id is ``osm:...``)."""
    return "From Nominatim (OpenStreetMap data)." if str(place_id).startswith("osm:") \
        else None


# OSM place types (Nominatim's addresstype, else its type) as (kind, GeoNames class, code)
_OSM_PLACES: dict[str, tuple[str, str, str]] = {
    "continent": ("continent", "L", "CONT"), "country": ("country", "A", "PCLI"),
    "state": ("admin1", "A", "ADM1"), "province": ("admin1", "A", "ADM1"),
    "region": ("region", "L", "RGN"), "county": ("admin2", "A", "ADM2"),
    "district": ("admin2", "A", "ADM2"), "city": ("city", "P", "PPL"),
    "town": ("city", "P", "PPL"), "village": ("city", "P", "PPL"),
    "municipality": ("city", "P", "PPL"), "hamlet": ("city", "P", "PPL"),
    "suburb": ("city", "P", "PPLX"), "borough": ("city", "P", "PPLX"),
    "quarter": ("city", "P", "PPLX"), "neighbourhood": ("city", "P", "PPLX"),
    "city_district": ("city", "P", "PPLX"), "locality": ("city", "P", "PPLL"),
    "isolated_dwelling": ("city", "P", "PPLL"), "island": ("landmark", "T", "ISL"),
    "islet": ("landmark", "T", "ISL"), "archipelago": ("landmark", "T", "ISLS"),
    "sea": ("water", "H", "SEA"), "ocean": ("water", "H", "OCN"),
    "bay": ("water", "H", "BAY"), "strait": ("water", "H", "STRT"),
    "river": ("water", "H", "STM"), "lake": ("water", "H", "LK"),
}
# OSM classes the place types above do not cover
_OSM_CLASSES: dict[str, tuple[str, str, str]] = {
    "waterway": ("water", "H", "STM"), "water": ("water", "H", "LK"),
    "natural": ("landmark", "T", "MT"), "highway": ("landmark", "R", "RD"),
    "boundary": ("admin2", "A", "ADMD"),
}


def _osm_kind(raw: Mapping[str, Any]) -> tuple[str, str, str]:
    """(kind, feature class, feature code) of a Nominatim result: its place type, else
    its administrative rank, else its OSM class (a building or a shop is a landmark)."""
    osm_class = raw.get("class") or raw.get("category") or ""
    place_type = raw.get("addresstype") or (
        raw.get("type") if osm_class in ("place", "boundary", "natural") else None)
    if place_type in _OSM_PLACES:
        return _OSM_PLACES[place_type]
    if osm_class == "boundary" and raw.get("place_rank") is not None:
        rank = int(raw["place_rank"])
        return ("country", "A", "PCLI") if rank <= 4 else ("admin1", "A", "ADM1") \
            if rank <= 8 else ("admin2", "A", "ADM2") if rank <= 12 else ("city", "P", "PPL")
    return _OSM_CLASSES.get(osm_class, ("landmark", "S", "BLDG"))


def nominatim_entry(raw: Mapping[str, Any]) -> GazetteerEntry:
    """A Nominatim result as a gazetteer row the resolver can rank.

    Its OSM class and type give the kind and feature class; its ``importance`` (0 to 1,
    from Wikipedia links, roughly a log scale) stands in for population:
    ``10 ** (8 * importance)`` (0.3 -> 250, 0.5 -> 10,000, 0.8 -> 2.5 million); the
    address's ``country_code`` gives the country. Its id is ``osm:`` and the OSM object
    (``osm:R7444``), its ``source`` starts with "nominatim" (:func:`from_online`).
    ValueError or KeyError when the result has no usable point.
    """
    lat, lon = float(raw["lat"]), float(raw["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"not a point: {lat}, {lon}")
    kind, feature_class, feature_code = _osm_kind(raw)
    address = raw.get("address") or {}
    display = str(raw.get("display_name") or "")
    name = str(raw.get("name") or display.split(",")[0]).strip()
    if not name:
        raise ValueError("a result without a name")
    osm = f"{str(raw.get('osm_type') or '')[:1].upper()}{raw['osm_id']}" \
        if raw.get("osm_id") is not None else f"place{raw['place_id']}"
    importance = min(1.0, max(0.0, float(raw.get("importance") or 0.0)))
    code = str(address.get("country_code") or "").upper()
    return GazetteerEntry(
        id=f"osm:{osm}", name=name, lat=lat, lon=lon, kind=kind,
        country_code=code if len(code) == 2 else None, feature_class=feature_class,
        feature_code=feature_code, admin1=None,
        population=int(round(10 ** (8 * importance))) if importance else 0,
        source=f"{NOMINATIM_ORIGIN}: {display}"[:300])


class _QuietRetries(logging.Filter):
    """Drops geopy's RateLimiter "caught an error, retrying" records (a traceback each):
    :class:`OnlineCandidates` logs a failure itself, once, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.pathname.endswith("rate_limiter.py")
                    and "retrying" in str(record.msg))


_QUIET = _QuietRetries()


class _RateLimitedError(Exception):
    """A 429 passed through the RateLimiter unretried (its Retry-After is honoured)."""

    def __init__(self, cause: GeocoderRateLimited) -> None:
        super().__init__(str(cause))
        self.cause = cause


class OnlineCandidates:
    """An online geopy geocoder's answers to names, as gazetteer rows: rate limited
    (geopy's ``RateLimiter``), cached in the store, and never an error (a failure is
    logged once, and the name gets no online candidate)."""

    def __init__(self, geocoder: Geocoder, *, service: str,
                 to_entry: Callable[[Mapping[str, Any]], GazetteerEntry] = nominatim_entry,
                 min_delay_seconds: float = 1.0, store: "Store | None" = None,
                 options: Mapping[str, Any] | None = None) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self.geocoder = geocoder
        self.service = service  # the cache's key for this service ("nominatim https://...")
        self.to_entry = to_entry
        self.store = store
        self.options = dict(options or {})
        self._ask = RateLimiter(self._request, min_delay_seconds=min_delay_seconds,
                                max_retries=ONLINE_RETRIES,
                                error_wait_seconds=max(2 * min_delay_seconds, 0.1),
                                swallow_exceptions=False)
        if _QUIET not in logging.getLogger("geopy").filters:
            logging.getLogger("geopy").addFilter(_QUIET)
        self._memo: dict[str, list[dict]] = {}
        self._resting_until = 0.0
        self._warned = False

    def entries(self, query: str) -> list[GazetteerEntry]:
        """The service's places called ``query``, as gazetteer rows, best first."""
        out: dict[str, GazetteerEntry] = {}
        for raw in self.answer(query):
            try:
                entry = self.to_entry(raw)
            except ONLINE_ERRORS as err:
                logger.debug("skipping an online result for %r: %s", query, err)
                continue
            out.setdefault(entry.id, entry)
        return list(out.values())

    def answer(self, query: str) -> list[dict]:
        """The service's raw results for ``query``: from this run, the store's cache,
        else the network; [] when it found nothing or failed."""
        key = query_key(query)
        if not key:
            return []
        if key in self._memo:
            return self._memo[key]
        cached = self._cached(key)
        if cached is not None:
            self._memo[key] = cached
            return cached
        if time.monotonic() < self._resting_until:
            return []  # the service failed a moment ago: not asked, not remembered
        try:
            found = self._ask(query)
        except _RateLimitedError as err:
            self._failed(query, err.cause, rest=err.cause.retry_after)
            return []
        except ONLINE_ERRORS as err:
            self._failed(query, err)
            return []
        results = [dict(loc.raw) for loc in found or []]
        self._memo[key] = results
        self._keep(key, results)
        return results

    def _request(self, query: str) -> list[Location] | None:
        try:
            return self.geocoder.geocode(query, exactly_one=False, limit=ONLINE_LIMIT,
                                         **self.options)
        except GeocoderRateLimited as err:  # not retried at once: the server said when
            raise _RateLimitedError(err) from err

    def _cached(self, key: str) -> list[dict] | None:
        if self.store is None:
            return None
        from geo.errors import StoreError
        from geo.store.geocache import cached_answer

        try:
            hit = cached_answer(self.store, self.service, key)
        except StoreError as err:
            logger.warning("cannot read the geocoder cache: %s", err)
            return None
        if hit is None or (not hit.results and
                           datetime.now(timezone.utc) - hit.fetched_at > NEGATIVE_TTL):
            return None
        return hit.results

    def _keep(self, key: str, results: list[dict]) -> None:
        if self.store is None or self.store.read_only:
            return
        from geo.errors import StoreError
        from geo.store.geocache import cache_answer

        try:
            cache_answer(self.store, self.service, key, results)
        except StoreError as err:  # the article's own save will say if the store is broken
            logger.warning("cannot cache the geocoder's answer: %s", err)

    def _failed(self, query: str, err: BaseException, *, rest: float | None = None) -> None:
        pause = rest if rest and rest > 0 else FAILURE_PAUSE_S
        self._resting_until = time.monotonic() + pause
        if not self._warned:
            self._warned = True
            logger.warning("the online geocoder (%s) failed for %r (%s: %s): using the "
                           "offline gazetteer only, and not asking it for %g s", self.service,
                           query, type(err).__name__, err, pause)
        else:
            logger.debug("the online geocoder failed again for %r: %s", query, err)


class CandidateSource(Geocoder):
    """Where the resolver gets a name's candidates: the gazetteer's entries called the
    name, most prominent first; when the gazetteer has none and an online geocoder is
    set, that geocoder's places instead.

    It is a geopy geocoder: :meth:`geocode` gives the answer as geopy ``Location``
    objects whose ``raw`` is the gazetteer row. :meth:`candidates` gives the same answer
    typed, as gazetteer entries, without building a ``Location`` per candidate (the
    resolver asks for every mention of every article)."""

    def __init__(self, gazetteer: Any, online: OnlineCandidates | None = None) -> None:
        super().__init__()
        self.gazetteer = gazetteer
        self.online = online

    def candidates(self, query: str, *, limit: int | None = None) -> list[GazetteerEntry]:
        """The entries for ``query``, best first ([] when there is none)."""
        entries = self.gazetteer.lookup(query, limit=limit)
        if not entries and self.online is not None:
            entries = self.online.entries(query)[:limit]
        return entries

    def geocode(self, query: str, *, exactly_one: bool = True, limit: int | None = None,
                timeout: Any = None) -> Location | list[Location] | None:
        """:meth:`candidates` as geopy locations (None when there is none, as geopy)."""
        found = [Location(_address(e), (e.lat, e.lon), e.as_raw())
                 for e in self.candidates(query, limit=limit)]
        if not found:
            return None
        return found[0] if exactly_one else found


def _address(e: GazetteerEntry) -> str:
    return f"{e.name}, {e.country_code}" if e.country_code and e.kind != "country" else e.name


def candidate_source(gazetteer: Any, settings: "Settings | None" = None, *,
                     store: "Store | None" = None) -> CandidateSource:
    """The resolver's candidates: the gazetteer, plus the online geocoder the settings
    name (its answers cached in ``store`` when one is given)."""
    if settings is None or not settings.geocoder:
        return CandidateSource(gazetteer)
    from geopy.adapters import URLLibAdapter
    from geopy.geocoders import Nominatim

    url = urlsplit(settings.geocoder_url)
    # the standard library's HTTP, which never retries by itself: geopy's default
    # (requests) would sleep a 429's whole Retry-After, an hour if the server says so;
    # here the RateLimiter retries, and a 429 rests the service instead
    nominatim = Nominatim(user_agent=settings.geocoder_user_agent, scheme=url.scheme,
                          domain=url.netloc + url.path.rstrip("/"),
                          timeout=settings.geocoder_timeout, adapter_factory=URLLibAdapter)
    online = OnlineCandidates(nominatim, service=f"nominatim {settings.geocoder_url}",
                              min_delay_seconds=settings.geocoder_min_delay, store=store,
                              options={"addressdetails": True})
    return CandidateSource(gazetteer, online)
