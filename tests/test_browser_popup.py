"""A popup on a phone: it fits a 390 x 844 screen and its "All N mentions" link shows
without scrolling (real Chromium, the dashboard on the built-in sample)."""
from __future__ import annotations

import re

import pytest

from tests.test_browser import browser, map_frame, sample_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def phone(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def _inside(box: dict, width: int, height: int) -> bool:
    return (box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width
            and box["y"] + box["height"] <= height)


def test_a_popup_fits_a_phone_and_shows_its_all_mentions_link(sample_server, phone):  # noqa: F811
    phone.goto(f"{sample_server}/?place=cc:KP")
    frame = map_frame(phone)
    phone.locator("iframe[title*='st_folium']").first.evaluate(
        "e => e.scrollIntoView({block: 'center'})")
    marker = frame.locator('.na-marker[title="North Korea"]')
    marker.wait_for(timeout=15000)
    marker.dispatch_event("click")
    popup = frame.locator(".leaflet-popup")
    popup.wait_for(timeout=5000)
    phone.wait_for_timeout(600)  # Leaflet pans the map to show the popup
    box = popup.bounding_box()
    assert box is not None and _inside(box, **PHONE), box
    link = frame.locator(".na-pop .na-all a")
    assert re.fullmatch(r"All \d+ mentions →", link.inner_text().strip())
    link_box = link.bounding_box()
    assert link_box is not None and _inside(link_box, **PHONE), link_box
    # nothing covers it and no scrolling is needed: the point at its centre is the link
    hit = link.evaluate("""a => { const r = a.getBoundingClientRect();
        const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return e === a || a.contains(e); }""")
    assert hit
    # the passages scroll inside the popup instead of stretching it off the screen
    snips = frame.locator(".na-pop .na-snips")
    assert snips.locator(".na-snip").count() >= 2
    assert snips.evaluate("e => getComputedStyle(e).overflowY") == "auto"
    assert "Chosen because" in frame.locator(".na-pop .na-why").inner_text()
