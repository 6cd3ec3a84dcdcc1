"""`python -m geo`: the command line that users and checks depend on."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.cli import main
from geo.evaluate import haversine_km
from geo.pipeline import MAX_MENTIONS
from geo.sample import SAMPLE_TEXT
from geo.store import Store
from tests.conftest import REPO

pytestmark = [pytest.mark.gazetteer, pytest.mark.model]

GOOD = "Floods in Bulacan\n\nHeavy rain flooded towns in Bulacan, north of Manila, on Monday.\n"


@pytest.fixture
def batch(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "empty.txt").write_text("", encoding="utf-8")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    lines = [json.dumps({"id": "a", "title": "Kyiv", "text": "Sirens sounded in Kyiv on Friday."}),
             "{not json",
             json.dumps({"id": "b", "text": "A meeting was held in Nairobi, Kenya."})]
    (d / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


def test_ingest_reports_bad_input_and_keeps_the_rest(batch, tmp_path, capsys):
    db = str(tmp_path / "s.sqlite")
    assert main(["ingest", str(batch), "--db", db]) == 1
    err = capsys.readouterr().err
    assert "empty.txt" in err and "binary.txt" in err
    assert "feed.jsonl:2" in err
    with Store.open(db) as store:
        assert store.article_count() == 3
    # re-ingesting adds nothing and loses nothing
    main(["ingest", str(batch), "--db", db])
    out = capsys.readouterr().out
    assert "ingested 0 article(s), 3 already stored" in out
    with Store.open(db) as store:
        assert store.article_count() == 3
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_geoparse_sample_lists_khasan_in_russia(tmp_path):
    out = tmp_path / "pred.jsonl"
    assert main(["geoparse", str(SAMPLE_TEXT), "--out", str(out)]) == 0
    rec = json.loads(out.read_text().splitlines()[0])
    khasan = [t for t in rec["toponyms"] if t["name"] == "Khasan"]
    assert khasan and all(haversine_km(t["lat"], t["lon"], 42.43, 130.64) < 25 for t in khasan)
    names = {a["canonical"] for a in rec["actors"]}
    assert {"Kim Jong-un", "Vladimir Putin", "Kim Myong Sik"} <= names


def test_geoparse_jsonl_keeps_document_ids_and_offsets(batch, tmp_path):
    out = tmp_path / "pred.jsonl"
    main(["geoparse", str(batch / "feed.jsonl"), "--out", str(out)])
    recs = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(recs) == {"a", "b"}
    nairobi = [t for t in recs["b"]["toponyms"] if t["name"] == "Nairobi"][0]
    assert "A meeting was held in Nairobi, Kenya."[nairobi["start"]:nairobi["end"]] == "Nairobi"
    assert haversine_km(nairobi["lat"], nairobi["lon"], -1.29, 36.82) < 50


def test_export_formats(batch, tmp_path, capsys):
    db = str(tmp_path / "s.sqlite")
    main(["ingest", str(batch), "--db", db])
    geojson = tmp_path / "p.geojson"
    main(["export", "--format", "geojson", "--db", db, "--out", str(geojson)])
    names = {f["properties"]["name"] for f in json.loads(geojson.read_text())["features"]}
    assert {"Kyiv", "Nairobi", "Bulacan"} <= names
    csv_out = tmp_path / "m.csv"
    main(["export", "--format", "csv", "--db", db, "--out", str(csv_out)])
    assert csv_out.read_text().splitlines()[0].startswith("article_id,title")
    jl = tmp_path / "a.jsonl"
    main(["export", "--format", "jsonl", "--db", db, "--out", str(jl)])
    assert len(jl.read_text().splitlines()) == 3


def test_gazetteer_lookup_command():
    out = subprocess.run([sys.executable, "-m", "geo", "gazetteer", "lookup", "Khasan"],
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0].split()[0].startswith("cur:") and " RU " in out.splitlines()[0]


def _geo(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m geo ARGS`` in a child process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def test_a_5_mb_line_without_sentence_ends_is_ingested_beside_a_good_file(tmp_path):
    """It used to stop the batch: spaCy's "[E088] Text of length 5242880 exceeds maximum"."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    clause = "aid reached Manila, Kherson, Odesa and Bulacan "
    size = 5 * 1024 * 1024
    (d / "big.txt").write_text((clause * (size // len(clause) + 1))[:size], encoding="utf-8")
    db = str(tmp_path / "s.sqlite")
    proc = _geo("ingest", str(d), "--db", db, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"big.txt: more than {MAX_MENTIONS:,} place or actor mentions" in proc.stderr
    assert "ingested 2 article(s)" in proc.stdout
    with Store.open(db) as store:
        assert store.article_count() == 2
        longest = store.conn.execute("SELECT max(length(text)) FROM passages").fetchone()[0]
        assert longest <= 2000


@pytest.mark.parametrize("command", [
    ["geoparse", "{sample}", "--out", "{bad}"],
    ["export", "--format", "csv", "--db", "{db}", "--out", "{bad}"],
    ["eval", "{gold}", "--out", "{bad}"],
    ["eval", "{gold}", "--errors", "{bad}"],
], ids=["geoparse --out", "export --out", "eval --out", "eval --errors"])
def test_an_output_file_that_cannot_be_written_is_named_and_exits_2(tmp_path, command):
    bad = tmp_path / "no such folder" / "x.jsonl"
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "1", "text": "Sirens sounded in Kyiv.", "toponyms": [
        {"start": 18, "end": 22, "name": "Kyiv", "lat": 50.45, "lon": 30.52}]}) + "\n")
    values = {"sample": str(SAMPLE_TEXT), "bad": str(bad), "gold": str(gold),
              "db": str(tmp_path / "s.sqlite")}
    proc = _geo(*(part.format(**values) for part in command))
    assert proc.returncode == 2
    assert f"error: {bad}: cannot write {command[-2]}: No such file or directory" in proc.stderr
    assert "Traceback" not in proc.stderr
