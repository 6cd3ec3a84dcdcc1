"""The resolver: one gazetteer entry per mention, chosen with the whole document."""
from __future__ import annotations

import pytest

from geo.gazetteer import Gazetteer
from geo.models import PlaceMention
from geo.resolve import Resolver


@pytest.fixture
def gazetteer(places_gazetteer: Gazetteer) -> Gazetteer:
    return places_gazetteer


def mentions(text: str, *names: str, passage: str = "p0") -> list[PlaceMention]:
    """Place mentions of ``names`` in ``text``, each occurrence in order."""
    out, pos = [], 0
    for name in names:
        start = text.index(name, pos)
        out.append(PlaceMention(start=start, end=start + len(name), text=name,
                                passage_id=passage))
        pos = start + len(name)
    return out


def resolve(gazetteer, text, *names):
    ms = mentions(text, *names)
    Resolver(gazetteer).resolve(ms, text)
    return {m.text: m for m in ms}, ms


def test_khasan_in_an_article_about_russia_is_the_russian_station(gazetteer):
    got, _ = resolve(gazetteer, "Kim's train crossed into Russia at Khasan.", "Russia", "Khasan")
    khasan = got["Khasan"]
    assert khasan.place.id == "cur:khasan-ru"
    assert [a.entry.id for a in khasan.alternatives] == ["gn:1270239"]  # Hassan, kept
    assert 0.5 < khasan.score <= 1 and khasan.rule


def test_a_country_name_is_the_country_not_its_capital(gazetteer):
    got, _ = resolve(gazetteer, "Rain fell across Mexico.", "Mexico")
    assert got["Mexico"].place.id == "cc:MX"


def test_georgia_follows_the_article(gazetteer):
    us, _ = resolve(gazetteer, "Storms hit Georgia. Atlanta and Alabama braced too.",
                    "Georgia", "Atlanta", "Alabama")
    assert us["Georgia"].place.id == "iso:US-GA"
    caucasus, _ = resolve(gazetteer, "Protests in Tbilisi: Georgia and Russia argue.",
                          "Tbilisi", "Georgia", "Russia")
    assert caucasus["Georgia"].place.id == "cc:GE"


def test_x_comma_y_places_x_inside_y(gazetteer):
    got, _ = resolve(gazetteer, "The fair moved to Springfield, Illinois.", "Springfield",
                     "Illinois")
    assert got["Springfield"].place.id == "gn:4250542"
    assert got["Springfield"].rule == "X, Y"


def test_one_sense_per_name_but_an_explicit_pair_speaks_for_itself(gazetteer):
    text = ("Richmond is a city in Missouri. Richmond grew. It was named after "
            "Richmond, Virginia.")
    _, ms = resolve(gazetteer, text, "Richmond", "Missouri", "Richmond", "Richmond", "Virginia")
    richmonds = [m for m in ms if m.text == "Richmond"]
    assert [m.place.admin1 for m in richmonds] == ["MO", "MO", "VA"]


def test_a_river_mention_wants_a_water_body(gazetteer):
    got, _ = resolve(gazetteer, "It crossed the Razdolnaya River.", "Razdolnaya River")
    assert got["Razdolnaya River"].place.kind == "water"


def test_an_acronym_is_not_a_town_that_folds_to_the_same_letters(gazetteer):
    got, _ = resolve(gazetteer, "The EU said so.", "EU")
    assert got["EU"].place.id == "cur:european-union"


def test_unknown_names_stay_unresolved_with_a_reason(gazetteer):
    got, _ = resolve(gazetteer, "They met in Zzyzxville.", "Zzyzxville")
    m = got["Zzyzxville"]
    assert m.place is None and m.rule == "no candidate" and m.alternatives == []


def test_demonyms_resolve_to_their_country(gazetteer):
    text = "Russian officials met."
    m = PlaceMention(start=0, end=7, text="Russian", kind="demonym", passage_id="p0")
    Resolver(gazetteer).resolve([m], text)
    assert m.place.id == "cc:RU" and m.rule == "demonym"


