"""Recognition components (geo.toponyms.recognize): registration, settings in the nlp
config, the gazetteer through spaCy's registry, and the article-level components.

No model: ``spacy.blank("en")``, entities set by hand, the tiny fixture gazetteer.
"""
from __future__ import annotations

import pytest
import spacy
from spacy.lang.en import English
from spacy.language import Language
from spacy.tokens import Doc, Span

from geo.errors import ModelError
from geo.toponyms.recognize import (ARTICLE_COMPONENTS, GAZETTEER, add_recognition,
                                    article_components)

ORDER = ["news_atlas_places", "news_atlas_person_names", "news_atlas_disease_names",
         "news_atlas_abbreviations", "news_atlas_document_names"]


@pytest.fixture
def nlp(tiny_gazetteer) -> Language:
    return add_recognition(spacy.blank("en"), tiny_gazetteer)


def doc_with(nlp: Language, text: str, ents: list[tuple[str, str, int]]) -> Doc:
    """A Doc of ``text`` with the given entities (name, label, nth occurrence)."""
    doc = nlp.make_doc(text)
    spans = []
    for name, label, nth in ents:
        start = -1
        for _ in range(nth + 1):
            start = text.index(name, start + 1)
        spans.append(doc.char_span(start, start + len(name), label=label))
    doc.ents = spans
    return doc


def places(doc: Doc) -> list[tuple[int, str, str]]:
    return [(s.start_char, s.text, s.label_) for s in doc.spans["places"]]


def test_the_order_of_steps_is_the_pipeline_order(nlp):
    assert nlp.pipe_names == ORDER
    assert [name for name, _ in article_components(nlp)] == list(ARTICLE_COMPONENTS)


def test_settings_live_in_the_nlp_config(tiny_gazetteer):
    nlp = add_recognition(spacy.blank("en"), tiny_gazetteer,
                          config={"news_atlas_places": {"max_ngram": 3,
                                                        "city_population": 500_000}})
    settings = nlp.config["components"]["news_atlas_places"]
    assert settings["max_ngram"] == 3 and settings["city_population"] == 500_000
    finder = nlp.get_pipe("news_atlas_places")
    assert (finder.max_ngram, finder.city_population) == (3, 500_000)


def test_the_gazetteer_comes_through_the_registry(nlp, tiny_gazetteer):
    ref = nlp.config["components"]["news_atlas_places"]["gazetteer"]
    assert ref == {"@misc": GAZETTEER, "path": str(tiny_gazetteer.path.resolve())}
    # a pipeline built from the config alone gets the same gazetteer
    rebuilt = English.from_config(nlp.config)
    assert rebuilt.pipe_names == ORDER
    for name in ("news_atlas_places", "news_atlas_person_names", "news_atlas_document_names"):
        assert rebuilt.get_pipe(name).gazetteer is tiny_gazetteer
    # and a config naming the index by path opens it
    blank = spacy.blank("en")
    finder = blank.add_pipe("news_atlas_places", config={
        "gazetteer": {"@misc": GAZETTEER, "path": str(tiny_gazetteer.path)}})
    assert finder.gazetteer.has_name("Vladivostok")


def test_a_component_without_a_gazetteer_says_how_to_get_one():
    blank = spacy.blank("en")
    blank.add_pipe("news_atlas_document_names")
    with pytest.raises(ModelError, match="load_nlp"):
        blank("Vladivostok is far.")


def test_one_sense_per_document_component(nlp):
    text = "Fighting near Vladivostok went on. Later the Vladivostok port closed."
    doc = doc_with(nlp, text, [("Vladivostok", "GPE", 0)])
    found = nlp(doc)
    assert places(found) == [(14, "Vladivostok", "GPE"), (45, "Vladivostok", "document")]
    # without that component, the second one is not found
    alone = nlp(doc_with(nlp, text, [("Vladivostok", "GPE", 0)]),
                disable=["news_atlas_document_names"])
    assert places(alone) == [(14, "Vladivostok", "GPE")]


def test_disease_names_component(nlp):
    text = "Vladivostok virus is new. Cases rose in Vladivostok today."
    doc = nlp(doc_with(nlp, text, [("Vladivostok", "GPE", 1)]))
    assert places(doc) == []
    kept = nlp(doc_with(nlp, text, [("Vladivostok", "GPE", 1)]),
               disable=["news_atlas_disease_names"])
    assert places(kept) == [(40, "Vladivostok", "GPE")]


def test_person_names_component(nlp):
    text = "John Springfield spoke today. Springfield said no."
    ents = [("John Springfield", "PERSON", 0), ("Springfield", "ORG", 1)]
    doc = nlp(doc_with(nlp, text, ents))
    assert places(doc) == []
    assert [(s.text, s.label_) for s in doc.spans["actors"]] == [
        ("John Springfield", "PERSON"), ("Springfield", "PERSON")]
    kept = nlp(doc_with(nlp, text, ents), disable=["news_atlas_person_names"])
    assert places(kept) == [(30, "Springfield", "gazetteer:ORG")]


def test_abbreviations_component_feeds_one_sense_per_document(nlp):
    text = "Fighting in North Korea (NK) went on. NK said no."
    doc = nlp(doc_with(nlp, text, [("North Korea", "GPE", 0)]))
    assert (12, "North Korea", "GPE") in places(doc)
    assert (38, "NK", "document") in places(doc)
    assert doc.user_data["news_atlas_aliases"] == {"NK": "North Korea"}
    alone = nlp(doc_with(nlp, text, [("North Korea", "GPE", 0)]),
                disable=["news_atlas_abbreviations"])
    assert places(alone) == [(12, "North Korea", "GPE")]
