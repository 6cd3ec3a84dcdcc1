"""The standalone HTML map (`python -m geo export --format html`): its builders, and the
file itself opened from disk in headless Chromium with every non-file request blocked."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from geo.export_html import (
    add_more_notes, dashboard_base_url, dashboard_links, describe_filters,
    filters_from_query, in_file_links, library_sections, map_content, more_note,
    standalone_map_html,
)
from geo.query import Filters
from geo.store import Store
from tests.data.dashboard.fixture_articles import HOSTILE_TITLE, build_store
from tests.test_export import MANY, build_many_store

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> str:
    """The dashboard's fixture articles (seed-like, follow-up, hostile)."""
    return build_store(tmp_path_factory.mktemp("exp") / "atlas.sqlite")


@pytest.fixture(scope="module")
def many_db(tmp_path_factory) -> str:
    return build_many_store(tmp_path_factory.mktemp("many") / "many.sqlite")


def run_export(db: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", "export", "--format", "html", "--db", db,
         "--out", str(out), *extra],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


# -- (a) builders --------------------------------------------------------------------

def test_base_url_is_checked_and_joined_without_a_leading_slash():
    assert dashboard_base_url(" http://example.org/atlas/ ") == "http://example.org/atlas"
    for bad in ("example.org", "javascript:alert(1)", "ftp://x.org", "/atlas",
                "http://x.org/?a=1"):
        with pytest.raises(ValueError):
            dashboard_base_url(bad)
    reader, place = dashboard_links("http://example.org/atlas/",
                                    Filters(actors=("Sergei Shoigu",)))
    assert reader("art 1", "art 1-p0") == ("http://example.org/atlas/articles?actor=Sergei"
                                           "%20Shoigu&article=art%201&passage=art%201-p0")
    assert reader("art 1", "art 1-p0", "gn:2039") == (
        "http://example.org/atlas/articles?actor=Sergei%20Shoigu&article=art%201"
        "&passage=art%201-p0&place=gn%3A2039")  # the reader points at the place
    assert place("gn:1") == "http://example.org/atlas/places?actor=Sergei%20Shoigu&place=gn%3A1"


def test_in_file_links_name_the_sections():
    reader, place = in_file_links()
    assert reader("a1", "a1-p0") == "#passage-a1-p0"
    assert place("gn:1 x") == "#place-gn%3A1%20x"


def test_filters_from_a_dashboard_link_and_in_words():
    f, unknown = filters_from_query(
        "http://host:8501/?actor=Sergei+Shoigu&from=2023-09-01&country=RU&page=2")
    assert f.actors == ("Sergei Shoigu",) and f.date_from == "2023-09-01"
    assert f.countries == ("RU",) and unknown == ["page"]
    assert describe_filters(f) == ("published from 2023-09-01; actor: Sergei Shoigu;"
                                   " country: RU")
    assert describe_filters(Filters()) == "all mentions"


def test_more_note_counts_what_is_left_out():
    assert more_note(3, 3, in_file=True) == ""
    assert "and 1 more mention (not in this file)" in more_note(6, 5, in_file=True)
    assert "and 7 more mentions<" in more_note(12, 5, in_file=False)


def test_every_place_gets_its_passages_not_only_the_first_300(many_db):
    with Store.open(many_db) as store:
        content = map_content(store, Filters())
    specific = content.markers["specific"]
    assert len(specific["id"]) == MANY + 1  # the towns and the hub
    assert sorted(specific["snips"]) == list(range(MANY + 1))
    last = specific["id"].index(content.places["place_id"].iloc[-1])
    assert "Officials in" in specific["snips"][last]
    hub = specific["id"].index("test:hub")
    assert specific["snips"][hub].count('class="na-snip"') == 5
    assert f"and {MANY - 5} more mentions (not in this file)" in specific["snips"][hub]


