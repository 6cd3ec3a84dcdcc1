"""geo.maps: the folium map renders offline, one marker per place, escaped popups."""
from __future__ import annotations

import json
import re

import folium
import pytest

from geo.assets import AssetUrls
from geo.maps import TileSource, base_map, marker_rows, marker_size, place_layers, tile_source
from geo.query import Filters, place_snippets, place_table

ASSETS = AssetUrls("/app/static/vendor")


def reader(a, p):
    return f"/articles?article={a}&passage={p}"


def place(p):
    return f"/places?place={p}"


@pytest.fixture()
def rendered(dashboard_store) -> str:
    places = place_table(dashboard_store, Filters())
    snippets = place_snippets(dashboard_store, Filters(), list(places["place_id"]))
    m = base_map(ASSETS)
    for fg in place_layers(places, snippets, assets=ASSETS, heat=True,
                           reader_href=reader, place_href=place):
        fg.add_to(m)
    return m.get_root().render()


def _rows(html: str) -> list[list]:
    return [r for block in re.findall(r"var rows = (\[.*?\]);\n", html) for r in json.loads(block)]


def test_no_resource_is_loaded_from_the_network(rendered):
    assert not re.findall(r"""(?:src|href)\s*=\s*["']https?://""", rendered)
    assert "https://" not in rendered and "http://" not in rendered
    for url in ("/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/jquery/jquery.min.js",
                "/app/static/vendor/leaflet-heat/leaflet-heat.js",
                "/app/static/vendor/markercluster/leaflet.markercluster.js",
                "/app/static/vendor/countries.geojson"):
        assert url in rendered


def test_one_marker_per_place_with_counts_and_a_separate_broad_layer(rendered):
    rows = _rows(rendered)
    titles = [r[8] for r in rows]
    assert len(titles) == len(set(titles)) == 9
    by_name = {r[8]: r for r in rows}
    assert by_name["Vladivostok"][2] == 3
    assert by_name["Khasan"][:2] == [42.4308, 130.6434]
    assert by_name["North Korea"][7] == 1 and by_name["Khasan"][7] == 0
    assert "L.markerClusterGroup" in rendered and "L.featureGroup()" in rendered
    assert "L.heatLayer" in rendered


def test_popup_links_each_passage_to_the_reader(rendered):
    khasan = {r[8]: r for r in _rows(rendered)}["Khasan"]
    assert "armoured train in <mark>Khasan</mark>" in khasan[6]
    assert 'href="/articles?article=seedlike0000001&amp;passage=seedlike0000001-p0"' in khasan[6]
    assert "city · RU · score 0.81 · rule: near-context" in khasan[4]
    assert khasan[5] == "/places?place=gn:2039232"


def test_hostile_text_is_escaped_in_popups_and_in_the_script(rendered):
    seoul = {r[8]: r for r in _rows(rendered)}["Seoul"]
    assert "<img" not in seoul[6] and "<script" not in seoul[6]
    assert "&lt;script&gt;window.__pwned=1" in seoul[6]
    # inside the <script> block, JSON escapes "<" so no payload can close the script
    assert "</script><img" not in rendered
    assert rendered.count("<script>window.__pwned") == 0


def test_marker_rows_escape_names():
    import pandas as pd

    places = pd.DataFrame([{"place_id": "x", "name": "<b>X</b>", "lat": 1.0, "lon": 2.0,
                            "kind": "city", "country_code": None, "mentions": 4,
                            "score": 0.5, "rules": None, "broad": False}])
    snippets = pd.DataFrame(columns=["place_id"])
    row = marker_rows(places, snippets, reader_href=reader, place_href=place)[0]
    assert row[3] == "&lt;b&gt;X&lt;/b&gt;" and row[8] == "<b>X</b>"  # title is a DOM property
    assert marker_size(1) < marker_size(100) <= 48


def test_tile_source_is_configurable(monkeypatch):
    monkeypatch.delenv("NEWS_ATLAS_TILES", raising=False)
    assert tile_source() == TileSource()
    assert tile_source("osm").url.startswith("https://tile.openstreetmap.org/")
    assert tile_source("http://tiles.local/{z}/{x}/{y}.png").url == "http://tiles.local/{z}/{x}/{y}.png"
    assert tile_source("not a template") == TileSource()
    monkeypatch.setenv("NEWS_ATLAS_TILES", "osm")
    html = base_map(ASSETS, tiles=tile_source()).get_root().render()
    assert "tile.openstreetmap.org" in html
    assert isinstance(base_map(ASSETS), folium.Map)
