"""Nothing a user feeds the dashboard or types into its address bar breaks it (issue 9).

One ``streamlit run dashboard.py`` for the module, on a store a new user would make:
a dated ``.jsonl`` record and an undated ``.txt`` ingested together by the real
``python -m geo ingest``, with Markdown (an image pointing at a beacon host, ``:red[]``,
``$LaTeX$``, icons, emoji) in titles, text, place and actor names. Headless Chromium
opens every page (``pages/map.py``, ``pages/articles.py``, ``pages/places.py``,
``pages/actors.py``) on it and on hostile URLs, and finds no error, no traceback and no
server path, in the page or in the map's iframe; no request leaves for the beacon host.
"""
from __future__ import annotations

import re
import sys
import tomllib
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from tests.test_browser import REPO, _serve, browser, map_frame, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.gazetteer, pytest.mark.model]

# URL path of each page file (the router's url_path); the map is the default page
PAGE_PATHS = {"pages/map.py": "/", "pages/articles.py": "/articles",
              "pages/places.py": "/places", "pages/actors.py": "/actors"}
ERROR_TEXT = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b|has encountered an error"
                        r"|could not be shown|File \"")
PATHS = [str(REPO), "/usr/", "site-packages", "/root/", "/tmp/", sys.prefix]


@pytest.fixture(scope="module")
def store(tmp_path_factory, full_gazetteer) -> str:
    from tests.data.dashboard.mixed_store import build_mixed_store

    return build_mixed_store(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def server(store):
    yield from _serve(store)


@pytest.fixture()
def tab(page):  # noqa: F811 - test_browser's page, with every off-machine request refused
    page.refused = []

    def refuse(route):
        page.refused.append(route.request.url)
        route.abort()
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), refuse)
    return page


DRAWN = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    return !!app && app.getAttribute("data-test-script-state") === "notRunning"
        && !!document.querySelector("[data-testid='stMain'] h1, [data-testid='stAlert']");
}"""  # every page draws an h1 (or the guard's message): the run is over, not yet to start


def _settle(tab) -> None:
    """Wait until the page's script run has finished (and a possible second run)."""
    tab.wait_for_function(DRAWN, timeout=60000)
    tab.wait_for_timeout(400)
    tab.wait_for_function(DRAWN, timeout=60000)


def _texts(tab, *, with_map: bool) -> list[str]:
    texts = [tab.locator("body").inner_text(), tab.content()]
    if with_map:
        frame = map_frame(tab)
        texts += [frame.locator("body").inner_text(), frame.content()]
    return texts


def _assert_clean(tab, url: str, *, with_map: bool = False) -> None:
    assert tab.locator("[data-testid='stException']").count() == 0, url
    for text in _texts(tab, with_map=with_map):
        found = ERROR_TEXT.search(text)
        assert found is None, (url, text[max(0, found.start() - 200):found.end() + 200])
        for path in PATHS:
            assert path not in text, (url, path)


