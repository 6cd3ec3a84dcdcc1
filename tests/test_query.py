"""geo.query and geo.store.queries: what the dashboard shows under each filter."""
from __future__ import annotations

import pytest

from geo.query import (
    Filters, actor_table, article_table, article_view, filter_options, place_snippets,
    place_table, places_in_bounds, timeline,
)

KHASAN, NORTH_KOREA, SEOUL = "gn:2039232", "cc:KP", "gn:1835848"
BACKENDS = ("sqlite", "postgresql")  # dashboard_db (tests/conftest.py)


def names(df) -> set[str]:
    return set(df["name"])


def test_one_row_per_place_with_counts(dashboard_store):
    df = place_table(dashboard_store, Filters())
    assert df["place_id"].is_unique
    row = df.set_index("name").loc["Vladivostok"]
    assert (row["mentions"], row["articles"]) == (3, 2)
    assert row["kind"] == "city" and row["country_code"] == "RU"
    assert {"Khasan", "Razdolnaya River", "Moscow", "Pyongyang", "Seoul"} <= names(df)
    assert df["mentions"].is_monotonic_decreasing


def test_actor_filter_keeps_places_in_passages_naming_the_actor(dashboard_store):
    df = place_table(dashboard_store, Filters(actors=("Sergei Shoigu",)))
    assert "North Korea" in names(df)
    assert "Khasan" not in names(df)
    both = place_table(dashboard_store, Filters(actors=("Sergei Shoigu", "Vladimir Putin")))
    assert {"North Korea", "Vladivostok", "Vostochny Cosmodrome"} <= names(both)


def test_broad_places_are_flagged_and_can_be_left_out(dashboard_store):
    df = place_table(dashboard_store, Filters())
    broad = set(df[df["broad"]]["name"])
    assert broad == {"North Korea", "Russia"}  # a country, and a demonym ("Russian")
    narrow = place_table(dashboard_store, Filters(include_broad=False))
    assert not (names(narrow) & broad) and "Khasan" in names(narrow)


def test_publication_date_source_country_kind_and_text_filters(dashboard_store):
    s = dashboard_store
    assert names(place_table(s, Filters(date_from="2023-09-14"))) == {
        "Vostochny Cosmodrome", "Vladivostok", "Khasan"}
    assert "Vostochny Cosmodrome" not in names(place_table(s, Filters(date_to="2023-09-13")))
    assert names(place_table(s, Filters(sources=("Reuters",)))) == {
        "Vostochny Cosmodrome", "Vladivostok", "Khasan"}
    assert names(place_table(s, Filters(countries=("KP",)))) == {"North Korea", "Pyongyang"}
    assert names(place_table(s, Filters(kinds=("water",)))) == {"Razdolnaya River"}
    assert names(place_table(s, Filters(text="armoured TRAIN"))) == {
        "Russia", "Khasan", "North Korea"}
    assert place_table(s, Filters(text="100%_")).empty  # LIKE wildcards are literal


def test_passage_date_filter_uses_the_date_the_passage_speaks_of(dashboard_store):
    july = Filters(date_from="2023-07-01", date_to="2023-07-31", date_field="passage")
    assert names(place_table(dashboard_store, july)) == {"North Korea", "Russia"}
    assert place_table(dashboard_store, Filters(date_from="2023-07-01",
                                                date_to="2023-07-31")).empty


def test_snippets_highlight_the_mention_and_escape_the_text(dashboard_store):
    df = place_snippets(dashboard_store, Filters(), [KHASAN, SEOUL])
    khasan = df[df["place_id"] == KHASAN]
    assert len(khasan) == 2
    assert any("armoured train in <mark>Khasan</mark>" in h for h in khasan["snippet_html"])
    assert khasan.iloc[0]["published"] == "2023-09-14"  # newest first
    hostile = " ".join(df[df["article_id"] == "hostile00000003"]["snippet_html"])
    assert "<img" not in hostile and "&lt;img src=x onerror=" in hostile
    assert len(place_snippets(dashboard_store, Filters(), [KHASAN], per_place=1)) == 1


