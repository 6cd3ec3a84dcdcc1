"""The lexicon: a language's words read from geo/data/lexicon/<lang>.txt.

No model and no full gazetteer: docs come from ``spacy.blank("en")`` and the few places
the resolver needs from a four-row fixture gazetteer. Every kind of entry has a probe
below, a behaviour of recognition, the article passes or the resolver that changes when
that kind is emptied; ``test_every_kind_has_a_probe`` keeps the table complete.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

import pytest
import spacy

from geo import nlp as finder
from geo.toponyms import cues
from geo.errors import LexiconError
from geo.languages import surely_default
from geo.nlp import PlaceFinder
from geo.resolve import Resolver
from geo.toponyms.bearers import bears_a_name
from geo.toponyms.lexicon import KINDS, LEXICON_DIR, Lexicon, lexicon, read_lexicon
from geo.toponyms.recognize import _glued
from geo.toponyms.recognize import drop_disease_names as _drop_disease_names
from tests.conftest import DATA, build_fixture_gazetteer
from tests.lexicon_probes import Blank, cue, entry, feature_type, mention

EN = lexicon("en")
BLANK = Blank("en")
span, streets = BLANK.span, BLANK.streets


@pytest.fixture(scope="module")
def gaz(tmp_path_factory):
    g = build_fixture_gazetteer(tmp_path_factory, DATA / "lexicon" / "places.csv")
    yield g
    g.close()


PROBES: dict[str, Callable[[Lexicon, Any], Any]] = {
    "locatives": lambda lex, g: cues.locative_before(
        span("a station near Riverdale", "Riverdale"), lex),
    "inside_words": lambda lex, g: cues.inside_town(
        span("a gas station in Riverdale", "Riverdale"), lex),
    "place_types": lambda lex, g: cues.has_type_cue(
        span("police reached the village of Springfield", "Springfield"), lex),
    "copulas": lambda lex, g: cues.has_type_cue(
        span("Aurora is a city in Illinois", "Aurora"), lex),
    "descriptors": lambda lex, g: PlaceFinder(gazetteer=g, lexicon=lex)._strip_descriptor(
        span("in Georgia province", "Georgia province")).text,
    "feature_heads": lambda lex, g: PlaceFinder(gazetteer=g, lexicon=lex)._accept(
        span("along the Springfield River", "Springfield River")),
    "connectors": lambda lex, g: finder._name_like(
        span("Bosnia and Herzegovina", "Bosnia and Herzegovina"), lex),
    "not_places": lambda lex, g: finder._plausible_name(span("in Mobile", "Mobile"), lex),
    "compass_words": lambda lex, g: [s.text for s in PlaceFinder(
        gazetteer=g, lexicon=lex)._split_merged(span("in Central Georgia", "Central Georgia",
                                                     "GPE"))],
    "disease_names": lambda lex, g: finder._plausible_name(span("cases of Zika", "Zika"), lex),
    "disease_words": lambda lex, g: finder.names_a_disease(
        span("West Nile virus spread", "West Nile"), lex),
    "street_heads": lambda lex, g: streets(lex, "a shop on Royal Street burned"),
    "not_street_words": lambda lex, g: streets(lex, "he wrote On Street corners"),
    "street_initials": lambda lex, g: streets(lex, "a house on N. Bedford Drive burned"),
    "ordinal_suffixes": lambda lex, g: streets(lex, "a fire on 14th Street"),
    "type_links": lambda lex, g: cues.has_type_cue(
        span("police reached the village of Springfield", "Springfield"), lex),
    "possessives": lambda lex, g: finder.trim_span(
        span("South Korea's envoy", "South Korea's"), lex).text,
    "dotted_names": lambda lex, g: finder._capitalised(BLANK.nlp("U.S. troops")[0], lex),
    "definite_articles": lambda lex, g: cues.locative_before(
        span("a fire in the Bronx", "Bronx"), lex),
    "indefinite_articles": lambda lex, g: finder.trim_span(span("an Italy", "an Italy"),
                                                           lex).text,
    "list_joiners": lambda lex, g: bool(lex.list_gap.fullmatch(" and ")),
    "person_titles": lambda lex, g: bears_a_name(
        span("fans of coach Ripley cheered", "Ripley"), lex),
    "company_words": lambda lex, g: bears_a_name(
        span("workers at Ripley Manufacturing struck", "Ripley"), lex),
    "name_not_place": lambda lex, g: bears_a_name(
        span("a Toyota parts supplier", "Toyota"), lex),
    "sentence_openers": lambda lex, g: [m.text for m in _drop_disease_names(
        [mention("In Ebola virus cases; Ebola", "Ebola")], "In Ebola virus cases", lex)],
    "water_heads": lambda lex, g: feature_type(lex, "the Razdolnaya River", "Razdolnaya River",
                                               entry("water")),
    "region_heads": lambda lex, g: feature_type(lex, "in Wright County", "Wright County",
                                                entry("admin2")),
    "region_after": lambda lex, g: cue(g, lex, "New York state voted", "New York").region_word,
    "region_before": lambda lex, g: cue(g, lex, "the state of Washington",
                                        "Washington").region_word,
    "part_prefixes": lambda lex, g: Resolver(g, lexicon=lex)._within("North Springfield"),
    "part_suffixes": lambda lex, g: Resolver(g, lexicon=lex)._within("Springfield Valley"),
    "near_prefixes": lambda lex, g: Resolver(g, lexicon=lex)._within("Lake Springfield"),
    "pair_enders": lambda lex, g: cue(g, lex, "Springfield, Illinois and Missouri",
                                      "Springfield").partner,
    "name_folding": lambda lex, g: lex.fold("St. Louis") == lex.fold("Saint Louis"),
    "dateline_after": lambda lex, g: cue(g, lex, "By Nate Raymond. BOSTON (Reuters) - The",
                                         "BOSTON").dateline,
    "function_words": lambda lex, g: surely_default(
        "The mayor said the floods of the week were the worst in the town's history.",
        lexicons={"en": lex, "fr": lexicon("fr")}),
}


def emptied(kind: str) -> Lexicon:
    value: Any = {} if KINDS[kind] == "pairs" else () if KINDS[kind] == "patterns" \
        else frozenset()
    return dataclasses.replace(EN, **{kind: value})


def test_every_kind_has_a_probe():
    assert set(PROBES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_of_entry_changes_behaviour_when_removed(kind, gaz):
    with_words = PROBES[kind](EN, gaz)
    without = PROBES[kind](emptied(kind), gaz)
    assert with_words != without, f"[{kind}] emptied changes nothing"


def test_probes_say_what_the_english_words_mean(gaz):
    """The direction of a few probes, so the table above tests meaning, not only change."""
    assert PROBES["not_places"](EN, gaz) is False  # "Mobile" alone is not the city
    assert PROBES["disease_words"](EN, gaz) is True
    assert PROBES["compass_words"](EN, gaz) == ["Central Georgia"]
    assert PROBES["street_heads"](EN, gaz) == ["Royal Street"]
    assert PROBES["street_initials"](EN, gaz) == ["N. Bedford Drive"]
    assert PROBES["ordinal_suffixes"](EN, gaz) == ["14th Street"]
    assert PROBES["possessives"](EN, gaz) == "South Korea"
    assert PROBES["sentence_openers"](EN, gaz) == []  # "Ebola" is the disease, dropped
    assert PROBES["pair_enders"](EN, gaz).name == "Illinois"
    assert str(PROBES["part_prefixes"](EN, gaz)[0]) == "part of Springfield"
    assert str(PROBES["near_prefixes"](EN, gaz)[0]) == "near Springfield"
    assert PROBES["person_titles"](EN, gaz) is True  # "coach Ripley" is a person
    assert PROBES["name_not_place"](EN, gaz) is True  # "Toyota" is the company
    assert PROBES["function_words"](EN, gaz) is True  # plainly English: no detector


# -- the merged lists: one disease list, one dateline rule ---------------------------


def test_one_disease_list_serves_recognition_the_article_pass_and_propagation():
    text = "the Oxford vaccine trial. Oxford said"
    oxford = [mention(text, "Oxford")]
    assert finder.names_a_disease(span(text, "Oxford"), EN)
    assert _drop_disease_names(oxford, text, EN) == []
    assert _glued(text, 4, 10, EN)
    no_vaccine = dataclasses.replace(EN, disease_words=EN.disease_words - {"vaccine"})
    assert not finder.names_a_disease(span(text, "Oxford"), no_vaccine)
    assert _drop_disease_names(oxford, text, no_vaccine) == oxford
    assert not _glued(text, 4, 10, no_vaccine)


def test_a_word_ending_entry_matches_any_word_ending_so():
    assert EN.is_disease_word("coronavirus") and EN.is_disease_word("Virus")
    assert not EN.is_disease_word("virulent")
    assert _drop_disease_names([mention("Wuhan coronavirus", "Wuhan")], "Wuhan coronavirus",
                               EN) == []


@pytest.mark.parametrize("text, name, expected", [
    ("OKLAHOMA CITY (AP) -- A storm", "OKLAHOMA CITY", True),
    ("Title\nPLEASANTON, Calif. -", "PLEASANTON", True),
    ("By Carey L. Biron. WASHINGTON, April 5 (Reuters)", "WASHINGTON", True),
    ("Event. IMMOKALEE – Congressman", "IMMOKALEE", True),
    ("leaders of NATO, the alliance", "NATO", False),  # not where a line or sentence opens
    ("UK (AP)", "UK", False),  # fewer than three letters
    ("Boston (AP)", "Boston", False),  # not in capitals
])
def test_one_dateline_rule_for_recognition_and_resolution(gaz, text, name, expected):
    assert EN.is_dateline(text, text.index(name), text.index(name) + len(name)) is expected
    assert finder._dateline(span(text, name), EN) is expected
    assert cue(gaz, EN, text, name).dateline is expected


# -- the loader ----------------------------------------------------------------------


def test_english_is_read_once_from_the_data_directory():
    assert lexicon("en") is lexicon("en")
    assert (LEXICON_DIR / "en.txt").is_file()
    assert LEXICON_DIR == Path(finder.__file__).parent / "data" / "lexicon"
    assert "village" in EN.place_types and "Street" in EN.street_heads
    assert EN.name_folding["st"] == "saint"


def test_adding_a_word_is_editing_data(tmp_path):
    path = tmp_path / "en.txt"
    text = (LEXICON_DIR / "en.txt").read_text(encoding="utf-8")
    path.write_text(text.replace("[not_places]", "[not_places]\nKirkby"), encoding="utf-8")
    edited = read_lexicon(path, lang="en")
    assert finder._plausible_name(span("in Kirkby", "Kirkby"), EN)
    assert not finder._plausible_name(span("in Kirkby", "Kirkby"), edited)


def _with(tmp_path: Path, extra: str, *, after: str = "[place_types]") -> Path:
    """A copy of the English file with ``extra`` lines right after ``after``; returns it
    (the first added line is line ``after``'s number + 1)."""
    lines = (LEXICON_DIR / "en.txt").read_text(encoding="utf-8").splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith(after))
    path = tmp_path / "en.txt"
    path.write_text("\n".join([*lines[:at + 1], extra, *lines[at + 1:]]), encoding="utf-8")
    return path


