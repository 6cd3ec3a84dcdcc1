"""A source's home region (geo.toponyms.home): local papers' ambiguous names.

The slice in tests/data/local/ (see its README) reproduces issue 13's local-news
complaints. The end-to-end tests run ``python -m geo geoparse`` and ``ingest`` as a user
does, in a child process; the rest are unit tests of the votes and the evidence.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from geo.gazetteer.geometry import haversine_km
from geo.models import GazetteerEntry
from geo.toponyms.home import Home, Homes, home_evidence, learned_home
from tests.conftest import DATA, REPO

LOCAL = DATA / "local"
TOLERANCE_KM = 25.0


def _geo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def _gold(ids: set[str]) -> dict[str, dict]:
    rows = (json.loads(line) for line in (LOCAL / "gold.jsonl").read_text().splitlines())
    return {g["id"]: g for g in rows if g["id"] in ids}


def _geoparse(tmp_path: Path, name: str, *options: str) -> dict[str, dict]:
    out = tmp_path / f"{name}.out.jsonl"
    run = _geo("geoparse", str(LOCAL / name), "--out", str(out), *options)
    assert run.returncode == 0, run.stderr
    return {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}


def _misplaced(records: dict[str, dict], gold: dict[str, dict]) -> list[str]:
    """Each gold mention placed wrong or missing, and each non-place taken for a place."""
    wrong = []
    for doc_id, g in gold.items():
        found: dict[str, list[dict]] = {}
        for t in records[doc_id]["toponyms"]:
            found.setdefault(t["name"], []).append(t)
        seen: Counter = Counter()
        for name, lat, lon in g["places"]:
            k, seen[name] = seen[name], seen[name] + 1
            got = found.get(name, [])[k:k + 1]
            if not got or got[0]["lat"] is None:
                wrong.append(f"{doc_id}: {name} #{k + 1} not placed")
            elif haversine_km(lat, lon, got[0]["lat"], got[0]["lon"]) > TOLERANCE_KM:
                wrong.append(f"{doc_id}: {name} #{k + 1} at {got[0]['lat']}, {got[0]['lon']}"
                             f" ({got[0].get('country_code')}), not {lat}, {lon}")
        wrong += [f"{doc_id}: {name} taken for a place" for name in g["not_places"]
                  if name in found]
    return wrong


@pytest.mark.gazetteer
@pytest.mark.model
def test_geoparse_learns_each_papers_home_from_the_batch(tmp_path):
    """Paris and Athens of a Tennessee paper in Tennessee, Kew, Richmond and Cambridge of a
    London paper in England, Newark of an Ohio paper in Ohio; "Paris, France" in France
    all the same; Obama, coach Ripley, Toyota, Highways, Duma and Titan no places (the
    street beside Titan in Newark, not in Afghanistan). No sources file: each paper's
    first article of the batch teaches its home."""
    records = _geoparse(tmp_path, "articles.jsonl")
    assert _misplaced(records, _gold({"tn-2", "tn-3", "tn-4", "uk-2", "uk-3", "oh-2"})) == []
    rules = {t["name"]: t["rule"] for t in records["tn-2"]["toponyms"]}
    assert rules["Paris"] == "home"  # the UI says why
    assert rules["Athens"] == "X, Y"  # "Athens, TN": the passage says it first


@pytest.mark.gazetteer
@pytest.mark.model
def test_geoparse_with_a_sources_file_places_a_papers_first_article(tmp_path):
    records = _geoparse(tmp_path, "alone.jsonl", "--sources", str(LOCAL / "sources.csv"))
    assert _misplaced(records, _gold({"tn-alone", "uk-alone", "oh-alone"})) == []


@pytest.mark.gazetteer
@pytest.mark.model
def test_the_sources_setting_names_the_file(tmp_path):
    out = tmp_path / "out.jsonl"
    run = subprocess.run([sys.executable, "-m", "geo", "geoparse", str(LOCAL / "alone.jsonl"),
                          "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                         timeout=600, env={**_env(), "NEWS_ATLAS_SOURCES":
                                           str(LOCAL / "sources.csv")})
    assert run.returncode == 0, run.stderr
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert _misplaced(records, _gold({"tn-alone"})) == []


def _env() -> dict[str, str]:
    """The environment without the caller's NEWS_ATLAS_* settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NEWS_ATLAS_")}


