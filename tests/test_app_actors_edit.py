"""The Actors page's corrections (dashboard_actors_edit) in AppTest: merge, rename, not an
actor and split change the store; a read-only store shows none of it."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import Store
from tests.actor_articles import actor_counts

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
P = "PERSON"


def _editor() -> None:
    import dashboard_actors_edit

    dashboard_actors_edit.actor_editor()


@pytest.fixture()
def editor(dashboard_db, monkeypatch):
    """The editor alone (AppTest drives widgets across reruns only outside
    st.navigation; the Actors page itself is run below and in the browser test)."""
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    at = AppTest.from_function(_editor, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def k(at: AppTest, name: str) -> str:
    """The key of the editor's widget ``name`` (keys change after each correction)."""
    return f"ae_{name}_{at.session_state['ae_round'] if 'ae_round' in at.session_state else 0}"


def _counts(db: str) -> dict:
    with Store.open(db) as store:
        return actor_counts(store)


def _raw(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.html)


def _shown(at: AppTest) -> str:
    """The text of the page's ``st.html`` (escaped there)."""
    import html

    return html.unescape(_raw(at))


def test_the_actors_page_has_the_editor(dashboard_db, monkeypatch):
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/actors.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Merge", "Rename", "Not an actor", "Split"]
    assert at.selectbox(key=k(at, "merge_from")).options


def test_a_read_only_store_shows_no_editor(dashboard_db, monkeypatch):
    monkeypatch.setenv("NEWS_ATLAS_DB", f"sqlite:///{dashboard_db}?mode=ro")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/actors.py").run()
    assert not at.exception and at.dataframe  # the table is there
    assert not at.tabs and not at.button


def test_merge(editor, dashboard_db):
    assert editor.selectbox(key=k(editor, "merge_from")).value is None  # nothing chosen
    editor.button(key=k(editor, "merge_go")).click().run()
    assert "choose the actor first" in _shown(editor)
    editor.selectbox(key=k(editor, "merge_from")).set_value(("Sergei Shoigu", P)).run()
    editor.selectbox(key=k(editor, "merge_into")).set_value(("Vladimir Putin", P)).run()
    editor.button(key=k(editor, "merge_go")).click().run()
    assert not editor.exception
    assert 'Merged "Sergei Shoigu" (person) into "Vladimir Putin" (person)' in _shown(editor)
    counts = _counts(dashboard_db)
    assert counts[("Vladimir Putin", P)] == 3 and ("Sergei Shoigu", P) not in counts
    assert ("Sergei Shoigu", P) not in editor.selectbox(key=k(editor, "merge_from")).options


def test_rename(editor, dashboard_db):
    editor.selectbox(key=k(editor, "rename_actor")).set_value(("Lim Soo-suk", P))
    editor.text_input(key=k(editor, "rename_to")).input("Lim Soo Suk (KCNA)")
    editor.button(key=k(editor, "rename_go")).click().run()
    assert 'Renamed "Lim Soo-suk" (person) to "Lim Soo Suk (KCNA)"' in _shown(editor)
    assert _counts(dashboard_db)[("Lim Soo Suk (KCNA)", P)] == 1
    editor.selectbox(key=k(editor, "rename_actor")).set_value(("Kim Jong-un", P))
    editor.button(key=k(editor, "rename_go")).click().run()  # an empty name: refused, said why
    assert "Could not rename" in _shown(editor) and "empty" in _shown(editor)


def test_not_an_actor(editor, dashboard_db):
    from tests.data.dashboard.fixture_articles import HOSTILE_IMG

    editor.selectbox(key=k(editor, "not_actor")).set_value((HOSTILE_IMG, P))
    editor.button(key=k(editor, "not_actor_go")).click().run()
    assert not editor.exception
    assert "as not an actor" in _shown(editor)
    # the name is escaped, never HTML
    assert "&lt;img" in _raw(editor) and "<img" not in _raw(editor)
    assert (HOSTILE_IMG, P) not in _counts(dashboard_db)


def test_split(editor, dashboard_db):
    editor.selectbox(key=k(editor, "split_actor")).set_value(("Kim Jong-un", P)).run()
    table = editor.dataframe[0].value
    assert len(table) == 4 and any("[North Korea's leader]" in p for p in table["passage"])
    from geo.store.actors import mentions_of

    rows = editor.multiselect(key=k(editor, "split_rows_0"))  # the first actor's
    assert len(rows.options) == 4
    with Store.open(dashboard_db) as store:
        leader = [(m["article_id"], m["start"], m["end"])
                  for m in mentions_of(store.conn, "Kim Jong-un", P)
                  if m["text"] == "North Korea's leader"]
    rows.select(leader[0])
    editor.text_input(key=k(editor, "split_to")).input("Kim Jong-un's predecessor")
    editor.button(key=k(editor, "split_go")).click().run()
    assert not editor.exception
    assert "Moved the mention" in _shown(editor)
    counts = _counts(dashboard_db)
    assert counts[("Kim Jong-un", P)] == 3 and counts[("Kim Jong-un's predecessor", P)] == 1
