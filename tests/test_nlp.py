"""The place finder: spaCy's entities combined with the gazetteer (real sm model)."""
from __future__ import annotations

import pytest
import spacy

from geo.nlp import load_nlp

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def nlp(places_gazetteer):
    return load_nlp(places_gazetteer)


def spans(nlp, text: str, key: str) -> list[tuple[str, str]]:
    doc = nlp(text)  # keep the Doc alive while its span group is read
    return [(s.text, s.label_) for s in doc.spans[key]]


def test_a_place_the_model_calls_an_organisation_is_still_a_place(nlp):
    # the sm model tags "Khasan" ORG; the curated gazetteer entry makes it a place
    found = spans(nlp, "Russian officials posted video of the leader exiting his train in "
                       "Khasan, a station on the border.", "places")
    assert ("Khasan", "gazetteer:ORG") in found


def test_people_are_not_places_even_when_a_village_has_their_name(nlp):
    doc = nlp("Kim Jong-un met the press. Kim said the talks went well.")
    assert [s.text for s in doc.spans["places"]] == []
    assert "Kim Jong-un" in [s.text for s in doc.spans["actors"]]


def test_demonyms_are_their_own_kind(nlp):
    doc = nlp("Russian and American officials met in Russia.")
    assert [s.text for s in doc.spans["demonyms"]] == ["Russian", "American"]
    assert [s.text for s in doc.spans["places"]] == ["Russia"]


def test_possessives_and_leading_articles_are_trimmed(nlp):
    assert spans(nlp, "The United States's envoy arrived.", "places")[0][0] == "United States"


def test_disease_names_are_not_places(nlp):
    found = [t for t, _ in spans(nlp, "Cases of West Nile virus and Marburg fever rose "
                                      "in Georgia.", "places")]
    assert "Georgia" in found
    assert not {"West Nile", "Marburg"} & set(found)


def test_acronyms_that_only_fold_to_a_town_are_not_places(nlp):
    found = [t for t, _ in spans(nlp, "The FDA and the EU issued a warning.", "places")]
    assert "FDA" not in found
    assert "EU" in found  # an alias of the European Union


def test_place_type_cues_find_unknown_villages(nlp):
    found = [t for t, _ in spans(nlp, "Police reached the village of Springfield at dawn.",
                                 "places")]
    assert "Springfield" in found


@pytest.fixture(scope="session")
def full_nlp(full_gazetteer):
    return load_nlp(full_gazetteer)


@pytest.mark.gazetteer
def test_names_listed_after_a_place_are_places(full_nlp):
    found = [t for t, _ in spans(full_nlp, "The chain sold its stores in Žilina, Nitra, "
                                           "Prešov and Košice, the paper said.", "places")]
    assert {"Žilina", "Nitra", "Prešov", "Košice"} <= set(found)
    found = spans(full_nlp, "Bodies were found near New Quay, Ceredigion, on Wednesday.",
                  "places")
    assert "Ceredigion" in [t for t, _ in found]


@pytest.mark.gazetteer
def test_a_dateline_in_capitals_is_a_place(full_nlp):
    found = spans(full_nlp, "PLEASANTON, Calif. (AP) — DeltaTrak said on Monday.", "places")
    assert "PLEASANTON" in [t for t, _ in found]
    found = spans(full_nlp, "The report said ISIS, the group, had left.", "places")
    assert "ISIS" not in [t for t, _ in found]  # capitals mid-line are not a dateline


@pytest.mark.gazetteer
def test_a_county_after_a_name_and_a_comma_is_a_place(full_nlp):
    found = [t for t, _ in spans(full_nlp, "Round 3: Donington Park, Leicestershire. "
                                           "Round 4: Knockhill, Fife.", "places")]
    assert {"Leicestershire", "Fife"} <= set(found)


@pytest.mark.gazetteer
def test_two_entities_widened_to_one_name_are_one_place(full_nlp):
    doc = full_nlp("Clashes continued in Jammu and Kashmir on Monday.")
    spans_ = [(s.start, s.end) for s in doc.spans["places"]]
    assert len(spans_) == len(set(spans_)) and "Jammu and Kashmir" in \
        [s.text for s in doc.spans["places"]]


@pytest.mark.gazetteer
def test_a_listed_town_the_model_calls_a_person_is_a_place(full_nlp):
    doc = full_nlp("Buses run to Cirencester from Gloucester and Cheltenham, potentially "
                   "doubling jobs.")
    assert "Cheltenham" in [s.text for s in doc.spans["places"]]
    assert "Cheltenham" not in [s.text for s in doc.spans["actors"]]


@pytest.mark.gazetteer
def test_a_disease_named_after_a_place_is_not_a_place_on_its_own(full_nlp):
    found = [t for t, _ in spans(full_nlp, "He built a hospital to combat Ebola in Africa. "
                                           "A thousand people in the state have died of "
                                           "Meningitis.", "places")]
    assert "Africa" in found
    assert not {"Ebola", "Meningitis"} & set(found)


@pytest.mark.gazetteer
def test_common_words_that_some_town_bears_are_not_places_on_their_own(full_nlp):
    text = ("The meeting of the Chief Secretaries of the party States was held in Delhi. "
            "The Council met at the Church in Paris.")
    found = [t for t, _ in spans(full_nlp, text, "places")]
    assert {"Delhi", "Paris"} <= set(found)
    assert not {"States", "Council", "Church"} & set(found)


