"""The download buttons in a real browser: the file Chromium saves is what the filters
in the page's URL show, byte for byte as ``python -m geo export`` writes it; deleting an
article from the reader takes its places off the map."""
from __future__ import annotations

import json

import pytest

from geo.export import export_bytes
from geo.export_html import filters_from_query
from geo.store import Store
from tests.test_browser import _serve, browser, map_frame, page, wait_idle  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(dashboard URL, store path) on the hand-built fixture articles."""
    from tests.data.dashboard.fixture_articles import build_store

    db = build_store(tmp_path_factory.mktemp("manage") / "atlas.sqlite")
    for url in _serve(db):
        yield url, db


@pytest.mark.parametrize("label, fmt, name", [
    ("Mentions (GeoJSON)", "geojson-mentions", "news-atlas-mentions.geojson"),
    ("Mentions (CSV)", "csv", "news-atlas-mentions.csv"),
])
def test_a_download_is_what_the_filters_show(served, page, tmp_path,  # noqa: F811
                                             label, fmt, name):
    url, db = served
    query = "actor=Sergei+Shoigu"
    page.goto(f"{url}/?{query}")
    map_frame(page)
    wait_idle(page)
    button = page.get_by_role("button", name=label)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == name
    saved = tmp_path / name
    download.save_as(saved)
    with Store.open(db) as store:
        expected = export_bytes(store, fmt, filters=filters_from_query(query)[0])
    assert saved.read_bytes() == expected
    if fmt == "geojson-mentions":
        features = json.loads(saved.read_text(encoding="utf-8"))["features"]
        assert {f["properties"]["place_name"] for f in features} == {"North Korea", "Russia"}


def test_delete_from_the_reader_takes_its_places_off_the_map(served, page):  # noqa: F811
    url, db = served
    page.goto(f"{url}/")
    page.get_by_text("9 places, 16 mentions").wait_for(timeout=30000)
    page.goto(f"{url}/articles?article=followup0000002")
    wait_idle(page)
    page.get_by_role("button", name="Delete this article").click()
    page.get_by_text("Delete “Putin and Kim meet at Vostochny Cosmodrome”?").wait_for()
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_text("Deleted “Putin and Kim meet at Vostochny Cosmodrome”").wait_for(
        timeout=15000)
    with Store.open(db) as store:
        assert not store.has_article("followup0000002")
    page.goto(f"{url}/")
    map_frame(page)
    wait_idle(page)  # 9 places and 16 mentions before; the follow-up alone named Vostochny
    page.get_by_text("8 places, 13 mentions").wait_for(timeout=15000)
