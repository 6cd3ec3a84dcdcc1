"""``python -m geo export``: the store as GeoJSON, CSV, JSONL or a standalone HTML map."""
from __future__ import annotations

import csv
import json
from typing import IO

from geo.store import Store
from geo.store.export import MENTION_COLUMNS, article_records, mention_rows, place_features

FORMATS = ("geojson", "csv", "jsonl", "html")


def export(fmt: str, out: IO[str], *, db: str | None = None,
           html_options: dict | None = None) -> int:
    """Write the store at ``db`` to ``out`` in ``fmt``; return how many records.
    ``html_options`` go to :func:`geo.export_html.standalone_map_html`."""
    with Store.open(db) as store:
        if fmt == "geojson":
            features = list(place_features(store))
            json.dump({"type": "FeatureCollection", "features": features}, out,
                      ensure_ascii=False)
            out.write("\n")
            return len(features)
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=MENTION_COLUMNS)
            writer.writeheader()
            n = 0
            for n, row in enumerate(mention_rows(store), 1):
                writer.writerow(row)
            return n
        if fmt == "jsonl":
            n = 0
            for n, rec in enumerate(article_records(store), 1):
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            return n
        if fmt == "html":
            from geo.export_html import standalone_map_html

            page = standalone_map_html(store, **(html_options or {}))
            out.write(page.html)
            return page.places
    raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
