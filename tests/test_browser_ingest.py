"""An ingest running while the dashboard reads the same store (headless Chromium
against ``streamlit run dashboard.py``): every page load during the ingest works, and
on a refresh once it is done the new articles are there. On SQLite and on PostgreSQL
(a real streamlit server reading the PostgreSQL store while `python -m geo ingest --db
postgresql://...` writes it)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.news_batch import write_batch
from tests.test_browser import _serve, browser, map_frame, page, wait_idle  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.gazetteer, pytest.mark.model]

REPO = Path(__file__).resolve().parents[1]
COUNTS = re.compile(r"(\d+) places, (\d+) mentions")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    from tests.data.dashboard.fixture_articles import build_store

    if request.param == "postgresql":
        return build_store(request.getfixturevalue("pg_url"))
    return str(build_store(tmp_path / "atlas.sqlite"))


@pytest.fixture
def server(store):
    yield from _serve(store)


def _counts(page) -> tuple[int, int]:  # noqa: F811
    """The Map page's "N places, M mentions", once the map is drawn."""
    map_frame(page, timeout=60)
    wait_idle(page)
    caption = page.get_by_text(COUNTS).first
    caption.wait_for(timeout=30000)
    places, mentions = COUNTS.search(caption.inner_text()).groups()
    return int(places), int(mentions)


def _healthy(page) -> None:  # noqa: F811
    assert page.locator("[data-testid='stException']").count() == 0
    text = page.locator("[data-testid='stApp']").inner_text()
    assert "locked" not in text and "Traceback" not in text, text[:2000]


def test_the_dashboard_works_during_an_ingest_and_shows_its_articles_after(
        store, server, page, tmp_path):  # noqa: F811
    from geo.store import Store

    page.goto(server + "/")
    before = _counts(page)
    batch = write_batch(tmp_path / "in", 120, broken=False)
    log = (tmp_path / "ingest.log").open("w")
    ingest = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(batch), "--db",
                               store, "--workers", "2"], cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT, text=True)
    loads_during = 0
    seen: set[tuple[int, int]] = set()
    try:
        while ingest.poll() is None:
            page.goto(server + "/")
            seen.add(_counts(page))
            _healthy(page)
            if ingest.poll() is None:
                loads_during += 1
        assert ingest.wait(timeout=600) == 0, (tmp_path / "ingest.log").read_text()
    finally:
        if ingest.poll() is None:
            ingest.kill()
        log.close()
    assert loads_during >= 2
    page.reload()
    after = _counts(page)
    _healthy(page)
    with Store.open(store, read_only=True) as opened:
        conn = opened.conn
        stored = conn.execute("SELECT count(*) FROM place_mentions WHERE place_id IS NOT"
                              " NULL").fetchone()[0]
        newest = conn.execute("SELECT id FROM articles WHERE title = 'Report 119'"
                              ).fetchone()[0]
    assert after[1] > before[1] and after[0] > before[0]
    assert after[1] == stored  # every place mention the ingest stored is on the map
    assert all(before <= counts <= after for counts in seen)
    page.goto(f"{server}/articles?article={newest}")
    page.locator(".na-title").wait_for(timeout=30000)
    assert page.locator(".na-title").inner_text() == "Report 119"
