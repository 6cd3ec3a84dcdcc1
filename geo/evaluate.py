"""Scoring geoparser output against a gold corpus (``python -m geo eval``).

The matching rule is the published one (EUPEG / Gritta et al.), the same as
``../shared/eval/score.py``: a prediction matches a gold toponym when the span
midpoints are less than 10 characters apart and the names are equal ignoring case.
Resolution figures are over matched pairs: accuracy within 161 km, mean and median
error, and the area under the log error curve (lower is better).
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from geo.gazetteer.geometry import haversine_km

MAX_ERROR_KM = 20039.0
SCORER_RADIUS_KM = 6371.0  # the published scorer's earth radius
A161_KM = 161.0


@dataclass
class DocErrors:
    """What went wrong in one document, for the error report."""

    doc_id: str
    missed: list[dict] = field(default_factory=list)
    false: list[dict] = field(default_factory=list)
    far: list[tuple[float, dict, dict]] = field(default_factory=list)  # (km, gold, pred)


def _has_point(t: dict) -> bool:
    return t.get("lat") is not None and t.get("lon") is not None


def _match(g: dict, predicted: list[dict]) -> dict | None:
    mid = (g["start"] + g["end"]) / 2
    name = str(g["name"]).lower()
    for p in predicted:
        if abs((p["start"] + p["end"]) / 2 - mid) < 10 and str(p["name"]).lower() == name:
            return p
    return None


def score(gold: dict[str, dict], pred: dict[str, dict], *, precision: bool = True
          ) -> tuple[dict[str, Any], list[DocErrors]]:
    """Figures as ``score.py`` prints them, and the per-document errors."""
    tp = fp = fn = unresolved = 0
    errors: list[float] = []
    report: list[DocErrors] = []
    for doc_id, gdoc in gold.items():
        predicted = list(pred.get(doc_id, {}).get("toponyms", []))
        de = DocErrors(doc_id)
        for g in gdoc["toponyms"]:
            if not _has_point(g):
                continue
            hit = _match(g, predicted)
            if hit is None:
                fn += 1
                de.missed.append(g)
                continue
            tp += 1
            predicted.remove(hit)
            if _has_point(hit):
                km = haversine_km(hit["lat"], hit["lon"], g["lat"], g["lon"],
                                  radius_km=SCORER_RADIUS_KM)
            else:
                unresolved += 1
                km = MAX_ERROR_KM
            errors.append(km)
            if km >= A161_KM:
                de.far.append((km, g, hit))
        fp += len(predicted)
        de.false.extend(predicted)
        report.append(de)
    return _figures(tp, fp, fn, unresolved, errors, precision), report


def _figures(tp: int, fp: int, fn: int, unresolved: int, errors: list[float],
             precision: bool) -> dict[str, Any]:
    recall = tp / (tp + fn) if tp + fn else 0.0
    res: dict[str, Any] = {"gold": tp + fn, "matched": tp, "recall": recall,
                           "unresolved": unresolved}
    if precision:
        p = tp / (tp + fp) if tp + fp else 0.0
        res["precision"] = p
        res["f1"] = 2 * p * recall / (p + recall) if p + recall else 0.0
    errors = sorted(errors)
    n = len(errors)
    if n:
        logs = [math.log(1 + e) / math.log(MAX_ERROR_KM) for e in errors]
        auc = (0.5 * (logs[0] + logs[-1]) + sum(logs[1:-1])) / (n - 1) if n > 1 else logs[0]
        res.update(acc161=sum(e < A161_KM for e in errors) / n, mean_km=sum(errors) / n,
                   median_km=statistics.median(errors), auc=auc)
    return res


def format_figures(res: dict[str, Any]) -> str:
    return "\n".join(f"{k:24s} {v:.3f}" if isinstance(v, float) else f"{k:24s} {v}"
                     for k, v in res.items())


def _why(pred: dict) -> str:
    """Why the geoparser chose the prediction's place, in the words the dashboard shows
    (:func:`geo.render.resolution_sentence`, from :func:`geo.toponyms.rules.describe`)."""
    from geo.render import resolution_sentence

    if not pred.get("rule"):
        return "Not resolved: no place of this name was chosen."
    return resolution_sentence(pred["rule"], country_code=pred.get("country_code"))


def error_report(report: list[DocErrors], gold: dict[str, dict], *, worst: int = 60) -> str:
    """Markdown: missed and false toponyms (by name), and the worst resolution errors,
    each with the reason for its place in words."""
    from collections import Counter

    missed = Counter(g["name"] for d in report for g in d.missed)
    false = Counter(p["name"] for d in report for p in d.false)
    far = sorted(((km, d.doc_id, g, p) for d in report for km, g, p in d.far),
                 key=lambda t: -t[0])
    lines = ["# Error report", "", f"## Missed toponyms ({sum(missed.values())})", ""]
    lines += [f"- {n} x {name}" for name, n in missed.most_common(80)]
    lines += ["", f"## False toponyms ({sum(false.values())})", ""]
    lines += [f"- {n} x {name}" for name, n in false.most_common(80)]
    lines += ["", f"## Worst resolution errors ({len(far)} over 161 km)", ""]
    for km, doc_id, g, p in far[:worst]:
        ctx = gold[doc_id]["text"][max(0, g["start"] - 60):g["end"] + 60].replace("\n", " ")
        alts = ", ".join(f"{a.get('place_name')} ({a.get('country_code')}, {a.get('score')})"
                         for a in p.get("alternatives", []))
        lines.append(
            f"- doc {doc_id}: **{g['name']}** gold ({g['lat']:.2f}, {g['lon']:.2f}) -> "
            f"{p.get('place_name')} [{p.get('kind')}, {p.get('country_code')}] "
            f"({p.get('lat')}, {p.get('lon')}), {km:.0f} km, score {p.get('score')}; "
            f"others: {alts or 'none'}\n  {_why(p)}\n  > ...{ctx}...")
    return "\n".join(lines) + "\n"
