"""Each named piece of evidence, alone: the candidate it favours wins, and without it
the other one does (so each test fails when its feature is removed). No model, no
gazetteer file: entries are built by hand, and they run in milliseconds."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest

from geo.models import GazetteerEntry, PlaceMention
from geo.toponyms import features
from geo.toponyms.cues import Cues
from geo.toponyms.document import Document
from geo.toponyms.features import FEATURES, FeatureCode, Mention
from geo.toponyms.home import Home
from geo.toponyms.lexicon import lexicon
from geo.toponyms.rank import load_table, rank

EN = lexicon("en")
TABLE = load_table()
PARAMS = TABLE.params


def place(code: str, kind: str = "city", *, name: str = "Springfield", cc: str | None = "US",
          admin1: str | None = None, lat: float = 0.0, lon: float = 0.0, population: int = 0,
          alt_names: int = 0, feature_code: str | None = None) -> GazetteerEntry:
    return GazetteerEntry(id=code, name=name, lat=lat, lon=lon, kind=kind, country_code=cc,
                          admin1=admin1, population=population, alt_names=alt_names,
                          feature_code=feature_code)


IL = place("iso:US-IL", "admin1", name="Illinois", admin1="IL")
MO = place("iso:US-MO", "admin1", name="Missouri", admin1="MO")


@dataclass
class Probe:
    """A mention whose two candidates differ by one piece of evidence: ``loser`` comes
    first, so a tie (the evidence gone) leaves it on top."""

    name: str
    loser: GazetteerEntry
    winner: GazetteerEntry
    cues: Cues = field(default_factory=Cues)
    document: dict = field(default_factory=dict)  # Document fields; settled when given

    def run(self) -> list:
        m = PlaceMention(start=10, end=10 + len(self.name), text=self.name, passage_id="p0")
        cands = [self.loser, self.winner]
        view = Mention.of(m, cands, self.cues, EN)
        fields = dict(self.document)
        lists = fields.pop("lists_for_mention", None)
        doc = Document(params=PARAMS, settled=bool(self.document), **fields)
        if lists:
            doc.lists = {id(m): lists}
        return rank(view, cands, doc, TABLE)


PROBES: dict[FeatureCode, Probe] = {
    FeatureCode.FEATURE_TYPE: Probe("Georgia", place("gn:1", name="Georgia"),
                                    place("iso:US-GA", "admin1", name="Georgia")),
    FeatureCode.POPULATION: Probe("Springfield", place("gn:1", population=1_000),
                                  place("gn:2", population=100_000)),
    FeatureCode.MAJOR_CITY: Probe("Lagos", place("gn:1", "landmark", name="Lagos",
                                                 population=1_000_000),
                                  place("gn:2", name="Lagos", population=1_000_000)),
    FeatureCode.DEFINITE: Probe("Pacific", place("iso:1", "admin1", name="Pacific"),
                                place("ne:pacific", "water", name="Pacific"),
                                cues=Cues(definite=True)),
    FeatureCode.DATELINE: Probe("HELENA", place("gn:1", "admin2", name="Helena"),
                                place("gn:2", name="Helena"), cues=Cues(dateline=True)),
    FeatureCode.STATE_NAMED: Probe("New York", place("gn:1", name="New York",
                                                     population=1_000_000),
                                   place("iso:US-NY", "admin1", name="New York"),
                                   cues=Cues(region_word=True)),
    FeatureCode.LIST: Probe("New York", place("gn:1", name="New York", population=1_000_000),
                            place("iso:US-NY", "admin1", name="New York"),
                            document={"lists_for_mention": (Counter({"admin1": 2}),
                                                            frozenset({"US"}))}),
    FeatureCode.PROMINENCE: Probe("Springfield", place("gn:1", alt_names=1),
                                  place("gn:2", alt_names=100)),
    FeatureCode.NAME: Probe("Khasan", place("gn:1", name="Hassan"),
                            place("gn:2", name="Khasan")),
    FeatureCode.CURATED: Probe("White House", place("gn:1", name="White House"),
                               place("cur:white-house", name="White House")),
    FeatureCode.CAPITAL: Probe("Tbilisi", place("gn:1", name="Tbilisi"),
                               place("gn:2", name="Tbilisi", feature_code="PPLC")),
    FeatureCode.DOCUMENT_COUNTRY: Probe(
        "Khasan", place("gn:1", name="Khasan", cc="IN"), place("gn:2", name="Khasan", cc="RU"),
        document={"countries": {"russia": Counter({"RU": 1.0})}}),
    FeatureCode.DOCUMENT_REGION: Probe(
        "Springfield", place("gn:1", admin1="MO"), place("gn:2", admin1="IL"),
        document={"regions": {"illinois": ("US", "IL")}}),
    FeatureCode.X_Y: Probe("Springfield", place("gn:1", admin1="MO"),
                           place("gn:2", admin1="IL"), cues=Cues(partner=IL),
                           document={"countries": {}}),
    FeatureCode.SAME_PASSAGE: Probe(
        "Richmond", place("gn:1", admin1="VA"), place("gn:2", admin1="MO"),
        document={"by_passage": {"p0": [("missouri", MO, 40)]}}),
    FeatureCode.NEARBY: Probe(
        "Khasan", place("gn:1", name="Khasan", lat=13.0, lon=76.1),
        place("gn:2", name="Khasan", lat=42.4, lon=130.6),
        document={"points": {"vladivostok": (43.1, 131.9)}}),
    # "Springfield is a city in Illinois"
    FeatureCode.DEFINED_IN: Probe("Springfield", place("gn:1", admin1="MO"),
                                  place("gn:2", admin1="IL"),
                                  cues=Cues(defined_in=((IL,),))),
    # a Tennessee paper's "Paris": the French capital loses to the home's town
    FeatureCode.HOME: Probe(
        "Paris", place("gn:1", name="Paris", cc="FR", admin1="11", population=2_000_000),
        place("gn:2", name="Paris", cc="US", admin1="TN", population=10_000),
        document={"home": Home("US", "TN")}),
}


def test_every_feature_has_a_probe():
    assert set(PROBES) == set(FeatureCode) == set(FEATURES)


@pytest.mark.parametrize("code", list(FeatureCode), ids=lambda c: c.value)
def test_each_feature_decides_its_probe_and_nothing_else_does(code, monkeypatch):
    probe = PROBES[code]
    ranked = probe.run()
    assert ranked[0].entry is probe.winner
    assert ranked[0].deciding is code
    monkeypatch.delitem(FEATURES, code)
    probe = PROBES[code]
    assert probe.run()[0].entry is probe.loser, f"{code.value} removed changes nothing"


def view(name: str, cands: list[GazetteerEntry], cues: Cues = Cues()) -> Mention:
    m = PlaceMention(start=0, end=len(name), text=name, passage_id="p0")
    return Mention.of(m, cands, cues, EN)


ALONE = Document(params=PARAMS, settled=False)


def test_a_head_word_asks_for_its_kind():
    river = place("cur:r", "water", name="Razdolnaya River")
    m = view("Razdolnaya River", [river])
    assert features.feature_type(m, river, ALONE) == \
        PARAMS.kind_prior["water"] + PARAMS.feature_head
    county = place("gn:c", "admin2", name="Wright County")
    assert features.feature_type(view("Wright County", [county]), county, ALONE) == \
        PARAMS.kind_prior["admin2"] + PARAMS.feature_head
    assert features.feature_type(view("Wright", [county]), county, ALONE) == \
        PARAMS.kind_prior["admin2"]


def test_a_country_name_is_no_major_city():
    city = place("gn:mx", name="Mexico City", population=12_000_000)
    country = place("cc:MX", "country", name="Mexico", cc="MX")
    assert features.major_city(view("Mexico City", [city]), city, ALONE) == 1.0
    assert features.major_city(view("Mexico", [city, country]), city, ALONE) is None


def test_x_comma_y_from_the_side_of_y():
    """"Tacoma, Washington": the state holds the town before the comma; "Brooklyn, New
    York": the major city is beside it."""
    tacoma = place("gn:t", name="Tacoma", admin1="WA")
    state = place("iso:US-WA", "admin1", name="Washington", admin1="WA")
    assert features.x_comma_y(view("Washington", [state], Cues(holds=(tacoma,))),
                              state, ALONE) == 1.0
    assert features.x_comma_y(view("Washington", [state]), state, ALONE) is None
    brooklyn = place("gn:b", name="Brooklyn", lat=40.65, lon=-73.95)
    nyc = place("gn:n", name="New York", lat=40.71, lon=-74.01, population=8_800_000)
    assert features.x_comma_y(view("New York", [nyc], Cues(holds=(brooklyn,))), nyc,
                              ALONE) == 1.0


