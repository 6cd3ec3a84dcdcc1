"""The resolver's rules as the plain sentence a popup shows (geo.render.resolution_sentence)."""
from __future__ import annotations

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