@pytest.mark.gazetteer
@pytest.mark.model
def test_a_bad_sources_line_is_named_and_the_rest_still_loads(tmp_path):
    sources = tmp_path / "papers.csv"
    sources.write_text("source,country,region\n"
                       "Henry County Ledger,US,Tennessee\n"
                       "Atlantis Gazette,Atlantis\n"
                       "Thames Valley Courier,GB,Narnia\n"
                       "Licking Valley Star\n"
                       "Licking Valley Star,United States,Ohio\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = _geo("geoparse", str(LOCAL / "alone.jsonl"), "--out", str(out),
               "--sources", str(sources))
    assert run.returncode == 1
    assert f"error: {sources}:3: unknown country 'Atlantis'" in run.stderr
    assert f"error: {sources}:4: unknown region 'Narnia' in GB" in run.stderr
    assert f"error: {sources}:5: expected 'source,country,region'" in run.stderr
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert _misplaced(records, _gold({"tn-alone", "oh-alone"})) == []  # lines 2 and 6


@pytest.mark.gazetteer
@pytest.mark.model
def test_ingest_learns_a_papers_home_from_the_articles_already_stored(tmp_path):
    """A later ingest of the paper's article with only "Paris" and "Athens" in it puts
    them in Tennessee, because the store holds the paper's earlier articles."""
    db = tmp_path / "atlas.sqlite"
    first = tmp_path / "first.jsonl"
    first.write_text((LOCAL / "articles.jsonl").read_text().splitlines()[0] + "\n")  # tn-1
    later = tmp_path / "later.jsonl"
    later.write_text((LOCAL / "alone.jsonl").read_text().splitlines()[0] + "\n")  # tn-alone
    for batch in (first, later):
        run = _geo("ingest", str(batch), "--db", str(db))
        assert run.returncode == 0, run.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT m.text, p.country_code, p.admin1 FROM place_mentions m"
            " JOIN places p ON p.id = m.place_id JOIN articles a ON a.id = m.article_id"
            " WHERE a.text LIKE 'The Paris city council%' ORDER BY m.start").fetchall()
    assert rows == [("Paris", "US", "TN"), ("Athens", "US", "TN")]


# -- units: the votes and the evidence ---------------------------------------------------

def test_a_home_needs_enough_agreeing_votes():
    assert learned_home(Counter({("US", "TN"): 2})) is None  # too few
    assert learned_home(Counter({("US", "TN"): 3})) == Home("US", "TN")
    assert learned_home(Counter({("US", "TN"): 2, ("FR", "11"): 2})) is None  # no majority
    # a country clear, its region not: the country alone
    assert learned_home(Counter({("GB", "ENG"): 2, ("GB", "SCT"): 2})) == Home("GB", None)
    assert learned_home(Counter({("US", "TN"): 4, ("US", "KY"): 1, ("FR", "11"): 1})) \
        == Home("US", "TN")


def _entry(kind: str, cc: str | None, admin1: str | None, eid: str = "gn:1") -> GazetteerEntry:
    return GazetteerEntry(id=eid, name="X", lat=0.0, lon=0.0, kind=kind, country_code=cc,
                          admin1=admin1)


def test_home_evidence_prefers_the_home_region_then_the_home_country():
    home = Home("US", "TN")
    assert home_evidence(_entry("city", "US", "TN"), home) == 1.0
    assert home_evidence(_entry("city", "US", "KY"), home) == 0.5
    assert home_evidence(_entry("city", "FR", "11"), home) == 0.0
    assert home_evidence(_entry("country", "US", None), home) == 0.0  # not chosen by home
    assert home_evidence(_entry("city", "US", "TN"), None) == 0.0


def test_a_declared_home_is_not_relearned():
    from geo.models import PlaceMention

    homes = Homes(declared={"Ledger": Home("US", "TN")})
    paris = PlaceMention(start=0, end=5, text="Paris", place=_entry("city", "FR", "11"),
                         score=0.9)
    for _ in range(5):
        homes.learn("Ledger", [paris])
        homes.learn("Courier", [paris])
    assert homes.of("Ledger") == Home("US", "TN")
    assert homes.of("Courier") == Home("FR", "11")
    assert homes.of(None) is None and homes.of("Unknown") is None
