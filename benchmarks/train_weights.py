"""Learn the resolver's ranking weights from the shared corpora, on a declared split.

    pip install scikit-learn   # training time only: the resolver reads plain numbers
    python benchmarks/train_weights.py [--eval-dir ../shared/eval] [--cache FILE]
                                       [--out FILE] [--adopt]

The split (issue 13), by each document's integer ``id``: training uses the even ids of
GeoWebNews and WikToR and the GeoVirus ids divisible by 3; everything else is held out.

1. The pipeline (spaCy, recognition, the article-level passes) runs once over the
   three corpora; each document's place mentions are recorded just before resolution
   (``--cache`` keeps them, so a second run skips spaCy).
2. On the training documents, each mention matched to a gold toponym (the scorer's
   rule: span midpoints under 10 characters apart, same name) gives pairs: the
   candidate nearest the gold point, when within 161 km, against each candidate
   beyond 161 km. Features are the unweighted values of ``geo.toponyms.features``
   (absent: 0), read with the shipped weights' document context.
3. A logistic regression without intercept on the pairs' differences (a conditional
   logit: the resolver's candidate scores are a softmax, so the learned scale is the
   resolver's), each mention weighing 1 in all and each corpus the same. The hand weights are its prior: one
   input is the hand-weighted score difference, and each feature's own input moves its
   weight from there, shrunk towards no move (L2, ``--c``), so evidence the training
   data rarely shows (datelines, "the") keeps its hand weight, scaled. Negative weights
   are clipped to 0: every feature is evidence for the candidate it speaks of.
4. The shipped and the learned weights each resolve all recorded mentions; every figure
   is printed on the held-out documents and on the whole corpus, scored by
   ``../shared/eval/score.py`` (GeoWebNews with its demonyms, as the gold says).

The learned weights are written to ``--out`` (default ``/tmp/learned-weights.json``).
With ``--adopt`` they replace ``geo/data/rank/weights.json`` only if the held-out
A@161 summed over the corpora improves, falls on no corpus, and no whole-corpus figure
falls by more than .005; otherwise the hand weights stay, and the figures say why.
"""
from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import pickle
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.gazetteer.geometry import haversine_km  # noqa: E402
from geo.models import AnalyzedArticle  # noqa: E402
from geo.output import geoparse_record  # noqa: E402
from geo.toponyms.features import FEATURES, FeatureCode  # noqa: E402
from geo.toponyms.rank import WEIGHTS_FILE, RankTable, load_table  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
CORPORA = ("geovirus", "geowebnews", "wiktor")
A161 = 161.0
FIGURES = ("f1", "recall", "acc161")
MAX_DROP = 0.005


def in_training(corpus: str, doc_id: str) -> bool:
    """The declared split: GeoVirus ids divisible by 3, even ids elsewhere."""
    return int(doc_id) % (3 if corpus == "geovirus" else 2) == 0


class _Recorder:
    """Stands in for the pipeline's resolver: keeps a copy of each document's place
    mentions as they reach resolution, then lets the real resolver resolve them."""

    def __init__(self, resolver: Any) -> None:
        self.resolver, self.docs = resolver, []

    def resolve(self, mentions: list, text: str, *, aliases: dict | None = None,
                home: Any = None) -> list:
        self.docs.append((text, copy.deepcopy(mentions), aliases))
        return self.resolver.resolve(mentions, text, aliases=aliases, home=home)


def record(eval_dir: Path, cache: Path) -> dict[str, list[tuple[str, str, list, dict | None]]]:
    """Per corpus: (id, text, place mentions before resolution, aliases) per document,
    kept in ``cache``-<corpus> files (delete them after changing recognition)."""
    from geo.pipeline import default_pipeline
    from geo.readers import read_articles

    pipeline = None
    out = {}
    for corpus in CORPORA:
        path = cache.with_name(f"{cache.name}-{corpus}")
        if path.exists():
            out[corpus] = pickle.loads(path.read_bytes())
            continue
        if pipeline is None:
            pipeline = default_pipeline(progress=False)
            # the corpora are English: record at the English pipeline's resolver
            english = pipeline.pipeline("en")
            recorder = _Recorder(english.resolver)
            english.resolver = recorder  # type: ignore[assignment]
        articles = read_articles([eval_dir / f"{corpus}.jsonl"], keep_ids=True).articles
        docs = []
        for analyzed in pipeline.analyze_many(articles):
            text, mentions, aliases = recorder.docs.pop(0)
            docs.append((analyzed.article.id, text, mentions, aliases))
        path.write_bytes(pickle.dumps(docs))
        out[corpus] = docs
        print(f"recorded {corpus}: {len(docs)} documents", file=sys.stderr)
    return out


