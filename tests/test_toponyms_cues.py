"""The cue record: what the words right around a mention say, read once per mention
from the text (a tiny gazetteer; no model)."""
from __future__ import annotations

import pytest

from geo.gazetteer import Gazetteer
from geo.models import PlaceMention
from geo.resolve import Resolver
from geo.toponyms.cues import Cues


@pytest.fixture
def reader(places_gazetteer: Gazetteer):
    return Resolver(places_gazetteer).cue_reader


def read(reader, text: str, *names: str, label: str | None = None) -> dict[str, Cues]:
    ms, pos = [], 0
    for name in names:
        start = text.index(name, pos)
        ms.append(PlaceMention(start=start, end=start + len(name), text=name,
                               passage_id="p0", label=label))
        pos = start + len(name)
    cands = {id(m): reader.gazetteer.lookup(m.text) for m in ms}
    got = reader.read(ms, text, cands)
    return {m.text: got[id(m)] for m in ms}


def test_nothing_around_a_bare_name(reader):
    assert read(reader, "Rain fell on Springfield today.", "Springfield")["Springfield"] == Cues()


def test_region_words_before_and_after(reader):
    assert read(reader, "New York state voted.", "New York")["New York"].region_word
    assert read(reader, "in the state of Washington", "Washington")["Washington"].region_word


def test_a_dateline(reader):
    assert read(reader, "HELENA (AP) — Snow fell.", "HELENA")["HELENA"].dateline
    assert not read(reader, "Snow fell in Helena.", "Helena")["Helena"].dateline


def test_the_before_a_name(reader):
    assert read(reader, "ships in the Pacific", "Pacific")["Pacific"].definite


def test_x_comma_y_from_both_sides(reader):
    got = read(reader, "The fair moved to Springfield, Illinois.", "Springfield", "Illinois")
    assert got["Springfield"].partner.id == "iso:US-IL"
    assert {e.id for e in got["Illinois"].holds} == {"gn:4250542", "gn:4409896"}
    # "Buffalo, New York" when Buffalo was not taken for a place
    got = read(reader, "snow in Buffalo, New York fell", "New York")
    assert [e.id for e in got["New York"].holds] == ["gn:5110629"]
    # an abbreviation: "Helena, Mont."
    got = read(reader, "HELENA, Mont. (AP) — Snow fell.", "HELENA")
    assert got["HELENA"].partner.id == "iso:US-MT"


def test_a_definition_names_what_holds_the_place(reader):
    text = "Springfield is a small city in Illinois. Missouri is west."
    got = read(reader, text, "Springfield", "Illinois", "Missouri")
    assert [[e.id for e in g] for g in got["Springfield"].defined_in] == [["iso:US-IL"]]
    assert [n.text for n in got["Springfield"].defined_by] == ["Illinois"]
    got = read(reader, "Springfield, a town in Missouri, voted.", "Springfield", "Missouri")
    assert [[e.id for e in g] for g in got["Springfield"].defined_in] == [["iso:US-MO"]]
    # a kind of place without "in" / "of" after it defines nothing; nor does the next
    # sentence
    got = read(reader, "Springfield was the first city to vote, then Illinois.",
               "Springfield", "Illinois")
    assert got["Springfield"].defined_in == ()
    got = read(reader, "Springfield is a city of note. Illinois voted.", "Springfield",
               "Illinois")
    assert got["Springfield"].defined_in == ()


def test_a_list_is_three_names_or_two_joined_by_a_word(reader):
    got = read(reader, "Texas, Ohio and New York voted.", "Texas", "Ohio", "New York")
    assert [m.text for m in got["Ohio"].list_run] == ["Texas", "Ohio", "New York"]
    got = read(reader, "Texas and Ohio voted.", "Texas", "Ohio")
    assert len(got["Texas"].list_run) == 2
    got = read(reader, "Oaxaca, Mexico voted.", "Oaxaca", "Mexico")
    assert got["Oaxaca"].list_run == ()


def test_inside_a_longer_name(reader):
    got = read(reader, "the Texas Rangers won", "Texas", label="embedded:ORG")
    assert got["Texas"].inside_name


@pytest.mark.parametrize("text, name, expected", [
    ("police reached the village of Springfield", "Springfield",
     Cues(locative=True, type_cue=True)),  # "of" is a locative too
    ("Aurora is a city in Illinois", "Aurora", Cues(type_cue=True)),
    ("a fire near the Bronx", "Bronx", Cues(locative=True)),
    ("Rain fell over Springfield", "Springfield", Cues()),  # "over": no locative
    ("Springfield voted", "Springfield", Cues()),
])
def test_recognition_reads_the_token_cues_into_the_same_record(text, name, expected):
    """A candidate span's locative and type cue, read from blank-model tokens: the record
    the place finder asks before it takes the span for a place."""
    import spacy

    from geo.toponyms.cues import span_cues
    from geo.toponyms.lexicon import lexicon

    doc = spacy.blank("en")(text)
    start = text.index(name)
    assert span_cues(doc.char_span(start, start + len(name)), lexicon("en")) == expected