def test_library_escapes_the_hostile_article(fixture_db):
    with Store.open(fixture_db) as store:
        content = map_content(store, Filters())
        html = "".join(library_sections(store, content))
    assert 'id="article-hostile00000003"' in html and 'id="place-gn:2039232"' in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;window.__pwned=1" in html
    assert 'href="javascript' not in html  # the article's javascript: URL is text only
    assert "· javascript:window.__pwned=3</p>" in html
    assert 'id="passage-seedlike0000001-p0"' in html


def test_page_has_title_heading_legend_and_in_file_links(fixture_db):
    when = datetime(2026, 11, 30, tzinfo=timezone.utc)
    with Store.open(fixture_db) as store:
        page = standalone_map_html(store, store_name="atlas.sqlite", exported_at=when,
                                   filters=Filters(actors=("Kim Jong-un",)))
    html = page.html
    assert ("<title>News Atlas map: atlas.sqlite (actor: Kim Jong-un), exported 2026-11-30"
            "</title>") in html
    assert "<h1>News Atlas map: atlas.sqlite</h1>" in html
    assert 'class="na-legend"' in html and "Dashed: a whole country" in html
    assert "marker-cluster" in html and 'data-layer="heat"' in html
    assert "localhost" not in html and "/http" not in html
    assert "#passage-seedlike0000001-p0" in html
    assert page.places > 0 and page.articles == 2  # the hostile one names no Kim


def test_add_more_notes_appends_to_popups():
    import pandas as pd

    data = {"id": ["a", "b"], "snips": {0: "<i>s</i>"}}
    places = pd.DataFrame({"place_id": ["a", "b"], "mentions": [4, 2]})
    snippets = pd.DataFrame({"place_id": ["a"]})
    add_more_notes(data, places, snippets, in_file=True)
    assert data["snips"][0].startswith("<i>s</i>") and "and 3 more" in data["snips"][0]
    assert "and 2 more" in data["snips"][1]


# -- (c) --base-url ----------------------------------------------------------------------

def test_cli_base_url_links_into_the_hosted_dashboard(fixture_db, tmp_path):
    out = tmp_path / "x.html"
    done = run_export(fixture_db, out, "--base-url", "http://example.org/atlas")
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    # every link (in the page, or in the popups' JSON: href=\"...\") goes to the URL
    hrefs = [h.replace("\\u0026", "&").replace("&amp;", "&")
             for h in re.findall(r'href=\\?"((?:[^"\\]|\\u[0-9a-f]{4})*)', html)
             if not h.startswith(("data:", "'"))]  # "'": the popup's JS, not a link
    assert hrefs and all(h.startswith("http://example.org/atlas/") for h in hrefs), hrefs
    assert any(h.startswith("http://example.org/atlas/articles?article=seedlike0000001"
                            "&passage=seedlike0000001-p0&place=") for h in hrefs), hrefs
    assert "http://example.org/atlas/places?place=" in html  # "All N mentions" (built in JS)
    assert "#passage-" not in html and "/http://" not in html
    bad = run_export(fixture_db, tmp_path / "y.html", "--base-url", "example.org")
    assert bad.returncode == 2 and "--base-url" in bad.stderr and "http(s)" in bad.stderr


# -- (b) the file in a real browser ------------------------------------------------------

