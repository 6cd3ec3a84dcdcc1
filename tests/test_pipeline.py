"""The whole pipeline on the sample article: the checks issue 2 promises its users."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from geo.evaluate import haversine_km
from geo.models import Article
from geo.sample import SAMPLE_TEXT, analyze_sample
from tests.conftest import REPO

pytestmark = [pytest.mark.gazetteer, pytest.mark.model]

# name -> (lat, lon, tolerance km)
EXPECTED = {
    "Khasan": (42.43, 130.64, 25),
    "Razdolnaya River": (43.5, 131.9, 60),
    "Vladivostok": (43.12, 131.89, 50),
    "Moscow": (55.75, 37.62, 50),
    "Pyongyang": (39.03, 125.75, 50),
    "Seoul": (37.57, 126.98, 50),
    "Beijing": (39.90, 116.40, 50),
}
COUNTRIES = {"Ukraine": "UA", "North Korea": "KP", "South Korea": "KR", "Russia": "RU"}


@pytest.fixture(scope="module")
def sample(pipeline):
    return analyze_sample(pipeline)


def _places_named(sample, name):
    return [m for m in sample.places if m.kind == "place" and m.text == name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_places_resolve_near_their_true_position(sample, name):
    lat, lon, km = EXPECTED[name]
    mentions = _places_named(sample, name)
    assert mentions, f"{name} not found"
    for m in mentions:
        assert m.place is not None, f"{name} unresolved"
        assert haversine_km(m.place.lat, m.place.lon, lat, lon) < km, (name, m.place, m.rule)


def test_khasan_is_not_hassan_india(sample):
    m = _places_named(sample, "Khasan")[0]
    assert m.place.country_code == "RU"
    assert any(a.entry.country_code == "IN" for a in m.alternatives), "rejected candidate kept"
    assert m.rule and 0 < m.score <= 1


@pytest.mark.parametrize("name", sorted(COUNTRIES))
def test_sample_countries(sample, name):
    mentions = _places_named(sample, name)
    assert mentions
    assert all(m.place.kind == "country" and m.place.country_code == COUNTRIES[name]
               for m in mentions)


def test_demonyms_are_their_own_kind_linked_to_a_country(sample):
    dem = {m.text: m.place.country_code for m in sample.places if m.kind == "demonym"}
    assert dem.get("North Korean") == "KP" and dem.get("Russian") == "RU"
    assert not _places_named(sample, "North Korean")


def test_offsets_point_into_the_article_and_its_passages(sample):
    text = sample.article.text
    passages = {p.id: p for p in sample.passages}
    for m in sample.places + sample.actors:
        assert text[m.start:m.end] == m.text
        p = passages[m.passage_id]
        assert p.start <= m.start and m.end <= p.end


def test_actors_are_canonicalised(sample):
    canon = {}
    for a in sample.actors:
        canon.setdefault(a.canonical, []).append(a.text)
    assert "Kim Jong-un" in canon and "Vladimir Putin" in canon
    assert "Putin" in canon["Vladimir Putin"]
    assert "Kim" in canon["Kim Jong-un"]
    assert "Kim Myong Sik" in canon and canon["Kim Myong Sik"] == ["Kim Myong Sik"]


def test_furniture_is_not_analysed(sample):
    assert not any("Figure 1" in p.text or p.text == "Photo CBC.ca" for p in sample.passages)
    assert SAMPLE_TEXT.read_text(encoding="utf-8").startswith("North Korea's Kim Jong-un")


def test_an_abbreviation_the_article_defines_is_the_same_place(pipeline):
    from geo.models import Article

    text = ("Horses in New South Wales (NSW) were tested on Monday. Later, officials in NSW "
            "said the outbreak was contained. Peanut Corp. of America (PCA) recalled jars.")
    got = pipeline.analyze(Article(id="nsw", text=text))
    nsw = [m for m in got.places if m.text == "NSW"]
    assert len(nsw) == 2 and all(m.place and m.place.country_code == "AU" for m in nsw)
    assert not [m for m in got.places if m.text == "PCA"]


def test_a_region_after_a_place_and_a_comma_is_a_place(pipeline):
    from geo.models import Article

    text = "Hogs were culled at a farm in Pandi, Bulacan on Sunday."
    got = pipeline.analyze(Article(id="bulacan", text=text))
    assert {"Pandi", "Bulacan"} <= {m.text for m in got.places}


def test_a_name_used_for_a_disease_is_not_a_place_anywhere_in_the_article(pipeline):
    from geo.models import Article

    text = ("The Ebola virus has killed 40 people in Guinea. Doctors fear Ebola will reach "
            "Conakry soon.")
    got = pipeline.analyze(Article(id="ebola", text=text))
    names = {m.text for m in got.places}
    assert "Ebola" not in names and {"Guinea", "Conakry"} <= names


def test_a_word_of_a_persons_name_that_no_place_bears_is_the_person(full_gazetteer):
    from geo.models import ActorMention, PlaceMention
    from geo.toponyms.recognize import split_person_names as _split_person_names

    actors = [ActorMention(start=0, end=13, text="Narendra Modi", label="PERSON"),
              ActorMention(start=20, end=34, text="George Dallas", label="PERSON")]
    places = [PlaceMention(start=40, end=44, text="Modi", label="GPE"),  # NER says GPE
              PlaceMention(start=50, end=56, text="Dallas", label="GPE")]
    kept, people = _split_person_names(places, actors, full_gazetteer)
    assert [m.text for m in kept] == ["Dallas"]  # a city of that name exists
    assert "Modi" in [a.text for a in people]


def test_mentions_per_article_are_capped_with_a_warning_naming_the_article(pipeline):
    paragraph = "Floods hit Bulacan and Pampanga on Monday, officials in Manila said."
    article = Article(id="long", text="\n\n".join([paragraph] * 20), path="dossier.txt")
    capped = replace(pipeline, max_mentions=30)
    analyzed = capped.analyze(article)
    assert len(analyzed.passages) == 20  # every passage is kept, readable
    places = [m for m in analyzed.places if m.kind == "place"]
    assert 0 < len(analyzed.places) <= 30 and {m.text for m in places} == {
        "Bulacan", "Pampanga", "Manila"}
    analysed = {m.passage_id for m in analyzed.places}
    assert analysed == {f"long-p{i}" for i in range(10)}  # the first ten, whole
    assert len(analyzed.warnings) == 1
    assert analyzed.warnings[0].startswith("dossier.txt: more than 30 place or actor mentions")
    assert "first 10 of 20 passages" in analyzed.warnings[0]
    assert pipeline.analyze(article).warnings == []  # far below the default cap


MEMORY_CHILD = textwrap.dedent("""
    import json, resource
    from geo.models import Article
    from geo.pipeline import default_pipeline

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    pipeline = default_pipeline(progress=False)
    sentence = "Aid convoys reached the towns near Kherson on Tuesday, officials in Odesa said. "
    paragraph = (sentence * 24).strip()  # ~1,900 characters: one passage each
    pipeline.analyze(Article(id="warm", text=paragraph))
    before = peak_mb()
    analyzed = pipeline.analyze(Article(id="long", text="\\n\\n".join([paragraph] * 40)))
    print(json.dumps({"passages": len(analyzed.passages), "growth_mb": peak_mb() - before}))
""")


def test_analysis_memory_stays_bounded_for_long_passages():
    """spaCy needs ~3 kB per character of a batch: 64 passages of 2,000 characters cost
    ~400 MB (40 of them: ~225 MB before batches were bounded by characters, ~70 now)."""
    proc = subprocess.run([sys.executable, "-c", MEMORY_CHILD], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["passages"] == 40
    assert result["growth_mb"] < 150
