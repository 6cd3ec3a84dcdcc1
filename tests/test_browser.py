"""The dashboard in a real browser: Debian's headless Chromium driven by playwright,
against ``streamlit run dashboard.py`` on 127.0.0.1 with a temporary store."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
KHASAN = "gn:2039232"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: str, *extra: str):
    """Run ``streamlit run dashboard.py`` on the store ``db`` (``extra``: more options);
    yield its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    env = {**os.environ, "NEWS_ATLAS_DB": db, "NEWS_ATLAS_TILES": "none"}
    log_path = Path(db).with_suffix(".log") if "://" not in db else \
        Path(tempfile.mkdtemp(prefix="news-atlas-serve-")) / "streamlit.log"
    log = log_path.open("wb")  # a file, not a pipe: a full pipe would stall the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", *extra],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    prefix = next((v for k, v in zip(extra, extra[1:]) if k == "--server.baseUrlPath"), "")
    url = f"http://127.0.0.1:{port}" + (f"/{prefix.strip('/')}" if prefix else "")
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        log.close()
        pytest.fail("streamlit did not start: " + log_path.read_text(errors="replace"))
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the hand-built fixture articles (seed-like, follow-up, hostile)."""
    from tests.data.dashboard.fixture_articles import build_store

    yield from _serve(build_store(tmp_path_factory.mktemp("browser") / "atlas.sqlite"))


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory):
    """The dashboard on a new store holding the built-in sample, loaded as a user would
    into a store they name (the dashboard itself loads it only into the default store)."""
    from geo.sample import SAMPLE_ANALYSIS, add_sample
    from geo.store import Store

    if not SAMPLE_ANALYSIS.exists():
        pytest.skip("the built-in sample's analysis is not shipped yet")
    path = str(tmp_path_factory.mktemp("fresh") / "sample.sqlite")
    with Store.open(path) as store:
        add_sample(store)
    yield from _serve(path)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.external = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: page.external.append(r.url)
            if r.url.startswith(("http://", "https://")) and "127.0.0.1" not in r.url else None)
    yield page
    context.close()


def map_frame(page, timeout: float = 30.0):
    """The st_folium component's frame, once Leaflet has drawn in it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate("() => !!document.querySelector('.leaflet-container')"):
                        return frame
                except Exception:  # noqa: BLE001 - the frame is being replaced; retry
                    pass
        page.wait_for_timeout(200)
    raise AssertionError("the map component never appeared")


def test_markers_and_basemap_render_offline(server, page):
    start = time.time()
    page.goto(server + "/")
    frame = map_frame(page)
    frame.wait_for_selector(".na-marker, .marker-cluster", timeout=15000)
    elapsed = time.time() - start
    frame.wait_for_selector("path.na-bm-land", state="attached", timeout=15000)  # basemap
    page.screenshot(path="/tmp/news_atlas_map.png")
    assert page.external == [], f"requests left the machine: {page.external}"
    assert elapsed < 15, elapsed


def test_click_khasan_then_read_the_passage(server, page):
    page.goto(f"{server}/?place={KHASAN}")
    frame = map_frame(page)
    marker = frame.locator('.na-marker[title="Khasan"]')
    marker.wait_for(timeout=15000)
    marker.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "Khasan" in popup.inner_text()
    assert popup.locator("mark", has_text="Khasan").count() >= 1
    link = popup.locator(".na-snip", has_text="armoured train").locator(
        "a", has_text="open passage")
    # Component iframes may not navigate the top window: the reader opens in a new tab.
    with page.context.expect_page(timeout=15000) as new_tab:
        link.click()
    reader = new_tab.value
    current = reader.locator(".na-passage.na-current")
    current.wait_for(timeout=20000)
    assert "armoured train in Khasan" in current.inner_text()
    assert current.locator("a.place", has_text="Khasan").count() == 1
    assert reader.locator(".na-passage").count() >= 5
    assert "passage=seedlike0000001-p0" in reader.url and "article=seedlike0000001" in reader.url


def test_actor_filter_from_the_url(server, page):
    page.goto(f"{server}/?actor=Sergei+Shoigu")
    frame = map_frame(page)
    frame.locator('.na-marker[title="North Korea"]').wait_for(timeout=15000)
    assert frame.locator('.na-marker[title="Khasan"]').count() == 0
    # the sidebar shows the filter from the URL, and the URL keeps it
    assert page.locator("[data-testid='stSidebar']").get_by_text("Sergei Shoigu").count() >= 1
    assert "actor=Sergei" in page.url


