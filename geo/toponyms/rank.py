"""Ranking a mention's candidates: the weighted sum of the features, the deciding
feature, and one sense per document.

The weights, the numbers features measure with, and which evidence is local (read from
the words right around a mention, so no other mention overrides it) are data:
``geo/data/rank/weights.json``, language-neutral. :func:`load_table` reads it (or a
file given, such as one ``benchmarks/train_weights.py`` wrote). A candidate's score is
``sum(weight[code] * f(mention, candidate, document))`` over the features of
:mod:`geo.toponyms.features` that speak of it; the deciding feature is the one that
most separates the best candidate from the runner-up, and it is what the rule names.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from geo.errors import WeightsError
from geo.models import GazetteerEntry
from geo.toponyms.document import Document, Params
from geo.toponyms.features import FEATURES, FeatureCode, Mention

WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "data" / "rank" / "weights.json"


@dataclass(frozen=True)
class Ranked:
    """One candidate's reading: its score, the evidence by feature, and the feature
    that most separates it from the runner-up (for the best; None when nothing does)."""

    entry: GazetteerEntry
    score: float
    parts: dict[FeatureCode, float]
    deciding: FeatureCode | None = None


@dataclass(frozen=True)
class RankTable:
    weights: dict[FeatureCode, float]
    params: Params
    local: frozenset[FeatureCode]


def load_table(path: Path | str = WEIGHTS_FILE) -> RankTable:
    """The weights file, checked: every feature has a weight and every key is known."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {FeatureCode(k): float(v) for k, v in data["weights"].items()}
        known = {f.name for f in fields(Params)}
        unknown = set(data["params"]) - known
        if unknown:
            raise ValueError(f"unknown params {sorted(unknown)}")
        params = Params(**data["params"])
        local = frozenset(FeatureCode(k) for k in data.get("local", []))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise WeightsError(f"{path}: {err}") from err
    missing = set(FEATURES) - set(weights)
    if missing:
        raise WeightsError(f"{path}: no weight for {sorted(c.value for c in missing)}")
    return RankTable(weights, params, local)


def rank(mention: Mention, cands: list[GazetteerEntry], document: Document,
         table: RankTable) -> list[Ranked]:
    """The candidates, best first, each with its score and evidence; the best one
    knows its deciding feature."""
    weighed = [(code, f, table.weights[code]) for code, f in FEATURES.items()]
    scored = []
    for e in cands:
        parts: dict[FeatureCode, float] = {}
        for code, f, weight in weighed:
            value = f(mention, e, document)
            if value is not None:
                parts[code] = weight * value
        scored.append((e, sum(parts.values()), parts))
    scored.sort(key=lambda t: -t[1])
    return [Ranked(e, total, parts, deciding(parts, scored[1][2] if len(scored) > 1 else {}))
            for e, total, parts in scored]


def deciding(best: dict[FeatureCode, float],
             runner_up: dict[FeatureCode, float]) -> FeatureCode | None:
    """The piece of evidence that most separates a candidate from the runner-up."""
    if not best:
        return None
    return max(best, key=lambda k: best[k] - runner_up.get(k, 0.0))


def one_sense(names: list[tuple[int, str, bool]], ranked: dict[int, list[Ranked]],
              table: RankTable) -> dict[int, tuple[list[Ranked], bool]]:
    """One sense per document: every mention of a name gets the reading of its best-
    evidenced mention ("Santa Ana, California" decides the later bare "Santa Ana").

    ``names`` are ``(mention id, folded name, own)``, in text order; ``own`` mentions
    ("Richmond, Virginia") speak for themselves only and do not vote. A mention decided
    by local evidence ("Tacoma, Washington", "NEW YORK (AP)") keeps its reading and
    votes. Returns each mention's ranking and whether it is borrowed from another
    mention of the name."""
    out: dict[int, tuple[list[Ranked], bool]] = {}
    groups: dict[str, list[int]] = {}
    for mid, key, own in names:
        r = ranked[mid]
        if own or (r and r[0].deciding in table.local):
            out[mid] = (r, False)
        if not own:
            groups.setdefault(key, []).append(mid)
    for group in groups.values():
        best = max((ranked[mid] for mid in group),
                   key=lambda r: r[0].score if r else float("-inf"))
        for mid in group:
            if mid not in out:
                out[mid] = (best, ranked[mid] is not best and bool(best))
    return out