def _gold(eval_dir: Path, corpus: str) -> dict[str, dict]:
    with open(eval_dir / f"{corpus}.jsonl", encoding="utf-8") as f:
        return {str(d["id"]): d for d in map(json.loads, filter(str.strip, f))}


def _matched(gold_doc: dict, start: int, end: int, name: str) -> dict | None:
    mid = (start + end) / 2
    for g in gold_doc["toponyms"]:
        if g.get("lat") is not None and abs((g["start"] + g["end"]) / 2 - mid) < 10 \
                and str(g["name"]).lower() == name.lower():
            return g
    return None


def pairs(docs: list, gold: dict[str, dict], corpus: str, resolver: Any,
          codes: list[FeatureCode]) -> tuple[list[list[float]], list[float]]:
    """Differences (right candidate - wrong one) of the training mentions, and weights."""
    rows, weights = [], []
    for doc_id, text, mentions, aliases in docs:
        if not in_training(corpus, doc_id):
            continue
        reading = resolver.read(copy.deepcopy(mentions), text, aliases=aliases)
        for m in reading.places:
            g = _matched(gold[doc_id], m.start, m.end, m.text)
            cands = reading.candidates[id(m)]
            if g is None or len(cands) < 2:
                continue
            km = [haversine_km(e.lat, e.lon, g["lat"], g["lon"]) for e in cands]
            right = min(range(len(cands)), key=km.__getitem__)
            wrong = [i for i, d in enumerate(km) if d >= A161]
            if km[right] >= A161 or not wrong:
                continue
            view = reading.views[id(m)]

            def values(e: Any) -> list[float]:
                return [FEATURES[c](view, e, reading.document) or 0.0 for c in codes]

            x = values(cands[right])
            for i in wrong:
                rows.append([a - b for a, b in zip(x, values(cands[i]))])
                weights.append(1.0 / len(wrong))
    return rows, weights


def learn(recorded: dict, eval_dir: Path, table: RankTable, resolver_for: Any, *,
          c_reg: float = 1.0) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    codes = list(FEATURES)
    resolver = resolver_for(table)
    rows: list[list[float]] = []
    per_corpus: list[list[float]] = []
    for corpus in CORPORA:
        r, w = pairs(recorded[corpus], _gold(eval_dir, corpus), corpus, resolver, codes)
        rows += r
        per_corpus.append(w)
        print(f"{corpus}: {len(r)} training pairs", file=sys.stderr)
    # each corpus weighs the same in all (WikToR's 2,500 training articles of ambiguous
    # US towns must not drown the news of the other two), and all of them as many
    # mentions as there are, so that the pull towards the hand weights keeps its size
    mentions = sum(sum(w) for w in per_corpus)
    weights = [x * mentions / len(per_corpus) / (sum(w) or 1.0)
               for w in per_corpus for x in w]
    x = np.array(rows)
    # the hand weights are the prior: one column is the hand-weighted score difference,
    # the others let each feature's weight move from it, shrunk towards no move (L2),
    # so a feature the training data rarely sees (a dateline) keeps its hand weight
    # (scaled) instead of falling to zero for want of examples
    hand = np.array([table.weights[c] for c in codes])
    z = np.column_stack([x @ hand, x])
    model = LogisticRegression(fit_intercept=False, C=c_reg, max_iter=5000)
    model.fit(np.vstack([z, -z]), np.r_[np.ones(len(z)), np.zeros(len(z))],
              sample_weight=np.r_[weights, weights])
    scale, moves = model.coef_[0][0], model.coef_[0][1:]
    learned = scale * hand + moves
    print(f"hand-score scale {scale:.3f}; moves: "
          + ", ".join(f"{c.value} {m:+.3f}" for c, m in zip(codes, moves)), file=sys.stderr)
    return {c.value: round(max(0.0, float(w)), 4) for c, w in zip(codes, learned)}