def _assert_no_script_ran(page):
    assert page.dialogs == []
    assert page.title() != "pwned"
    for frame in page.frames:
        try:
            assert frame.evaluate("() => window.__pwned === undefined"), frame.url
        except AssertionError:
            raise
        except Exception:  # noqa: BLE001 - a cross-document frame went away
            continue


def test_hostile_article_shows_as_text(server, page):
    page.goto(f"{server}/articles?article=hostile00000003&passage=hostile00000003-p0")
    page.locator(".na-title").wait_for(timeout=15000)
    page.locator(".na-passage.na-current").wait_for(timeout=15000)
    page.wait_for_timeout(1000)
    assert "<script>" in page.locator(".na-title").inner_text()
    assert "<img src=x onerror" in page.locator(".na-passage").first.inner_text()
    assert page.locator("a[href^='javascript']").count() == 0
    _assert_no_script_ran(page)


def test_hostile_popup_shows_as_text(server, page):
    page.goto(f"{server}/?place=gn:1835848")
    frame = map_frame(page)
    marker = frame.locator('.na-marker[title="Seoul"]')
    marker.wait_for(timeout=15000)
    marker.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "<img src=x onerror" in popup.inner_text()
    page.wait_for_timeout(500)
    _assert_no_script_ran(page)


IDLE = """() => document.querySelector("[data-testid='stApp']")
    ?.getAttribute("data-test-script-state") === "notRunning" """


def wait_idle(page, timeout: float = 60000) -> None:
    """Until the script run is over, and a run that follows it (the map component's
    first report) too: a widget used mid-run may be drawn again and lose the input."""
    page.wait_for_function(IDLE, timeout=timeout)
    page.wait_for_timeout(400)
    page.wait_for_function(IDLE, timeout=timeout)


def pick_actor(page, name: str) -> None:
    """Choose ``name`` in the sidebar's actor filter as a user does (once the app is idle),
    and wait for the URL to carry it."""
    wait_idle(page)
    actors = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    actors.locator("input").click()
    actors.locator("input").fill(name)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url(f"**actor={name}*", timeout=15000)


def test_sidebar_filter_updates_markers_without_reloading_the_map(server, browser, page):
    page.goto(server + "/")
    frame = map_frame(page)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    frame.evaluate("() => { window.__sameMap = true; }")
    pick_actor(page, "Sergei")
    frame.locator('.na-marker[title="North Korea"]').wait_for(timeout=15000)
    deadline = time.time() + 10
    while frame.locator(".na-marker, .marker-cluster").count() > 2 and time.time() < deadline:
        page.wait_for_timeout(200)
    assert frame.evaluate("() => window.__sameMap === true"), "the map was reloaded"
    assert frame.locator('.na-marker[title="Khasan"]').count() == 0
    # a colleague opening the copied URL sees the same markers
    other = browser.new_context().new_page()
    other.goto(page.url)
    theirs = map_frame(other)
    theirs.locator('.na-marker[title="North Korea"]').wait_for(timeout=15000)
    assert theirs.locator('.na-marker[title="Khasan"]').count() == 0
    other.context.close()


def test_fresh_store_shows_the_sample_and_its_khasan_passage(sample_server, page):
    from geo.sample import load_sample

    sample = load_sample()
    khasan = next(m.place.id for m in sample.places if m.place and m.place.name == "Khasan")
    page.goto(f"{sample_server}/?place={khasan}")
    frame = map_frame(page)
    marker = frame.locator('.na-marker[title="Khasan"]')
    marker.wait_for(timeout=20000)
    for name in ("Vladivostok", "Razdolnaya River"):
        assert frame.locator(f'.na-marker[title="{name}"]').count() == 1, name
    marker.dispatch_event("click")
    link = frame.locator(".leaflet-popup-content .na-snip", has_text="train").first.locator(
        "a", has_text="open passage")
    with page.context.expect_page(timeout=15000) as new_tab:
        link.click()
    current = new_tab.value.locator(".na-passage.na-current")
    current.wait_for(timeout=20000)
    assert "train in Khasan" in current.inner_text()
    # the check: filtering on Sergei Shoigu keeps North Korea, drops Khasan
    page.goto(f"{sample_server}/?actor=Sergei+Shoigu")
    frame = map_frame(page)
    frame.locator('.na-marker[title="North Korea"]').wait_for(timeout=20000)
    assert frame.locator('.na-marker[title="Khasan"]').count() == 0
    assert page.external == []
