"""Ranking: weights from the data file, the deciding feature, one sense per document."""
from __future__ import annotations

import json

import pytest

from geo.errors import WeightsError
from geo.models import GazetteerEntry
from geo.toponyms.features import FEATURES, FeatureCode
from geo.toponyms.rank import WEIGHTS_FILE, Ranked, deciding, load_table, one_sense


def test_the_shipped_table_weighs_every_feature():
    table = load_table()
    assert set(table.weights) == set(FEATURES)
    assert table.local == {FeatureCode.X_Y, FeatureCode.STATE_NAMED, FeatureCode.DATELINE}
    assert table.params.kind_prior["country"] > table.params.kind_prior["city"]


def test_a_weights_file_missing_a_feature_or_naming_an_unknown_one_is_refused(tmp_path):
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    del data["weights"]["nearby"]
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data))
    with pytest.raises(WeightsError, match="nearby"):
        load_table(path)
    data["weights"]["nearby"] = 1.0
    data["weights"]["vibes"] = 1.0
    path.write_text(json.dumps(data))
    with pytest.raises(WeightsError, match="vibes"):
        load_table(path)


def test_a_changed_weight_changes_the_table(tmp_path):
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    data["weights"]["population"] = 9.0
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data))
    assert load_table(path).weights[FeatureCode.POPULATION] == 9.0


def test_the_deciding_feature_most_separates_best_from_runner_up():
    best = {FeatureCode.FEATURE_TYPE: 0.3, FeatureCode.POPULATION: 3.0, FeatureCode.NAME: 2.0}
    runner = {FeatureCode.FEATURE_TYPE: 0.3, FeatureCode.POPULATION: 2.5, FeatureCode.NAME: 0.0}
    assert deciding(best, runner) is FeatureCode.NAME
    assert deciding(best, {}) is FeatureCode.POPULATION
    assert deciding({}, runner) is None


def entry(code: str) -> GazetteerEntry:
    return GazetteerEntry(id=code, name="Santa Ana", lat=0.0, lon=0.0, kind="city")


def reading(code: str, score: float, why: FeatureCode) -> list[Ranked]:
    return [Ranked(entry(code), score, {why: score}, why), Ranked(entry("other"), 0.0, {})]


def test_one_sense_per_document():
    """The best-evidenced mention of a name decides the others; one decided by the
    words around it keeps its reading; an "X, Y" mention neither votes nor borrows."""
    table = load_table()
    ranked = {1: reading("ca", 9.0, FeatureCode.NEARBY),
              2: reading("elsewhere", 3.0, FeatureCode.POPULATION),
              3: reading("dateline", 1.0, FeatureCode.DATELINE),
              4: reading("pair", 99.0, FeatureCode.X_Y)}
    got = one_sense([(1, "santa ana", False), (2, "santa ana", False),
                     (3, "santa ana", False), (4, "santa ana", True)], ranked, table)
    assert got[1] == (ranked[1], False)
    assert got[2] == (ranked[1], True)  # borrowed
    assert got[3] == (ranked[3], False)  # local evidence keeps its own
    assert got[4] == (ranked[4], False)  # the X, Y mention does not outvote the others
