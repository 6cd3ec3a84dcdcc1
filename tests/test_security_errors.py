"""Security: no page ever shows a traceback or a server path to a visitor (issue 12,
section 5). Errors get a short message; the detail goes to the server's log.

Each fault is forced on a real ``streamlit run dashboard.py`` (``.streamlit/config.toml``
as shipped, ``client.showErrorDetails = "none"``), and real Chromium opens every page:
- a damaged store file (it cannot be opened);
- a store missing a table every page's queries read (``actor_mentions``): the pages fail
  inside the page guard;
- a store missing the table the router reads before any page runs (``notes``, read for
  the store's revision): the failure is outside the page guard.
(The guard on its own, in AppTest: tests/test_app.py.)
"""
from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.test_browser import REPO, _serve, browser, page, wait_idle  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = ["/", "/articles", "/places", "/actors", "/corrections", "/manage", "/add",
         "/fix?mention=1", "/articles?article=seedlike0000001"]
LEAKS = re.compile(r"Traceback|File \"|line \d+, in|sqlite3|OperationalError|no such table"
                   r"|\w+Error\b|/tmp/|/work/|/root/|site-packages")
SHORT = ("Sorry, this page could not be shown.",
         "cannot open the store damaged.sqlite: it is not a News Atlas store")


def _damaged(folder: Path) -> str:
    path = folder / "damaged.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4096)
    return str(path)


def _without(table: str):
    def make(folder: Path) -> str:
        from tests.data.dashboard.fixture_articles import build_store

        path = build_store(folder / f"no-{table}.sqlite")
        with sqlite3.connect(path) as conn:
            conn.execute(f"DROP TABLE {table}")
        return path
    return make


FAULTS = {"damaged file": (_damaged, "{db}: it is not a News Atlas store"),
          "a table the pages read": (_without("actor_mentions"),
                                     "no such table: actor_mentions"),
          "a table the router reads": (_without("notes"), "no such table: notes")}


@pytest.fixture(scope="module", params=list(FAULTS))
def faulty(request, tmp_path_factory):
    make, detail = FAULTS[request.param]
    db = make(tmp_path_factory.mktemp("fault"))
    server = _serve(db)
    url = next(server)
    yield url, Path(db).with_suffix(".log"), detail.replace("{db}", db)
    next(server, None)


def test_every_page_fails_with_a_short_message_and_logs_the_detail(faulty, page):  # noqa: F811
    url, log, detail = faulty
    for path in PAGES:
        page.goto(url + path)
        wait_idle(page)
        page.wait_for_timeout(500)
        body = page.locator("body").inner_text()
        leak = LEAKS.search(body)
        assert leak is None, (path, body[max(0, leak.start() - 200):leak.end() + 200])
        assert sys.prefix not in body and str(REPO) not in body, path
        assert any(s in body for s in SHORT), (path, body[:500])
        assert page.locator("[data-testid='stException']").count() == 0, path
    logged = log.read_text(errors="replace")
    assert detail in logged, logged[-2000:]
    if "no such table" in detail:  # an unexpected error: its traceback, for the operator
        assert "Traceback (most recent call last)" in logged