def test_the_context_features_say_nothing_on_the_first_pass():
    e = place("gn:1", admin1="IL")
    m = view("Springfield", [e], Cues(partner=IL))
    for f in (features.document_country, features.document_region, features.same_passage,
              features.nearby):
        assert f(m, e, ALONE) is None
    assert features.x_comma_y(m, e, ALONE) is None  # X's partner waits for the document


def test_a_name_never_counts_for_itself():
    e = place("gn:1", name="California")
    doc = Document(params=PARAMS, countries={"california": Counter({"US": 1.0})},
                   points={"california": (36.0, -119.0)})
    m = view("California", [e])
    assert features.document_country(m, e, doc) is None
    assert features.nearby(m, e, doc) is None


def test_a_sea_is_near_the_countries_named(places_gazetteer):
    sea = place("ne:gulf", "water", name="Gulf", cc=None, lat=60.0, lon=100.0)
    doc = Document(params=PARAMS, gazetteer=places_gazetteer,
                   countries={"russia": Counter({"RU": 1.0})})
    assert features.nearby(view("Gulf", [sea]), sea, doc) == pytest.approx(1.0)


def test_an_area_does_not_add_its_population_to_its_kind():
    """A bare "Liverpool" is the English city, not the Sydney council area that holds
    more people than most towns: an area's kind ranks it, its population does not."""
    area = place("l2:AU.02.14900", "admin2", name="Liverpool", cc="AU", population=175_468)
    city = place("gn:2644210", name="Liverpool", cc="GB", population=496_770, alt_names=56)
    assert features.population(view("Liverpool", [area, city]), area, ALONE) is None
    assert rank(view("Liverpool", [area, city]), [area, city], ALONE, TABLE)[0].entry is city


def test_a_candidate_without_a_region_code_is_held_by_a_nearby_county():
    """An online geocoder's record names no first-level region ("Little Snoring,
    Norfolk, England"): a county of its country holds it when near, and only then."""
    from geo.toponyms.features import holds

    norfolk = place("iso:GB-NFK", "admin2", name="Norfolk", cc="GB", admin1="ENG",
                    lat=52.667, lon=1.0)
    doc = Document(params=PARAMS)
    online = place("osm:R1443", name="Little Snoring", cc="GB", lat=52.86, lon=0.90)
    assert online.admin1 is None and holds(norfolk, online, doc)
    far = place("osm:R1", name="Little Snoring", cc="GB", lat=55.95, lon=-3.19)  # Edinburgh
    elsewhere = place("osm:R2", name="Little Snoring", cc="US", lat=52.8, lon=0.9)
    coded = place("gn:1", name="Little Snoring", cc="GB", admin1="SCT", lat=52.86, lon=0.9)
    assert not any(holds(norfolk, e, doc) for e in (far, elsewhere, coded))
