"""Each dashboard page runs without exceptions (streamlit.testing AppTest, no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import Store
from geo.store.sample import sample_count

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


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


def _text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in [*at.markdown, *at.title, *at.subheader, *at.caption])


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
    assert narrow.dataframe[0].value.empty
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
    assert one.title[0].value == "Khasan"
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

def _damaged_store(tmp_path: Path) -> str:
    from tests.test_store import filled_store, overwrite_middle

    path = filled_store(tmp_path / "s.sqlite")
    overwrite_middle(path)
    return path


def _not_sqlite(tmp_path: Path) -> str:
    (tmp_path / "notes.sqlite").write_text("not a database\n" * 50)
    return str(tmp_path / "notes.sqlite")


def _a_folder(tmp_path: Path) -> str:
    (tmp_path / "stores").mkdir()
    return str(tmp_path / "stores")


DASHBOARD_STORE_FAULTS = {
    "damaged": (_damaged_store, "s.sqlite: it is damaged"),
    "not SQLite": (_not_sqlite, "notes.sqlite: it is not a News Atlas store"),
    "a folder": (_a_folder, "is a folder, not a file"),
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


def test_a_read_only_store_is_served_with_a_notice(dashboard_db, monkeypatch):
    import dashboard_ui

    before = Path(dashboard_db).read_bytes()
    monkeypatch.setenv("NEWS_ATLAS_DB", f"sqlite:///{dashboard_db}?mode=ro")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    assert "9 places, 16 mentions" in _text(at)
    assert [i.value for i in at.sidebar.info] == [dashboard_ui.READ_ONLY_NOTICE]
    assert Path(dashboard_db).read_bytes() == before


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
