"""Security: what a visitor of a read-only dashboard can do, whatever they send.

Every function that writes refuses a read-only store and leaves its bytes as they were;
in read-only mode, the editing pages are absent, and a crafted URL to them (``/add``,
``/manage``, ``/fix?mention=...``) in a real browser changes nothing and shows none of
their controls. (Elsewhere: hostile text in every page, popup and export,
tests/test_browser_hostile.py and tests/test_export_html.py; hostile URLs and values,
tests/test_app.py; wrong passwords and the try limit, tests/test_auth.py; fetches of
private addresses, tests/test_fetch.py; names in uploads and zips, tests/test_uploads.py
and tests/test_readers_zip.py.)
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
