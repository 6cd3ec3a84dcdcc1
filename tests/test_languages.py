"""geo.languages: each article's language (declared or detected), one pipeline per
language loaded once, and French names in the gazetteer seen by French articles only.

The detector and reader tests run py3langid and the readers for real; the pipeline
test builds its pipelines from ``spacy.blank`` and the tiny gazetteer (no model). The
last test runs ``python -m geo geoparse`` on the hand-made French slice as a user
would (the French model and the full gazetteer).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from geo.gazetteer import build_gazetteer
from geo.gazetteer.index import Gazetteer
from geo.gazetteer.packages import cldr_names
from geo.languages import (PipelineByLanguage, article_language, detect_language, language_code,
                           surely_default)
from geo.models import Article
from geo.pipeline import Pipeline
from geo.readers import read_articles
from geo.resolve import Resolver
from geo.toponyms.lexicon import lexicon
from tests.conftest import DATA

REPO = Path(__file__).resolve().parents[1]
SLICE_FR = DATA / "fr" / "slice.fr.jsonl"

FRENCH = ("Le dirigeant nord-coréen a quitté Pyongyang dimanche à bord de son train "
          "blindé pour rejoindre Vladivostok, où l'attendait une délégation russe.")
ENGLISH = ("The North Korean leader left Pyongyang on Sunday aboard his armoured train "
           "to reach Vladivostok, where a Russian delegation was waiting.")


# -- the detector and declared languages -----------------------------------------------

@pytest.mark.parametrize("text, lang", [
    (FRENCH, "fr"),
    (ENGLISH, "en"),
    ("Des inondations ont frappé la Loire et la Haute-Loire ce week-end.", "fr"),
    ("Floods hit the Loire and Haute-Loire this weekend.", "en"),
    ("Paris, Lyon", "en"),  # too few letters to tell: the default language
])
def test_the_detector_tells_french_news_from_english(text, lang):
    assert detect_language(text) == lang


def test_plain_english_is_told_without_loading_the_detector():
    """English news holds many English function words and few French ones: it is English
    before py3langid is imported (a fresh process: the detector costs nothing)."""
    code = ("import sys; from geo.languages import detect_language; "
            f"langs = [detect_language(t) for t in {[ENGLISH * 2, 'Paris, Lyon']!r}]; "
            "print(langs, 'py3langid' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["['en',", "'en']", "False"]


@pytest.mark.parametrize("text, sure", [
    (ENGLISH * 2, True),
    (FRENCH * 2, False),
    ("Paris and Lyon", False),  # too few function words to be sure
    # English first, then French that the detector takes as French (0.999): not sure
    (ENGLISH + " " + FRENCH + " " + FRENCH, False),
    ("The mayor of La Paz, Luis Revilla, said the rains of the past week were the worst "
     "in the city since 2002 and that the town of El Alto was cut off.", True),
])
def test_only_plain_english_skips_the_detector(text, sure):
    assert surely_default(text) is sure
    if sure:
        assert detect_language(text) == "en"


@pytest.mark.parametrize("tag, code", [
    ("fr", "fr"), ("fr-FR", "fr"), ("FR_ca", "fr"), ("fra", "fr"), ("en-GB", "en"),
    ("de", None), ("", None), (None, None), (3, None), ("français", None),
])
def test_a_declared_language_is_read_as_a_code_with_a_model(tag, code):
    assert language_code(tag) == code


def test_a_declared_language_wins_over_the_text():
    assert article_language(Article(id="a", text=ENGLISH, language="fr")) == "fr"
    assert article_language(Article(id="a", text=FRENCH, language="de")) == "fr"
    assert article_language(Article(id="a", text=FRENCH)) == "fr"


def test_readers_keep_the_language_the_input_declares(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "1", "text": ENGLISH, "language": "fr-FR"}) + "\n"
        + json.dumps({"id": "2", "text": ENGLISH, "lang": "en"}) + "\n"
        + json.dumps({"id": "3", "text": FRENCH}) + "\n", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        f'<!doctype html><html lang="fr-FR"><head><title>Train</title></head><body>'
        f"<article><p>{FRENCH}</p><p>{FRENCH}</p></article></body></html>", encoding="utf-8")
    (tmp_path / "c.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Le Journal</title>'
        "<language>fr</language><link>https://example.org/</link>"
        f"<item><title>Train</title><description>{FRENCH}</description></item>"
        "</channel></rss>", encoding="utf-8")
    result = read_articles([tmp_path], keep_ids=True)
    assert not result.errors
    got = {Path(a.path.split(":")[0].split("#")[0]).name + (a.id if a.id in "123" else ""):
           a.language for a in result.articles}
    assert got == {"a.jsonl1": "fr", "a.jsonl2": "en", "a.jsonl3": None,
                   "b.html": "fr", "c.rss": "fr"}


# -- one pipeline per language, loaded once --------------------------------------------

def test_each_language_gets_its_own_pipeline_once_and_articles_keep_their_order(
        tiny_gazetteer):
    made: list[str] = []

    def make(lang: str) -> Pipeline:
        made.append(lang)
        nlp = spacy.blank(lang)
        nlp.add_pipe("news_atlas_places").gazetteer = tiny_gazetteer
        return Pipeline(gazetteer=tiny_gazetteer, nlp=nlp,
                        resolver=Resolver(tiny_gazetteer, lexicon=lexicon(lang)))

    pipeline = PipelineByLanguage(make)
    articles = [Article(id="e1", text=ENGLISH), Article(id="f1", text=FRENCH),
                Article(id="f2", text=FRENCH), Article(id="e2", text=FRENCH, language="en"),
                Article(id="f3", text=ENGLISH, language="fr")]
    done = list(pipeline.analyze_many(articles))
    assert [a.article.id for a in done] == ["e1", "f1", "f2", "e2", "f3"]
    assert [a.article.language for a in done] == ["en", "fr", "fr", "en", "fr"]
    assert made == ["en", "fr"]  # each language loaded once, when its first article came
    assert pipeline.languages == ["en", "fr"]
    assert pipeline.pipeline("fr").nlp.lang == "fr" and pipeline.nlp.lang == "en"


# -- French names in the gazetteer -----------------------------------------------------

def test_cldr_names_are_seen_by_their_language_only(tmp_path):
    path = tmp_path / "g.sqlite"
    build_gazetteer(path, progress=False,
                    sources=[DATA / "gazetteer" / "tiny_places.csv", cldr_names])
    with Gazetteer.open(path) as gaz:
        french = gaz.for_language("fr")
        assert [e.id for e in french.lookup("Corée du Nord")] == ["cc:KP"]
        assert [e.id for e in french.lookup("Russie")] == ["cc:RU"]
        assert french.lookup("Etats-Unis")[0].id == "cc:US"  # accents folded
        assert french.has_name("Inde") and french.has_name("Russia")  # and the untagged
        assert gaz.lookup("Corée du Nord") == [] and not gaz.has_name("Russie")
        assert gaz.lang == "en" and french.lang == "fr"


# -- French news, end to end -----------------------------------------------------------

@pytest.mark.gazetteer
@pytest.mark.model
def test_french_news_geoparses_in_a_process(tmp_path):
    """The hand-made French slice, with no language field (the detector chooses), run
    as ``python -m geo geoparse``: the French names resolve ("Corée du Nord", "Moscou",
    "Londres", the Loire department), and the slice scores as the same stories in
    English do (docs/languages.md)."""
    out = tmp_path / "fr.jsonl"
    run = subprocess.run([sys.executable, "-m", "geo", "geoparse", str(SLICE_FR),
                          "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    found = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        assert doc["language"] == "fr", doc["id"]  # detected: the slice declares none
        for t in doc["toponyms"]:
            found[doc["id"], t["name"]] = t.get("place_id")
    assert found["fr-train", "Corée du Nord"] == "cc:KP"
    assert found["fr-train", "Moscou"] == "gn:524901"
    assert found["fr-train", "Khasan"] == "cur:khasan-ru"
    assert found["fr-londres", "Londres"] == "gn:2643743"
    assert found["fr-londres", "États-Unis"] == "cc:US"
    assert found["fr-londres", "Pékin"] == "gn:1816670"
    assert found["fr-loire", "Loire"] == "iso:FR-42"
    gold = [json.loads(line) for line in SLICE_FR.read_text(encoding="utf-8").splitlines()]
    wanted = {(d["id"], t["name"], t["gazetteer_id"]) for d in gold for t in d["toponyms"]}
    right = {w for w in wanted if found.get(w[:2]) == w[2]}
    assert len(right) >= len(wanted) - 1, sorted(wanted - right)  # the dateline may miss
    assert ("fr-train", "État") not in found  # "les médias d'État" is no place
