"""Rules: typed, stored as the text the resolver always wrote, told in words."""
from __future__ import annotations

import pytest

from geo.toponyms.features import FeatureCode
from geo.toponyms.rules import Rule, RuleCode, describe

# every shape of rule text stores hold (written before and after the typed rules)
STORED = {
    "nearby": Rule(RuleCode.EVIDENCE, "nearby"),
    "X, Y": Rule(RuleCode.EVIDENCE, "X, Y"),
    "only candidate": Rule(RuleCode.ONLY_CANDIDATE),
    "no candidate": Rule(RuleCode.NO_CANDIDATE),
    "demonym": Rule(RuleCode.DEMONYM),
    "corrected": Rule(RuleCode.CORRECTED),
    "no town named before it": Rule(RuleCode.NO_TOWN),
    "street in Miami Beach": Rule(RuleCode.STREET_IN, "Miami Beach"),
    "document country (same name in document)":
        Rule(RuleCode.EVIDENCE, "document country", same_name=True),
    "part of Dallas (population)":
        Rule(RuleCode.PART_OF, "Dallas", Rule(RuleCode.EVIDENCE, "population")),
    "near Manassas (nearby (same name in document))":
        Rule(RuleCode.NEAR, "Manassas", Rule(RuleCode.EVIDENCE, "nearby", same_name=True)),
    "near Vladivostok": Rule(RuleCode.NEAR, "Vladivostok"),
}


@pytest.mark.parametrize("text", sorted(STORED))
def test_stored_text_reads_back_as_the_same_rule(text):
    assert Rule.parse(text) == STORED[text]
    assert str(STORED[text]) == text


def test_every_feature_has_words():
    for code in FeatureCode:
        assert "resolver's rule" not in describe(Rule.evidence(code), country="Russia")


def test_rules_in_words():
    assert describe("document country", country="Russia") == \
        "the article also names other places in Russia"
    assert describe("document region", region="Illinois").startswith("the article also names Illinois")
    assert describe("part of Dallas (population)") == \
        "the name is part of Dallas, which the gazetteer knows"
    assert describe("nearby (same name in document)").endswith(
        "as for the same name elsewhere in the article")
    assert describe("street in Miami Beach").startswith("it is a street, in Miami Beach")
    assert describe("something old") == "of the resolver's rule “something old”"
