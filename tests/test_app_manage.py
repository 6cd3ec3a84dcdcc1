"""The dashboard's management controls (dashboard_manage.py) under AppTest: deleting an
article from the reader with a confirmation step, the download buttons, the Manage page
and its background re-analysis; none of the writing controls on a read-only store."""
from __future__ import annotations

import sqlite3
import time

import pytest

from tests.test_app import APP, _no_error, _text, app, open_page  # noqa: F401 (app: a fixture)

SEED = "seedlike0000001"


def stored(db: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM articles")}


def test_delete_asks_first_then_deletes_and_goes_back_to_the_list(app, dashboard_db):
    at = open_page(app, "pages/articles.py", article=SEED)
    _no_error(at)
    at.button(key="m_delete").click().run()
    _no_error(at)
    assert SEED in stored(dashboard_db)  # only asked so far
    assert "Delete “North Korea&#x27;s Kim Jong-un arrives in Russia”?" in _text(at)
    at.button(key="m_delete_yes").click().run()
    _no_error(at)
    assert stored(dashboard_db) == {"followup0000002", "hostile00000003"}
    text = _text(at)
    assert "Deleted “North Korea&#x27;s Kim Jong-un arrives in Russia”: 1 article," in text
    assert "4 places, 2 actors" in text
    assert "article" not in at.query_params
    assert len(at.dataframe[0].value) == 2  # the list, without it
    at.switch_page("pages/map.py").run()  # the places only it mentioned left the map
    _no_error(at)
    assert set(at.dataframe[0].value["name"]) == {
        "Khasan", "Vladivostok", "Vostochny Cosmodrome", "Seoul", "Pyongyang"}


def test_cancel_keeps_the_article(app, dashboard_db):
    at = open_page(app, "pages/articles.py", article=SEED)
    at.button(key="m_delete").click().run()
    at.button(key="m_delete_no").click().run()
    _no_error(at)
    assert SEED in stored(dashboard_db)
    assert [b.key for b in at.button] == ["m_delete"]


def test_a_hostile_title_in_the_confirmation_is_text(app):
    at = open_page(app, "pages/articles.py", article="hostile00000003")
    at.button(key="m_delete").click().run()
    _no_error(at)
    assert "&lt;script&gt;window.__pwned=1" in _text(at)
    assert "<script>window" not in _text(at)


def test_download_buttons_on_the_map_places_and_articles_pages(app):
    at = app().run()
    _no_error(at)
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert set(buttons) == {"Mentions (CSV)", "Mentions (GeoJSON)", "Places (GeoJSON)",
                            "Map (HTML)"}
    assert all(b.deferred_file_id for b in buttons.values())  # made only when pressed
    at.switch_page("pages/places.py").run()
    assert {b.proto.label for b in at.get("download_button")} == {"Places (GeoJSON)",
                                                                   "Mentions (CSV)"}
    at.switch_page("pages/articles.py").run()
    assert {b.proto.label for b in at.get("download_button")} == {"Articles (JSONL)"}


def test_a_read_only_store_has_no_delete_or_reanalyse(dashboard_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEWS_ATLAS_DB", f"sqlite:///{dashboard_db}?mode=ro")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["article"] = SEED
    at.switch_page("pages/articles.py").run()
    _no_error(at)
    assert "armoured train in" in _text(at) and not at.button
    assert any("read-only" in i.value for i in at.sidebar.info)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/manage.py")  # not in the navigation of a read-only store


@pytest.mark.gazetteer
@pytest.mark.model
def test_the_manage_page_reanalyses_in_the_background(app, dashboard_db, full_gazetteer):
    at = app().run()
    at.switch_page("pages/manage.py").run()
    _no_error(at)
    assert at.title[0].value == "Manage"
    assert "No re-analysis has run on this store yet." in _text(at)
    at.button(key="m_reanalyse").click().run()
    _no_error(at)
    deadline = time.time() + 300
    while time.time() < deadline:
        with sqlite3.connect(dashboard_db) as conn:
            row = conn.execute("SELECT value FROM notes WHERE key = 'reanalysis'").fetchone()
        if row and '"finished"' in row[0]:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the re-analysis did not finish")
    at.run()
    _no_error(at)
    assert any("The last re-analysis finished" in s.value and "3 of 3 articles" in s.value
               for s in at.success)
    assert at.button(key="m_reanalyse").disabled is False
    with sqlite3.connect(dashboard_db) as conn:  # the hand-made analysis was replaced
        rules = {r[0] for r in conn.execute("SELECT rule FROM place_mentions")}
    assert "near-context" not in rules


def test_an_article_deleted_meanwhile_is_said_so(app, dashboard_db):
    from geo.store import Store

    at = open_page(app, "pages/articles.py", article=SEED)
    at.button(key="m_delete").click().run()
    with Store.open(dashboard_db) as store:  # another visitor, or the command line
        store.delete_articles([SEED])
    at.button(key="m_delete_yes").click().run()
    _no_error(at)
    assert "“North Korea&#x27;s Kim Jong-un arrives in Russia” was already deleted." \
        in _text(at)
