"""An editor signs in to a read-only dashboard in real Chromium, as a user would: the
Sign in page from the sidebar, a wrong password refused, the right one lets the editing
pages in, sign-out takes them away again."""
from __future__ import annotations

from pathlib import Path

import pytest

from geo.auth import hash_password
from tests.test_browser import _serve, browser, wait_idle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory):
    import os

    from tests.data.dashboard.fixture_articles import build_store

    db = build_store(tmp_path_factory.mktemp("signin") / "dashboard.sqlite")
    saved = {k: os.environ.get(k) for k in ("NEWS_ATLAS_READ_ONLY",
                                            "NEWS_ATLAS_EDITOR_PASSWORD_HASH")}
    os.environ["NEWS_ATLAS_READ_ONLY"] = "1"
    os.environ["NEWS_ATLAS_EDITOR_PASSWORD_HASH"] = hash_password("s3cret")
    try:
        yield from ((url, db) for url in _serve(db))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_an_editor_signs_in_from_the_sidebar_and_out_again(read_only_server,
                                                           browser):  # noqa: F811
    url, db = read_only_server
    before = Path(db).read_bytes()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    nav = page.locator('[data-testid="stSidebarNav"]')
    page.goto(url + "/")
    nav.get_by_text("Sign in").wait_for(timeout=30000)
    assert "Add articles" not in nav.inner_text()
    wait_idle(page)
    nav.get_by_role("link", name="Sign in").click()  # from the sidebar's navigation
    page.get_by_label("Your name").wait_for(timeout=30000)
    wait_idle(page)
    page.get_by_label("Your name").fill("Ana")
    page.get_by_role("textbox", name="Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Wrong password.").wait_for(timeout=30000)
    assert page.get_by_role("textbox", name="Password").input_value() == ""  # cleared, not kept
    wait_idle(page)
    page.get_by_label("Your name").fill("Ana")
    page.get_by_role("textbox", name="Password").fill("s3cret")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as Ana").first.wait_for(timeout=30000)
    nav.get_by_text("Add articles").wait_for(timeout=30000)  # the editing pages are in
    assert "Manage" in nav.inner_text()
    assert "s3cret" not in page.url and "Ana" not in page.url
    wait_idle(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="Password").wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    assert "Add articles" not in nav.inner_text()
    context.close()
    assert Path(db).read_bytes() == before  # signing in and out writes nothing
