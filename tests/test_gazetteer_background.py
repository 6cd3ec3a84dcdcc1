"""A dashboard started on a fresh host (Streamlit Community Cloud: a checkout, no
gazetteer) builds the gazetteer in the background, once, when someone may edit."""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.gazetteer import Gazetteer
from geo.gazetteer.background import lock_path, log_path, needs_gazetteer, start_build
from geo.settings import load
from tests.test_app import _text, app  # noqa: F401 - the fixture
from tests.test_app_fix import fix  # noqa: F401 - the fixture

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def _wait_for(path: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not path.is_file():
        assert time.monotonic() < deadline, f"{path} was not built in {timeout:.0f} s"
        time.sleep(1)


def test_needs_gazetteer_only_where_someone_may_edit():
    assert needs_gazetteer(load({}))  # a local workspace
    assert not needs_gazetteer(load({"NEWS_ATLAS_READ_ONLY": "1"}))
    assert needs_gazetteer(load({"NEWS_ATLAS_READ_ONLY": "1",
                                 "NEWS_ATLAS_EDITOR_PASSWORD_HASH": "$argon2id$x"}))


def test_start_build_on_an_existing_index_does_nothing(tmp_path, tiny_gazetteer):
    assert start_build(tiny_gazetteer.path) is None
    assert not lock_path(tiny_gazetteer.path).exists()


def test_start_build_in_an_unwritable_folder_is_logged_not_raised(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert start_build(blocker / "gazetteer.sqlite") is None
    assert "cannot build the gazetteer" in caplog.text


def test_a_read_only_dashboard_without_editors_builds_nothing(tmp_path, dashboard_db,
                                                               monkeypatch):
    target = tmp_path / "gaz" / "gazetteer.sqlite"
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    monkeypatch.setenv("NEWS_ATLAS_GAZETTEER", str(target))
    monkeypatch.setenv("NEWS_ATLAS_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not target.parent.exists()


@pytest.mark.gazetteer
def test_first_start_builds_the_missing_gazetteer_in_the_background(tmp_path, dashboard_db,
                                                                    monkeypatch):
    target = tmp_path / "gaz" / "gazetteer.sqlite"
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    monkeypatch.setenv("NEWS_ATLAS_GAZETTEER", str(target))
    monkeypatch.delenv("NEWS_ATLAS_READ_ONLY", raising=False)  # a local workspace
    started = time.monotonic()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert time.monotonic() - started < 30, "the first page waited for the build"
    assert log_path(target).is_file(), "no build was started"
    # the builder holds the lock: no second build, from this server or another
    assert start_build(target) is None
    AppTest.from_file(APP, default_timeout=60).run()
    _wait_for(target)
    with Gazetteer.open(target) as gaz:
        assert gaz.lookup("Vladivostok")[0].country_code == "RU"
    assert "cannot" not in log_path(target).read_text(errors="replace")


def test_the_fix_page_search_appears_once_the_gazetteer_is_built(fix, tmp_path,  # noqa: F811
                                                                 tiny_gazetteer, monkeypatch):
    st.cache_resource.clear()  # no gazetteer opened by an earlier test
    target = tmp_path / "gazetteer.sqlite"
    monkeypatch.setenv("NEWS_ATLAS_GAZETTEER", str(target))
    lock = os.open(lock_path(target), os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)  # a build is running
    try:
        _mid, open_fix = fix
        at = open_fix()
        assert "not available on this server" in _text(at)
        shutil.copy(tiny_gazetteer.path, target)  # ... and has finished
        at.run()
        at.text_input(key="fix_q").set_value("Hassan").run()
        assert not at.exception
        assert "gn:1270239" in _text(at)
    finally:
        os.close(lock)


def test_ensure_gazetteer_waits_for_a_build_running_elsewhere(tmp_path, tiny_gazetteer):
    """An ingest started while the dashboard's build runs uses that build's index
    instead of building a second one at the same time."""
    import threading

    from geo.gazetteer import ensure_gazetteer

    target = tmp_path / "gazetteer.sqlite"
    got: list = []
    lock = os.open(lock_path(target), os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)  # the dashboard's build runs
    try:
        waiting = threading.Thread(target=lambda: got.append(
            ensure_gazetteer(target, progress=False)), daemon=True)
        waiting.start()
        waiting.join(2)
        assert waiting.is_alive() and not target.exists(), "it did not wait"
        shutil.copy(tiny_gazetteer.path, target)  # the build is done
    finally:
        os.close(lock)
    waiting.join(20)
    assert got, "it built a second index instead of using the finished one"
    with got[0] as gaz:
        assert gaz.path == target and gaz.info()["entries"] == tiny_gazetteer.info()["entries"]