def test_a_big_city_is_what_its_bare_name_means(gazetteer):
    got, _ = resolve(gazetteer, "She moved to New York and then to Washington.",
                     "New York", "Washington")
    assert got["New York"].place.id == "gn:5128581"
    assert got["New York"].alternatives[0].entry.id == "iso:US-NY"
    assert got["Washington"].place.id == "gn:4140963"


def test_the_text_can_say_the_state(gazetteer):
    cases = [
        ("New York state declared an emergency.", ("New York",)),
        ("Cases rose in the state of New York.", ("New York",)),
        ("New York Governor Cuomo spoke.", ("New York",)),
        ("A girl from Buffalo, New York died.", ("Buffalo", "New York")),
        ("A girl from Buffalo, New York died.", ("New York",)),  # Buffalo not taken
        ("Cases in Texas, Ohio and New York rose.", ("Texas", "Ohio", "New York")),
        ("Cases in Ohio and New York rose.", ("Ohio", "New York")),
    ]
    for text, names in cases:
        got, _ = resolve(gazetteer, text, *names)
        assert got["New York"].place.id == "iso:US-NY", text
    got, _ = resolve(gazetteer, "Tacoma, Washington shares tips.", "Tacoma", "Washington")
    assert got["Washington"].place.id == "iso:US-WA"
    assert got["Washington"].rule == "X, Y"


def test_a_place_and_its_country_is_not_a_list(gazetteer):
    got, _ = resolve(gazetteer, "They camped in Oaxaca, Mexico, on Wednesday.",
                     "Oaxaca", "Mexico")
    assert got["Mexico"].place.id == "cc:MX"


def test_a_dateline_names_a_city(gazetteer):
    got, _ = resolve(gazetteer, "NEW YORK (AP) — Police said.", "NEW YORK")
    assert got["NEW YORK"].place.id == "gn:5128581"


def test_state_abbreviations_of_news_style(gazetteer):
    got, _ = resolve(gazetteer, "HELENA, Mont. (AP) — Snow fell.", "HELENA", "Mont.")
    assert got["Mont."].place.id == "iso:US-MT"
    assert got["HELENA"].place.id == "gn:5656882"  # not the bigger Helena, Alabama
    got, _ = resolve(gazetteer, "Ms. Smith voted.", "Ms.")
    assert got["Ms."].place is None  # only the listed abbreviations, exactly


def test_st_and_saint_are_one_name():
    from geo.resolve import _same_name

    assert _same_name("St. Petersburg", "Saint Petersburg")
    assert _same_name("Mt. Kenya", "Mount Kenya")
    assert not _same_name("Stockholm", "Saintockholm")


def test_a_short_abbreviation_is_not_a_town_with_those_letters(gazetteer):
    m = PlaceMention(start=0, end=2, text="EU", passage_id="p0")
    assert [e.id for e in Resolver(gazetteer).candidates(m)] == ["cur:european-union"]
    m = PlaceMention(start=0, end=2, text="Eu", passage_id="p0")
    assert "gn:3019329" in [e.id for e in Resolver(gazetteer).candidates(m)]


def test_the_pacific_is_the_ocean_not_a_town(gazetteer):
    text = "Flu spread in the United States. Birds on the Pacific side carry it."
    got, _ = resolve(gazetteer, text, "United States", "Pacific")
    assert got["Pacific"].place.id == "cur:pacific-ocean"


def test_a_part_of_a_big_city_before_its_name_keeps_the_city(gazetteer):
    got, _ = resolve(gazetteer, "Funeral homes across Brooklyn, New York were searched.",
                     "Brooklyn", "New York")
    assert got["New York"].place.id == "gn:5128581"
    got, _ = resolve(gazetteer, "A girl from Buffalo, New York died.", "Buffalo", "New York")
    assert got["New York"].place.id == "iso:US-NY"