def _assert_refusal_clean(tab, url: str) -> None:
    """A request the HTTP server refused: what it answered (status line, headers and
    body, read over a plain connection) names no error class and no path, and neither
    does the tab, unless the tab shows Chromium's own error page (chrome-error://, its
    scripts hold words such as "LocalizedError"), which nothing of the server's reaches."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            answer = f"{response.status}\n{response.headers}\n" + \
                response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        answer = f"{err.code}\n{err.headers}\n" + err.read().decode("utf-8", "replace")
    except (ConnectionError, urllib.error.URLError) as err:  # closed without a word
        assert not isinstance(getattr(err, "reason", err), ConnectionRefusedError), err
        answer = ""
    assert err_free(answer), (url[:60], answer[:500])
    if not tab.url.startswith("chrome-error://"):
        _assert_clean(tab, url[:60])


def err_free(text: str) -> bool:
    return ERROR_TEXT.search(text) is None and not any(path in text for path in PATHS)


def _open(tab, server: str, page_file: str, query: str = "") -> str:
    """Open ``page_file`` with ``query``; return the URL, or "" when the HTTP server
    itself refused a request that long (uvicorn answers 400 "Invalid HTTP request")."""
    from playwright.sync_api import Error as PlaywrightError

    url = server + PAGE_PATHS[page_file] + (f"?{query}" if query else "")
    try:
        response = tab.goto(url)
    except PlaywrightError as err:
        # Chromium reports an error status with an empty body as a failed navigation
        if "ERR_HTTP_RESPONSE_CODE_FAILURE" in str(err):
            return ""
        raise
    if response is not None and response.status >= 400:
        return ""
    _settle(tab)
    return url


def _ids(store: str) -> dict[str, str]:
    from tests.data.dashboard.mixed_store import article_id, place_id

    return {"vladivostok": place_id(store, "Vladivostok"), "markdown": "test:markdown-town",
            "undated": article_id(store, dated=False), "dated": article_id(store, dated=True)}


def test_a_cold_server_runs_every_page_through_the_router(server, store, tab):
    """First in the module: nobody has loaded the map yet. With a ``pages/`` folder,
    Streamlit ran ``/places`` as a bare script until the router had run once: no
    filters, no page guard."""
    ids = _ids(store)
    for page_file in ("pages/places.py", "pages/actors.py"):
        query = f"place={quote(ids['vladivostok'])}" if "places" in page_file else ""
        url = _open(tab, server, page_file, query)
        sidebar = tab.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("Filters").wait_for(timeout=15000)
        assert sidebar.get_by_text("Places", exact=True).count() == 1, url  # the router's
        _assert_clean(tab, url)


def test_script_health_check_is_off_and_health_answers(server):
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["scriptHealthCheckEnabled"] is False
    assert config["client"]["showErrorDetails"] == "none"
    with urllib.request.urlopen(f"{server}/_stcore/health", timeout=10) as r:
        assert r.status == 200 and r.read().strip() == b"ok"
    # no script run behind it: only the app's HTML shell (or a 404), never "ok" or 503
    try:
        with urllib.request.urlopen(f"{server}/_stcore/script-health-check", timeout=10) as r:
            assert r.headers.get_content_type() == "text/html"
            assert b"<!doctype html>" in r.read().lower()  # the shell, not a check
    except urllib.error.HTTPError as err:
        assert err.code == 404


def test_every_page_draws_dated_and_undated_articles(server, store, tab):
    ids = _ids(store)
    vladivostok = f"place={quote(ids['vladivostok'])}"
    views = [("pages/map.py", ""), ("pages/map.py", vladivostok),
             ("pages/map.py", "place=test%3Amarkdown-town"),
             ("pages/articles.py", ""), ("pages/articles.py", f"article={ids['undated']}"),
             ("pages/articles.py", "article=mdnames00000001&passage=mdnames00000001-p0"),
             ("pages/places.py", ""), ("pages/places.py", vladivostok),
             ("pages/places.py", "place=test%3Amarkdown-town"), ("pages/actors.py", "")]
    for page_file, query in views:
        url = _open(tab, server, page_file, query)
        _assert_clean(tab, url, with_map=page_file == "pages/map.py")
        assert tab.locator("h1").count() >= 1, url
    assert tab.refused == [] and tab.external == []


HUGE = {"place": "p" * 20_000, "article": "a" * 20_000, "passage": "s" * 20_000}
# Each URL carries several hostile values at once (test_app.py tries each one alone).
HOSTILE = [
    "to=9999-12-31&actor=Nobody&" + "&".join(f"{k}={v}" for k, v in HUGE.items()),
    "from=0000-01-01&to=yesterday&q=" + "%25" * 4_000,
    "from=2023-09-20&to=2023-09-01&q=_&actor=" + "y" * 5_000,
    "from=0001-01-01&to=9999-12-31&datefield=passage&q=%00%C3%A9%E4%B8%AD%ED%A0%80%E2%80%AE"
    "&source=%00&country=%ZZ&kind=%E2%80%AE&broad=%00&from=2023-02-30",
    "place=gn%3A2013348&place=cc%3AKP&to=2023-09-12&to=2023-09-13&actor=No%00body&"
    + "&".join(f"actor=a{i}" for i in range(300)),
    "article=nope&passage=%3C%2Fscript%3E%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E"
    "&q=" + "x" * 5_000,
    "to=0001-01-01",
    "q=" + "%25" * 30_000,  # over the HTTP server's request limit: refused before the app
]


@pytest.mark.parametrize("page_file", list(PAGE_PATHS))
def test_hostile_urls_show_no_error_and_no_path(server, tab, page_file):
    for query in HOSTILE:
        url = _open(tab, server, page_file, query)
        if not url:  # refused before the app: still no traceback or path
            _assert_refusal_clean(tab, server + PAGE_PATHS[page_file] + f"?{query}")
            continue
        _assert_clean(tab, url[:120], with_map=page_file == "pages/map.py")
        assert tab.evaluate("() => window.__pwned === undefined")
    assert tab.refused == [] and tab.external == []


def test_markdown_in_articles_and_names_is_text_and_fetches_nothing(server, store, tab):
    from tests.data.dashboard.mixed_store import (
        BEACON_HOST, BEACON_MD, MARKDOWN_ACTOR, MARKDOWN_NAME, UNDATED_TITLE,
    )

    ids = _ids(store)
    _open(tab, server, "pages/places.py", f"place={quote(ids['vladivostok'])}")
    assert BEACON_MD in tab.locator("[data-testid='stMain']").inner_text()
    _open(tab, server, "pages/places.py", "place=test%3Amarkdown-town")
    tab.locator("h1", has_text=MARKDOWN_NAME).wait_for(timeout=15000)  # every character
    _open(tab, server, "pages/articles.py", f"article={ids['undated']}")
    main = tab.locator("[data-testid='stMain']").inner_text()
    assert UNDATED_TITLE.replace("**", "") in main and BEACON_MD in main
    assert "$1 + $2 is :smile: <b>not bold</b>" in main
    _open(tab, server, "pages/articles.py", "article=mdnames00000001")
    assert MARKDOWN_ACTOR in tab.locator("[data-testid='stMain']").inner_text()
    _open(tab, server, "pages/map.py", "place=test%3Amarkdown-town")
    tab.locator("h3", has_text=MARKDOWN_NAME).wait_for(timeout=15000)
    frame = map_frame(tab)
    marker = frame.locator(f'.na-marker[title="{MARKDOWN_NAME}"]')
    marker.wait_for(timeout=15000)
    marker.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert MARKDOWN_NAME in popup.inner_text()
    assert frame.locator("img[src*='beacon']").count() == 0
    _open(tab, server, "pages/actors.py")
    tab.wait_for_timeout(1000)
    assert tab.locator("img[src*='beacon']").count() == 0
    leaks = [u for u in tab.refused + tab.external if BEACON_HOST in u]
    assert leaks == []


def test_an_open_session_follows_new_articles(server, store, tab):
    """Last in the module: it adds an article to the store the server reads."""
    from geo.models import Article, GazetteerEntry
    from geo.store import Store
    from tests.data.dashboard.fixture_articles import _build

    _open(tab, server, "pages/map.py")
    frame = map_frame(tab)
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    assert "to=" not in tab.url and "from=" not in tab.url
    far = GazetteerEntry("test:farawayville", "Farawayville", -45.0, 170.0, "city", "NZ")
    newer = _build(Article("newer0000000004", "", "Later news", None, "Reuters", "2023-09-20"),
                   ["Talks resumed in Farawayville."],
                   [(0, "Farawayville", far, "place", "only", 0.9)], [])
    with Store.open(store) as writer:
        assert writer.save(newer)
    tab.locator("[data-testid='stSidebar']").get_by_text("Countries & demonyms").click()
    _settle(tab)  # the same session runs again, on the store with the new article
    assert "to=" not in tab.url, tab.url
    map_frame(tab).locator('.na-marker[title="Farawayville"]').wait_for(timeout=15000)
    tab.reload()  # the URL as the session left it, in a new session
    _settle(tab)
    assert "to=" not in tab.url, tab.url
    map_frame(tab).locator('.na-marker[title="Farawayville"]').wait_for(timeout=15000)
