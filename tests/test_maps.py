"""geo.maps: the folium map renders offline, one marker per place, escaped popups."""
from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

import folium
import pytest

from geo.assets import AssetUrls
from geo.maps import base_map, marker_data, marker_layers_data, marker_size, place_layers
from geo.settings import load as load_settings
from geo.query import Filters, place_snippets, place_table

BACKENDS = ("sqlite", "postgresql")  # dashboard_db, sample_db (tests/conftest.py)

ASSETS = AssetUrls("/app/static/vendor")


def reader(a, p, place=None):
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


def _markers(html: str) -> list[dict]:
    """Every marker the rendered map draws, as a dict per place (decoded from the
    compact columns in the page's script)."""
    out = []
    for block in re.findall(r"var d = (\{.*?\});\n", html):
        d = json.loads(block)
        for i, name in enumerate(d["name"]):
            why = d["why"][i]
            out.append({
                "lat": d["lat"][i], "lon": d["lon"][i], "n": d["n"][i], "name": name,
                "title": d["raw"].get(str(i), name), "broad": d["broad"],
                "kind": d["kinds"][d["kind"][i]], "cc": d["ccs"][d["cc"][i]],
                "score": d["score"][i], "why": d["whys"][why] if why >= 0 else None,
                # as the page's script builds it (encodeURIComponent)
                "href": d["href"][0] + quote(d["id"][i], safe="-_.!~*'()") + d["href"][1],
                "snips": d["snips"].get(str(i), "")})
    return out


def test_no_resource_is_loaded_from_the_network(rendered):
    assert not re.findall(r"""(?:src|href)\s*=\s*["']https?://""", rendered)
    assert "https://" not in rendered and "http://" not in rendered
    for url in ("/app/static/vendor/leaflet/leaflet.js",
                "/app/static/vendor/leaflet-heat/leaflet-heat.js",
                "/app/static/vendor/markercluster/leaflet.markercluster.js",
                "/app/static/vendor/basemap/world.json"):
        assert url in rendered


def test_one_marker_per_place_with_counts_and_a_separate_broad_layer(rendered):
    markers = _markers(rendered)
    titles = [m["title"] for m in markers]
    assert len(titles) == len(set(titles)) == 9
    by_name = {m["title"]: m for m in markers}
    assert by_name["Vladivostok"]["n"] == 3
    assert (by_name["Khasan"]["lat"], by_name["Khasan"]["lon"]) == (42.4308, 130.6434)
    assert by_name["North Korea"]["broad"] == 1 and by_name["Khasan"]["broad"] == 0
    # both layers are clustered, each in its own group (country-level clusters dashed)
    assert rendered.count("L.markerClusterGroup(") == 2 and "L.featureGroup()" not in rendered
    assert "na-broad-cluster" in rendered
    assert "L.heatLayer" in rendered


def test_popup_links_each_passage_to_the_reader(rendered):
    khasan = {m["title"]: m for m in _markers(rendered)}["Khasan"]
    assert "armoured train in <mark>Khasan</mark>" in khasan["snips"]
    assert 'href="/articles?article=seedlike0000001&amp;passage=seedlike0000001-p0"' \
        in khasan["snips"]
    assert (khasan["kind"], khasan["cc"], khasan["score"]) == ("city", "RU", 0.81)
    assert html.unescape(khasan["why"]) == "Chosen because of the resolver's rule “near-context”."
    assert khasan["href"] == "/places?place=gn%3A2039232"


def test_hostile_text_is_escaped_in_popups_and_in_the_script(rendered):
    seoul = {m["title"]: m for m in _markers(rendered)}["Seoul"]
    assert "<img" not in seoul["snips"] and "<script" not in seoul["snips"]
    assert "&lt;script&gt;window.__pwned=1" in seoul["snips"]
    # inside the <script> block, JSON escapes "<" so no payload can close the script
    assert "</script><img" not in rendered
    assert rendered.count("<script>window.__pwned") == 0