def test_a_part_of_a_known_place_resolves_to_it_and_says_so(gazetteer):
    got, _ = resolve(gazetteer, "Planes sprayed Northern Buffalo and the Atlanta Hills.",
                     "Northern Buffalo", "Atlanta Hills")
    assert got["Northern Buffalo"].place.id == "gn:5110629"
    assert got["Northern Buffalo"].rule.startswith("part of Buffalo")
    assert got["Atlanta Hills"].place.name == "Atlanta"
    got, _ = resolve(gazetteer, "They met in Northern Zzyzx.", "Northern Zzyzx")
    assert got["Northern Zzyzx"].place is None
    got, _ = resolve(gazetteer, "Hiring rose in the Western US.", "Western US")
    assert got["Western US"].place.id == "cc:US"
    got, _ = resolve(gazetteer, "Boats sailed on Lake Tacoma.", "Lake Tacoma")
    assert got["Lake Tacoma"].place.id == "gn:5812944"
    assert got["Lake Tacoma"].rule.startswith("near Tacoma")
    # a town that only lists the name among its alternates is no anchor
    got, _ = resolve(gazetteer, "Divers swam off Cape NYC.", "Cape NYC")
    assert got["Cape NYC"].place is None


def test_a_name_the_gazetteer_lacks_before_a_known_place_is_part_of_it(gazetteer):
    # "X, Y": X is inside Y, so it is shown at Y rather than nowhere
    got, _ = resolve(gazetteer, "A lab in Zzyzx Heights, Illinois closed.", "Zzyzx Heights",
                     "Illinois")
    assert got["Zzyzx Heights"].place.id == "iso:US-IL"
    assert got["Zzyzx Heights"].rule.startswith("part of Illinois")
    got, _ = resolve(gazetteer, "Diners at Zzyzx, Buffalo fell ill.", "Zzyzx", "Buffalo")
    assert got["Zzyzx"].place.id == got["Buffalo"].place.id
    # a list of names the gazetteer lacks holds none of them; nor does a mere neighbour
    got, _ = resolve(gazetteer, "Zzyzx, Qqxq and Illinois voted.", "Zzyzx", "Qqxq", "Illinois")
    assert got["Zzyzx"].place is None
    got, _ = resolve(gazetteer, "Zzyzx and Illinois voted.", "Zzyzx", "Illinois")
    assert got["Zzyzx"].place is None


def test_a_definition_places_the_name_in_what_it_names(gazetteer):
    # the gazetteer has Springfields in Illinois and Missouri: the sentence says which
    got, _ = resolve(gazetteer, "Springfield is a city in Missouri. Chicago is far.",
                     "Springfield", "Missouri", "Chicago")
    assert got["Springfield"].place.id == "gn:4409896"
    assert got["Springfield"].rule == "defined in"
    # no Buffalo of the gazetteer lies in Illinois: shown at Illinois, not at a namesake,
    # and so is the same name later in the article
    text = "Buffalo is a village in Illinois, United States. Buffalo grew."
    _, ms = resolve(gazetteer, text, "Buffalo", "Illinois", "United States", "Buffalo")
    assert [m.place.id for m in ms if m.text == "Buffalo"] == ["iso:US-IL", "iso:US-IL"]
    assert ms[0].rule.startswith("part of Illinois")
    # a country or state said to be part of another keeps its own reading
    got, _ = resolve(gazetteer, "Georgia is a state of the United States.", "Georgia",
                     "United States")
    assert got["Georgia"].place.kind in ("admin1", "country")


def test_a_curated_landmark_before_a_town_of_its_name(gazetteer):
    got, _ = resolve(gazetteer, "Officials in Texas briefed White House aides.", "Texas",
                     "White House")
    assert got["White House"].place.id == "cur:white-house"
    assert got["White House"].rule == "curated"


