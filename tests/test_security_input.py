"""Security: what a visitor types or sends is data, never a command (issue 12, section 5).

- SQL metacharacters, FTS5 syntax and 100 KB values in every filter, the search box and
  every query parameter of every page: the page draws without error, the store's bytes
  stay the same, and a value that was cut or ignored is named in a notice.
- Path traversal in whatever names a file: upload names, zip members, and URL paths to
  the files the server serves (its static folder, components, media). No query
  parameter or visitor-set value names a file: the store, the gazetteer and the export
  names are the operator's settings or fixed names (geo/export.py ``DOWNLOADS``).
- Fetch-by-URL on the Add page, aimed at 127.0.0.1 and 169.254.169.254 with private
  addresses disallowed: refused before any connection (every address kind:
  tests/test_fetch.py).
"""
from __future__ import annotations

import http.client
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import Store
from tests.test_app import _no_error, _text, open_with
from tests.test_app_add import app as add_app  # noqa: F401 - the Add page's fixture

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
META = ["' OR 1=1 --", '"', "'; DROP TABLE articles; --", "%", "_", "NEAR(", "*",
        '"unterminated', "a AND OR NOT b", "col:x", "\\", "^", "-x", "(", "'"]
ALL_META = " ".join(META)
HUGE = "x" * 100_000
# every query parameter a page reads (geo/urlstate.py): filters, selection, dates
PARAMS = ("q", "actor", "source", "country", "kind", "place", "article", "passage",
          "mention", "from", "to", "datefield", "broad")
PAGES = ["pages/map.py", "pages/articles.py", "pages/places.py", "pages/actors.py",
         "pages/corrections.py", "pages/fix.py", "pages/manage.py"]


@pytest.fixture()
def make(dashboard_db, monkeypatch):
    """A new AppTest of the dashboard on the fixture store (``open_with`` opens a page)."""
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    return lambda: AppTest.from_file(APP, default_timeout=60)


@pytest.mark.parametrize("page", PAGES)
def test_sql_metacharacters_and_100_kb_in_every_parameter_are_harmless(make, page,
                                                                       dashboard_db):
    before = Path(dashboard_db).read_bytes()
    for value in (ALL_META, '"unterminated', "NEAR("):
        at = open_with(make, page, {key: value for key in PARAMS})
        _no_error(at)
        text = _text(at)
        assert "Traceback" not in text and "sqlite" not in text.lower(), (page, value[:20])
    # 100 KB in each parameter (a few at a time: Streamlit drops a query string over 512 KB)
    for keys in (PARAMS[:4], PARAMS[4:8], PARAMS[8:]):
        at = open_with(make, page, {key: HUGE for key in keys})
        _no_error(at)
        text = _text(at)
        for key in keys:  # cut or ignored, and said so
            note = ("The search was cut to its first 200 characters." if key == "q" else
                    f"A “{key}” value longer than 300 characters was ignored.")
            assert note in text, (page, key)
    assert Path(dashboard_db).read_bytes() == before


def test_a_long_link_says_what_it_cut_or_left_out(make):
    at = open_with(make, "pages/map.py", {"q": "train " + "y" * 500, "from": "yesterday",
                                         "actor": [f"a{i}" for i in range(60)]})
    _no_error(at)
    text = _text(at)
    for note in ("The search was cut to its first 200 characters.",
                 "Only the first 50 “actor” values were kept.",
                 "The “from” date is not a date (YYYY-MM-DD) and was ignored."):
        assert note in text
    assert at.text_input(key="f_text").value == ("train " + "y" * 500)[:200]
    plain = open_with(make, "pages/map.py", {"q": "train"})
    assert "na-cut" not in _text(plain)  # an ordinary link: no notice


def test_url_notices_name_the_parameter_never_its_value():
    from geo.urlstate import url_notices

    hostile = "<script>alert(1)</script>" * 20  # 500 characters
    notes = url_notices({"place": hostile, "actor": [hostile, "Kim"], "q": hostile,
                         "to": "<b>", "source": [f"s{i}" for i in range(51)]})
    assert notes == ["The search was cut to its first 200 characters.",
                     "A “actor” value longer than 300 characters was ignored.",
                     "Only the first 50 “source” values were kept.",
                     "A “place” value longer than 300 characters was ignored.",
                     "The “to” date is not a date (YYYY-MM-DD) and was ignored."]
    assert url_notices({"place": "gn:1", "q": "train", "actor": ["a"] * 80}) == []


@pytest.mark.parametrize("value", [ALL_META, "NEAR(", '"unterminated', "*", HUGE],
                         ids=["all", "NEAR", "unterminated", "star", "100 KB"])
def test_the_search_box_takes_metacharacters_and_100_kb(dashboard_db, monkeypatch, value):
    """The sidebar's search box, its value sent as the browser would (a replayed widget
    key can carry more than the box's ``max_chars``)."""
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    before = Path(dashboard_db).read_bytes()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["_filters_seeded"] = True  # the URL was read: the box is the user's
    at.session_state["f_text"] = value
    at.run()
    _no_error(at)
    text = _text(at)
    assert "0 places" in text or "places," in text
    assert ("The search was cut to its first 200 characters." in text) == (value is HUGE)
    assert Path(dashboard_db).read_bytes() == before


