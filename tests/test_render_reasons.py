"""The resolver's rules as the plain sentence a popup shows (geo.render.resolution_sentence)."""
from __future__ import annotations

import pytest

from geo.mention_index import MentionIndex
from geo.render import country_name, resolution_sentence


def test_the_common_rules_read_as_sentences():
    assert resolution_sentence("only candidate") == \
        "Chosen because it is the only place of that name in the gazetteer."
    assert resolution_sentence("population", others=3) == (
        "Chosen because it is the most populous place of that name."
        " 3 other places share the name.")
    assert resolution_sentence("document country", country_code="US") == \
        "Chosen because the article also names other places in the United States."
    assert resolution_sentence("document country", country_code="RU").endswith("in Russia.")
    assert "“North Korean”" in resolution_sentence("demonym")
    assert resolution_sentence("dateline").startswith("Chosen because it is the article's dateline")


def test_a_rule_string_with_a_comma_and_several_rules_are_each_explained():
    sentence = resolution_sentence("X, Y,feature type (same name in document)", others=1)
    assert "names it together with the place that holds it" in sentence
    assert "usually means" in sentence and "as for the same name elsewhere in the article" in sentence
    assert sentence.endswith("1 other place shares the name.")
    assert "X, Y" not in sentence.replace("“Tacoma, Washington”", "")


def test_relations_streets_and_unknown_rules():
    assert resolution_sentence("part of Manassas (population)") == \
        "Chosen because the name is part of Manassas, which the gazetteer knows."
    assert "a street, in Miami Beach" in resolution_sentence("street in Miami Beach")
    assert resolution_sentence("something new") == \
        "Chosen because of the resolver's rule “something new”."
    assert resolution_sentence(None) == "" and resolution_sentence(None, others=2) == \
        "2 other places share the name."


def test_country_names_come_from_the_code():
    assert (country_name("RU"), country_name("kp"), country_name("ZZ"), country_name(None)) \
        == ("Russia", "North Korea", "ZZ", "")


def test_the_region_the_article_names_is_named():
    assert resolution_sentence("document region", region="Ohio", others=3) == (
        "Chosen because the article also names Ohio, the state or province it is in."
        " 3 other places share the name.")
    assert resolution_sentence("same passage (same name in document)", region="Ohio") == (
        "Chosen because Ohio, named in the same passage, contains it, as for the same name"
        " elsewhere in the article.")
    # without the region's name (not in the store), the general wording
    assert resolution_sentence("document region") == \
        "Chosen because the article also names the state or province it is in."


@pytest.mark.gazetteer
@pytest.mark.model
def test_a_popup_names_the_state_an_ohio_article_names(pipeline):
    from geo import query
    from geo.maps import marker_layers_data
    from geo.models import Article
    from geo.query import Filters
    from geo.store import Store

    text = ("COLUMBUS — Ohio lawmakers met on Tuesday. The mayor of Springfield said the"
            " city would close two schools. In Dayton, parents protested.")
    with Store.open(":memory:") as store:
        store.save(pipeline.analyze(Article(id="oh1", text=text, title="Ohio schools")))
        index = MentionIndex.build(store.conn)
        places = query.place_table(store, Filters(), selection=index.select(
            store.conn, Filters())).set_index("name")
        assert places.loc["Springfield", "country_code"] == "US"
        assert places.loc["Springfield", "region"] == "Ohio"
        assert places.loc["Ohio", "region"] is None  # the state itself names no region
        assert places.equals(query.place_table(store, Filters()).set_index("name"))
        data = marker_layers_data(places.reset_index(), query.place_snippets(
            store, Filters(), list(places["place_id"])), reader_href=lambda *a: "#",
            place_href=lambda p: f"#{p}")
    springfield = data["specific"]["name"].index("Springfield")
    why = data["specific"]["whys"][data["specific"]["why"][springfield]]
    assert "Ohio, named in the same passage, contains it" in why \
        or "the article also names Ohio" in why, why
