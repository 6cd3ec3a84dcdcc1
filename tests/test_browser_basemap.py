"""The offline basemap in a real browser: light at world zoom, readable zoomed to a state.

Reuses the streamlit server, browser and page fixtures of tests/test_browser.py. Every
request that would leave 127.0.0.1 is blocked and recorded; the test asserts there was
none.
"""
from __future__ import annotations

import pytest

from tests.test_browser import browser, map_frame, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

OHIO = [40.3, -82.8, 7]
DETAIL = ("detail.json", "admin1.json", "rivers.json", "labels-detail.json",
          "labels-local.json")


def _guard(page):  # noqa: F811
    """Block and record requests that leave the machine; record basemap files fetched."""
    page.blocked, page.basemap = [], []

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            if "/static/vendor/basemap/" in url:
                page.basemap.append(url.rsplit("/", 1)[1])
            return r.continue_()
        page.blocked.append(url)
        return r.abort()

    page.context.route("**/*", route)


def _count(frame, selector: str) -> int:
    return frame.evaluate(f"() => document.querySelectorAll({selector!r}).length")


def _texts(frame, selector: str) -> list[str]:
    """The labels' own text (``inner_text`` would give the upper-cased display)."""
    return frame.evaluate(f"() => [...document.querySelectorAll({selector!r})]"
                          ".map(e => e.textContent)")


def test_world_zoom_is_light_and_a_state_is_readable(server, page):  # noqa: F811
    _guard(page)
    page.goto(server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    frame.wait_for_function("() => document.querySelectorAll('path.na-bm-land').length > 50",
                            timeout=15000)
    frame.evaluate("() => window.map_div.setView([30, 10], 2, {animate: false})")
    frame.wait_for_function("() => document.querySelectorAll('.na-lbl-country').length > 5",
                            timeout=15000)
    page.wait_for_timeout(1000)
    # world zoom: land, borders, country labels; nothing of the zoomed-in layers
    assert "world.json" in page.basemap and "labels-world.json" in page.basemap
    assert not [f for f in page.basemap if f in DETAIL or f.startswith("admin1")], \
        page.basemap
    assert _count(frame, "path.na-bm-admin1") == 0
    assert _count(frame, "path.na-bm-border") > 100
    countries = _texts(frame, ".na-lbl-country")
    assert {"United States", "Russia", "China", "Brazil"} <= set(countries), countries

    # zoomed to Ohio: state lines, rivers, the state's name and its cities
    frame.evaluate("([lat, lon, z]) => window.map_div.setView([lat, lon], z,"
                   " {animate: false})", OHIO)
    frame.wait_for_function("() => document.querySelectorAll('path.na-bm-admin1').length > 20",
                            timeout=20000)
    frame.wait_for_function("""() => [...document.querySelectorAll('.na-lbl-city')]
                               .some(e => e.textContent === 'Columbus')""", timeout=20000)
    frame.wait_for_function("() => document.querySelectorAll('path.na-bm-river').length > 0",
                            timeout=20000)
    cities = _texts(frame, ".na-lbl-city")
    assert {"Columbus", "Cleveland", "Cincinnati"} <= set(cities), cities
    assert "Ohio" in _texts(frame, ".na-lbl-state")
    assert {"detail.json", "admin1.json", "rivers.json"} <= set(page.basemap)
    # labels do not pile up: no two city labels' boxes overlap
    boxes = frame.evaluate("""() => [...document.querySelectorAll('.na-lbl span')]
        .map(e => e.getBoundingClientRect()).map(r => [r.left, r.top, r.right, r.bottom])""")
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1]
    assert not overlaps, overlaps[:3]
    assert len(boxes) <= 120
    page.screenshot(path="/tmp/news_atlas_basemap_ohio.png")
    assert page.blocked == [] and page.external == [], page.blocked


def test_zoomed_to_germany_its_laender_lines_come_from_its_cell_only(server, page):  # noqa: F811
    _guard(page)
    page.goto(server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    frame.evaluate("() => window.map_div.setView([51.0, 10.4], 6, {animate: false})")
    frame.wait_for_function("() => document.querySelectorAll('path.na-bm-admin1').length > 0",
                            timeout=20000)
    page.wait_for_timeout(1000)
    assert "admin1-0_45.json" in page.basemap, page.basemap
    # cells the view does not reach are not fetched
    far = {"admin1-90_0.json", "admin1--135_0.json", "admin1-0_-45.json", "admin1--90_0.json"}
    assert not far & set(page.basemap), page.basemap
    # the Länder lines are drawn across Germany (path boxes inside the map's view)
    drawn = frame.evaluate("""() => [...document.querySelectorAll('path.na-bm-admin1')]
        .map(p => p.getBoundingClientRect()).filter(r => r.width > 20 || r.height > 20).length""")
    assert drawn > 0
    assert page.blocked == [], page.blocked


def test_layer_control_turns_state_lines_off(server, page):  # noqa: F811
    _guard(page)
    page.goto(server + "/")
    frame = map_frame(page)
    frame.evaluate("([lat, lon, z]) => window.map_div.setView([lat, lon], z,"
                   " {animate: false})", OHIO)
    frame.wait_for_function("() => document.querySelectorAll('path.na-bm-admin1').length > 20",
                            timeout=20000)
    frame.locator(".leaflet-control-layers").hover()
    box = frame.locator(".leaflet-control-layers-overlays label",
                        has_text="State & province lines").locator("input")
    assert box.is_checked()
    box.click()
    assert _count(frame, "path.na-bm-admin1") == 0
    assert _count(frame, "path.na-bm-land") > 0  # the rest of the basemap stays
    assert frame.locator(".leaflet-control-layers-base").inner_text().strip() == \
        "Offline basemap"  # no tile server configured: the offline basemap only
    assert page.blocked == [], page.blocked
