"""Correcting a place in a real browser (Debian's headless Chromium, the dashboard on
the built-in sample): follow a popup's "correct" link, pick another candidate, see the
marker move on the map, undo it on the Corrections page and see it back."""
from __future__ import annotations

import time

import pytest

from tests.test_browser import (  # noqa: F401 - fixtures
    browser, map_frame, page, sample_server, wait_idle,
)

pytestmark = pytest.mark.browser

KHASAN, HASSAN = "cur:khasan-ru", "gn:1270239"  # the sample's Khasan, and a wrong one

MARKERS = """() => {  // every place marker on the map (clustered or not): id -> [lat, lon]
    const out = {};
    function walk(layer) {
        if (layer.options && layer.options.placeId) {
            const p = layer.getLatLng();
            out[layer.options.placeId] = [p.lat, p.lng];
        }
        if (layer.getLayers) { layer.getLayers().forEach(walk); }
    }
    for (const key of Object.keys(window)) {
        const value = window[key];
        if (value && window.L && value instanceof window.L.Map) { value.eachLayer(walk); }
    }
    return out;
}"""


def _markers(page, url: str, wanted: str, timeout: float = 30.0) -> dict:
    """The map's markers once the place ``wanted`` has one (or the timeout)."""
    page.goto(url)
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=20000)
    deadline = time.time() + timeout
    markers = frame.evaluate(MARKERS)
    while wanted not in markers and time.time() < deadline:
        page.wait_for_timeout(300)
        markers = frame.evaluate(MARKERS)
    return markers


def test_correct_a_place_from_its_popup_then_undo(sample_server, page):  # noqa: F811
    before = _markers(page, f"{sample_server}/?place={KHASAN}&q=train", KHASAN)
    assert KHASAN in before and HASSAN not in before
    frame = map_frame(page)
    marker = frame.locator('.na-marker[title="Khasan"]')
    marker.wait_for(timeout=15000)
    marker.dispatch_event("click")
    correct = frame.locator(".leaflet-popup-content .na-snip a.na-fix").first
    correct.wait_for(timeout=5000)
    assert "q=train" in correct.get_attribute("href")  # the filters are kept
    with page.context.expect_page(timeout=15000) as new_tab:
        correct.click()
    fix = new_tab.value
    fix.get_by_text("Candidates the resolver weighed").wait_for(timeout=30000)
    wait_idle(fix)
    assert "/fix?" in fix.url and "mention=" in fix.url and "q=train" in fix.url
    assert fix.locator(".na-fix-mention mark", has_text="Khasan").count() == 1
    hassan = fix.locator(".na-cand", has_text="Hassan")
    assert "A city in India" in hassan.first.inner_text()
    fix.get_by_text("Every mention of this name in this article").click()
    wait_idle(fix)
    # the first candidate (Khasan) is on the map now, so its button is off
    fix.locator("button:not([disabled])", has_text="Choose").first.click()
    fix.locator(".na-done").wait_for(timeout=30000)
    assert "Hassan (city, India)" in fix.locator(".na-done").inner_text()

    after = _markers(page, f"{sample_server}/?place={HASSAN}", HASSAN)
    assert HASSAN in after and KHASAN not in after
    lat, lon = after[HASSAN]
    assert abs(lat - 13.0) < 0.1 and abs(lon - 76.1) < 0.1  # in India now

    page.goto(f"{sample_server}/corrections")
    page.get_by_text("Hassan (city, India)").first.wait_for(timeout=30000)
    wait_idle(page)
    page.locator("button", has_text="Undo").first.click()
    page.locator(".na-done", has_text="Undid correction").wait_for(timeout=30000)
    back = _markers(page, f"{sample_server}/?place={KHASAN}", KHASAN)
    assert KHASAN in back and HASSAN not in back
    assert abs(back[KHASAN][0] - before[KHASAN][0]) < 1e-6
    assert page.external == [] and fix.context.pages  # nothing left the machine


def test_set_a_point_by_clicking_the_small_map(sample_server, page):  # noqa: F811
    from geo.sample import load_sample

    far_east = [i for i, m in enumerate(load_sample().places, start=1)
                if m.text == "Far East"]  # unresolved in the sample (mention ids from 1)
    assert far_east
    page.goto(f"{sample_server}/fix?mention={far_east[0]}")
    page.get_by_text("The geoparser found no place for “Far East”").wait_for(timeout=30000)
    frame = map_frame(page)
    wait_idle(page)
    frame.locator(".leaflet-container").click(position={"x": 300, "y": 120})
    lat_input = page.get_by_label("Latitude")
    deadline = time.time() + 30
    while not lat_input.input_value() and time.time() < deadline:
        page.wait_for_timeout(300)
    lat = float(lat_input.input_value())
    lon = float(page.get_by_label("Longitude").input_value())
    wait_idle(page)
    name = page.get_by_label("Name of the point")
    name.fill("Russian Far East")
    name.press("Enter")
    wait_idle(page)
    page.locator("button", has_text="Set this point").click()
    page.locator(".na-done").wait_for(timeout=30000)
    assert "the point “Russian Far East”" in page.locator(".na-done").inner_text()
    markers = _markers(page, f"{sample_server}/?place=user:1", "user:1")
    assert abs(markers["user:1"][0] - lat) < 1e-4 and abs(markers["user:1"][1] - lon) < 1e-4
