"""The sidebar filters (AppTest, no browser): countries by name, only those under the
other filters; an empty result names the store's dates; a shared link's unknown values
are named; tables are as tall as their rows."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.query import FilterOptions, Filters, empty_message, stale_values

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


@pytest.fixture()
def app(dashboard_db, monkeypatch):
    monkeypatch.setenv("NEWS_ATLAS_DB", dashboard_db)

    def make(**params: str | list[str]) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        return at.run()
    return make


def _notices(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.html if "na-notice" in h.proto.body)


def test_countries_are_named_and_follow_the_other_filters(app):
    every = app().multiselect(key="f_countries").options
    assert "Russia (RU)" in every and "North Korea (KP)" in every and len(every) > 2
    assert app(actor="Sergei Shoigu").multiselect(key="f_countries").options == \
        ["North Korea (KP)", "Russia (RU)"]


def test_a_chosen_country_stays_listed_and_filters(app):
    at = app(actor="Sergei Shoigu", country="RU")
    assert at.multiselect(key="f_countries").value == ["RU"]
    assert set(at.dataframe[0].value["name"]) == {"Russia"}


def test_an_empty_result_names_the_dates_the_store_has(app):
    at = app(**{"from": "2030-01-01"})
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No mentions from 2030-01-01 on; the store has articles from 2023-09-12 to 2023-09-14."]


def test_a_shared_links_unknown_values_are_named(app):
    at = app(actor=["Sergei Shoigu", "Nobody Atall"], country="ZZ", place="gn:0",
             kind="<b>moon</b>")
    assert not at.exception
    notice = _notices(at)
    for named in ("actor “Nobody Atall”", "country “ZZ”", "place “gn:0”",
                  "place type “&lt;b&gt;moon&lt;/b&gt;”"):
        assert named in notice, notice
    assert "Sergei Shoigu" not in notice  # the known actor is applied, not named
    assert at.multiselect(key="f_actors").value == ["Sergei Shoigu"]
    assert _notices(app(actor="Sergei Shoigu")) == ""


def test_tables_are_as_tall_as_their_rows_up_to_a_limit():
    import dashboard_ui as ui

    assert ui.table_height(9) == ui.HEADER_PX + 9 * ui.ROW_PX
    assert ui.table_height(0) == ui.table_height(1)
    assert ui.table_height(5000) == ui.HEADER_PX + ui.TABLE_ROWS_SHOWN * ui.ROW_PX


def test_empty_messages_and_stale_values():
    opts = FilterOptions(["A"], ["S"], ["RU"], ["city"], "2023-09-12", "2023-09-14")
    assert empty_message(Filters(date_from="2023-09-13", date_to="2023-09-13",
                                 actors=("A",)), opts) == (
        "No mentions on 2023-09-13 under the other filters;"
        " the store has articles from 2023-09-12 to 2023-09-14.")
    assert empty_message(Filters(date_to="2020-01-01"), opts).startswith(
        "No mentions up to 2020-01-01;")
    assert empty_message(Filters(text="zz"), opts) == \
        "No mentions under these filters; the store has articles from 2023-09-12 to 2023-09-14."
    assert stale_values(Filters(actors=("A", "B"), sources=("S",), kinds=("moon",)), opts) \
        == {"actor": ["B"], "place type": ["moon"]}


def test_a_brush_over_the_timeline_gives_its_days():
    from geo.query import brushed_dates

    day = 86_400_000
    start = 1694476800000  # 2023-09-12T00:00Z
    assert brushed_dates({"day": [start + 2 * day + 5, start + 3600_000]}) == \
        ("2023-09-12", "2023-09-14")
    assert brushed_dates(None) is None and brushed_dates({}) is None
    assert brushed_dates({"day": ["x", "y"]}) is None


def test_the_map_page_draws_a_brushable_timeline(app):
    at = app()
    charts = at.get("vega_lite_chart")
    assert charts, "no timeline"
    assert '"brush"' in charts[0].proto.spec and '"interval"' in charts[0].proto.spec