def _line_of(path: Path, line: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(line) + 1  # first one


@pytest.mark.parametrize("extra, after, reason", [
    ("[placetypes]", "[place_types]", "unknown section [placetypes]"),
    ("st saint", "[name_folding]", "wants 'short = long'"),
    ("(unclosed", "[dateline_after]", "invalid regular expression"),
    ("*ville", "[place_types]", "only allowed in [disease_words]"),
    ("town = city", "[place_types]", "wants one word or phrase"),
])
def test_a_malformed_entry_is_refused_naming_file_and_line(tmp_path, extra, after, reason):
    path = _with(tmp_path, extra, after=after)
    with pytest.raises(LexiconError) as err:
        read_lexicon(path, lang="en")
    assert f"en.txt:{_line_of(path, extra)}: " in str(err.value)
    assert reason in str(err.value)


def test_a_duplicate_names_both_lines(tmp_path):
    path = _with(tmp_path, "town  # again")
    with pytest.raises(LexiconError, match=r"en\.txt:\d+: 'town' is already in "
                                           r"\[place_types\] \(line \d+\)"):
        read_lexicon(path, lang="en")


def test_an_entry_before_any_section_and_a_missing_section(tmp_path):
    path = tmp_path / "xx.txt"
    path.write_text("# words\n\ncity\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"xx\.txt:3: 'city' comes before any \[section\]"):
        read_lexicon(path, lang="xx")
    path.write_text("[place_types]\ncity\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"xx\.txt: no section \[locatives\]"):
        read_lexicon(path, lang="xx")


def test_a_language_without_a_file_is_an_error_naming_it():
    with pytest.raises(LexiconError, match=r"zz\.txt: cannot read the lexicon"):
        lexicon("zz")
    with pytest.raises(LexiconError, match="not a language code"):
        lexicon("../en")


def test_the_place_finder_reads_the_lexicon_of_its_pipeline_language():
    nlp = spacy.blank("en")
    assert nlp.add_pipe("news_atlas_places").lexicon is EN
    with pytest.raises(LexiconError, match=r"xx\.txt: cannot read"):  # no lexicon yet
        spacy.blank("xx").add_pipe("news_atlas_places")