def test_timeline_by_publication_or_passage_date(dashboard_store):
    pub = timeline(dashboard_store, Filters())
    assert list(pub["day"].dt.strftime("%Y-%m-%d")) == ["2023-09-12", "2023-09-13",
                                                        "2023-09-14"]
    assert pub["mentions"].sum() == 16
    by_passage = timeline(dashboard_store, Filters(), by="passage")
    assert "2023-07-26" in set(by_passage["day"].dt.strftime("%Y-%m-%d"))
    assert by_passage["mentions"].sum() == 16


def test_actor_and_article_lists_follow_the_filters(dashboard_store):
    actors = actor_table(dashboard_store, Filters(sources=("Reuters",)))
    assert set(actors["name"]) == {"Vladimir Putin", "Kim Jong-un"}
    arts = article_table(dashboard_store, Filters(text="Razdolnaya"))
    assert list(arts["id"]) == ["seedlike0000001"]
    opts = filter_options(dashboard_store)
    assert "Sergei Shoigu" in opts.actors and opts.sources[-1] == "Reuters"
    assert (opts.date_min, opts.date_max) == ("2023-09-12", "2023-09-14")


def test_article_view_links_places_and_actors(dashboard_store):
    view = article_view(dashboard_store, "seedlike0000001",
                        place_href=lambda p: f"/?place={p}", actor_href=lambda a: f"/?actor={a}")
    first = view.passages[0]
    assert first.id == "seedlike0000001-p0"
    assert f'href="/?place={KHASAN}"' in first.html and ">Khasan</a>" in first.html
    assert 'href="/?actor=Kim Jong-un"' in first.html
    assert "Khasan" in first.places and "Kim Jong-un" in first.actors
    assert view.passages[3].date == "2023-07-26"
    hostile = article_view(dashboard_store, "hostile00000003",
                           place_href=str, actor_href=str)
    assert "<script>" not in hostile.passages[1].html
    assert "&lt;script&gt;" in hostile.passages[1].html
    assert article_view(dashboard_store, "nope", place_href=str, actor_href=str) is None


def test_places_in_bounds(dashboard_store):
    df = place_table(dashboard_store, Filters())
    bounds = {"_southWest": {"lat": 42.0, "lng": 130.0}, "_northEast": {"lat": 44.0, "lng": 132.5}}
    assert names(places_in_bounds(df, bounds)) == {"Khasan", "Vladivostok", "Razdolnaya River"}
    assert len(places_in_bounds(df, None)) == len(df)
    world = {"_southWest": {"lat": -85, "lng": -400}, "_northEast": {"lat": 85, "lng": 400}}
    assert len(places_in_bounds(df, world)) == len(df)


def test_text_search_matches_word_prefixes_in_any_order(dashboard_store):
    assert names(place_table(dashboard_store, Filters(text="razdol"))) == {
        "Razdolnaya River", "Vladivostok"}
    assert names(place_table(dashboard_store, Filters(text="train armoured"))) == {
        "Russia", "Khasan", "North Korea"}
    # no word at all: a plain substring search
    assert "Khasan" in names(place_table(dashboard_store, Filters(text="-")))


AGREEMENT_FILTERS = [
    Filters(), Filters(actors=("Sergei Shoigu",)), Filters(actors=("Actor 001", "Actor 002")),
    Filters(date_from="2023-09-13"), Filters(date_to="2023-03-31"),
    Filters(date_from="2023-07-01", date_to="2023-09-12", date_field="passage"),
    Filters(sources=("Reuters", "BBC")), Filters(countries=("KP", "RU")),
    Filters(kinds=("water", "country")), Filters(text="train"), Filters(text="sanctions"),
    Filters(text="-"), Filters(include_broad=False),
    Filters(text="the", include_broad=False, countries=("RU",), date_from="2023-06-01"),
]


def _via(store, indexed: bool):
    """place_table, place_snippets and timeline of ``store``: through a mention index
    (``indexed``) or by SQL alone."""
    from geo.mention_index import MentionIndex

    index = MentionIndex.build(store.conn) if indexed else None

    def sel(f):
        return index.select(store.conn, f) if index is not None else None

    return (lambda f, **kw: place_table(store, f, selection=sel(f), **kw),
            lambda f, ids, **kw: place_snippets(store, f, ids, selection=sel(f), **kw),
            lambda f, **kw: timeline(store, f, selection=sel(f), **kw))