def test_words_around_a_mention_decide_it_against_the_rest_of_the_article(gazetteer):
    text = "WASHINGTON — Lawmakers in Washington met a baker from Tacoma, Washington."
    _, ms = resolve(gazetteer, text, "WASHINGTON", "Washington", "Tacoma", "Washington")
    washingtons = [m for m in ms if m.text.casefold() == "washington"]
    assert [m.place.id for m in washingtons] == ["gn:4140963", "gn:4140963", "iso:US-WA"]


@pytest.mark.gazetteer
def test_a_weekday_before_a_comma_is_not_a_place_inside_the_state(full_gazetteer):
    r = Resolver(full_gazetteer)
    assert r.gazetteer.lookup("Thursday")  # some place bears the name
    text = "Thursday, New York reported cases."
    ms = mentions(text, "New York")
    cues = r.cue_reader.read(ms, text, {id(ms[0]): r.candidates(ms[0])})
    assert cues[id(ms[0])].holds == ()


def test_a_street_is_in_the_town_named_nearest_in_its_passage(gazetteer):
    text = "Police in Tacoma closed Pike Street. In Tbilisi, Rustaveli Avenue was quiet."
    ms = mentions(text, "Tacoma", "Pike Street", "Tbilisi", "Rustaveli Avenue")
    for m in ms:
        m.label = "street" if m.text.endswith(("Street", "Avenue")) else "GPE"
    Resolver(gazetteer).resolve(ms, text)
    got = {m.text: m for m in ms}
    assert got["Pike Street"].place.id == got["Tacoma"].place.id
    assert got["Pike Street"].rule == f"street in {got['Tacoma'].place.name}"
    assert got["Rustaveli Avenue"].place.id == got["Tbilisi"].place.id


def test_a_street_takes_the_last_town_named_before_it_else_stays_unresolved(gazetteer):
    text = "Fire crews were called to River Avenue. Later, in Tacoma, the mayor spoke. " \
           "Pike Street was closed."
    ms = mentions(text, "River Avenue", "Tacoma", "Pike Street")
    ms[1].label = "GPE"
    for m, passage in zip(ms, ("p0", "p1", "p2")):
        m.passage_id = passage
        if m.text.endswith(("Street", "Avenue")):
            m.label = "street"
    Resolver(gazetteer).resolve(ms, text)
    river, tacoma, pike = ms
    assert river.place is None and river.rule == "no town named before it"
    assert pike.place.id == tacoma.place.id  # from an earlier passage


@pytest.mark.gazetteer
def test_a_state_named_only_inside_a_team_name_sets_no_document_region(full_gazetteer):
    def portland(text: str, texas_label: str) -> str:
        ms = mentions(text, "Texas", "Portland")
        ms[0].label, ms[1].label = texas_label, "GPE"
        Resolver(full_gazetteer).resolve(ms, text)
        return ms[1].place.id

    assert portland("The Texas Rangers won again. Portland lost at home.",
                    "embedded:ORG") == "gn:5746545"  # Portland, Oregon
    assert portland("Storms crossed Texas. Portland lost power.", "GPE") == "gn:4720131"


@pytest.mark.gazetteer
def test_england_is_a_country_inside_the_uk_not_a_town_in_arkansas(full_gazetteer):
    text = "The first case was found in Texas in 2005. The later case was diagnosed in England."
    got, _ = resolve(full_gazetteer, text, "Texas", "England")
    assert got["England"].place.id == "iso:GB-ENG" and got["England"].place.kind == "country"
    text = ("Flocks in Texas and Ohio were spared. Chickens at a farm at Norfolk, England "
            "are to be culled.")
    got, _ = resolve(full_gazetteer, text, "Texas", "Ohio", "Norfolk", "England")
    assert got["Norfolk"].place.country_code == "GB"  # England holds it, as a region would


