"""The map frames the data, follows the table, shows a legend (issue 10, items 2, 4, 6),
in a real browser: Debian's headless Chromium against ``streamlit run dashboard.py``.

Reuses the server, browser and page fixtures of tests/test_browser.py; the US store is
made by the real ``python -m geo ingest`` from two small articles.
"""
from __future__ import annotations

import json
import time

import pytest

from tests.test_browser import (  # noqa: F401
    _serve, browser, map_frame, page, pick_actor, server)

pytestmark = pytest.mark.browser

US_ARTICLES = [
    {"id": "us-columbus", "title": "Flooding in Columbus", "date": "2024-05-02",
     "source": "Dispatch", "text": "Heavy rain flooded streets in Columbus, Ohio on"
     " Tuesday. Crews from Cleveland, Ohio came to help."},
    {"id": "us-denver", "title": "Snow in Denver", "date": "2024-05-03",
     "source": "Post", "text": "A late snowstorm closed roads around Denver, Colorado,"
     " and the airport in Denver cancelled flights."},
]
BOUNDS = "() => { const b = window.map.getBounds(); return [b.getSouth(), b.getWest()," \
         " b.getNorth(), b.getEast()]; }"


@pytest.fixture(scope="module")
def us_store(tmp_path_factory, full_gazetteer) -> str:
    from tests.data.dashboard.mixed_store import ingest

    folder = tmp_path_factory.mktemp("us")
    feed = folder / "us.jsonl"
    feed.write_text("".join(json.dumps(a) + "\n" for a in US_ARTICLES), encoding="utf-8")
    db = str(folder / "us.sqlite")
    done = ingest([feed], db)
    assert done.returncode == 0, done.stdout + done.stderr
    return db


@pytest.fixture(scope="module")
def us_server(us_store):
    yield from _serve(us_store)


def _mentioned_place(db: str, name: str) -> str:
    """The id of the place named ``name`` that the resolver chose for a mention."""
    from geo.store import Store

    with Store.open(db, read_only=True) as store:
        row = store.conn.execute(
            "SELECT p.id FROM places p JOIN place_mentions m ON m.place_id = p.id"
            " WHERE p.name = ? GROUP BY p.id ORDER BY count(*) DESC", (name,)).fetchone()
    assert row is not None, f"no mention resolved to {name}"
    return row[0]


def _toggle(page, label: str) -> None:
    page.locator("[data-testid='stCheckbox'], [data-testid='stToggle']") \
        .filter(has_text=label).first.locator("label").click()


def _table_names(page) -> list[str]:
    """The place names in the table under the map (the grid's accessible table)."""
    return page.locator("[data-testid='stDataFrame']").last.evaluate(
        "e => [...e.querySelectorAll('tbody tr')].map(r => r.querySelector('td').innerText)")


def _markers_inside(frame) -> list[str]:
    """The names of the markers (clustered or not) inside the map's view."""
    return frame.evaluate("""() => {
        const map = window.map, b = map.getBounds(), names = [];
        function walk(layer) {
            if (layer.getLatLng && layer.options.mentions !== undefined) {  // a place
                if (b.contains(layer.getLatLng())) { names.push(layer.options.title); }
                return;
            }
            if (layer.getLayers) { layer.getLayers().forEach(walk); }
        }
        map.eachLayer(walk);
        return [...new Set(names)];
    }""")


def _table_follows(page, frame, timeout: float = 20.0,
                   differs_from: list[str] | None = None) -> list[str]:
    """Wait until the table lists just the places in the map's view; return them."""
    deadline = time.time() + timeout
    while True:
        inside, table = sorted(_markers_inside(frame)), sorted(_table_names(page))
        if (inside == table and table != differs_from) or time.time() > deadline:
            break
        page.wait_for_timeout(250)
    assert table == inside, f"the table lists {table}, the map shows {inside}"
    return table


