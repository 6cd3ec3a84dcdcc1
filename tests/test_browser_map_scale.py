"""The map on a store with many places, in a real browser: country-level places are
clustered in their own layer, and past ``NEWS_ATLAS_MAP_MARKERS`` places the map draws
only the most mentioned ones and says so. The dashboard that serves these pages never
loads spaCy.

Reuses the server helper, browser and page fixtures of tests/test_browser.py.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from geo.models import Article, GazetteerEntry
from geo.store import Store
from tests.data.dashboard.fixture_articles import _build
from tests.test_browser import _serve, browser, map_frame, page, wait_idle  # noqa: F401

pytestmark = pytest.mark.browser

# three countries close together in East Asia, and cities from Seoul to Manaus: framed
# whole, the countries lie within a cluster's radius of each other
KP = GazetteerEntry("cc:KP", "North Korea", 40.0, 127.0, "country", "KP", "A", "PCLI")
KR = GazetteerEntry("cc:KR", "South Korea", 36.0, 128.0, "country", "KR", "A", "PCLI")
JP = GazetteerEntry("cc:JP", "Japan", 36.0, 138.0, "country", "JP", "A", "PCLI")
SEOUL = GazetteerEntry("gn:1835848", "Seoul", 37.566, 126.9784, "city", "KR", "P", "PPLC")
BUSAN = GazetteerEntry("gn:1838524", "Busan", 35.1028, 129.0403, "city", "KR", "P", "PPLA")
MANAUS = GazetteerEntry("gn:3663517", "Manaus", -3.1019, -60.025, "city", "BR", "P", "PPLA")
COUNTS = {KP: 5, SEOUL: 4, KR: 3, JP: 2, BUSAN: 2, MANAUS: 1}  # mentions of each
TOP_TWO = 5 + 4  # North Korea and Seoul


def build_store(path: Path) -> str:
    paragraphs, places = [], []
    for entry, n in COUNTS.items():
        for _ in range(n):
            places.append((len(paragraphs), entry.name, entry, "place", "population", 0.9))
            paragraphs.append(f"Reporters wrote from {entry.name} again.")
    with Store.open(str(path)) as store:
        store.save(_build(Article("scale000000001", "", "Many places", None, "Wire",
                                  "2024-05-01"), paragraphs, places, []))
    return str(path)


@pytest.fixture(scope="module")
def scale_server(tmp_path_factory):
    yield from _serve(build_store(tmp_path_factory.mktemp("scale") / "scale.sqlite"))


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory):
    """The same store, served with the map capped at two places."""
    db = build_store(tmp_path_factory.mktemp("capped") / "capped.sqlite")
    old = os.environ.get("NEWS_ATLAS_MAP_MARKERS")
    os.environ["NEWS_ATLAS_MAP_MARKERS"] = "2"
    try:
        server = _serve(db)
        url = next(server)  # the server is started with the setting
    finally:
        if old is None:
            os.environ.pop("NEWS_ATLAS_MAP_MARKERS")
        else:
            os.environ["NEWS_ATLAS_MAP_MARKERS"] = old
    yield url
    next(server, None)


def _shown_counts(frame) -> list[int]:
    """The numbers on every marker and cluster the map shows (mentions)."""
    text = frame.evaluate("() => document.querySelector('.leaflet-marker-pane').innerText")
    return [int(n) for n in re.findall(r"\d+", text)]


def _server_pid(url: str) -> int:
    """The process listening on ``url``'s port (the streamlit server)."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inode = fields[9]
    assert inode, f"nothing listens on port {port}"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]"
                   for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    raise AssertionError(f"no process owns port {port}")


def test_country_level_places_are_clustered_in_their_own_layer(scale_server, page):  # noqa: F811
    page.goto(scale_server + "/")
    frame = map_frame(page)
    cluster = frame.locator(".marker-cluster.na-broad-cluster").first
    cluster.wait_for(timeout=15000)
    assert int(cluster.inner_text()) == 5 + 3 + 2  # North Korea, South Korea, Japan
    # the cities are never inside a country-level cluster
    assert frame.locator(".marker-cluster.na-broad-cluster").count() == 1
    # a click zooms in until the countries come apart (the cities' cluster lies over it)
    cluster.dispatch_event("click")
    frame.locator('.na-marker.na-broad[title="Japan"]').wait_for(timeout=15000)
    assert frame.locator(".na-marker.na-broad").count() >= 2


def test_a_capped_map_draws_the_most_mentioned_places_and_says_so(capped_server, page):  # noqa: F811
    page.goto(capped_server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    wait_idle(page)
    notice = page.get_by_text("The map draws the 2 most mentioned of 6 places")
    notice.wait_for(timeout=15000)
    assert sum(_shown_counts(frame)) == TOP_TWO  # North Korea and Seoul, nothing else
    # the table under the map still lists every place
    assert page.get_by_text("6 places, 17 mentions").count() == 1


def test_the_dashboard_serving_pages_never_loads_spacy(scale_server, page):  # noqa: F811
    for path in ("/", "/places", "/articles", "/actors", "/?q=Seoul"):
        page.goto(scale_server + path)
        wait_idle(page)
    maps = Path(f"/proc/{_server_pid(scale_server)}/maps").read_text()
    assert "/spacy/" not in maps and "/thinc/" not in maps


def _search(page, words: str) -> None:
    """Type ``words`` in the sidebar's search box and press Enter, as a user does."""
    wait_idle(page)
    box = page.locator("[data-testid='stSidebar'] input[aria-label='Search passages']")
    box.fill(words)
    box.press("Enter")


def _wait_for_counts(frame, page, want: list[int], timeout: float = 20.0) -> None:
    """Until the map's markers and clusters show ``want`` (in any order)."""
    deadline = time.time() + timeout
    while sorted(_shown_counts(frame)) != sorted(want) and time.time() < deadline:
        page.wait_for_timeout(200)
    assert sorted(_shown_counts(frame)) == sorted(want)


def test_after_a_filter_change_the_map_shows_the_places_that_pass_and_their_counts(
        scale_server, page):  # noqa: F811
    page.goto(scale_server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    _search(page, "Seoul")
    frame.locator('.na-marker[title="Seoul"]').wait_for(timeout=15000)
    _wait_for_counts(frame, page, [4])  # Seoul's four mentions, no other marker
    page.get_by_text("1 places, 4 mentions").wait_for(timeout=15000)
    _search(page, "Manaus")
    frame.locator('.na-marker[title="Manaus"]').wait_for(timeout=15000)
    _wait_for_counts(frame, page, [1])
    page.get_by_text("1 places, 1 mentions").wait_for(timeout=15000)
    assert frame.locator('.na-marker[title="Seoul"]').count() == 0


def test_a_capped_map_after_a_filter_change_counts_every_place_that_passes(
        capped_server, page):  # noqa: F811
    page.goto(capped_server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    wait_idle(page)
    # without the country level: Seoul (4), Busan (2) and Manaus (1) pass; two are drawn
    page.locator("[data-testid='stSidebar']").get_by_text("Countries & demonyms").click()
    page.get_by_text("The map draws the 2 most mentioned of 3 places").wait_for(timeout=15000)
    page.get_by_text("3 places, 7 mentions").wait_for(timeout=15000)
    deadline = time.time() + 20
    while sum(_shown_counts(frame)) != 4 + 2 and time.time() < deadline:
        page.wait_for_timeout(200)
    assert sum(_shown_counts(frame)) == 4 + 2  # Seoul and Busan, not Manaus
    assert frame.locator(".leaflet-marker-pane .na-broad").count() == 0
    assert frame.locator('.na-marker[title="Manaus"]').count() == 0