def test_streets_are_places_and_their_words_are_not_people(nlp):
    doc = nlp("The Museum of Ice Cream is opening on Collins Avenue this week. Police "
              "arrested two men on 14th St. Thursday near N. Bedford Drive.")
    streets = [s.text for s in doc.spans["places"] if s.label_ == "street"]
    assert streets == ["Collins Avenue", "14th St.", "N. Bedford Drive"]
    assert "Collins" not in [s.text for s in doc.spans["actors"]]


def test_a_street_inside_a_longer_name_is_not_a_street(nlp):
    doc = nlp("The Wall Street Journal reported it first. The Road to Recovery is long.")
    assert [s.text for s in doc.spans["places"] if s.label_ == "street"] == []


@pytest.mark.gazetteer
def test_a_town_before_its_street_in_an_organisation_name_is_kept(full_nlp):
    found = spans(full_nlp, "Harare’s Third Street will soon be renamed.", "places")
    assert ("Third Street", "street") in found and "Harare" in [t for t, _ in found]


@pytest.mark.gazetteer
def test_two_places_the_model_ran_together_are_split(full_nlp):
    found = [t for t, _ in spans(full_nlp, "19/20 May: Thruxton, Hampshire. Jobless rates "
                                           "in countries such as Cyprus, Greece Italy or "
                                           "Spain. Bodies were found in West Wales.",
                                 "places")]
    assert {"Thruxton", "Hampshire", "Greece", "Italy", "West Wales"} <= set(found)
    assert not {"Thruxton, Hampshire", "Greece Italy", "West"} & set(found)


@pytest.mark.gazetteer
def test_compass_words_opening_an_organisation_name_are_no_place(full_nlp):
    found = [t for t, _ in spans(full_nlp, "Volunteers are needed to help South Central "
                                           "Ambulance Service in Hampshire.", "places")]
    assert "South Central" not in found and "Hampshire" in found


@pytest.mark.gazetteer
def test_a_town_the_model_calls_a_person_is_a_place_after_in(full_nlp):
    doc = full_nlp("The numbers were selected at the Lukeoil gas station in Riverdale "
                   "for the Friday drawing.")
    assert "Riverdale" in [s.text for s in doc.spans["places"]]
    doc = full_nlp("The deal was done in Riverdale's office on Friday.")
    assert "Riverdale" not in [s.text for s in doc.spans["places"]]


@pytest.mark.gazetteer
def test_a_dateline_with_a_dotted_abbreviation_is_one_place(full_nlp):
    found = [t for t, _ in spans(full_nlp, "ST. LOUIS – St. Louis Police announced its "
                                           "burglary unit.", "places")]
    assert "ST. LOUIS" in found and "ST" not in found


@pytest.mark.gazetteer
def test_a_town_before_a_comma_and_its_county_is_a_place(full_nlp):
    doc = full_nlp("23/24 June: Croft, Yorkshire. 15/16 September: Silverstone, "
                   "Northamptonshire. 29/30 September: Brands Hatch GP, Kent.")
    found = [s.text for s in doc.spans["places"]]
    assert {"Croft", "Silverstone", "Kent"} <= set(found)
    assert "Croft" not in [s.text for s in doc.spans["actors"]]


@pytest.mark.gazetteer
def test_a_county_iso_lists_is_a_place_the_model_calls_a_person(full_nlp):
    found = [t for t, _ in spans(full_nlp, "The championship returns to Hampshire on the "
                                           "weekend of May 19.", "places")]
    assert "Hampshire" in found


def test_the_engine_loads_only_the_components_it_reads(nlp):
    # no tagger, shared tok2vec, parser, senter, attribute ruler or lemmatizer
    # (docs/performance.md): the ner embeds its own tok2vec, sentence starts come from
    # the rule-based sentencizer, proper nouns from the words themselves
    assert nlp.pipe_names[:2] == ["sentencizer", "ner"]
    assert not {"tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"} \
        & set(nlp.component_names)
    doc = nlp("Fighting went on in Vladivostok. Then it stopped.")
    assert [bool(t.is_sent_start) for t in doc][4:7] == [False, False, True]
    assert [e.text for e in doc.ents] == ["Vladivostok"]
    assert [s.text for s in doc.spans["places"]] == ["Vladivostok"]


def test_proper_nouns_are_told_by_the_words_themselves():
    """A capitalised word is a proper noun unless it is a stop word outside the model's
    entities ("The" of "The talks" is not; of "The Hague" it is)."""
    from spacy.tokens import Span

    from geo.nlp import _proper

    doc = spacy.blank("en")("The talks in The Hague and in Vladivostok went on")
    doc.ents = [Span(doc, 3, 5, label="GPE")]
    assert [t.text for t in doc if _proper(t)] == ["The", "Hague", "Vladivostok"]
    assert doc[3].text == "The" and not _proper(doc[0])


def test_a_town_after_in_is_a_place_without_a_tagger(tiny_gazetteer):
    """A town after "in" is a place by its capital letter alone: no component sets
    ``tag_`` or ``pos_``."""
    from geo.toponyms.recognize import gazetteer_ref

    blank = spacy.blank("en")
    finder = blank.add_pipe("news_atlas_places",
                            config={"gazetteer": gazetteer_ref(tiny_gazetteer)})

    def found(text: str) -> list[str]:
        doc = blank.make_doc(text)
        return [s.text for s in finder(doc).spans["places"]]

    assert found("Fighting went on in Vladivostok today.") == ["Vladivostok"]
    assert found("Fighting went on in vladivostok today.") == []
