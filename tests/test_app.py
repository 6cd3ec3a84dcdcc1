"""Each dashboard page runs without exceptions (streamlit.testing AppTest, no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import Store
from geo.store.sample import sample_count

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


BACKENDS = ("sqlite", "postgresql")  # dashboard_db (tests/conftest.py)


@pytest.fixture()
def app(dashboard_db, monkeypatch):
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)

    def make(**params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        return at
    return make


def open_page(app, page: str, **params: str) -> AppTest:
    """Run ``page`` with ``params`` in its URL, as a link to it would.

    (AppTest runs the default page first; then the URL is set again and the page run.)
    """
    at = app().run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    return at


def _markdown(at: AppTest) -> str:
    """What the page drew through Streamlit's Markdown (which interprets it)."""
    return "\n".join(str(m.value) for m in [*at.markdown, *at.title, *at.header,
                                            *at.subheader, *at.caption])


def _text(at: AppTest) -> str:
    """Everything the page drew as text: Markdown and ``st.html`` bodies."""
    return "\n".join([_markdown(at), *(h.proto.body for h in at.html)])


def _no_error(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_map_page(app):
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Map"
    assert "9 places, 16 mentions" in _text(at)
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 9


def test_map_page_with_actor_and_place_from_the_url(app):
    at = app(actor="Sergei Shoigu", place="cc:KP").run()
    assert not at.exception
    assert at.multiselect(key="f_actors").value == ["Sergei Shoigu"]
    assert "2 places" in _text(at)
    assert at.query_params["place"] in ("cc:KP", ["cc:KP"])


def test_filters_from_the_url_update_the_table(app):
    # (AppTest cannot drive widgets across reruns under st.navigation; the browser test
    # changes a filter in the sidebar.)
    at = app(actor="Sergei Shoigu").run()
    assert not at.exception
    assert set(at.dataframe[0].value["name"]) == {"North Korea", "Russia"}
    narrow = app(actor="Sergei Shoigu", broad="0").run()
    assert narrow.checkbox(key="f_broad").value is False
    assert not narrow.dataframe  # an empty table says why instead
    assert any("No mentions under these filters" in i.value for i in narrow.info)
    dated = app(**{"from": "2023-09-14", "q": "train"}).run()
    assert not dated.exception
    assert set(dated.dataframe[0].value["name"]) == {"Khasan"}


def test_articles_page_lists_and_reads(app):
    at = app().run()
    at.switch_page("pages/articles.py").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 3
    reader = open_page(app, "pages/articles.py", article="seedlike0000001",
                       passage="seedlike0000001-p0")
    assert not reader.exception
    html = _text(reader)
    assert "na-passage na-current" in html and "armoured train in" in html


def test_reader_escapes_a_hostile_article(app):
    at = open_page(app, "pages/articles.py", article="hostile00000003")
    assert not at.exception
    html = _text(at)
    assert "&lt;script&gt;window.__pwned=1" in html
    assert "<script>window" not in html and "<img src=x" not in html
    assert 'href="javascript' not in html


def test_places_and_actors_pages(app):
    at = app().run()
    at.switch_page("pages/places.py").run()
    assert not at.exception and len(at.dataframe[0].value) == 9
    one = open_page(app, "pages/places.py", place="gn:2039232")
    assert not one.exception
    assert '<h1 class="na-heading">Khasan</h1>' in _text(one)
    assert "armoured train in <mark>Khasan</mark>" in _text(one)
    at.switch_page("pages/actors.py").run()
    assert not at.exception
    assert "Kim Jong-un" in set(at.dataframe[0].value["name"])


@pytest.fixture()
def default_store(tmp_path, monkeypatch) -> Path:
    """The dashboard's default store (no ``NEWS_ATLAS_DB``), at a new path under tmp."""
    import geo.store
    from geo.sample import SAMPLE_ANALYSIS

    if not SAMPLE_ANALYSIS.exists():
        pytest.skip("the built-in sample's analysis is not shipped yet")
    monkeypatch.delenv("NEWS_ATLAS_DB", raising=False)
    path = tmp_path / "data" / "news_atlas.sqlite"
    path.parent.mkdir()
    monkeypatch.setattr(geo.store, "DEFAULT_DB", path)
    return path


def test_the_empty_default_store_gets_the_sample_with_a_notice(default_store):
    import dashboard_ui

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    shown = set(at.dataframe[0].value["name"])
    assert {"Khasan", "Vladivostok", "Razdolnaya River", "Moscow", "Pyongyang",
            "Seoul"} <= shown
    notice = dashboard_ui.SAMPLE_NOTICE.format(named="")
    assert [i.value for i in at.sidebar.info] == [notice]
    assert "Showing the built-in sample" in notice
    assert "remove the sample with `python -m geo sample --remove`." in notice
    with Store.open(str(default_store)) as store:
        assert sample_count(store) == store.article_count() == 1


def test_a_named_empty_store_gets_no_sample_but_says_how_to_add_articles(tmp_path,
                                                                        monkeypatch):
    import dashboard_ui

    path = tmp_path / "mine.sqlite"
    monkeypatch.setenv("NEWS_ATLAS_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    assert [i.value for i in at.info] == [dashboard_ui.EMPTY_NOTICE]
    assert "python -m geo ingest" in at.info[0].value
    assert "python -m geo sample --load" in at.info[0].value
    assert not at.sidebar.info
    assert "0 places" in _text(at)
    with Store.open(str(path)) as store:
        assert store.article_count() == 0


def test_the_sample_is_not_loaded_back_once_removed(default_store):
    """A new server on the default store the user emptied shows the empty state."""
    import dashboard_ui
    from geo.store.sample import remove_sample

    AppTest.from_file(APP, default_timeout=60).run()
    with Store.open(str(default_store)) as store:
        assert remove_sample(store).articles == 1
    dashboard_ui.get_store.clear()  # as a restarted server would
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [i.value for i in at.info] == [dashboard_ui.EMPTY_NOTICE]
    with Store.open(str(default_store)) as store:
        assert store.article_count() == 0


def test_the_sample_among_the_users_articles_is_named_and_removable(dashboard_db,
                                                                    monkeypatch):
    import dashboard_ui
    from geo.sample import add_sample
    from geo.store.sample import remove_sample

    with Store.open(dashboard_db) as store:
        before = store.article_count()
        assert add_sample(store)
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    notice = dashboard_ui.SAMPLE_AMONG_NOTICE.format(named=dashboard_ui.NAMED_STORE_HINT)
    assert notice in [c.value for c in at.sidebar.caption]
    with Store.open(dashboard_db) as store:
        remove_sample(store)
        assert store.article_count() == before
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "9 places, 16 mentions" in _text(at)
    assert "built-in sample" not in "\n".join(c.value for c in at.sidebar.caption)


def test_map_table_lists_the_most_mentioned_places_and_links_to_all(tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(Path(APP).parent / "benchmarks"))
    from make_synthetic_store import build

    db = tmp_path / "many.sqlite"
    build(db, articles=400, mentions=4000, places=900, seed=5)
    monkeypatch.setenv("NEWS_ATLAS_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    shown = at.dataframe[0].value
    total = int(_text(at).split(" places,")[0].split()[-1])
    assert total > 500 and len(shown) == 500
    assert list(shown["mentions"]) == sorted(shown["mentions"], reverse=True)
    assert f"The 500 most mentioned of {total} places" in _text(at)
    at.switch_page("pages/places.py").run()
    assert len(at.dataframe[0].value) == total


# -- store faults and read-only stores ---------------------------------------------------

def _store_fault(name: str):
    """The same faulty stores the CLI tests use (tests/test_cli_store.py)."""
    import tests.test_cli_store as cli_faults

    return getattr(cli_faults, name)


DASHBOARD_STORE_FAULTS = {
    "damaged": (_store_fault("_overwritten"), "s.sqlite: it is damaged"),
    "not SQLite": (_store_fault("_text_file"), "notes.sqlite: it is not a News Atlas store"),
    "a folder": (_store_fault("_folder"), "is a folder, not a file"),
    "under /dev/null": (lambda tmp_path: "/dev/null/x.sqlite", "cannot create the store"),
    "unsupported URL": (lambda tmp_path: "mysql://host/db", "unsupported store URL"),
}


@pytest.mark.parametrize("fault", list(DASHBOARD_STORE_FAULTS))
def test_a_store_fault_shows_what_to_do_not_a_traceback(fault, tmp_path, monkeypatch):
    make, message = DASHBOARD_STORE_FAULTS[fault]
    monkeypatch.setenv("NEWS_ATLAS_DB", make(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert str(tmp_path) not in at.error[0].value  # no server folders for visitors


@pytest.mark.backends("sqlite")  # (reads the file)
def test_a_read_only_store_is_served_with_a_notice(dashboard_db, monkeypatch):
    import dashboard_ui

    before = Path(dashboard_db).read_bytes()
    monkeypatch.setenv("NEWS_ATLAS_DB", f"sqlite:///{dashboard_db}?mode=ro")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    assert "9 places, 16 mentions" in _text(at)
    assert [i.value for i in at.sidebar.info] == [dashboard_ui.READ_ONLY_NOTICE]
    assert Path(dashboard_db).read_bytes() == before


@pytest.mark.backends("sqlite")  # (reads the file)
def test_the_read_only_setting_serves_a_writable_store_read_only(dashboard_db, monkeypatch):
    import dashboard_ui

    before = Path(dashboard_db).read_bytes()
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)  # a plain path to a writable file
    monkeypatch.setenv("NEWS_ATLAS_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    assert "9 places, 16 mentions" in _text(at)
    assert [i.value for i in at.sidebar.info] == [dashboard_ui.READ_ONLY_NOTICE]
    assert Path(dashboard_db).read_bytes() == before


def test_settings_come_from_streamlit_secrets_and_a_bad_one_is_named(dashboard_db,
                                                                     monkeypatch):
    monkeypatch.delenv("NEWS_ATLAS_DB", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["news_atlas"] = {"db_url": dashboard_db, "read_only": True}
    at.run()
    assert not at.exception and not at.error
    assert "9 places, 16 mentions" in _text(at)  # the store the secrets name
    assert len(at.sidebar.info) == 1 and "read-only" in at.sidebar.info[0].value
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["news_atlas"] = {"db_url": dashboard_db, "upload_limit_mb": "lots"}
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "setting secrets [news_atlas] upload_limit_mb: 'lots' is not a whole number"]


@pytest.mark.backends("sqlite")  # (SQLite's progress handler stops even tiny queries)
def test_a_query_past_the_time_limit_asks_to_narrow_the_view(dashboard_db, monkeypatch):
    import dashboard_ui

    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    import geo.store.connect

    monkeypatch.setenv("NEWS_ATLAS_QUERY_TIME_LIMIT", "0.000001")  # every query stops:
    monkeypatch.setattr(geo.store.connect, "PROGRESS_STEPS", 1)  # the small ones too
    for page in ("pages/map.py", "pages/places.py", "pages/actors.py", "pages/articles.py"):
        at = AppTest.from_file(APP, default_timeout=60).run()
        if page != "pages/map.py":
            at = at.switch_page(page).run()
        assert not at.exception and not at.error, page
        assert [w.value for w in at.warning] == [dashboard_ui.TOO_SLOW_NOTICE], page
    monkeypatch.setenv("NEWS_ATLAS_QUERY_TIME_LIMIT", "30")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.warning and "9 places, 16 mentions" in _text(at)


def test_a_view_is_computed_once_for_all_visitors_of_a_store_revision(dashboard_db,
                                                                     monkeypatch):
    """A second visitor's map is served from the first one's work (no place query runs);
    once the store changes, the next visitor gets it computed afresh."""
    import geo.query

    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    calls: list = []
    real = geo.query.place_table

    def counted(store, f, **options):  # the real query, counted
        calls.append(f)
        return real(store, f, **options)

    monkeypatch.setattr(geo.query, "place_table", counted)
    first = AppTest.from_file(APP, default_timeout=60).run()
    _no_error(first)
    assert calls and "9 places, 16 mentions" in _text(first)
    made = len(calls)
    second = AppTest.from_file(APP, default_timeout=60).run()  # another session
    _no_error(second)
    assert len(calls) == made and "9 places, 16 mentions" in _text(second)
    with Store.open(dashboard_db) as store:
        store.delete_articles(["hostile00000003"])
    third = AppTest.from_file(APP, default_timeout=60).run()
    _no_error(third)
    assert len(calls) > made and "9 places, 16 mentions" not in _text(third)


def test_tables_stop_at_the_row_cap_and_say_so(dashboard_db, monkeypatch):
    """Articles, actors, places and a place's passages list at most the row cap, with a
    notice; under the cap there is no notice."""
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    notice = "Only the first 2 "
    monkeypatch.setenv("NEWS_ATLAS_ROW_CAP", "2")
    for page, params, what in [("pages/articles.py", {}, "articles"),
                               ("pages/actors.py", {}, "actors"),
                               ("pages/places.py", {}, "places"),
                               ("pages/places.py", {"place": "gn:2013348"}, "passages")]:
        at = AppTest.from_file(APP, default_timeout=60).run()
        for key, value in params.items():
            at.query_params[key] = value
        at = at.switch_page(page).run()
        _no_error(at)
        told = [i.value for i in at.info if i.value.startswith(notice)]
        assert len(told) == 1 and what in told[0] and "Narrow" in told[0], (page, params)
        if what == "passages":
            assert _text(at).count('class="na-snippet"') == 2
        else:
            assert len(at.dataframe[0].value) == 2, page
    monkeypatch.setenv("NEWS_ATLAS_ROW_CAP", "1000")
    for page in ("pages/articles.py", "pages/actors.py", "pages/places.py"):
        at = AppTest.from_file(APP, default_timeout=60).run().switch_page(page).run()
        _no_error(at)
        assert not [i for i in at.info if "Only the first" in i.value], page
        assert len(at.dataframe[0].value) > 2, page


def test_an_empty_read_only_store_gets_no_sample(tmp_path, monkeypatch):
    from geo.store import Store

    path = tmp_path / "empty.sqlite"
    Store.open(str(path)).close()
    monkeypatch.setenv("NEWS_ATLAS_DB", f"sqlite:///{path}?mode=ro")
    before = path.read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    assert len(at.sidebar.info) == 1 and "read-only" in at.sidebar.info[0].value
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "mode=ro" in p.name) == []
    with Store.open(str(path)) as store:
        assert store.article_count() == 0


def test_an_unwritable_store_file_is_served(dashboard_db, monkeypatch):
    """``chattr +i``: a file even root cannot write ("attempt to write a readonly
    database" before)."""
    import shutil
    import subprocess

    import dashboard_ui

    if not shutil.which("chattr") or subprocess.run(
            ["chattr", "+i", dashboard_db], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        before = Path(dashboard_db).read_bytes()
        monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception and not at.error
        assert "9 places, 16 mentions" in _text(at)
        assert [i.value for i in at.sidebar.info] == [dashboard_ui.READ_ONLY_NOTICE]
        assert Path(dashboard_db).read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", dashboard_db], check=True)


# -- issue 9: ordinary data, hostile URLs, Markdown in the data, stale URLs ------------

PAGES = ["pages/map.py", "pages/articles.py", "pages/places.py", "pages/actors.py"]
LONG_ID = "x" * 100_000
HOSTILE_URLS = [
    {"to": "9999-12-31"}, {"from": "0000-01-01"}, {"from": "0001-01-01"},
    {"from": "2023-09-20", "to": "2023-09-01"}, {"to": "not-a-date"}, {"from": "2023-13-45"},
    {"q": "%" * 30_000}, {"q": "_"}, {"q": "x" * 50_000}, {"q": "\x00é中文 \u202e"},
    {"place": LONG_ID}, {"article": LONG_ID}, {"passage": LONG_ID},
    {"article": "nope", "passage": "</script><script>window.__pwned=1</script>"},
    {"actor": ["Nobody", "Nobody", "No\x00body"] * 400}, {"actor": "y" * 20_000},
    {"place": ["gn:2039232", "cc:KP"], "to": ["2023-09-12", "2023-09-13"]},
    {"to": "0001-01-01"}, {"datefield": "passage", "to": "9999-12-31", "from": "0001-01-01"},
]


def open_with(app, page: str, params: dict) -> AppTest:
    """``page`` opened from a URL carrying ``params`` (on the first run, so the filters
    are seeded from it, and again when the page runs)."""
    at = app()
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", HOSTILE_URLS, ids=lambda p: str(p)[:40])
def test_hostile_urls_draw_every_page_without_error(app, page, params):
    _no_error(open_with(app, page, params))


def test_a_visitors_percent_and_underscore_are_searched_literally(app):
    at = app(q="%").run()
    _no_error(at)
    assert not at.dataframe  # no passage holds a "%": "%" is not a wildcard
    assert "0 places" in _text(at)


def test_the_url_keeps_the_dates_the_user_chose_in_order(app):
    at = app(**{"from": "2023-09-14", "to": "2023-09-12"}).run()
    _no_error(at)
    assert at.query_params["from"] in ("2023-09-12", ["2023-09-12"])
    assert at.query_params["to"] in ("2023-09-14", ["2023-09-14"])


def test_the_page_guard_logs_the_error_and_shows_a_short_message(caplog):
    def script():
        import dashboard_ui as ui

        with ui.page_guard("boom"):
            raise OverflowError("date value out of range in /srv/secret/path.py")

    at = AppTest.from_function(script, default_timeout=30)
    with caplog.at_level("ERROR"):
        at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [__import__("dashboard_ui").PAGE_ERROR]
    assert "/srv/secret" not in at.error[0].value and "Overflow" not in at.error[0].value
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and "OverflowError" in caplog.text and "boom" in caplog.text


@pytest.mark.gazetteer
@pytest.mark.model
@pytest.mark.parametrize("page", PAGES)
def test_every_page_draws_dated_and_undated_articles(mixed_db, monkeypatch, page):
    from tests.data.dashboard.mixed_store import article_id, place_id

    monkeypatch.setenv("NEWS_ATLAS_DB", mixed_db)
    selections = {
        "pages/map.py": [{}, {"place": place_id(mixed_db, "Vladivostok")},
                         {"place": "test:markdown-town"}],
        "pages/places.py": [{}, {"place": place_id(mixed_db, "Vladivostok")},
                            {"place": "test:markdown-town"}],
        "pages/articles.py": [{}, {"article": article_id(mixed_db, dated=False)},
                              {"article": "mdnames00000001"}],
        "pages/actors.py": [{}, {"q": "Vladivostok"}],
    }[page]
    make = lambda: AppTest.from_file(APP, default_timeout=60)  # noqa: E731
    for params in selections:
        at = open_with(make, page, params)
        _no_error(at)
        assert _text(at)


@pytest.mark.gazetteer
@pytest.mark.model
def test_article_text_and_names_are_never_markdown(mixed_db, monkeypatch):
    from tests.data.dashboard.mixed_store import BEACON_HOST, BEACON_MD, MARKDOWN_NAME, place_id

    monkeypatch.setenv("NEWS_ATLAS_DB", mixed_db)
    make = lambda: AppTest.from_file(APP, default_timeout=60)  # noqa: E731
    vladivostok = open_with(make, "pages/places.py",
                            {"place": place_id(mixed_db, "Vladivostok")})
    _no_error(vladivostok)
    assert BEACON_MD in _text(vladivostok)  # shown, as text, in the passage list
    named = open_with(make, "pages/places.py", {"place": "test:markdown-town"})
    on_map = open_with(make, "pages/map.py", {"place": "test:markdown-town"})
    reader = open_with(make, "pages/articles.py", {"article": "mdnames00000001"})
    for at in (vladivostok, named, on_map, reader):
        _no_error(at)
        assert BEACON_HOST not in _markdown(at) and ":red[" not in _markdown(at)
    assert f">{MARKDOWN_NAME}</h1>" in _text(named)
    assert f">{MARKDOWN_NAME}</h3>" in _text(on_map)
