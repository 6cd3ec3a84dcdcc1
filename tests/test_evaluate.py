"""geo.evaluate scores like ../shared/eval/score.py (the published rule)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.evaluate import error_report, haversine_km, score
from geo.render import resolution_sentence

GOLD = {
    "d1": {"id": "d1", "text": "Flights from Paris to Lima and on to Quito.",
           "toponyms": [
               {"start": 13, "end": 18, "name": "Paris", "lat": 48.85, "lon": 2.35},
               {"start": 22, "end": 26, "name": "Lima", "lat": -12.05, "lon": -77.04},
               {"start": 37, "end": 42, "name": "Quito", "lat": -0.22, "lon": -78.5},
               {"start": 0, "end": 7, "name": "Flights", "lat": None, "lon": None}]},
}
PRED = {
    "d1": {"id": "d1", "toponyms": [
        {"start": 13, "end": 18, "name": "paris", "lat": 48.86, "lon": 2.34},  # right
        {"start": 22, "end": 26, "name": "Lima", "lat": 40.74, "lon": -84.1,  # Lima, Ohio
         "rule": "population (same name in document)", "country_code": "US"},
        {"start": 30, "end": 32, "name": "on", "lat": 0.0, "lon": 0.0},  # false
    ]},
}


def test_figures_follow_the_published_rule():
    res, report = score(GOLD, PRED)
    assert res["gold"] == 3 and res["matched"] == 2
    assert res["precision"] == pytest.approx(2 / 3)
    assert res["recall"] == pytest.approx(2 / 3)
    assert res["acc161"] == pytest.approx(0.5)
    assert [g["name"] for g in report[0].missed] == ["Quito"]
    assert [p["name"] for p in report[0].false] == ["on"]
    text = error_report(report, GOLD)
    assert "**Lima**" in text and "Quito" in text
    # the rule in the dashboard's words, not as the resolver stores it
    assert ("Chosen because it is the most populous place of that name, as for the same "
            "name elsewhere in the article.") in text
    assert "population (same name" not in text


def test_haversine():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.19, rel=1e-3)


def test_agrees_with_shared_score_py(shared_dir, tmp_path):
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold_path.write_text("".join(json.dumps(d) + "\n" for d in GOLD.values()))
    pred_path.write_text("".join(json.dumps(d) + "\n" for d in PRED.values()))
    out = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), str(gold_path),
                          str(pred_path), "--json"], capture_output=True, text=True, check=True)
    theirs = json.loads(out.stdout)
    ours, _ = score(GOLD, PRED)
    for key in ("precision", "recall", "f1", "acc161", "mean_km", "median_km", "auc"):
        assert ours[key] == pytest.approx(theirs[key]), key


@pytest.mark.gazetteer
@pytest.mark.model
def test_eval_errors_say_the_rule_in_words(tmp_path):
    """``python -m geo eval GOLD --errors FILE`` as a user runs it: a gold Paris put in
    Texas makes the geoparser's Paris (France) a far error, whose reason the report
    gives in the words the dashboard shows."""
    gold = tmp_path / "gold.jsonl"
    text = "Protesters marched through Paris on Saturday, police said."
    start = text.index("Paris")
    gold.write_text(json.dumps({"id": "1", "text": text, "toponyms": [
        {"start": start, "end": start + 5, "name": "Paris", "lat": 33.66, "lon": -95.56}]})
        + "\n", encoding="utf-8")
    errors, out = tmp_path / "errors.md", tmp_path / "out.jsonl"
    run = subprocess.run([sys.executable, "-m", "geo", "eval", str(gold), "--errors",
                          str(errors), "--out", str(out)],
                         cwd=Path(__file__).resolve().parents[1],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    report = errors.read_text(encoding="utf-8")
    [paris] = json.loads(out.read_text(encoding="utf-8"))["toponyms"]
    assert "**Paris**" in report and "[city, FR]" in report
    why = resolution_sentence(paris["rule"], country_code="FR")
    assert why.startswith("Chosen because ") and f"\n  {why}\n" in report, report
    assert f"rule {paris['rule']!r}" not in report