def test_library_queries_take_metacharacters_as_data(dashboard_db):
    """The same values straight into geo.query, every filter field at once."""
    from geo import query
    from geo.query import Filters

    before = Path(dashboard_db).read_bytes()
    with Store.open(f"sqlite:///{dashboard_db}?mode=ro") as store:
        for v in [*META, HUGE]:
            f = Filters(text=v, actors=(v,), sources=(v,), countries=(v,), kinds=(v,))
            assert query.place_table(store, f).empty, v
            assert query.article_table(store, f).empty, v
            assert query.actor_table(store, f).empty, v
            assert query.timeline(store, f).empty, v
            assert query.place_details(store, v) is None
            assert query.article_view(store, v, place_href=str, actor_href=str) is None
        assert len(query.place_table(store, Filters())) == 9  # nothing was dropped
    assert Path(dashboard_db).read_bytes() == before


# -- path traversal -----------------------------------------------------------------------

TRAVERSALS = ["../../escape.txt", "/etc/escape.txt", "..\\..\\escape.txt",
              "C:\\Windows\\escape.txt", "....//escape.txt", "..", ".", "",
              "%2e%2e%2fescape.txt", "a/../../escape.txt", "escape\x00.txt/..",
              "\u2025/escape.txt"]


def test_upload_names_cannot_leave_the_jobs_folder(tmp_path):
    from geo.uploads import save_upload

    folder = tmp_path / "uploads" / "1"
    folder.mkdir(parents=True)
    taken: set[str] = set()
    saved = [save_upload(io.BytesIO(b"x"), name, folder, taken) for name in TRAVERSALS]
    assert all(p.parent == folder for p in saved), saved
    assert len(set(saved)) == len(TRAVERSALS)  # none overwrote another
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != folder]
    assert outside == []


def test_zip_members_are_read_without_writing_anything(tmp_path):
    """(Every refusal, with its message: tests/test_readers_zip.py.)"""
    from geo.readers import read_articles
    from tests.test_readers_zip import GOOD, make_zip

    inbox = tmp_path / "in"
    inbox.mkdir()
    batch = make_zip(inbox / "batch.zip", {name: GOOD for name in
                                           ["../escape.txt", "/tmp/escape.txt",
                                            "a/../../escape.txt", "ok.txt"]})
    listing = sorted(tmp_path.rglob("*"))
    result = read_articles([batch])
    assert [a.path for a in result.articles] == [f"{batch}:ok.txt"]
    assert len(result.errors) == 3
    assert sorted(tmp_path.rglob("*")) == listing and not Path("/tmp/escape.txt").exists()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.data.dashboard.fixture_articles import build_store
    from tests.test_browser import _serve

    yield from _serve(build_store(tmp_path_factory.mktemp("paths") / "atlas.sqlite"))


SECRET_FILES = {"dashboard.py": "The entry point and router", ".streamlit/config.toml":
                "enableXsrfProtection", "geo/settings.py": "NEWS_ATLAS_"}
SERVED_PREFIXES = ["/app/static/", "/app/static/vendor/", "/media/",
                   "/component/streamlit_folium.st_folium/", "/"]


@pytest.mark.browser
def test_server_file_paths_cannot_climb_out_of_their_folders(served):
    """Raw requests (no client tidying of ``..``) for the repository's files through
    every folder the server serves files from."""
    from urllib.parse import urlsplit

    host = urlsplit(served)
    climbs = ["../" * 3, "..%2f" * 3, "%2e%2e/" * 3, "%2e%2e%2f" * 3, "..%5c" * 3,
              "....//" * 3, "%252e%252e%252f" * 3]
    for prefix in SERVED_PREFIXES:
        for climb in climbs:
            for name, marker in SECRET_FILES.items():
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
                conn.request("GET", prefix + climb + name)
                response = conn.getresponse()
                body = response.read().decode("utf-8", "replace")
                conn.close()
                assert marker not in body, (prefix + climb + name, response.status)


# -- fetch by URL -----------------------------------------------------------------------

class _Counting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).hits.append(self.path)
        body = b"<html><title>Inside</title><body><p>Private page.</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


def test_fetch_by_url_refuses_this_machine_and_the_metadata_address(add_app, dashboard_db,
                                                                    monkeypatch):
    """The Add page (tests/test_app_add.py's ``app``) of a local workspace, fetching on and
    private addresses off; a real HTTP server on 127.0.0.1 counts what reaches it."""
    from geo.store.jobs import recent_jobs

    monkeypatch.setenv("NEWS_ATLAS_FETCH_ALLOWED", "1")
    monkeypatch.setenv("NEWS_ATLAS_FETCH_ALLOW_PRIVATE", "0")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counting.hits = []
    try:
        port = server.server_address[1]
        for url, address, kind in [
                (f"http://127.0.0.1:{port}/article.html", "127.0.0.1", "a loopback"),
                (f"http://localhost:{port}/", "127.0.0.1", "a loopback"),
                ("http://169.254.169.254/latest/meta-data/", "169.254.169.254",
                 "a link-local")]:
            at = add_app()
            at.text_input(key="add_fetch_url").input(url)
            at.button(key="add_fetch").click().run()
            _no_error_but_refusal(at)
            shown = _text(at)
            assert f"refused: {address} is {kind} address" in shown, shown
    finally:
        server.shutdown()
        server.server_close()
    assert _Counting.hits == []
    with Store.open(dashboard_db) as store:
        assert recent_jobs(store, kind="ingest", limit=5) == []  # no job was started


def _no_error_but_refusal(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["Could not fetch it."]