@pytest.mark.gazetteer
def test_a_list_of_states_wants_a_state_of_their_country(full_gazetteer):
    text = "People fell ill in Long Island, New York, Pennsylvania, and New Jersey."
    got, _ = resolve(full_gazetteer, text, "Long Island", "New York", "Pennsylvania",
                     "New Jersey")
    assert got["Long Island"].place.country_code == "US"  # not the Bahamas' district


@pytest.mark.gazetteer
def test_the_gulf_is_the_sea_the_article_is_beside(full_gazetteer):
    text = "Saudi Arabia cut ties with Qatar, a fellow ally in the Gulf."
    got, _ = resolve(full_gazetteer, text, "Saudi Arabia", "Qatar", "Gulf")
    assert got["Gulf"].place.id == "ne:persian-gulf"
    text = "The storm crossed the Gulf toward Houston and New Orleans."
    got, _ = resolve(full_gazetteer, text, "Gulf", "Houston", "New Orleans")
    assert got["Gulf"].place.id == "ne:gulf-of-mexico"


@pytest.mark.gazetteer
def test_news_names_for_iran_and_new_york_theatre(full_gazetteer):
    got, _ = resolve(full_gazetteer, "Exports from the Islamic Republic rose.", "Islamic Republic")
    assert got["Islamic Republic"].place.id == "cc:IR"
    got, _ = resolve(full_gazetteer, "She is starring on Broadway this spring.", "Broadway")
    assert got["Broadway"].place.id == "cur:broadway-nyc"


def test_a_long_documents_context_gives_what_the_name_by_name_sums_give(monkeypatch):
    """Past EXACT_CONTEXT_NAMES names the context is summed by differences and arrays
    (an article naming 2,300 towns took minutes): the same evidence, but for rounding."""
    import random
    from collections import Counter

    from geo.toponyms import document as resolve_module
    from geo.toponyms.document import Document as _Context

    rng = random.Random(9)
    codes = ["RU", "KP", "KR", "CN", "JP", "US", "UA"]
    names = [f"name {i}" for i in range(400)]
    countries = {n: Counter({c: rng.random() for c in rng.sample(codes, 3)}) for n in names}
    points = {n: (rng.uniform(-89, 89), rng.uniform(-180, 180)) for n in names[::2]}
    regions = {n: (rng.choice(codes), str(rng.randrange(5))) for n in names[::3]}

    def context() -> _Context:
        return _Context(countries, regions, points, by_passage={})

    big, exact = context(), context()
    monkeypatch.setattr(resolve_module, "EXACT_CONTEXT_NAMES", 10_000)
    wanted = [(exact.countries_except(n), exact.nearest_km(n, 43.1, 131.9, []),
               {r for name, r in regions.items() if name != n}) for n in names[:60]]
    monkeypatch.setattr(resolve_module, "EXACT_CONTEXT_NAMES", 10)
    for n, (votes, km, named) in zip(names, wanted):
        got = big.countries_except(n)
        assert set(got) == set(votes) and all(got[c] == pytest.approx(votes[c]) for c in votes)
        assert big.nearest_km(n, 43.1, 131.9, []) == km  # exactly
        assert all(big.has_region_except(n, r) == (r in named) for r in set(regions.values()))
    assert big.nearest_km("name 0", 0.0, 0.0, [(0.0, 0.5)]) == pytest.approx(55.6, abs=0.1)


@pytest.mark.gazetteer
def test_hawaii_the_state_is_placed_among_its_people_not_on_one_island(full_gazetteer):
    # the iso3166-2 point is the Big Island's centre, 300 km from Honolulu
    from geo.gazetteer.geometry import haversine_km

    text = "Unemployment in Hawaii fell. Hawaii's economy grew."
    ms = mentions(text, "Hawaii", "Hawaii")
    Resolver(full_gazetteer).resolve(ms, text)
    state = ms[0].place
    assert state.kind == "admin1" and state.admin1 == "HI"
    assert haversine_km(state.lat, state.lon, 21.31, -157.86) < 100  # Honolulu
