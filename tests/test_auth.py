"""Editors' sign-in: argon2 hashes (argon2-cffi, no mock), the try limiter, the command
that makes a hash, and the dashboard's sign-in form (AppTest)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geo.auth import AuthError, TryLimiter, hash_password, sign_in, verify_password

REPO = Path(__file__).resolve().parents[1]


class Clock:
    """A clock the test moves by hand (the limiter's only notion of time)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_hash_verifies_its_password_only():
    h = hash_password("correct horse")
    assert h.startswith("$argon2id$") and "correct horse" not in h
    assert hash_password("correct horse") != h  # a new salt each time
    assert verify_password(h, "correct horse")
    assert not verify_password(h, "correct hors")
    assert not verify_password(h, "")
    with pytest.raises(AuthError, match="not an argon2 hash"):
        verify_password("plaintext", "plaintext")
    with pytest.raises(AuthError, match="damaged"):
        verify_password("$argon2id$v=19$garbage", "x")


def test_five_failed_tries_a_minute_per_session_then_a_wait_that_lifts():
    clock = Clock()
    tries = TryLimiter(clock=clock)
    h = hash_password("right")
    for _ in range(5):
        assert sign_in(tries, "s1", h, "wrong") == (False, "Wrong password.")
    ok, message = sign_in(tries, "s1", h, "right")  # even the right one waits
    assert not ok and message.startswith("Too many tries: wait 60 s")
    assert sign_in(tries, "s2", h, "right") == (True, "Signed in.")  # another session
    clock.now += 30
    assert tries.wait("s1") == pytest.approx(30)
    clock.now += 30.5
    assert sign_in(tries, "s1", h, "right") == (True, "Signed in.")


def test_thirty_failed_tries_a_minute_on_the_server_stop_every_session():
    clock = Clock()
    tries = TryLimiter(clock=clock)
    for i in range(30):
        tries.failed(f"visitor-{i % 10}")  # 3 each: no session is at its own limit
        clock.now += 0.5
    assert tries.wait("someone-new") == pytest.approx(60 - 15)
    clock.now += 45.1
    assert tries.wait("someone-new") == 0


def test_no_hash_means_no_editing():
    assert sign_in(TryLimiter(), "s", None, "anything") == (
        False, "Editing is not available on this dashboard.")


def test_hash_password_command_reads_standard_input():
    done = subprocess.run([sys.executable, "-m", "geo", "hash-password"], input="s3cret\n",
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    h = done.stdout.strip()
    assert verify_password(h, "s3cret") and "s3cret" not in done.stdout + done.stderr
    empty = subprocess.run([sys.executable, "-m", "geo", "hash-password"], input="\n",
                           capture_output=True, text=True, cwd=REPO, timeout=60)
    assert empty.returncode == 2 and "empty" in empty.stderr


# -- the dashboard ------------------------------------------------------------------------

@pytest.fixture()
def read_only_with_editors(dashboard_db, monkeypatch):
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    monkeypatch.setenv("NEWS_ATLAS_READ_ONLY", "1")
    monkeypatch.setenv("NEWS_ATLAS_EDITOR_PASSWORD_HASH", hash_password("s3cret"))
    import dashboard_ui

    monkeypatch.setattr(dashboard_ui, "_TRIES", TryLimiter())  # this test's tries only
    return dashboard_db


def _sign_in(at, name: str, password: str):
    at.main.text_input[0].input(name)
    at.main.text_input[1].input(password)
    at.main.button[0].click()  # the form's submit button
    return at.run()


def _sign_in_page(at):
    return at.switch_page("pages/sign_in.py").run()


def test_an_editor_signs_in_and_out_and_the_password_is_kept_nowhere(read_only_with_editors,
                                                                      caplog):
    from streamlit.testing.v1 import AppTest

    import dashboard_ui

    before = Path(read_only_with_editors).read_bytes()
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert "read-only" in at.sidebar.info[0].value
    at = _sign_in_page(at)
    assert [t.label for t in at.main.text_input] == ["Your name", "Password"]
    at = _sign_in(at, "Ana", "wrong")
    assert [e.value for e in at.error] == ["Wrong password."]
    assert dashboard_ui.EDITOR_KEY not in at.session_state
    assert at.session_state[dashboard_ui.PASSWORD_KEY] == ""
    assert "wrong" not in repr(at.session_state._state.filtered_state)
    at = _sign_in(at, "Ana", "s3cret")
    assert not at.exception
    assert at.session_state[dashboard_ui.EDITOR_KEY] == "Ana"
    assert not at.sidebar.info  # the editor's store is writable: no read-only notice
    assert "Signed in as Ana" in "".join(str(h.value) for h in at.get("html"))
    # the callback blanked the field before the page ran: not in any state
    assert at.session_state[dashboard_ui.PASSWORD_KEY] == ""
    assert "s3cret" not in repr(at.session_state._state.filtered_state)
    assert "s3cret" not in caplog.text
    at.button(key="na_sign_out").click().run()
    assert dashboard_ui.EDITOR_KEY not in at.session_state
    assert "read-only" in at.sidebar.info[0].value
    assert Path(read_only_with_editors).read_bytes() == before


def test_five_wrong_passwords_then_the_page_says_to_wait(read_only_with_editors):
    from streamlit.testing.v1 import AppTest

    at = _sign_in_page(AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run())
    for _ in range(5):
        at = _sign_in(at, "Eve", "guess")
        assert [e.value for e in at.error] == ["Wrong password."]
    at = _sign_in(at, "Eve", "s3cret")
    assert at.error[0].value.startswith("Too many tries: wait")
    assert "na_editor" not in at.session_state


def test_without_read_only_there_is_no_sign_in_page(dashboard_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)
    monkeypatch.setenv("NEWS_ATLAS_EDITOR_PASSWORD_HASH", hash_password("s3cret"))
    monkeypatch.delenv("NEWS_ATLAS_READ_ONLY", raising=False)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception and not at.sidebar.info
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/sign_in.py")  # not in the navigation
