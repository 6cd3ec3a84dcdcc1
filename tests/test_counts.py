"""A place's mentions are counted one way everywhere: the map, the tables, every export.

Its mentions are those resolved to it, by name and by demonym ("North Korean")."""
from __future__ import annotations

import csv
import io
import json

import pytest

from geo.export import export
from geo.maps import marker_layers_data
from geo.mention_index import MentionIndex
from geo.query import Filters, place_table
from geo.store import Store


def _export(db: str, fmt: str) -> str:
    out = io.StringIO()
    export(fmt, out, db=db)
    return out.getvalue()


def _map_count(table, name: str) -> int:
    data = marker_layers_data(table, table.iloc[0:0].assign(article_id=[], passage_id=[]),
                              reader_href=lambda a, p: f"/r/{a}/{p}",
                              place_href=lambda p: f"/p/{p}")
    for layer in data.values():
        counts = dict(zip(layer["name"], layer["n"]))
        if name in counts:
            return counts[name]
    raise AssertionError(f"{name} not on the map")


def test_north_korea_is_counted_alike_on_the_map_tables_and_exports(sample_db):
    with Store.open(sample_db) as store:
        table = place_table(store, Filters(), selection=MentionIndex.build(store.conn)
                            .select(store.conn, Filters()))
        sql_table = place_table(store, Filters())
    row = table[table["name"] == "North Korea"].iloc[0]
    n = int(row["mentions"])
    assert int(row["demonym_mentions"]) > 0  # the sample says "North Korean" too
    assert n > int(row["demonym_mentions"])
    assert int(sql_table.set_index("name").loc["North Korea", "mentions"]) == n
    assert _map_count(table, "North Korea") == n

    features = json.loads(_export(sample_db, "geojson"))["features"]
    props = next(f["properties"] for f in features if f["properties"]["name"] == "North Korea")
    assert props["mentions"] == n
    assert props["demonym_mentions"] == int(row["demonym_mentions"])

    rows = list(csv.DictReader(io.StringIO(_export(sample_db, "csv"))))
    assert sum(r["place_name"] == "North Korea" for r in rows) == n

    records = [json.loads(line) for line in _export(sample_db, "jsonl").splitlines()]
    assert sum(p["place_name"] == "North Korea" for r in records for p in r["places"]) == n


def test_every_place_has_the_same_counts_in_geojson_and_the_place_table(sample_db):
    with Store.open(sample_db) as store:
        table = place_table(store, Filters())
    features = json.loads(_export(sample_db, "geojson"))["features"]
    exported = {f["properties"]["id"]: (f["properties"]["mentions"],
                                        f["properties"]["demonym_mentions"],
                                        f["properties"]["articles"]) for f in features}
    shown = {r.place_id: (int(r.mentions), int(r.demonym_mentions), int(r.articles))
             for r in table.itertuples()}
    assert exported == shown
