"""The exports: the store, under the dashboard's filters, as GeoJSON of places or of
mentions, CSV of mentions, JSONL of articles, or a standalone HTML map.

``python -m geo export`` and the dashboard's download buttons call the same functions
(:func:`write_export`, :func:`export_bytes`), so a page and the command line give the
same bytes for the same filters (the HTML map's element ids aside: folium draws new ones
each time).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from geo.store import Store
from geo.store.export import (
    MENTION_COLUMNS, article_records, mention_features, mention_rows, place_features,
)

FORMATS = ("geojson", "geojson-mentions", "csv", "jsonl", "html")
if TYPE_CHECKING:
    from geo.query import Filters

ACTOR_SEPARATOR = "; "  # between the actor names of a CSV row


@dataclass(frozen=True)
class ExportFormat:
    """How a format is offered for download."""

    name: str        # the --format value
    label: str       # the button's text
    file_name: str
    mime: str


DOWNLOADS = {
    "csv": ExportFormat("csv", "Mentions (CSV)", "news-atlas-mentions.csv", "text/csv"),
    "geojson-mentions": ExportFormat("geojson-mentions", "Mentions (GeoJSON)",
                                     "news-atlas-mentions.geojson", "application/geo+json"),
    "geojson": ExportFormat("geojson", "Places (GeoJSON)", "news-atlas-places.geojson",
                            "application/geo+json"),
    "html": ExportFormat("html", "Map (HTML)", "news-atlas-map.html", "text/html"),
    "jsonl": ExportFormat("jsonl", "Articles (JSONL)", "news-atlas-articles.jsonl",
                          "application/jsonl"),
}


def _feature_collection(features: list[dict], out: IO[str]) -> int:
    json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)
    out.write("\n")
    return len(features)


def _csv_row(row: dict) -> dict:
    return row | {"actors": ACTOR_SEPARATOR.join(row["actors"])}


def write_export(store: Store, fmt: str, out: IO[str], *, filters: Filters | None = None,
                 html_options: dict | None = None) -> int:
    """Write what ``filters`` show of ``store`` to ``out`` in ``fmt``; return how many
    records (features, rows, articles; places for the HTML map). ``html_options`` go to
    :func:`geo.export_html.standalone_map_html`."""
    f = filters
    if fmt == "geojson":
        return _feature_collection(list(place_features(store, f)), out)
    if fmt == "geojson-mentions":
        return _feature_collection(list(mention_features(store, f)), out)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=MENTION_COLUMNS)
        writer.writeheader()
        n = 0
        for n, row in enumerate(mention_rows(store, f), 1):
            writer.writerow(_csv_row(row))
        return n
    if fmt == "jsonl":
        n = 0
        for n, rec in enumerate(article_records(store, f), 1):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return n
    if fmt == "html":
        from geo.export_html import standalone_map_html

        page = standalone_map_html(store, filters=f, **(html_options or {}))  # (or all)
        out.write(page.html)
        return page.places
    raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")


def export_bytes(store: Store, fmt: str, *, filters: Filters | None = None,
                 html_options: dict | None = None) -> bytes:
    """:func:`write_export` into memory, as the UTF-8 bytes a file would hold."""
    out = io.StringIO(newline="")
    write_export(store, fmt, out, filters=filters, html_options=html_options)
    return out.getvalue().encode("utf-8")


def export(fmt: str, out: IO[str], *, db: str | None = None, filters: Filters | None = None,
           html_options: dict | None = None) -> int:
    """Open the store at ``db`` and :func:`write_export` it."""
    with Store.open(db) as store:
        return write_export(store, fmt, out, filters=filters, html_options=html_options)