@pytest.fixture(scope="module")
def offline_page():
    """A Chromium page that may load nothing but file: and data: URLs."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        blocked: list[str] = []

        def only_local(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()
        context.route("**/*", only_local)
        page = context.new_page()
        page.blocked = blocked
        page.errors = []
        page.dialogs = []
        page.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: page.errors.append(f"console: {m.text}")
                if m.type == "error" else None)
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        yield page
        browser.close()


def _zoom_to(page, lat: float, lon: float, zoom: int = 10) -> None:
    """Zoom the map in on a spot, as a user would with the wheel (clusters split)."""
    page.evaluate("""([lat, lon, zoom]) => {
        const key = Object.keys(window).find(
            k => k.startsWith("map_") && window[k] instanceof L.Map);
        window[key].setView([lat, lon], zoom, {animate: false});
    }""", [lat, lon, zoom])
    # let the clusters and the basemap redraw for the new view before anything is
    # clicked (a marker re-added by its cluster closes the popup it had opened)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() =>"
                  " requestAnimationFrame(() => setTimeout(r, 200))))")


@pytest.mark.browser
def test_exported_file_works_from_disk_with_no_network(fixture_db, tmp_path, offline_page):
    out = tmp_path / "x.html"
    done = run_export(fixture_db, out)
    assert done.returncode == 0, done.stderr
    page = offline_page
    page.goto(out.as_uri())
    page.wait_for_selector(".na-marker, .marker-cluster", timeout=15000)
    assert "atlas.sqlite" in page.title()
    assert page.locator("h1").inner_text().startswith("News Atlas map")
    assert page.locator(".na-legend").is_visible()

    # count labels sit in the middle of their circle, in a colour unlike the circle's
    for selector in (".na-marker", ".marker-cluster div"):
        off = page.evaluate("""(sel) => [...document.querySelectorAll(sel)].map(el => {
            const range = document.createRange(); range.selectNodeContents(el);
            const t = range.getBoundingClientRect(), b = el.getBoundingClientRect();
            const s = getComputedStyle(el);
            return [Math.abs((t.left + t.right) / 2 - (b.left + b.right) / 2),
                    Math.abs((t.top + t.bottom) / 2 - (b.top + b.bottom) / 2),
                    s.color === s.backgroundColor];
        })""", selector)
        assert off, selector
        for dx, dy, same in off:
            assert dx <= 2 and dy <= 2 and not same, (selector, off)

    # a user zooms to Khasan, clicks its marker and follows a passage link
    _zoom_to(page, 42.43, 130.64)
    marker = page.locator('.na-marker[title="Khasan"]')
    marker.wait_for(timeout=10000)
    marker.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "Khasan" in popup.inner_text()
    popup.locator(".na-snip", has_text="armoured train").locator("a").first.click()
    current = page.locator("#na-reader .na-passage.na-current")
    current.wait_for(timeout=5000)
    assert "armoured train in Khasan" in current.inner_text()
    assert current.is_visible() and len(page.context.pages) == 1
    assert page.url.startswith(out.as_uri())
    assert page.locator("#na-reader .na-article:visible h2").inner_text().startswith(
        "North Korea's Kim Jong-un")

    # "All N mentions" lists the place's passages inside the file
    page.locator(".na-close").click()
    assert page.locator("#na-reader").is_hidden()
    marker.dispatch_event("click")
    popup.get_by_text("mentions").last.click()
    section = page.locator("#na-reader section.na-place:visible")
    section.wait_for(timeout=5000)
    assert section.locator("h2").inner_text() == "Khasan"
    assert section.locator("li").count() == 2

    # the hostile article's popup and passages show as text; nothing runs
    _zoom_to(page, 37.566, 126.978)
    page.locator('.na-marker[title="Seoul"]').dispatch_event("click")
    popup.locator(".na-snip", has_text="onerror").locator("a").first.click()
    current.wait_for(timeout=5000)
    assert "<img src=x onerror" in current.inner_text()
    assert HOSTILE_TITLE in page.locator("#na-reader .na-article:visible h2").inner_text()
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.evaluate("() => window.__pwned === undefined") and page.dialogs == []

    # the heat layer: its plugin is in the file, and the legend's switch draws it
    page.locator(".na-close").click()
    _zoom_to(page, 45, 120, 3)
    page.locator("#na-heat-toggle").check()
    page.wait_for_selector("canvas.leaflet-heatmap-layer", state="attached", timeout=5000)

    assert page.errors == [], page.errors
    assert page.blocked == [], page.blocked


def test_an_empty_selection_still_gives_a_page(fixture_db):
    with Store.open(fixture_db) as store:
        page = standalone_map_html(store, filters=Filters(actors=("Nobody",)))
    assert page.places == 0 and "actor: Nobody · 0 places, 0 mentions" in page.html
