"""Exports of what the filters show (geo.export, geo.store.export): GeoJSON and CSV of
mentions, GeoJSON of places, JSONL of articles, the HTML map; the command line and the
dashboard's download buttons give the same bytes."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from geo.export import export_bytes
from geo.export_html import filters_from_query
from geo.query import Filters, place_table
from geo.store import Store

REPO = Path(__file__).resolve().parents[1]
QUERIES = {
    "everything": "",
    "actor": "actor=Sergei+Shoigu",
    "source and dates": "source=Reuters&from=2023-09-14&to=2023-09-14",
    "text": "q=train",
    "no countries": "broad=0",
}


def filters(name: str) -> Filters:
    return filters_from_query(QUERIES[name])[0] if QUERIES[name] else Filters()


def exported(db: str, fmt: str, f: Filters):  # noqa: ANN201
    with Store.open(db) as store:
        return export_bytes(store, fmt, filters=f)


def truth(db: str, article_id: str, start: int) -> dict:
    """One mention as the store holds it, read independently of the export's SQL."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    m = conn.execute("SELECT * FROM place_mentions WHERE article_id = ? AND start = ?",
                     (article_id, start)).fetchone()
    place = conn.execute("SELECT * FROM places WHERE id = ?", (m["place_id"],)).fetchone()
    art = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
    passage = conn.execute("SELECT * FROM passages WHERE id = ?", (m["passage_id"],)).fetchone()
    actors = sorted({r[0] for r in conn.execute(
        "SELECT a.name FROM actor_mentions am JOIN actors a ON a.id = am.actor_id"
        " WHERE am.passage_id = ?", (m["passage_id"],))})
    conn.close()
    return {"m": m, "place": place, "art": art, "passage": passage, "actors": actors}


@pytest.mark.parametrize("name", list(QUERIES))
def test_mentions_geojson_is_what_the_filters_show_field_by_field(dashboard_db, name):
    f = filters(name)
    data = json.loads(exported(dashboard_db, "geojson-mentions", f))
    assert data["type"] == "FeatureCollection"
    with Store.open(dashboard_db) as store:
        table = place_table(store, f)
    # as many mentions of each place as the map and the tables count under the filters
    counted: dict[str, int] = {}
    for feature in data["features"]:
        counted[feature["properties"]["place_id"]] = counted.get(
            feature["properties"]["place_id"], 0) + 1
    assert counted == {r.place_id: int(r.mentions) for r in table.itertuples()}
    assert data["features"], "every filter here shows something"
    for feature in data["features"]:
        p = feature["properties"]
        t = truth(dashboard_db, p["article_id"], p["start"])
        m, place, art, passage = t["m"], t["place"], t["art"], t["passage"]
        assert feature["geometry"] == {"type": "Point",
                                       "coordinates": [place["lon"], place["lat"]]}
        assert (p["place_id"], p["place_name"], p["place_kind"], p["country_code"]) == (
            place["id"], place["name"], place["kind"], place["country_code"])
        assert (p["mention"], p["kind"], p["end"], p["score"], p["rule"]) == (
            m["text"], m["kind"], m["end"], m["score"], m["rule"])
        assert art["text"][p["start"]:p["end"]] == p["mention"]  # offsets into the article
        assert (p["title"], p["url"], p["published"], p["source"]) == (
            art["title"], art["url"], art["published"], art["source"])
        assert (p["passage_id"], p["passage"], p["passage_date"]) == (
            passage["id"], passage["text"], passage["date"])
        assert p["actors"] == t["actors"]


def test_the_actor_filter_exports_only_the_passages_with_that_actor(dashboard_db):
    data = json.loads(exported(dashboard_db, "geojson-mentions", filters("actor")))
    assert {f["properties"]["passage_id"] for f in data["features"]} == {"seedlike0000001-p3"}
    assert all("Sergei Shoigu" in f["properties"]["actors"] for f in data["features"])
    assert {f["properties"]["place_name"] for f in data["features"]} == {"North Korea",
                                                                         "Russia"}


@pytest.mark.parametrize("name", list(QUERIES))
def test_mentions_csv_reads_back_as_the_geojson(dashboard_db, name):
    f = filters(name)
    features = json.loads(exported(dashboard_db, "geojson-mentions", f))["features"]
    text = exported(dashboard_db, "csv", f).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(features)
    for row, feature in zip(rows, features):
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        assert (float(row["lat"]), float(row["lon"])) == (lat, lon)
        assert row["actors"] == "; ".join(p["actors"])
        assert row["passage"] == p["passage"]  # newlines and quotes survive
        for key in ("article_id", "title", "url", "passage_id", "mention", "kind",
                    "place_id", "place_name", "rule"):
            assert row[key] == (p[key] or ""), key
        assert (int(row["start"]), int(row["end"]), float(row["score"])) == (
            p["start"], p["end"], p["score"])


@pytest.mark.parametrize("name", list(QUERIES))
def test_places_geojson_and_articles_jsonl_follow_the_filters(dashboard_db, name):
    f = filters(name)
    with Store.open(dashboard_db) as store:
        table = place_table(store, f)
    features = json.loads(exported(dashboard_db, "geojson", f))["features"]
    assert {x["properties"]["id"]: (x["properties"]["mentions"],
                                    x["properties"]["articles"]) for x in features} == {
        r.place_id: (int(r.mentions), int(r.articles)) for r in table.itertuples()}
    mentions = json.loads(exported(dashboard_db, "geojson-mentions", f))["features"]
    records = [json.loads(line) for line in
               exported(dashboard_db, "jsonl", f).decode().splitlines()]
    expected = {x["properties"]["article_id"] for x in mentions}
    if name == "everything":
        expected = {"seedlike0000001", "followup0000002", "hostile00000003"}
    assert {r["id"] for r in records} == expected


def _geo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True,
                          cwd=REPO, timeout=300)


FOLIUM_ID = re.compile(rb"[0-9a-f]{32}")


@pytest.mark.parametrize("fmt", ["csv", "geojson-mentions", "geojson", "jsonl", "html"])
def test_the_command_line_and_the_download_button_give_the_same_bytes(dashboard_db, tmp_path,
                                                                      fmt):
    import dashboard_manage

    query = "actor=Vladimir+Putin&broad=0"
    out = tmp_path / f"export.{fmt}"
    run = _geo("export", "--format", fmt, "--db", dashboard_db, "--filters", query,
               "--out", str(out))
    assert run.returncode == 0, run.stderr
    with Store.open(dashboard_db) as store:
        page = dashboard_manage._export(store, dashboard_db, fmt, filters_from_query(query)[0])
    cli = out.read_bytes()
    if fmt == "html":  # folium names its elements afresh on every render
        cli, page = FOLIUM_ID.sub(b"ID", cli), FOLIUM_ID.sub(b"ID", page)
    assert cli == page
    everything = exported(dashboard_db, fmt, Filters())
    assert len(page) < len(everything)  # the filters did apply


def test_base_url_is_for_the_html_map_only(dashboard_db):
    run = _geo("export", "--format", "csv", "--db", dashboard_db,
               "--base-url", "http://example.org/atlas")
    assert run.returncode != 0 and b"--base-url applies to --format html only" in run.stderr
