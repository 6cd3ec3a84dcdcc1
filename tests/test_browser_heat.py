"""The heat layer in a real browser: switched on the way a user does, it must draw.

Reuses the streamlit server, browser and page fixtures of tests/test_browser.py.
"""
from __future__ import annotations

import pytest

from tests.test_browser import browser, map_frame, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_heat_toggle_draws_the_heat_layer(server, page):  # noqa: F811
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.goto(server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    assert frame.locator("canvas.leaflet-heatmap-layer").count() == 0
    # the user flips the "Heat map" switch above the map
    page.locator("[data-testid='stCheckbox'], [data-testid='stToggle']") \
        .filter(has_text="Heat map").first.locator("label").click()
    frame = map_frame(page)
    try:
        frame.locator("canvas.leaflet-heatmap-layer").wait_for(state="attached", timeout=15000)
    except Exception as err:  # noqa: BLE001 - say what the page said
        raise AssertionError(f"no heat canvas; page errors: {errors}") from err
    # the canvas holds painted pixels, not just an empty element
    painted = frame.evaluate("""() => {
        const c = document.querySelector('canvas.leaflet-heatmap-layer');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; }
        return n;
    }""")
    assert painted > 0, "the heat canvas is empty"
    assert errors == [], errors
