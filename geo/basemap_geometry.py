"""Plane geometry on (lon, lat) points for the basemap builder: simplification to the
zoom a line is drawn at, the antimeridian, areas and point-in-area look-ups."""
from __future__ import annotations

import math
from typing import Iterable, Sequence

from geo.basemap_sources import Line

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


def line_coords(points: Sequence[Point], *, tolerance: float, digits: int) -> list | None:
    """``points`` simplified and rounded, repeated points dropped; None when < 2 remain."""
    coords: list[list[float]] = []
    for lon, lat in simplify(points, tolerance):
        pt = [round(lon, digits), round(lat, digits)]
        if not coords or coords[-1] != pt:
            coords.append(pt)
    return coords if len(coords) >= 2 else None


def ring_coords(points: Sequence[Point], *, tolerance: float, digits: int) -> list | None:
    """A closed ring, simplified; None when too small to draw at this scale."""
    coords = line_coords(points, tolerance=tolerance, digits=digits)
    if not coords or len(coords) < 4:
        return None
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    return coords if len(coords) >= 4 else None


def unwrap(points: Sequence[Point]) -> list[Point]:
    """``points`` with each jump across the antimeridian (a step of more than 180 degrees
    of longitude) undone, so the line is continuous (longitudes may pass +-180)."""
    out = [points[0]]
    shift = 0.0
    for (x0, _), (x, y) in zip(points, points[1:]):
        if x - x0 > 180:
            shift -= 360
        elif x0 - x > 180:
            shift += 360
        out.append((x + shift, y))
    return out


def _shifted(line: Sequence[Point], dx: float) -> list[Point]:
    return [(x + dx, y) for x, y in line]


def world_copies(parts: list[list[Point]]) -> list[list[list[Point]]]:
    """``parts`` (a line, or a polygon's rings), and a copy 360 degrees over when it
    passes +-180, so Leaflet (which does not wrap vectors) draws it on both sides."""
    xs = [x for x, _ in parts[0]]
    out = [parts]
    if max(xs) > 180:
        out.append([_shifted(p, -360) for p in parts])
    if min(xs) < -180:
        out.append([_shifted(p, 360) for p in parts])
    return out


def polygon_copies(rings: list[Line]) -> list[list[list[Point]]]:
    """A polygon cut at the antimeridian, made whole: its outer ring unwrapped (one that
    circles a pole, like Antarctica's, closed along that pole), holes moved next to it."""
    outer = unwrap(rings[0])
    if abs(outer[-1][0] - outer[0][0]) > 180:  # around a pole
        pole = -90.0 if sum(y for _, y in outer) < 0 else 90.0
        outer = [*outer, (outer[-1][0], pole), (outer[0][0], pole), outer[0]]
        lo = min(x for x, _ in outer)
        outer = _shifted(outer, -360 * math.floor((lo + 180) / 360))
    parts = [outer]
    for hole in rings[1:]:
        hole = unwrap(hole)
        parts.append(_shifted(hole, 360 * round((outer[0][0] - hole[0][0]) / 360)))
    return world_copies(parts)


def ring_area(ring: Sequence[Sequence[float]]) -> float:
    """Area of a (lon, lat) ring in square degrees (shoelace formula)."""
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:]))) / 2


def length_km(points: Sequence[Point]) -> float:
    """Approximate length of a (lon, lat) line in kilometres."""
    return sum(111.2 * math.hypot((b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2)),
                                  b[1] - a[1]) for a, b in zip(points, points[1:]))


def inside(point: Point, rings: Iterable[Line]) -> bool:
    """Even-odd test: is ``point`` inside the area these rings bound?"""
    x, y = point
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


class Areas:
    """Named areas (countries, a nation) for point-in-area look-ups, with bounding boxes."""

    def __init__(self, named_polygons: Iterable[tuple[str, list[list[Line]]]]) -> None:
        self.items = []
        for name, polys in named_polygons:
            rings = [r for poly in polys for r in poly]
            xs = [p[0] for r in rings for p in r]
            ys = [p[1] for r in rings for p in r]
            if xs:
                self.items.append((name, (min(xs), min(ys), max(xs), max(ys)), polys))

    def find(self, point: Point) -> str | None:
        """The name of the area holding ``point``, or None."""
        x, y = point
        for name, (x0, y0, x1, y1), polys in self.items:
            if x0 <= x <= x1 and y0 <= y <= y1 and any(inside(point, p) for p in polys):
                return name
        return None
