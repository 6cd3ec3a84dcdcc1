"""geo.map_basemap: the offline basemap's layers and the layer control on the folium map."""
from __future__ import annotations

import json
import re

import folium

from geo.assets import AssetUrls
from geo.basemap import LAYERS
from geo.map_basemap import EXPORT_LAYERS, basemap_files, layers_holding
from geo.maps import base_map
from geo.settings import TileServer

ASSETS = AssetUrls("/app/static/vendor")


def _control(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """(base layers, overlays) of the rendered layer control: name -> JS variable."""
    block = re.search(r"base_layers : \{(.*?)\},\s*overlays :  \{(.*?)\},", html, re.S)
    pairs = [dict(re.findall(r'"([^"]+)" : (\w+)', part)) for part in block.groups()]
    return pairs[0], pairs[1]


def _files(html: str) -> list[dict]:
    return json.loads(re.search(r"naBasemap\(\w+,\s*(\[.*?\])\);", html, re.S).group(1))


def test_offline_basemap_files_are_fetched_only_at_their_zooms():
    html = base_map(ASSETS).get_root().render()
    files = {f["url"].rsplit("/", 1)[1]: f for f in _files(html)}
    assert set(files) == {x.file for x in LAYERS}
    assert (files["world.json"]["min"], files["world.json"]["max"]) == (0, 3)
    assert files["detail.json"]["min"] == files["admin1.json"]["min"] == 4
    assert files["rivers.json"]["min"] >= 4 and files["labels-local.json"]["min"] >= 6
    assert "window.naBasemap = function" in html  # inline: no request before the markers


def test_layer_control_lists_the_offline_basemap_and_its_overlays():
    html = base_map(ASSETS).get_root().render()
    bases, overlays = _control(html)
    assert list(bases) == ["Offline basemap"]
    assert list(overlays) == ["State \\u0026 province lines", "Rivers", "Labels"]
    for var in [*bases.values(), *overlays.values()]:
        assert f"{var}.addTo(" in html  # all on when there is no tile server


def test_layer_control_switches_between_offline_basemap_and_tile_server():
    tiles = TileServer("Tiles: tiles.internal", "http://tiles.internal/{z}/{x}/{y}.png",
                       "Our tiles")
    html = base_map(ASSETS, tiles=[tiles]).get_root().render()
    bases, overlays = _control(html)
    assert list(bases) == ["Offline basemap", "Tiles: tiles.internal"]
    assert "http://tiles.internal/{z}/{x}/{y}.png" in html
    assert f"{bases['Tiles: tiles.internal']}.addTo(" in html
    assert f"{bases['Offline basemap']}.addTo(" not in html  # one base layer at a time
    assert all(f"{v}.addTo(" not in html for v in overlays.values())


def test_layers_added_after_the_control_stay_out_of_it():
    m = base_map(ASSETS)
    folium.FeatureGroup(name="Places").add_to(m)  # as the export and st_folium add them
    html = m.get_root().render()
    bases, overlays = _control(html)
    assert "Places" not in overlays and "Places" not in bases
    control_at = html.index("L.control.layers(")
    for var in [*bases.values(), *overlays.values()]:
        assert html.index(f"var {var} =") < control_at


def test_export_carries_the_lighter_files_and_keeps_the_coarse_ones_at_every_zoom():
    files = {f["url"].rsplit("/", 1)[1]: f for f in basemap_files(ASSETS, EXPORT_LAYERS)}
    assert "rivers.json" not in files and "labels-local.json" not in files
    assert files["detail.json"]["max"] == 18 and files["labels-detail.json"]["max"] == 18
    coarse = {f["url"].rsplit("/", 1)[1]: f for f in basemap_files(ASSETS, LAYERS[:1])}
    assert coarse["world.json"]["max"] == 18


def test_an_export_inlines_only_the_first_level_cells_around_its_places():
    names = {x.file for x in layers_holding([(52.5, 13.4), (48.1, 11.6)])}  # Berlin, Munich
    assert "admin1-0_45.json" in names and "admin1.json" in names and "detail.json" in names
    assert not {"admin1--90_0.json", "admin1-90_0.json", "admin1-0_-45.json"} & names
    files = basemap_files(ASSETS, layers_holding([(52.5, 13.4)]))
    (cell,) = [f for f in files if f["url"].endswith("admin1-0_45.json")]
    assert cell["bbox"] == [-10, 35, 55, 100]  # naBasemap fetches it once the view is there
    assert not [x for x in layers_holding([]) if x.bbox]