def _agree(store) -> None:
    import pandas as pd

    from geo.store import queries as q

    table, snippets, days_of = _via(store, True)
    for f in AGREEMENT_FILTERS:
        fast, sql = table(f), place_table(store, f)
        pd.testing.assert_frame_equal(fast.drop(columns="rules"), sql.drop(columns="rules"),
                                      check_dtype=len(sql) > 0, obj=str(f))
        assert [set((r or "").split(",")) for r in fast["rules"]] == \
            [set((r or "").split(",")) for r in sql["rules"]], f
        for by in ("published", "passage"):
            days = days_of(f, by=by)
            rows = q.timeline(store.conn, f, by=by)
            assert list(days["day"].dt.strftime("%Y-%m-%d")) == [r["day"] for r in rows], f
            assert list(days["mentions"]) == [r["mentions"] for r in rows], f
        _agree_in_part(store, f, table)
        top = list(fast["place_id"].head(20))
        got = snippets(f, top, per_place=2)
        want = q.place_passages(store.conn, f, top, per_place=2)
        assert list(zip(got["place_id"], got["passage_id"])) == \
            [(r["place_id"], r["passage_id"]) for r in want], f


EAST_ASIA = {"_southWest": {"lat": 30.0, "lng": 100.0},
             "_northEast": {"lat": 60.0, "lng": 179.0}}


def _agree_in_part(store, f: Filters, table) -> None:
    """The first rows, the places in a box, and the summary of every place agree too
    (the index makes rows only for the places it returns)."""
    import pandas as pd

    from geo.mention_index import MentionIndex
    from geo.query import place_summary

    for kw in ({"limit": 3}, {"bounds": EAST_ASIA}, {"bounds": EAST_ASIA, "limit": 2}):
        fast, sql = table(f, **kw), place_table(store, f, **kw)
        pd.testing.assert_frame_equal(fast.drop(columns="rules"), sql.drop(columns="rules"),
                                      check_dtype=len(sql) > 0, obj=f"{f} {kw}")
    sel = MentionIndex.build(store.conn).select(store.conn, f)
    for bounds in (None, EAST_ASIA):
        assert place_summary(store, f, selection=sel, bounds=bounds) == \
            place_summary(store, f, bounds=bounds), (f, bounds)


def test_a_place_summary_counts_every_place_without_listing_them(dashboard_store):
    from geo.query import place_summary

    full = place_table(dashboard_store, Filters())
    summary = place_summary(dashboard_store, Filters())
    assert (summary.places, summary.mentions) == (len(full), full["mentions"].sum())
    assert summary.countries == tuple(sorted(set(full["country_code"]) - {None}))
    east = place_summary(dashboard_store, Filters(), bounds=EAST_ASIA)
    assert east.places == len(places_in_bounds(full, EAST_ASIA)) < len(full)
    assert place_summary(dashboard_store, Filters(text="zzzzunknown")).bounds is None


def test_the_in_memory_index_agrees_with_sql_on_the_fixture_store(dashboard_store):
    _agree(dashboard_store)


def test_the_in_memory_index_agrees_with_sql_on_a_synthetic_store(tmp_path):
    import sys
    from pathlib import Path

    from geo.store import Store

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from make_synthetic_store import build

    db = tmp_path / "synthetic.sqlite"
    build(db, articles=300, mentions=3000, places=400, seed=3)
    with Store.open(str(db)) as store:
        _agree(store)
        assert len(place_table(store, Filters())) > 100


def test_a_new_revision_and_a_new_index_follow_new_articles(dashboard_store):
    import random
    import sys
    from datetime import date
    from pathlib import Path

    from geo.store import queries as q

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from make_synthetic_store import make_article, make_places

    before, rev = _via(dashboard_store, True)[0](Filters()), q.revision(dashboard_store.conn)
    rng = random.Random(1)
    new = make_places(2, rng)
    dashboard_store.save(make_article(0, 4, new, [1.0, 1.0], ["Actor 000"], rng,
                                      date(2023, 9, 20)))
    assert q.revision(dashboard_store.conn) != rev  # the UI's index cache key changes
    after = _via(dashboard_store, True)[0](Filters())
    added = set(after["name"]) - set(before["name"])
    assert added and added <= {"Place00000", "Place00001"}
    assert after["mentions"].sum() == before["mentions"].sum() + 4


# -- issue 9: missing values and hostile filters ---------------------------------------

