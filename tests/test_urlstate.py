"""geo.urlstate: a copied link reproduces the view."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from geo.query import Filters
from geo.urlstate import (
    ViewState, filters_from_params, filters_to_params, link_maker, map_url, page_url, reader_url,
    view_from_params, with_actor,
)

FULL = Filters(date_from="2023-09-01", date_to="2023-09-30", date_field="passage",
               actors=("Sergei Shoigu", "Kim Jong-un"), sources=("CBC News",),
               countries=("KP",), kinds=("city", "country"), text="armoured train",
               include_broad=False)


def test_round_trip_through_a_real_query_string():
    view = ViewState(filters=FULL, place="gn:2039232", article="a1", passage="a1-p0")
    url = page_url("/", "articles", view)
    assert view_from_params(parse_qs(urlsplit(url).query)) == view


def test_defaults_stay_out_of_the_url():
    assert filters_to_params(Filters()) == {}
    assert map_url("/", filters=Filters()) == "/"


def test_bad_values_fall_back_to_defaults():
    f = filters_from_params({"from": "yesterday", "datefield": "bogus", "broad": "maybe",
                             "actor": ["", "Kim Jong-un", "Kim Jong-un"]})
    assert f == Filters(actors=("Kim Jong-un",))


def test_links_to_the_reader_and_the_map():
    url = reader_url("/", "art 1", "art 1-p2", filters=Filters(actors=("Kim Jong-un",)))
    parts = urlsplit(url)
    assert parts.path == "/articles"
    qs = parse_qs(parts.query)
    assert qs["article"] == ["art 1"] and qs["passage"] == ["art 1-p2"]
    assert qs["actor"] == ["Kim Jong-un"]
    # under a prefix the map is /base/ (a proxy serves the prefix with its slash)
    assert map_url("/base/", place="gn:1") == "/base/?place=gn%3A1"
    assert with_actor(Filters(actors=("A",)), "A").actors == ("A",)
    assert with_actor(Filters(actors=("A",)), "B").actors == ("A", "B")


def test_link_maker_matches_the_slow_builders():
    f = Filters(actors=("Kim Jong-un",), text="a&b")
    make = link_maker("/", "articles", f, "article", "passage")
    assert make("art 1", "art 1-p2") == reader_url("/", "art 1", "art 1-p2", filters=f)
    place = link_maker("/", "", Filters(), "place")
    assert place("gn:1") == map_url("/", place="gn:1")
    assert view_from_params(parse_qs(urlsplit(make("x", "x-p0")).query)).filters == f


def test_hostile_values_are_bounded_cleaned_or_ignored():
    from geo.query import MAX_SEARCH_CHARS
    from geo.urlstate import MAX_VALUE_CHARS, MAX_VALUES

    f = filters_from_params({"from": "0000-01-01", "to": "9999-12-31", "q": "%" * 30_000,
                             "actor": ["Kim\x00 Jong-un", "\ud800Putin", "x" * 50_000]
                             + [f"a{i}" for i in range(500)]})
    assert f.date_from is None and f.date_to == "9999-12-31"
    assert f.text == "%" * MAX_SEARCH_CHARS
    assert f.actors[:2] == ("Kim Jong-un", "Putin") and len(f.actors) == MAX_VALUES
    assert all(len(a) <= MAX_VALUE_CHARS for a in f.actors)
    view = view_from_params({"place": "p" * 100_000, "article": ["a1", "a2"],
                             "passage": "\x00\x01", "q": ["first", "last\x00"]})
    assert view.place is None and view.article == "a2" and view.passage is None
    assert view.filters.text == "last"


def test_a_range_given_backwards_is_turned_round():
    f = filters_from_params({"from": "2023-09-20", "to": "2023-09-01T10:00"})
    assert (f.date_from, f.date_to) == ("2023-09-01", "2023-09-20")
    assert filters_from_params({"to": "2023-02-30"}).date_to is None


def test_a_fix_link_carries_the_mention_and_the_filters():
    view = ViewState(filters=FULL, mention="88")
    url = page_url("/", "fix", view)
    assert url.startswith("/fix?") and "mention=88" in url
    assert view_from_params(parse_qs(urlsplit(url).query)) == view
    assert link_maker("/", "fix", FULL, "mention")("88") == url
