"""The mention a popup pointed at stands out in the reader (issue 10): popup passage
links name their place, and the reader marks that place's mention in the passage."""
from __future__ import annotations

import re

from geo.maps import marker_data
from geo.query import Filters, place_snippets, place_table
from geo.urlstate import link_maker
from tests.test_app import _text, app, open_page  # noqa: F401 (fixture)

KHASAN = "gn:2039232"


def test_popup_passage_links_name_their_place(dashboard_store):
    places = place_table(dashboard_store, Filters())
    places = places[places["place_id"] == KHASAN]
    snips = place_snippets(dashboard_store, Filters(), [KHASAN])
    data = marker_data(places, snips, place_href=link_maker("/", "places", Filters(), "place"),
                       reader_href=link_maker("/", "articles", Filters(), "article",
                                              "passage", "place"))
    hrefs = re.findall(r'href="([^"]*articles[^"]*)"', data["snips"][0])
    assert hrefs and all("place=gn%3A2039232" in h for h in hrefs), hrefs


def _pointed(html: str) -> list[str]:
    return re.findall(r'<a class="place [^"]*\bpointed\b[^"]*"[^>]*>([^<]*)</a>', html)


def test_reader_sets_apart_the_pointed_mention(app):  # noqa: F811
    at = open_page(app, "pages/articles.py", article="seedlike0000001",
                   passage="seedlike0000001-p0", place=KHASAN)
    assert not at.exception
    html = _text(at)
    current = re.search(r"<div class='na-passage na-current'.*?</div>", html, re.S).group(0)
    assert _pointed(current) == ["Khasan"]
    assert len(_pointed(html)) == 1  # not Khasan in the other passages
    assert at.query_params["place"] in (KHASAN, [KHASAN])  # the URL keeps it
    plain = open_page(app, "pages/articles.py", article="seedlike0000001",
                      passage="seedlike0000001-p0")
    assert _pointed(_text(plain)) == []
