"""The "Correct a place" and "Corrections" pages (streamlit.testing AppTest, no browser),
on the dashboard's fixture store."""
from __future__ import annotations

import pytest

from geo import corrections as C
from geo.store import Store
from tests.test_app import _no_error, _text, app, open_page  # noqa: F401 - the fixture


def _khasan(db: str) -> int:
    with Store.open(db) as store:
        return store.conn.execute("SELECT id FROM place_mentions WHERE article_id ="
                                  " 'seedlike0000001' AND text = 'Khasan'").fetchone()[0]


def _place_of(db: str, mention_id: int) -> str | None:
    with Store.open(db) as store:
        return store.conn.execute("SELECT place_id FROM place_mentions WHERE id = ?",
                                  (mention_id,)).fetchone()[0]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture()
def fix(app, dashboard_db):  # noqa: F811 - the fixture imported above
    """Open the fix page for the seed article's Khasan, as a popup's link does."""
    mid = _khasan(dashboard_db)

    def open_fix(**filters: str):
        at = app(**filters).run()  # a link's filters are read on the session's first run
        at.query_params["mention"] = str(mid)
        at.switch_page("pages/fix.py").run()
        return at
    return mid, open_fix


def test_the_fix_page_shows_the_mention_and_what_the_map_shows(fix):
    mid, open_fix = fix
    at = open_fix(actor="Sergei Shoigu")
    _no_error(at)
    html = _text(at)
    assert "armoured train in <mark>Khasan</mark>" in html
    assert "The map shows “Khasan” at <b>Khasan (city, Russia)</b>" in html
    assert at.radio(key="fix_scope").value == C.Scope.MENTION
    # the link keeps the filters and names the mention
    assert at.query_params["mention"] in (str(mid), [str(mid)])
    assert at.query_params["actor"] in ("Sergei Shoigu", ["Sergei Shoigu"])


def test_setting_a_point_for_the_whole_article_moves_the_mention(fix, dashboard_db):
    mid, open_fix = fix
    at = open_fix()
    at.radio(key="fix_scope").set_value(C.Scope.ARTICLE)
    at.text_input(key="fix_point_name").set_value("Khasan station")
    at.number_input(key="fix_lat").set_value(42.4208)
    at.number_input(key="fix_lon").set_value(130.6455)
    at.run()
    _button(at, "Set this point").click().run()
    _no_error(at)
    assert _place_of(dashboard_db, mid) == "user:1"
    assert "Recorded correction #1" in _text(at)
    assert "The map shows “Khasan” at <b>Khasan station (city)</b>" in _text(at)
    with Store.open(dashboard_db) as store:
        (c,) = C.corrections(store)
    assert c.scope == C.Scope.ARTICLE and c.new_value["place"]["lat"] == 42.4208


def test_not_a_place_then_undo_on_the_corrections_page(fix, app, dashboard_db):  # noqa: F811
    mid, open_fix = fix
    at = open_fix()
    _button(at, "Not a place").click().run()
    _no_error(at)
    assert _place_of(dashboard_db, mid) is None
    assert "is marked <b>not a place</b>" in _text(at)
    page = open_page(app, "pages/corrections.py")
    _no_error(page)
    assert "“Khasan” is not a place, was Khasan (city, Russia) (this mention)" in _text(page)
    _button(page, "Undo").click().run()
    _no_error(page)
    assert _place_of(dashboard_db, mid) == "gn:2039232"
    assert "Undid correction #1" in _text(page)
    assert not [b for b in page.button if b.label == "Undo"]  # nothing left to undo


def test_the_gazetteer_search_offers_entries_to_choose(fix, dashboard_db, tiny_gazetteer,
                                                       monkeypatch):
    monkeypatch.setenv("NEWS_ATLAS_GAZETTEER", str(tiny_gazetteer.path))
    mid, open_fix = fix
    at = open_fix()
    at.text_input(key="fix_q").set_value("Hassan").run()
    _no_error(at)
    assert "gn:1270239" in _text(at) and "A city in India" in _text(at)
    at.selectbox(key="fix_q_cc").set_value("RU").run()
    assert "gn:1270239" not in _text(at)
    at.selectbox(key="fix_q_cc").set_value("IN").run()
    next(b for b in at.button if b.key == "fix_found_0").click().run()
    _no_error(at)
    assert _place_of(dashboard_db, mid) == "gn:1270239"


def test_a_read_only_store_shows_no_writing_control(dashboard_db, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP

    mid = _khasan(dashboard_db)
    monkeypatch.setenv("NEWS_ATLAS_DB", f"sqlite:///{dashboard_db}?mode=ro")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["mention"] = str(mid)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/fix.py")  # not in a read-only store's navigation
    at.switch_page("pages/corrections.py").run()
    _no_error(at)
    assert not [b for b in at.button if b.label == "Undo"]
    assert Path(dashboard_db).exists()


def test_a_places_page_links_each_mention_to_correcting_it(app, dashboard_db):  # noqa: F811
    mid = _khasan(dashboard_db)
    at = open_page(app, "pages/places.py", place="gn:2039232")
    _no_error(at)
    html = _text(at)
    assert html.count('class="na-fix-link"') == 2  # both articles' Khasan
    assert f'href="/fix?mention={mid}"' in html
