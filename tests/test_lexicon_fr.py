"""The French lexicon (geo/data/lexicon/fr.txt): every kind en.txt has, each read.

Like tests/test_lexicon.py: no model and no full gazetteer; docs come from
``spacy.blank("fr")`` (French tokenization: "l'" and "d'" are tokens of their own) and
the places from a four-row fixture with French own names. Each kind has a probe whose
result changes when the kind is emptied. Where the code reads a head after the name
(English order: "X River", "X Boulevard"), the probe says so; French puts most heads
first, which docs/languages.md describes.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import pytest
import spacy

from geo import nlp as finder
from geo.toponyms import cues
from geo.languages import surely_default
from geo.nlp import PlaceFinder
from geo.resolve import Resolver
from geo.toponyms.bearers import bears_a_name
from geo.toponyms.lexicon import KINDS, Lexicon, lexicon
from geo.toponyms.recognize import drop_disease_names as _drop_disease_names
from tests.conftest import DATA, build_fixture_gazetteer
from tests.lexicon_probes import Blank, cue, entry, feature_type, mention

FR = lexicon("fr")
BLANK = Blank("fr")
span, streets = BLANK.span, BLANK.streets
# kinds French leaves empty on purpose (the file says why)
EMPTY_IN_FRENCH = {"possessives"}


@pytest.fixture(scope="module")
def gaz(tmp_path_factory):
    g = build_fixture_gazetteer(tmp_path_factory, DATA / "fr" / "places.csv")
    yield g
    g.close()


PROBES: dict[str, Callable[[Lexicon, Any], Any]] = {
    "locatives": lambda lex, g: cues.locative_before(
        span("une gare près de Riverdale", "Riverdale"), lex),
    "inside_words": lambda lex, g: cues.inside_town(
        span("une station-service à Riverdale", "Riverdale"), lex),
    "place_types": lambda lex, g: cues.has_type_cue(
        span("la police a rejoint le village de Springfield", "Springfield"), lex),
    "copulas": lambda lex, g: cues.has_type_cue(
        span("Aurora est une ville de l'Illinois", "Aurora"), lex),
    "type_links": lambda lex, g: cues.has_type_cue(
        span("la police a rejoint le village de Springfield", "Springfield"), lex),
    "descriptors": lambda lex, g: PlaceFinder(gazetteer=g, lexicon=lex)._strip_descriptor(
        span("dans la province de Géorgie", "province de Géorgie")).text,
    # a head after the name (English order; French names rarely end so)
    "feature_heads": lambda lex, g: PlaceFinder(gazetteer=g, lexicon=lex)._accept(
        span("le long du Springfield Canal", "Springfield Canal")),
    "connectors": lambda lex, g: finder._name_like(
        span("Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur"), lex),
    "not_places": lambda lex, g: finder._plausible_name(span("à la Mairie", "Mairie"), lex),
    "compass_words": lambda lex, g: [s.text for s in PlaceFinder(
        gazetteer=g, lexicon=lex)._split_merged(span("dans le Centre Géorgie",
                                                     "Centre Géorgie", "LOC"))],
    "disease_names": lambda lex, g: finder._plausible_name(span("des cas de Zika", "Zika"),
                                                           lex),
    "disease_words": lambda lex, g: finder.names_a_disease(
        span("une souche du Marburg virus", "Marburg"), lex),
    "street_heads": lambda lex, g: streets(lex, "un magasin du Haussmann Boulevard a brûlé"),
    "not_street_words": lambda lex, g: streets(lex, "il a écrit Sur Avenue hier"),
    "street_initials": lambda lex, g: streets(lex, "une maison sur N. Bedford Avenue a brûlé"),
    "ordinal_suffixes": lambda lex, g: streets(lex, "un incendie sur la 14e Avenue"),
    "dotted_names": lambda lex, g: finder._capitalised(BLANK.nlp("É.-U. troupes")[0], lex),
    "definite_articles": lambda lex, g: cues.locative_before(
        span("un incendie dans la Loire", "Loire"), lex),
    "indefinite_articles": lambda lex, g: finder.trim_span(span("une Italie", "une Italie"),
                                                           lex).text,
    "list_joiners": lambda lex, g: bool(lex.list_gap.fullmatch(" et ")),
    "person_titles": lambda lex, g: bears_a_name(
        span("les supporters de l'entraîneur Ripley chantaient", "Ripley"), lex),
    "company_words": lambda lex, g: bears_a_name(
        span("les ouvriers de Ripley Industries ont fait grève", "Ripley"), lex),
    "name_not_place": lambda lex, g: bears_a_name(
        span("un fournisseur de Toyota a fermé", "Toyota"), lex),
    "sentence_openers": lambda lex, g: [m.text for m in _drop_disease_names(
        [mention("En Ebola virus cas; Ebola", "Ebola")], "En Ebola virus cas", lex)],
    # heads after the name (English order), as the resolver reads them
    "water_heads": lambda lex, g: feature_type(lex, "sur le Grand Lac", "Grand Lac",
                                               entry("water")),
    "region_heads": lambda lex, g: feature_type(lex, "dans le Nord Département",
                                                "Nord Département", entry("admin2")),
    "region_after": lambda lex, g: cue(g, lex, "New York État a voté", "New York").region_word,
    "region_before": lambda lex, g: cue(g, lex, "dans l'État de Washington",
                                        "Washington").region_word,
    "part_prefixes": lambda lex, g: Resolver(g, lexicon=lex)._within("Grand Springfield"),
    "part_suffixes": lambda lex, g: Resolver(g, lexicon=lex)._within("Springfield Métropole"),
    "near_prefixes": lambda lex, g: Resolver(g, lexicon=lex)._within("Lac Springfield"),
    "pair_enders": lambda lex, g: cue(g, lex, "Springfield, Illinois et Missouri",
                                      "Springfield").partner,
    "name_folding": lambda lex, g: lex.fold("St-Étienne") == lex.fold("Saint-Étienne"),
    "dateline_after": lambda lex, g: cue(g, lex, "Par Jean Dupont. LYON (AFP) - Le",
                                         "LYON").dateline,
    # English words, then French ones: the detector must decide (not plainly English)
    "function_words": lambda lex, g: surely_default(
        "The mayor said the aid for the town was late, et la ville est sous les eaux.",
        lexicons={"en": lexicon("en"), "fr": lex}),
}


def emptied(kind: str) -> Lexicon:
    value: Any = {} if KINDS[kind] == "pairs" else () if KINDS[kind] == "patterns" \
        else frozenset()
    return dataclasses.replace(FR, **{kind: value})


def test_every_kind_has_a_probe_or_is_empty_on_purpose():
    assert set(PROBES) | EMPTY_IN_FRENCH == set(KINDS)
    assert not set(PROBES) & EMPTY_IN_FRENCH
    for kind in EMPTY_IN_FRENCH:
        assert not getattr(FR, kind), f"[{kind}] is meant to be empty in fr.txt"


@pytest.mark.parametrize("kind", sorted(PROBES))
def test_each_french_kind_changes_behaviour_when_removed(kind, gaz):
    with_words = PROBES[kind](FR, gaz)
    without = PROBES[kind](emptied(kind), gaz)
    assert with_words != without, f"[{kind}] emptied changes nothing"


def test_probes_say_what_the_french_words_mean(gaz):
    assert PROBES["locatives"](FR, gaz) is True  # "près de Riverdale"
    assert PROBES["descriptors"](FR, gaz) == "Géorgie"  # "province de Géorgie"
    assert PROBES["not_places"](FR, gaz) is False  # "la Mairie" is no town
    assert PROBES["compass_words"](FR, gaz) == ["Centre Géorgie"]
    assert PROBES["definite_articles"](FR, gaz) is True  # "dans la Loire"
    assert PROBES["indefinite_articles"](FR, gaz) == "Italie"
    assert PROBES["ordinal_suffixes"](FR, gaz) == ["14e Avenue"]
    assert PROBES["sentence_openers"](FR, gaz) == []  # "Ebola" is the disease, dropped
    assert PROBES["pair_enders"](FR, gaz).name == "Illinois"
    assert str(PROBES["part_prefixes"](FR, gaz)[0]) == "part of Springfield"
    assert str(PROBES["near_prefixes"](FR, gaz)[0]) == "near Springfield"
    assert PROBES["function_words"](FR, gaz) is False  # "et la ... est sous les": doubt


def test_french_elision_is_read_by_the_tokens():
    """"l'Ukraine", "d'Azur": the article or preposition is a token of its own, which
    the lexicon lists, so the name alone is what is looked up."""
    assert finder.trim_span(span("l'Ukraine", "l'Ukraine"), FR).text == "Ukraine"
    assert cues.locative_before(span("la route d'Ukraine", "Ukraine"), FR)


def test_the_place_finder_of_a_french_pipeline_reads_french():
    assert spacy.blank("fr").add_pipe("news_atlas_places").lexicon is FR
