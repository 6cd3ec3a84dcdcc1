"""Security: what a visitor of a read-only dashboard can do, whatever they send.

Issue 12, section 5, one line at a time:
- editing in read-only mode, through the UI, AppTest and direct calls: this module (every
  writing function; every editing callback called as a replayed click would; the editing
  forms' widget keys replayed; crafted URLs to the editing pages in real Chromium);
- wrong passwords refused, the try limit hit and lifted: this module, on the dashboard
  with the limiter's clock moved by hand (the limiter alone: tests/test_auth.py);
- hostile text in every page, popup, tooltip, export and the HTML map:
  tests/test_security_hostile.py;
- SQL metacharacters and 100 KB values, path traversal, fetches of private addresses:
  tests/test_security_input.py;
- no traceback or server path for visitors: tests/test_security_errors.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.errors import GeoError
from geo.store import Store

SEED = "seedlike0000001"


def _writes(store: Store, khasan: int, correction: int) -> dict:
    """Every way the library changes a store, as calls on ``store``."""
    from geo import corrections, corrections_actors, corrections_places, jobs
    from geo.sample import load_sample
    from geo.store.manage import write_note
    from geo.store.sample import remove_sample

    export = json.dumps({"target": "place", "action": "not_place", "scope": "everywhere",
                         "name": "Vladivostok"})
    return {
        "save": lambda: store.save(load_sample()),
        "replace": lambda: store.replace(load_sample()),
        "delete": lambda: store.delete_articles([SEED]),
        "remove the sample": lambda: remove_sample(store),
        "write a note": lambda: write_note(store, "k", "v"),
        "correct a place": lambda: corrections_places.correct_mention(
            store, khasan, "not_place"),
        "undo a correction": lambda: corrections.undo(store, correction),
        "import corrections": lambda: _raise_first(
            corrections.import_lines(store, [export], path="x.jsonl")),
        "merge actors": lambda: corrections_actors.merge_actors(
            store, ("Kim", "PERSON"), ("Kim Jong-un", "PERSON")),
        "rename an actor": lambda: corrections_actors.rename_actor(
            store, ("Kim Jong-un", "PERSON"), "Kim"),
        "not an actor": lambda: corrections_actors.mark_not_actor(
            store, ("Kim Jong-un", "PERSON")),
        "start a job": lambda: jobs.new_upload(store),
    }


def _raise_first(report) -> None:  # noqa: ANN001 (geo.corrections.ImportReport)
    """An import reports a refused line instead of raising: make it raise."""
    if report.errors:
        raise GeoError(report.errors[0])


@pytest.fixture()
def corrected_db(dashboard_db) -> tuple[str, int, int]:
    """The fixture store with one live place correction; (path, Khasan's mention id, the
    correction's id)."""
    from geo import corrections_places

    with Store.open(dashboard_db) as store:
        khasan = store.conn.execute("SELECT id FROM place_mentions WHERE article_id = ?"
                                    " AND text = 'Khasan'", (SEED,)).fetchone()[0]
        c = corrections_places.correct_mention(store, khasan, "not_place")
    return dashboard_db, khasan, c.id


def test_every_writing_function_refuses_a_read_only_store(corrected_db, tmp_path):
    db, khasan, correction = corrected_db
    before = Path(db).read_bytes()
    with Store.open(f"sqlite:///{db}?mode=ro") as store:
        assert store.read_only
        for what, write in _writes(store, khasan, correction).items():
            with pytest.raises(GeoError, match="read-only") as err:
                write()
            assert "Traceback" not in str(err.value), what
    assert Path(db).read_bytes() == before
    assert not (Path(db).parent / "uploads").exists()  # no job folder either


APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
# the editing forms' widget keys (dashboard_manage, dashboard_actors_edit, dashboard_fix,
# dashboard_add), with the values a visitor would send to delete, merge, rename, correct,
# undo, import and add; a button's key set to True is its click
REPLAYED = {
    "_confirm_delete": SEED, "m_delete": True, "m_delete_yes": True,
    "ae_merge_from_0": ("Kim", "PERSON"), "ae_merge_into_0": ("Kim Jong-un", "PERSON"),
    "ae_merge_go_0": True, "ae_rename_actor_0": ("Kim Jong-un", "PERSON"),
    "ae_rename_to_0": "Renamed", "ae_rename_go_0": True, "ae_not_actor_0":
    ("Sergei Shoigu", "PERSON"), "ae_not_actor_go_0": True,
    "fix_scope": "everywhere", "fix_not_place": True, "fix_point_name": "Nowhere",
    "fix_lat": 1.0, "fix_lon": 2.0, "fix_set_point": True, "undo_1": True,
    "corr_import_go": True, "add_text": "A storm hit Cork, Ireland.", "add_paste": True,
    "add_fetch_url": "https://example.org/", "add_fetch": True, "add_upload": True,
    "add_job": 1, "reanalyse": True,
}
EDITING_PAGES = ("pages/add.py", "pages/manage.py", "pages/fix.py")


@pytest.fixture()
def read_only(corrected_db, monkeypatch) -> tuple[str, int, int]:
    db, khasan, correction = corrected_db
    monkeypatch.setenv("NEWS_ATLAS_DB", db)
    monkeypatch.setenv("NEWS_ATLAS_READ_ONLY", "1")
    return corrected_db


def test_replayed_widget_keys_of_the_editing_forms_change_nothing(read_only):
    """AppTest: the editing forms' keys set in session state (as a replayed request would
    set them) and the editing pages' query parameters, on every page a visitor has."""
    from streamlit.testing.v1 import AppTest

    db, khasan, correction = read_only
    before = Path(db).read_bytes()
    for page in ("pages/map.py", "pages/articles.py", "pages/places.py", "pages/actors.py",
                 "pages/corrections.py"):
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in REPLAYED.items():
            at.session_state[key] = value
        for key, value in {"article": SEED, "mention": str(khasan), "place": "gn:2039232",
                           "undo": str(correction)}.items():
            at.query_params[key] = value
        at.run()
        if page != "pages/map.py":
            at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        drawn = {w.key for w in [*at.button, *at.text_input, *at.selectbox] if w.key}
        assert not drawn & set(REPLAYED), (page, drawn & set(REPLAYED))
        assert "read-only" in at.sidebar.info[0].value
        for editing in EDITING_PAGES:  # not in the navigation: no way to run them
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(editing)
    assert Path(db).read_bytes() == before


def test_every_editing_callback_is_refused_by_the_store(read_only):
    """The editing buttons' callbacks called directly in a read-only session (a click
    replayed past the UI): each is refused with a short "read-only" message."""
    from streamlit.testing.v1 import AppTest

    db, khasan, correction = read_only
    before = Path(db).read_bytes()

    def script() -> None:
        import streamlit as st

        import dashboard_actors_edit as ae
        import dashboard_add
        import dashboard_fix
        import dashboard_manage
        from geo import corrections_actors as ca

        ss, out = st.session_state, {}
        dashboard_manage._delete(ss["seed"], "t")
        out["delete"] = ss.pop(dashboard_manage.FLASH_KEY)[1]
        dashboard_fix._correct(ss["khasan"], "not_place", None)
        out["correct"] = ss.pop("fix_error")
        dashboard_fix._undo(ss["correction"])
        out["undo"] = ss.pop("fix_error")
        ss["ae_merge_from_0"], ss["ae_merge_into_0"] = ("Kim", "PERSON"), ("Kim Jong-un",
                                                                           "PERSON")
        ae._do("merge", ca.merge_actors, "merge_from", "merge_into")
        out["merge"] = ss.pop(ae.DONE_KEY)[1]
        try:
            dashboard_add._start(lambda folder: [])
        except Exception as err:  # noqa: BLE001 - (the page guard's, on a page)
            out["add"] = str(err)
        ss["out"] = out

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["seed"], at.session_state["khasan"] = SEED, khasan
    at.session_state["correction"] = correction
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    out = at.session_state["out"]
    assert set(out) == {"delete", "correct", "undo", "merge", "add"}
    for what, message in out.items():
        assert "read-only" in message and "Traceback" not in message, (what, message)
    assert Path(db).read_bytes() == before
    assert not (Path(db).parent / "uploads").exists()


def test_wrong_passwords_are_refused_and_the_limits_are_hit_and_lift(dashboard_db,
                                                                    monkeypatch):
    """The dashboard's sign-in form with the limiter's clock moved by hand: 5 wrong tries
    in a session, then even the right password waits until a minute has passed; 30
    failed tries across the server stop a new session too, for a minute."""
    from streamlit.testing.v1 import AppTest

    import dashboard_ui
    from geo.auth import TryLimiter, hash_password
    from tests.test_auth import Clock, _sign_in, _sign_in_page

    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    monkeypatch.setenv("NEWS_ATLAS_READ_ONLY", "1")
    monkeypatch.setenv("NEWS_ATLAS_EDITOR_PASSWORD_HASH", hash_password("s3cret"))
    clock = Clock()
    tries = TryLimiter(clock=clock)
    monkeypatch.setattr(dashboard_ui, "_TRIES", tries)
    before = Path(dashboard_db).read_bytes()

    def new_session() -> AppTest:
        return _sign_in_page(AppTest.from_file(APP, default_timeout=60).run())

    at = new_session()
    for _ in range(5):
        at = _sign_in(at, "Eve", "guess")
        assert [e.value for e in at.error] == ["Wrong password."]
    at = _sign_in(at, "Eve", "s3cret")
    assert at.error[0].value == "Too many tries: wait 60 s and try again."
    assert dashboard_ui.EDITOR_KEY not in at.session_state
    clock.now += 60.5  # the limit lifts
    hostile = 'Eve "><svg onload=alert(1)> **x**'  # the name shows, as text, in the sidebar
    at = _sign_in(at, hostile, "s3cret")
    assert not at.error and at.session_state[dashboard_ui.EDITOR_KEY] == hostile
    shown = "".join(str(h.value) for h in at.get("html"))
    assert "Signed in as Eve &quot;&gt;&lt;svg onload=alert(1)&gt; **x**" in shown
    assert "<svg" not in shown

    for i in range(30):  # other visitors, 3 failed tries each: the server's limit
        tries.failed(f"visitor-{i % 10}")
    other = _sign_in(new_session(), "Ana", "s3cret")
    assert other.error[0].value == "Too many tries: wait 60 s and try again."
    assert dashboard_ui.EDITOR_KEY not in other.session_state
    clock.now += 60.5
    other = _sign_in(other, "Ana", "s3cret")
    assert not other.error and other.session_state[dashboard_ui.EDITOR_KEY] == "Ana"
    assert Path(dashboard_db).read_bytes() == before


@pytest.mark.browser
def test_a_crafted_url_to_an_editing_page_changes_nothing(dashboard_db, browser, tmp_path,
                                                          monkeypatch):  # noqa: F811
    """Read-only mode in a real browser: /add, /manage, /fix and /corrections with
    crafted parameters show no editing control, and the store's bytes stay the same."""
    from tests.test_browser import _serve

    monkeypatch.setenv("NEWS_ATLAS_READ_ONLY", "1")
    with Store.open(dashboard_db) as store:
        khasan = store.conn.execute("SELECT id FROM place_mentions WHERE text = 'Khasan'"
                                    " LIMIT 1").fetchone()[0]
    before = Path(dashboard_db).read_bytes()
    server = _serve(dashboard_db)
    url = next(server)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        for path in ("/add", "/manage", f"/fix?mention={khasan}", "/corrections?undo=1",
                     f"/articles?article={SEED}"):
            page.goto(url + path)
            page.get_by_text("read-only", exact=False).first.wait_for(timeout=30000)
            page.wait_for_timeout(1500)  # the page settles
            body = page.locator("body").inner_text()
            for control in ("Add these files", "Re-analyse everything", "Not a place",
                            "Undo", "Delete"):
                assert page.get_by_role("button", name=control).count() == 0, (path, control)
            assert "Traceback" not in body and "/work/" not in body, path
            nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Add articles" not in nav and "Manage" not in nav, nav
    finally:
        context.close()
        next(server, None)
    assert Path(dashboard_db).read_bytes() == before


from tests.test_browser import browser  # noqa: E402,F401 - the fixture
