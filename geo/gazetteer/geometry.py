"""Plane geometry on (lon, lat) rings, enough to place one point per polygon at build time."""
from __future__ import annotations

import math
from collections.abc import Sequence

Ring = Sequence[tuple[float, float]]  # (lon, lat) pairs, first point not repeated or repeated

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float, *,
                 radius_km: float = EARTH_RADIUS_KM) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius_km * math.asin(min(1.0, math.sqrt(h)))


def ring_area_centroid(ring: Ring) -> tuple[float, tuple[float, float]]:
    """(absolute area, (lon, lat) centroid) of a ring by the shoelace formula."""
    area = cx = cy = 0.0
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i]
        x1, y1 = ring[(i + 1) % n]
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2.0
    if area == 0.0:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return 0.0, (sum(xs) / n, sum(ys) / n)
    return abs(area), (cx / (6.0 * area), cy / (6.0 * area))


def point_in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd rule test of a point against one ring."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat):
            if lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
                inside = not inside
        j = i
    return inside


def _widest_span_midpoint(ring: Ring, lat: float) -> tuple[float, float] | None:
    """Middle of the widest inside span of the ring along the parallel ``lat``."""
    xs: list[float] = []
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat):
            xs.append((xj - xi) * (lat - yi) / (yj - yi) + xi)
        j = i
    xs.sort()
    spans = [(xs[k + 1] - xs[k], xs[k]) for k in range(0, len(xs) - 1, 2)]
    if not spans:
        return None
    width, start = max(spans)
    return start + width / 2.0, lat


def representative_point(ring: Ring) -> tuple[float, float]:
    """A (lon, lat) point for a polygon: its area centroid when that falls inside,
    else the middle of the widest span across the ring at the centroid's latitude
    (or at the ring's middle latitude)."""
    _, (lon, lat) = ring_area_centroid(ring)
    if point_in_ring(lon, lat, ring):
        return lon, lat
    ys = [p[1] for p in ring]
    for probe in (lat, (min(ys) + max(ys)) / 2.0):
        point = _widest_span_midpoint(ring, probe)
        if point is not None:
            return point
    return lon, lat


def largest_ring(rings: Sequence[Ring]) -> Ring:
    """The ring with the largest area (the main polygon of a multi-polygon)."""
    return max(rings, key=lambda r: ring_area_centroid(r)[0])
