"""Brushing the timeline in Chromium sets the date range (and the shared URL)."""
from __future__ import annotations

import time

import pytest

from tests.test_browser import browser, map_frame, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_brushing_the_timeline_sets_the_dates(server, page):  # noqa: F811
    page.goto(server + "/")
    map_frame(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for(timeout=15000)
    page.wait_for_timeout(500)
    box = chart.locator("canvas, svg").first.bounding_box()
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.45, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, y, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.98, y, steps=8)
    page.mouse.up()
    deadline = time.time() + 20
    while time.time() < deadline and "from=" not in page.url:
        page.wait_for_timeout(300)
    assert "from=2023-09-1" in page.url, page.url
