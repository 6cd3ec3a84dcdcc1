"""geo.maps: the frame over the shown places, the ``?place=`` focus, the one legend."""
from __future__ import annotations

import json
import re

import pandas as pd

from geo import export_html
from geo.assets import AssetUrls
from geo.maps import add_legend, base_map, data_bounds, frame_layer, legend_html

ASSETS = AssetUrls("/app/static/vendor")


def _places(rows):
    return pd.DataFrame(rows, columns=["place_id", "lat", "lon", "broad"])


def test_bounds_cover_the_specific_places_not_the_countries():
    places = _places([("a", 39.96, -83.0, False), ("b", 39.74, -104.98, False),
                      ("us", 39.8, -98.5, True), ("ru", 61.5, 105.3, True)])
    assert data_bounds(places) == [[39.74, -104.98], [39.96, -83.0]]
    # only countries: frame them; nothing: no frame
    assert data_bounds(places[places["broad"]]) == [[39.8, -98.5], [61.5, 105.3]]
    assert data_bounds(places.iloc[0:0]) is None


def test_frame_layer_script_carries_bounds_and_focus():
    places = _places([("a", 39.96, -83.0, False), ("b", 39.74, -104.98, False)])
    m = base_map(ASSETS)
    frame_layer(places, focus={"id": "b", "lat": 39.74, "lon": -104.98}).add_to(m)
    html = m.get_root().render()
    call = re.search(r"\}\)\((feature_group_\w+), (\[\[.*?\]\]), (\{.*?\}),\s*\[\]\);",
                     html)
    assert call, "the frame script is not in the page"
    assert json.loads(call.group(2)) == [[39.74, -104.98], [39.96, -83.0]]
    assert json.loads(call.group(3)) == {"id": "b", "lat": 39.74, "lon": -104.98}
    assert "__naUserMoved" in html  # a map the user moved is left alone
    # a focus place without coordinates: frame the data instead
    m2 = base_map(ASSETS)
    frame_layer(places, focus={"id": "x", "lat": None, "lon": None}).add_to(m2)
    assert re.search(r"\]\], null,\s*\[\]\);", m2.get_root().render())
    # following the map: it sends its bounds back
    m3 = base_map(ASSETS)
    frame_layer(places, send_bounds=True).add_to(m3)
    assert re.search(r'\]\], null,\s*\["bounds"\]\);', m3.get_root().render())


def test_one_legend_for_the_dashboard_and_the_export():
    assert export_html.legend_html is legend_html
    html = add_legend(base_map(ASSETS)).get_root().render()
    for words in ("the bigger the circle", "Dashed: a whole country", "A cluster of nearby"):
        assert words in html
    assert "L.control" in html and "na-legend" in html
    # the dashboard's legend has no layer switches (its own controls do that)
    assert 'data-layer="places"' not in legend_html(layer_switches=False)
    assert 'data-layer="places"' in legend_html("na-heat-toggle")