def test_marker_data_escapes_names_and_builds_links_from_the_id():
    import pandas as pd

    places = pd.DataFrame([{"place_id": "x&y", "name": "<b>X</b>", "lat": 1.0, "lon": 2.0,
                            "kind": "city", "country_code": None, "mentions": 4,
                            "score": 0.5, "rules": None, "broad": False}])
    snippets = pd.DataFrame(columns=["place_id"])
    data = marker_data(places, snippets, reader_href=reader,
                       place_href=lambda p: f"/places?a=1&place={p}")
    assert data["name"] == ["&lt;b&gt;X&lt;/b&gt;"]
    assert data["raw"] == {0: "<b>X</b>"}  # the title is a DOM property: the raw name
    assert data["href"] == ["/places?a=1&amp;place=", ""] and data["id"] == ["x&y"]
    assert data["ccs"][data["cc"][0]] == "—" and data["why"] == [-1]
    assert marker_size(1) < marker_size(100) <= 48


def test_tile_servers_from_the_settings_go_on_the_map():
    html = base_map(ASSETS, tiles=load_settings({"NEWS_ATLAS_TILES": "osm"}).tiles
                    ).get_root().render()
    assert "tile.openstreetmap.org" in html and "Tiles: OpenStreetMap" in html
    html = base_map(ASSETS, tiles=load_settings({}).tiles).get_root().render()
    assert "L.tileLayer" not in html
    assert isinstance(base_map(ASSETS), folium.Map)


def test_popups_of_undated_untitled_articles():
    """pandas gives a missing date, title or source as NaN: popups still draw."""
    import pandas as pd

    places = pd.DataFrame([{"place_id": "p1", "name": "Nowhere", "lat": 1.0, "lon": 2.0,
                            "kind": "city", "country_code": None, "feature_code": None,
                            "mentions": 2, "articles": 2, "score": float("nan"),
                            "rules": None, "broad": False}])
    nan = float("nan")
    snips = pd.DataFrame([
        {"place_id": "p1", "article_id": "a1", "passage_id": "a1-p0", "title": nan,
         "published": nan, "source": nan, "mention": "Nowhere", "score": nan, "rule": None,
         "snippet_html": "in <mark>Nowhere</mark>"},
        {"place_id": "p1", "article_id": "a2", "passage_id": "a2-p0", "title": "T",
         "published": "2023-09-12T08:00:00", "source": "CBC", "mention": "Nowhere",
         "score": 0.5, "rule": "only", "snippet_html": "at <mark>Nowhere</mark>"}])
    d = marker_data(places, snips, reader_href=reader, place_href=place)
    html = d["snips"][0]
    assert "nan" not in html.lower().replace("nowhere", "")
    assert "CBC · 2023-09-12" in html and d["score"] == [None] and d["ccs"] == ["—"]


def test_popup_links_keep_the_current_filters(dashboard_store):
    from geo.urlstate import link_maker

    f = Filters(actors=("Sergei Shoigu",), date_from="2023-09-01")
    places = place_table(dashboard_store, f)
    snippets = place_snippets(dashboard_store, f, list(places["place_id"]))
    data = marker_layers_data(places, snippets,
                              reader_href=link_maker("", "articles", f, "article", "passage"),
                              place_href=link_maker("", "places", f, "place"))
    layer = data["broad"] if data["broad"]["n"] else data["specific"]
    head = html.unescape(layer["href"][0])
    assert "actor=Sergei" in head and "from=2023-09-01" in head and head.endswith("place=")
    snips = "".join(layer["snips"].values())
    assert snips and snips.count("actor=Sergei") == snips.count("open passage")


def test_popup_passages_link_to_correcting_their_mention(dashboard_store):
    from geo.urlstate import link_maker

    f = Filters(date_from="2023-09-01")
    places = place_table(dashboard_store, f)
    snippets = place_snippets(dashboard_store, f, list(places["place_id"]))
    links = {"reader_href": link_maker("", "articles", f, "article", "passage"),
             "place_href": link_maker("", "places", f, "place")}
    data = marker_layers_data(places, snippets, **links,
                              fix_href=link_maker("", "fix", f, "mention"))
    snips = "".join(data["specific"]["snips"].values())
    fixes = re.findall(r'<a class="na-fix" href="([^"]+)"', snips)
    assert fixes and len(fixes) == snips.count("open passage")
    ids = {int(h.rsplit("mention=", 1)[1]) for h in map(html.unescape, fixes)}
    assert ids == set(snippets[snippets["place_id"].isin(
        places[~places["broad"]]["place_id"])]["mention_id"])
    assert all(h.startswith("/fix?from=2023-09-01&amp;mention=") for h in fixes)
    # a read-only store gets no such link
    plain = marker_layers_data(places, snippets, **links)
    assert "na-fix" not in "".join(plain["specific"]["snips"].values())
