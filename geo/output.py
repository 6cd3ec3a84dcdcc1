"""The ``geoparse`` output record: one JSON object per analysed document.

Its ``toponyms`` are what ``../shared/eval/score.py`` reads: offsets into the
document's ``text``, the surface ``name`` and the resolved ``lat`` / ``lon`` (null when
no gazetteer entry fits), plus what News Atlas knows about the choice.
"""
from __future__ import annotations

from typing import Any

from geo.models import AnalyzedArticle, PlaceMention


def _place_record(m: PlaceMention) -> dict[str, Any]:
    rec: dict[str, Any] = {"start": m.start, "end": m.end, "name": m.text,
                           "lat": None, "lon": None, "found_by": m.label}
    if m.place is not None:
        p = m.place
        rec.update(lat=p.lat, lon=p.lon, place_id=p.id, place_name=p.name, kind=p.kind,
                   country_code=p.country_code, score=m.score, rule=m.rule)
        if p.id.startswith("gn:"):
            rec["geonameid"] = int(p.id[3:])
    if m.alternatives:
        rec["alternatives"] = [{"place_id": a.entry.id, "place_name": a.entry.name,
                                "country_code": a.entry.country_code, "score": a.score}
                               for a in m.alternatives]
    return rec


def geoparse_record(analyzed: AnalyzedArticle) -> dict[str, Any]:
    """The JSON-able output record of one analysed document."""
    art = analyzed.article
    rec: dict[str, Any] = {"id": art.id}
    if art.title:
        rec["title"] = art.title
    if art.published:
        rec["date"] = art.published
    if art.language:
        rec["language"] = art.language  # as declared, or detected (geo.languages)
    rec["toponyms"] = [_place_record(m) for m in analyzed.places if m.kind == "place"]
    rec["demonyms"] = [_place_record(m) for m in analyzed.places if m.kind == "demonym"]
    rec["actors"] = [{"start": a.start, "end": a.end, "name": a.text,
                      "canonical": a.canonical, "label": a.label} for a in analyzed.actors]
    return rec
