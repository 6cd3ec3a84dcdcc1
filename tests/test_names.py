"""Names some town bears that stand for a person, company or team (geo.toponyms.names).

Docs come from ``spacy.blank("en")``: no model, no gazetteer.
"""
from __future__ import annotations

import pytest
import spacy

from geo.toponyms.lexicon import lexicon
from geo.toponyms.bearers import bears_a_name

EN = lexicon("en")
BLANK = spacy.blank("en")


def _span(text: str, name: str):
    doc = BLANK(text)
    start = text.index(name)
    return doc.char_span(start, start + len(name))


@pytest.mark.parametrize("text, name", [
    ("Fans of coach Ripley filled the stands.", "Ripley"),
    ("a speech by former President Obama", "Obama"),
    ("He worked for Obama in Chicago.", "Obama"),
    ("Workers at Titan Industries will get a raise.", "Titan"),
    ("They tour a Toyota parts supplier.", "Toyota"),
    ("Engineers from Highways inspected the road.", "Highways"),
    ("A bill now goes to the Duma.", "Duma"),
])
def test_a_person_company_or_body_is_no_place(text, name):
    assert bears_a_name(_span(text, name), EN)


@pytest.mark.parametrize("text, name", [
    ("the town of Obama has 30,000 people", "Obama"),  # a type cue
    ("Toyota is a city in Aichi", "Toyota"),
    ("TOYOTA, Japan (AP) -- Sales rose", "TOYOTA"),  # a dateline
    ("Fans filled the stands in Ripley on Friday.", "Ripley"),  # no title: the town
    ("The plant in Newark makes tires.", "Newark"),
])
def test_place_evidence_or_no_sign_of_a_bearer_keeps_the_place(text, name):
    assert not bears_a_name(_span(text, name), EN)


@pytest.mark.gazetteer
@pytest.mark.parametrize("text, name, bearer", [
    ("A new hunt for Malaysia Airlines flight MH370", "Malaysia", False),  # a country
    ("Shares of Bank of Valletta plc fell", "Valletta", False),  # a capital
    ("Workers at Ripley Manufacturing struck", "Ripley", True),  # towns only
])
def test_a_company_named_after_a_country_or_capital_is_still_named_after_it(
        full_gazetteer, text, name, bearer):
    """GeoWebNews counts "Malaysia" of "Malaysia Airlines" as the country."""
    assert bears_a_name(_span(text, name), EN, full_gazetteer) is bearer
