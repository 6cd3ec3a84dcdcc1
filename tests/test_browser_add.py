"""Adding articles in a real browser: a file uploaded through the Add page is analysed
in the background, the page sums it up, and its place appears on the map (headless
Chromium against ``streamlit run dashboard.py``)."""
from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401 - fixtures
    browser, map_frame, page, server, wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.gazetteer, pytest.mark.model]

TRALEE = ("Floods in Tralee\n\nHeavy rain flooded the town of Tralee, in County Kerry,"
          " Ireland, on Monday.\n")


def test_an_uploaded_file_reaches_the_map(server, page, tmp_path):  # noqa: F811
    upload = tmp_path / "tralee.txt"
    upload.write_text(TRALEE, encoding="utf-8")
    page.goto(f"{server}/add")
    page.get_by_role("heading", name="Add articles").wait_for(timeout=30000)
    wait_idle(page)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(upload)
    page.get_by_text("tralee.txt").first.wait_for(timeout=15000)
    wait_idle(page)
    page.get_by_role("button", name="Add these files").click()
    page.get_by_text("Done.").wait_for(timeout=300000)  # the worker loads the model
    metrics = page.locator("[data-testid='stMetric']")
    assert metrics.nth(0).inner_text().split() == ["Added", "1"]
    assert metrics.nth(2).inner_text().split() == ["Failed", "0"]
    page.get_by_role("link", name="Open the map").click()
    frame = map_frame(page)
    frame.locator('.na-marker[title="Tralee"]').wait_for(timeout=30000)
    assert page.external == [], f"requests left the machine: {page.external}"
