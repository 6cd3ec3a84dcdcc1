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


def _bad_inputs(folder) -> dict[str, str]:
    """Files that each aborted a whole ingest, or hung it, or were lost silently (issue 9),
    and what stderr must say about each (a name, and its reason)."""
    import os

    deep = "[" * 100_000 + "]" * 100_000
    lines = {
        "dates.jsonl": ['{"text": "Sirens sounded in Kyiv on Friday.", "date": 1694476800000}',
                        '{"text": "Rain fell on Oslo.", "date": 1e20}',
                        '{"text": "Snow fell on Bergen.", "date": NaN}'],
        "deep.jsonl": ['{"text": "Protests filled the streets of Tbilisi."}', deep],
        "surrogate.jsonl": ['{"text": "Floods hit Derna \\ud800 in Libya."}'],
        "types.jsonl": ['{"text": ["Floods hit Derna."]}'],
    }
    for name, records in lines.items():
        (folder / name).write_text("\n".join(records) + "\n", encoding="utf-8")
    (folder / "deep.json").write_text(deep)
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Cafe news\n\nA cafe opened in Lyon, France.\n")
    (folder / "nul.csv").write_bytes(b"title,text\nNul,A fire\x00 broke out in Marseille.\n")
    (folder / "utf16.txt").write_bytes("Quake\n\nA quake shook Izmir.".encode("utf-16-le"))
    (folder / "bomb.rss").write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel><title>T'
        "</title><item><title>x</title><description>&b;</description></item></channel></rss>")
    os.mkfifo(folder / "pipe.jsonl")
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    return {
        "dates.jsonl:2": "date 1e+20 is not a Unix time in seconds or milliseconds",
        "dates.jsonl:3": "date NaN is not a date",
        "deep.jsonl:2": "JSON nested too deeply",
        "deep.json": "JSON nested too deeply",
        "types.jsonl:1": "'text' is a list",
        "bomb.rss": "declares XML entities",
        "pipe.jsonl": "not a regular file (a named pipe)",
        "dangling.txt": "broken symbolic link",
        "surrogate.jsonl:1": "text: 1 lone surrogate(s) replaced with U+FFFD",
        "nul.csv:2": "text: 1 NUL character(s) replaced with U+FFFD",
    }


def test_ingest_of_bad_files_beside_a_good_one_stores_the_good_and_names_the_bad(tmp_path):
    """`python -m geo ingest` as a user runs it: no traceback, no hang, exit 1, every
    bad file named with its reason on stderr, and every good article stored."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    expected = _bad_inputs(folder)
    db = tmp_path / "s.sqlite"
    run = subprocess.run([sys.executable, "-m", "geo", "ingest", str(folder), "--db", str(db)],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "NEWS_ATLAS_GAZETTEER": os.environ.get(
                             "NEWS_ATLAS_GAZETTEER", "data/gazetteer.sqlite")})
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.returncode == 1, run.stderr
    for where, reason in expected.items():
        assert any(line.startswith(("error: ", "warning: ")) and f"{folder}/{where}: " in line
                   and reason in line for line in run.stderr.splitlines()), (where, run.stderr)
    with Store.open(str(db)) as store:
        rows = store.conn.execute("SELECT path, text, published FROM articles").fetchall()
    stored = {path.removeprefix(f"{folder}/"): (text, published) for path, text, published in rows}
    assert set(stored) == {"good.txt", "dates.jsonl:1", "deep.jsonl:1", "surrogate.jsonl:1",
                           "caf\\xe9.txt", "nul.csv:2", "utf16.txt"}
    assert stored["dates.jsonl:1"][1] == "2023-09-12T00:00:00+00:00"
    assert stored["surrogate.jsonl:1"][0] == "Floods hit Derna \ufffd in Libya."
    assert stored["nul.csv:2"][0] == "A fire\ufffd broke out in Marseille."
    assert stored["utf16.txt"][0] == "Quake\n\nA quake shook Izmir."


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


def test_eval_names_a_missing_or_broken_gold_file_without_a_traceback(tmp_path):
    broken = tmp_path / "gold.jsonl"
    broken.write_text('{"id": 1, "text": "Khasan."}\nnot json\n', encoding="utf-8")
    no_id = tmp_path / "noid.jsonl"
    no_id.write_text('{"text": "Khasan."}\n', encoding="utf-8")
    for path, message in [(tmp_path / "absent.jsonl", "absent.jsonl: cannot read: No such"),
                          (broken, "gold.jsonl:2: invalid JSON"),
                          (no_id, 'noid.jsonl:1: a gold document needs an "id"')]:
        run = _geo("eval", str(path))
        assert run.returncode == 2 and message in run.stderr, run.stderr
        assert "Traceback" not in run.stderr