def test_table_follows_pan_and_zoom(server, page):  # noqa: F811
    page.goto(server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    page.locator("[data-testid='stDataFrame'] tbody tr").first.wait_for(state="attached")
    everything = sorted(_table_names(page))
    # the user has zoomed in on Korea before switching on "follows": their view stays
    frame.evaluate("() => { window.__sameMap = true;"
                   " window.map.setView([38.5, 127.5], 6, {animate: false}); }")
    view = frame.evaluate(BOUNDS)
    _toggle(page, "Table follows the map")
    shown = _table_follows(page, frame, differs_from=everything)
    assert "Seoul" in shown and "Moscow" not in shown, shown
    assert frame.evaluate(BOUNDS) == view
    assert frame.evaluate("() => window.__sameMap === true"), "the map was reloaded"
    # the user zooms in on Seoul: the table keeps only what the map shows
    frame.evaluate("() => window.map.setView([37.55, 126.98], 9)")
    shown = _table_follows(page, frame)
    assert "Seoul" in shown and len(shown) < len(everything), shown
    page.get_by_text(f"{len(shown)} of {len(everything)} places in view").wait_for()
    # and drags to Khasan: the table follows again
    frame.evaluate("() => window.map.setView([42.9, 131.3], 7)")
    shown = _table_follows(page, frame)
    assert "Khasan" in shown and "Seoul" not in shown, shown


def test_us_store_opens_framed_on_the_us(us_server, page):  # noqa: F811
    page.goto(us_server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=20000)
    page.wait_for_timeout(500)
    south, west, north, east = frame.evaluate(BOUNDS)
    # within the United States (and its margins), not the world
    assert 15 < south < north < 60 and -135 < west < east < -60, (south, west, north, east)
    # both Columbus and Denver are in view
    centre = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng]")
    assert west < -105 < -83 < east and south < 39.7 < north, (south, west, north, east, centre)


def test_place_link_centres_and_rings_the_place(us_store, us_server, page):  # noqa: F811
    denver = _mentioned_place(us_store, "Denver")
    page.goto(f"{us_server}/?place={denver}")
    frame = map_frame(page)
    ring = frame.locator("path.na-focus")
    ring.wait_for(timeout=20000)
    assert ring.count() == 1 and ring.is_visible()
    marker = frame.locator('.na-marker[title="Denver"]')
    assert marker.is_visible()  # not hidden in a cluster
    # the ring is drawn around the marker
    box, mark = ring.bounding_box(), marker.bounding_box()
    centre = (mark["x"] + mark["width"] / 2, mark["y"] + mark["height"] / 2)
    assert box["x"] < centre[0] < box["x"] + box["width"]
    assert box["y"] < centre[1] < box["y"] + box["height"]
    marker.dispatch_event("click")
    assert "Denver" in frame.locator(".leaflet-popup-content").inner_text(timeout=5000)
    lat, lon = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng]")
    assert abs(lat - 39.74) < 1.5 and abs(lon + 104.99) < 1.5, (lat, lon)
    assert frame.evaluate("() => window.map.getZoom()") >= 7


def test_filters_reframe_unless_the_user_moved(server, page):  # noqa: F811
    page.goto(server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    frame.evaluate("() => { window.__sameMap = true; }")
    wide = frame.evaluate(BOUNDS)
    pick_actor(page, "Sergei")
    deadline = time.time() + 15
    while frame.evaluate(BOUNDS) == wide and time.time() < deadline:
        page.wait_for_timeout(200)
    framed = frame.evaluate(BOUNDS)
    assert frame.evaluate("() => window.__sameMap === true"), "the map was reloaded"
    assert framed != wide, "the map did not re-frame on the new filters"
    # North Korea's markers are in view
    assert frame.locator('.na-marker[title="North Korea"]').count() == 1
    # the user moves the map; a filter change now leaves their view alone
    frame.evaluate("() => window.map.setView([48.85, 2.35], 5)")
    page.wait_for_timeout(500)
    mine = frame.evaluate(BOUNDS)
    actors = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    actors.locator("input").click()
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    deadline = time.time() + 10
    while "actor=Sergei" in page.url and time.time() < deadline:
        page.wait_for_timeout(200)
    page.wait_for_timeout(1500)
    assert frame.evaluate(BOUNDS) == mine


def test_legend_in_the_map(server, page):  # noqa: F811
    page.goto(server + "/")
    frame = map_frame(page)
    legend = frame.locator(".leaflet-control .na-legend")
    legend.wait_for(timeout=15000)
    assert legend.is_visible()
    text = legend.inner_text()
    for words in ("the bigger the circle, the more mentions", "Dashed: a whole country",
                  "demonym", "A cluster of nearby places"):
        assert words in text, words
    assert legend.locator(".na-marker.na-broad").count() == 1
    assert legend.locator(".marker-cluster").count() == 1
