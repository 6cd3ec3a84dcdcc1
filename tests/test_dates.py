"""geo.dates: publication dates and the date a passage speaks of."""
from __future__ import annotations

import pytest

from geo.dates import find_date_line, is_date_line, parse_date, passage_date

PUBLISHED = "2023-09-12"  # a Tuesday: the seed article's publication date


@pytest.mark.parametrize("value, expected", [
    ("12 Sep 2023", "2023-09-12"),
    ("2023-09-12", "2023-09-12"),
    ("September 12, 2023", "2023-09-12"),
    ("2023-09-12T10:00:00+02:00", "2023-09-12T10:00:00+02:00"),
    ("2023-09-12T08:00:00Z", "2023-09-12T08:00:00+00:00"),
    ("Tue, 12 Sep 2023 10:00:00 +0300", "2023-09-12T10:00:00+03:00"),
    ("September 12, 2023 10:30 AM", "2023-09-12T10:30:00"),
    ("2009-03-20 12:24:52.002364-05", "2009-03-20T12:24:52.002364-05:00"),  # PostgreSQL
])
def test_parse_date_gives_iso_date_or_datetime(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["Blursday", "North Korea", "May", "2023", "", None, "  "])
def test_parse_date_refuses_words_and_partial_dates_without_a_base(value):
    assert parse_date(value) is None


def test_parse_date_refuses_an_overlong_value_at_once():
    import time

    started = time.perf_counter()
    assert parse_date("Sep 12 2023 " * 100_000) is None  # dateparser took 29 s on it
    assert time.perf_counter() - started < 1


def test_parse_date_resolves_relative_expressions_against_a_base():
    assert parse_date("Sunday", relative_to=PUBLISHED) == "2023-09-10"
    assert parse_date("yesterday", relative_to=PUBLISHED) == "2023-09-11"


def test_find_date_line_finds_the_seed_layout():
    lines = ["North Korea's Kim Jong-un arrives in Russia for talks with Putin as 2 ...", "",
             "12 Sep 2023", "", "See Kim Jong-un's arrival in Russia"]
    found = find_date_line(lines)
    assert found is not None
    assert (found.index, found.iso) == (2, "2023-09-12")


def test_find_date_line_reports_a_labelled_but_unparseable_date():
    found = find_date_line(["Headline", "Published: Blursday", "Body text."])
    assert found is not None and found.index == 1 and found.iso is None


def test_find_date_line_ignores_dates_below_the_top_and_ordinary_lines():
    lines = ["Title", "a", "b", "c", "d", "e", "12 Sep 2023"]
    assert find_date_line(lines) is None
    assert find_date_line(["Kim may seek food aid from Russia", "In 2022 it began."]) is None


def test_is_date_line():
    assert is_date_line("12 Sep 2023")
    assert is_date_line("Updated: 2024-01-05")
    assert not is_date_line("Kim may seek food aid from Russia")
    assert not is_date_line("Moscow's invasion of Ukraine in 2022")


@pytest.mark.parametrize("text, expected", [
    ("Kim arrived in Russia on Tuesday for a meeting.", "2023-09-12"),  # publication day
    ("Kim boarded his train on Sunday afternoon.", "2023-09-10"),
    ("Rasiulis told CBC News on Monday.", "2023-09-11"),
    ("Shoigu visited North Korea in July, when Kim invited him.", "2023-07-01"),
    ("They drew closer since Moscow's invasion of Ukraine in 2022.", "2022-01-01"),
    ("The first case was found on 3 March 2021 in Wuhan.", "2021-03-03"),
    ("Talks began on March 3 in Geneva.", "2023-03-03"),
    ("Talks began on September 30 in Geneva.", "2022-09-30"),  # after publication
    ("Floods hit the region in December.", "2022-12-01"),  # last December
    ("Tests yesterday proved negative.", "2023-09-11"),
    ("They will meet next Friday.", "2023-09-15"),
    ("They met last Tuesday.", "2023-09-05"),
    ("The agreement dated 2020-06-01 expired.", "2020-06-01"),
])
def test_passage_date_resolves_against_publication(text, expected):
    assert passage_date(text, PUBLISHED) == expected


@pytest.mark.parametrize("text", [
    "Kim may seek food aid from Russia.",  # "may" is not May
    "Russia has supported those sanctions in the past 17 months.",
    "Written by Jan Kowalski in Warsaw.",
    "Outbreaks in the 1990s were smaller.",
])
def test_passage_date_is_none_without_a_date(text):
    assert passage_date(text, PUBLISHED) is None


def test_passage_date_needs_a_publication_date_for_relative_expressions():
    assert passage_date("Kim boarded his train on Sunday.", None) is None
    assert passage_date("Shoigu visited in July.", None) is None
    assert passage_date("The first case was found on 3 March 2021.", None) == "2021-03-03"
    assert passage_date("They drew closer since 2022.", None) == "2022-01-01"


def test_passage_date_accepts_a_datetime_publication():
    assert passage_date("Kim boarded on Sunday.", "2023-09-12T10:00:00+09:00") == "2023-09-10"


def test_passage_date_skips_an_impossible_date_and_takes_the_next():
    assert passage_date("Not 31 February 2023 but 2 May 2020.", PUBLISHED) == "2020-05-02"
