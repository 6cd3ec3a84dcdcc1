"""AnalyzedArticle <-> plain JSON-able dicts (for the built-in sample and exports)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from geo.models import (
    ActorMention, AnalyzedArticle, Article, Candidate, GazetteerEntry, Passage, PlaceMention,
)


def to_dict(analyzed: AnalyzedArticle) -> dict[str, Any]:
    return asdict(analyzed)


def _entry(d: dict[str, Any] | None) -> GazetteerEntry | None:
    return GazetteerEntry(**d) if d else None


def from_dict(d: dict[str, Any]) -> AnalyzedArticle:
    places = []
    for m in d.get("places", []):
        m = dict(m)
        m["place"] = _entry(m.get("place"))
        m["alternatives"] = [
            Candidate(entry=GazetteerEntry(**c["entry"]), score=c["score"])
            for c in m.get("alternatives", [])
        ]
        places.append(PlaceMention(**m))
    return AnalyzedArticle(
        article=Article(**d["article"]),
        passages=[Passage(**p) for p in d["passages"]],
        places=places,
        actors=[ActorMention(**a) for a in d.get("actors", [])],
    )
