"""Merging two actors on the Actors page in real Chromium: the map's actor filter then
knows one actor, whose places are those of both (the dashboard on its own fixture store,
since the test writes to it)."""
from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401 - fixtures
    _serve, browser, map_frame, page, pick_actor, wait_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def edit_server(tmp_path_factory):
    from tests.data.dashboard.fixture_articles import build_store

    db = build_store(tmp_path_factory.mktemp("actors-edit") / "atlas.sqlite")
    for url in _serve(db):
        yield url, db


def _choose(page, label: str, text: str) -> None:  # noqa: F811
    """Pick the option starting with ``text`` in the select box labelled ``label``."""
    box = page.locator("[data-testid='stSelectbox']").filter(
        has=page.get_by_text(label, exact=True)).first
    box.locator("input").click()
    box.locator("input").fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    wait_idle(page)


def _places(db: str, *actors: str) -> tuple[set[str], int]:
    from geo import query
    from geo.query import Filters
    from geo.store import Store

    with Store.open(db, read_only=True) as store:
        table = query.place_table(store, Filters(actors=actors))
    return set(table["name"]), int(table["mentions"].sum())


def test_merge_two_actors_then_filter_the_map_on_the_one_left(edit_server, page):  # noqa: F811
    url, db = edit_server
    putin, shoigu = _places(db, "Vladimir Putin"), _places(db, "Sergei Shoigu")
    assert shoigu[0] - putin[0]  # Shoigu's passages name places Putin's do not
    page.goto(f"{url}/actors")
    wait_idle(page)
    _choose(page, "Merge this actor", "Sergei Shoigu")
    _choose(page, "into", "Vladimir Putin")
    page.get_by_role("button", name="Merge", exact=True).click()
    page.get_by_text('Merged "Sergei Shoigu" (person) into "Vladimir Putin" (person)',
                     exact=False).wait_for(timeout=20000)
    wait_idle(page)
    page.screenshot(path="/tmp/news_atlas_actors_edit.png", full_page=True)
    box = page.locator("[data-testid='stSelectbox']").filter(
        has=page.get_by_text("Merge this actor", exact=True)).first
    box.locator("input").click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert "Vladimir Putin (person, 3 mentions)" in options
    assert not [o for o in options if o.startswith("Sergei Shoigu")]
    # the map: the sidebar's actor filter offers only the merged actor
    page.goto(f"{url}/")
    frame = map_frame(page)
    wait_idle(page)
    actors = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    actors.locator("input").click()
    actors.locator("input").fill("Vladimir")
    page.get_by_role("option").filter(has_text="Vladimir Putin").wait_for(timeout=5000)
    actors.locator("input").fill("Sergei")
    page.wait_for_timeout(300)
    assert not [o for o in page.get_by_role("option").all_inner_texts() if "Sergei" in o]
    page.keyboard.press("Escape")
    pick_actor(page, "Vladimir")
    names, mentions = putin[0] | shoigu[0], putin[1] + shoigu[1]
    page.get_by_text(f"{len(names)} places, {mentions} mentions").wait_for(timeout=20000)
    for name in shoigu[0] - putin[0]:
        frame.locator(f'.na-marker[title="{name}"]').wait_for(timeout=15000)
    page.screenshot(path="/tmp/news_atlas_actors_merged.png")