def _scorer(eval_dir: Path) -> Any:
    spec = importlib.util.spec_from_file_location("score", eval_dir / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.score


def figures(recorded: dict, eval_dir: Path, resolver: Any) -> dict:
    """corpus -> "held out" / "all" -> figures, with ``resolver`` choosing."""
    from geo.models import Article

    score = _scorer(eval_dir)
    out = {}
    for corpus in CORPORA:
        gold = _gold(eval_dir, corpus)
        pred = {}
        for doc_id, text, mentions, aliases in recorded[corpus]:
            places = copy.deepcopy(mentions)
            resolver.resolve(places, text, aliases=aliases)
            art = Article(id=doc_id, text=text)
            pred[doc_id] = geoparse_record(AnalyzedArticle(article=art, passages=[],
                                                           places=places, actors=[]))
        held = {k: v for k, v in gold.items() if not in_training(corpus, k)}
        precision = corpus != "wiktor"
        out[corpus] = {"held out": score(held, pred, precision=precision),
                       "all": score(gold, pred, precision=precision)}
    return out


def _row(name: str, f: dict) -> str:
    return f"{name:10s} " + "  ".join(f"{k} {f[k]:.3f}" for k in FIGURES if k in f)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/train-weights-mentions"),
                    help="recorded mentions, one FILE-<corpus> each (made once, reused)")
    ap.add_argument("--record-only", action="store_true", help="record the mentions and stop")
    ap.add_argument("--out", type=Path, default=Path("/tmp/learned-weights.json"))
    ap.add_argument("--c", type=float, default=1.0,
                    help="inverse strength of the pull towards the hand weights")
    ap.add_argument("--adopt", action="store_true",
                    help="write the learned weights to geo/data/rank/weights.json if they pass")
    args = ap.parse_args(argv)

    recorded = record(args.eval_dir, args.cache)
    if args.record_only:
        return 0

    from geo.gazetteer import ensure_gazetteer
    from geo.resolve import Resolver

    gazetteer = ensure_gazetteer(progress=False)

    def resolver_for(table: RankTable) -> Resolver:
        return Resolver(gazetteer, weights=table)

    hand = load_table()
    learned = learn(recorded, args.eval_dir, hand, resolver_for, c_reg=args.c)
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    data["weights"] = learned
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print("learned weights:", json.dumps(learned))
    before = figures(recorded, args.eval_dir, resolver_for(hand))
    after = figures(recorded, args.eval_dir, resolver_for(load_table(args.out)))
    for corpus in CORPORA:
        for part in ("held out", "all"):
            print(f"{corpus:11s} {part:9s} hand:    {_row('', before[corpus][part])}")
            print(f"{corpus:11s} {part:9s} learned: {_row('', after[corpus][part])}")
    drops = [(c, k) for c in CORPORA for k in FIGURES if k in before[c]["all"]
             and after[c]["all"][k] < before[c]["all"][k] - MAX_DROP]
    gains = {c: after[c]["held out"]["acc161"] - before[c]["held out"]["acc161"] for c in CORPORA}
    gain = sum(gains.values())
    # held out must improve as a whole and fall on no corpus: a gain on one corpus
    # paid for by the others fits that corpus, not the problem
    adopt = not drops and gain > 0 and min(gains.values()) >= 0
    print("held-out A@161 change: " + ", ".join(f"{c} {g:+.4f}" for c, g in gains.items()))
    print(f"held-out A@161 summed: {gain:+.4f}; whole-corpus drops over {MAX_DROP}: "
          f"{drops or 'none'} -> {'adopt' if adopt else 'keep the hand weights'}")
    if args.adopt and adopt:
        WEIGHTS_FILE.write_text(args.out.read_text(encoding="utf-8"), encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