def _undated_store(dashboard_db: str):
    """The fixture store plus an article with no date, title, source, URL or score, at a
    place with no country: what an undated .txt next to a dated .jsonl gives."""
    from geo.models import Article, GazetteerEntry
    from geo.store import Store
    from tests.data.dashboard.fixture_articles import KHASAN as KHASAN_ENTRY, _build

    store = Store.open(dashboard_db)
    nowhere = GazetteerEntry("test:nowhere", "Nowhere", 1.0, 2.0, "city")
    store.save(_build(Article("undated00000009", "", None, None, None, None),
                      ["Fighting went on in Khasan and in Nowhere."],
                      [(0, "Khasan", KHASAN_ENTRY, "place", None, None),
                       (0, "Nowhere", nowhere, "place", None, None)], []))
    return store


def _floats_in_text_columns(df) -> list:
    return [(c, v) for c in df.columns if df[c].dtype == object
            for v in df[c].tolist() if isinstance(v, float)]


@pytest.mark.parametrize("indexed", [True, False], ids=["index", "sql"])
def test_missing_values_reach_the_ui_as_none_never_nan(dashboard_db, indexed):
    store = _undated_store(dashboard_db)
    try:
        table, snippets, _ = _via(store, indexed)
        places = table(Filters())
        snips = snippets(Filters(), list(places["place_id"]), per_place=10)
        frames = {"places": places, "snippets": snips,
                  "articles": article_table(store, Filters()),
                  "actors": actor_table(store, Filters())}
        for name, df in frames.items():
            assert _floats_in_text_columns(df) == [], name
        undated = snips[snips["article_id"] == "undated00000009"]
        assert len(undated) == 2
        assert undated["published"].tolist() == [None, None]
        assert undated["title"].tolist() == [None, None]
        assert places.set_index("place_id").loc["test:nowhere", "country_code"] is None
    finally:
        store.close()


@pytest.mark.parametrize("indexed", [True, False], ids=["index", "sql"])
def test_extreme_dates_and_huge_searches_are_answered(dashboard_db, indexed):
    from geo.store import queries as q

    store = _undated_store(dashboard_db)
    try:
        table, _, days_of = _via(store, indexed)
        every = set(table(Filters())["name"])
        dated = every - {"Nowhere"}
        assert set(table(Filters(date_to="9999-12-31"))["name"]) == dated
        assert set(table(Filters(date_from="0001-01-01", date_to="9999-12-31",
                                 date_field="passage"))["name"]) == dated
        assert len(days_of(Filters(date_to="9999-12-31"))) > 0
        assert table(Filters(text="%" * 30_000)).empty  # "%" is literal
        assert table(Filters(text="_")).empty
        assert table(Filters(text="train " * 5_000))["name"].tolist()
        assert len(actor_table(store, Filters(date_to="9999-12-31"))) > 0
        assert len(article_table(store, Filters(text="%" * 30_000))) == 0
    finally:
        store.close()
    assert q.day_after("9999-12-31") > "9999-12-31T23:59:59"
    assert q.day_after("2023-12-31") == "2024-01-01"
    assert len(q.fts_query("word " * 10_000).split()) == q.MAX_SEARCH_WORDS
    assert len(q._like_pattern("%" * 30_000)) <= 2 * q.MAX_SEARCH_CHARS + 2


def test_the_reader_links_each_place_mention_to_correcting_it(dashboard_store):
    from geo import corrections_places as P

    links = {"place_href": lambda p: f"/?place={p}", "actor_href": lambda a: "/",
             "fix_href": lambda m: f"/fix?mention={m}"}
    first = article_view(dashboard_store, "seedlike0000001", **links).passages[0]
    # Russian and Khasan ("North Korea" lies inside the actor "North Korea's leader")
    assert first.html.count('class="na-fix"') == 2
    khasan = dashboard_store.conn.execute(
        "SELECT id FROM place_mentions WHERE article_id = 'seedlike0000001' AND"
        " text = 'Khasan'").fetchone()[0]
    assert f'href="/fix?mention={khasan}"' in first.html
    P.correct_mention(dashboard_store, khasan, "not_place")
    first = article_view(dashboard_store, "seedlike0000001", **links).passages[0]
    assert '<mark class="place place notplace" title="not a place' in first.html
    assert "Khasan" not in first.places
    without = article_view(dashboard_store, "seedlike0000001", place_href=str,
                           actor_href=str).passages[0]
    assert "na-fix" not in without.html
