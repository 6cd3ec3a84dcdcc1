"""Analysis speed against NER alone, on the same texts, in one process.

    python benchmarks/bench_analysis.py [CORPUS.jsonl] [--runs N]

Without a corpus it uses ../shared/eval/geovirus.jsonl when present, else the built-in
sample repeated 200 times. Three timed steps, alternated run by run so that both see
the same machine load:

* **NER alone**: ``tok2vec`` + ``ner`` of the same spaCy model (every other component
  excluded), ``nlp.pipe`` over the articles' passages (64 per batch); and the ``ner``
  component by itself (in spaCy's CNN models it embeds its own tok2vec), the stricter
  reference once the engine no longer loads the shared ``tok2vec``;
* **analysis**: the engine, :meth:`geo.pipeline.Pipeline.analyze_many` over the
  articles: passages, every spaCy component the engine loads, the article-level
  recognition steps, resolution and actors.

Prints, per step, the median words per second over ``--runs`` runs (words: the
whitespace-separated words of the passages), and the ratio of the medians (analysis
speed / NER speed) with each run's own ratio beside it. Models and the gazetteer are
loaded (and warmed on a few passages) before any timing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.models import Article  # noqa: E402
from geo.nlp import DEFAULT_MODEL  # noqa: E402
from geo.passages import split_passages  # noqa: E402
from geo.pipeline import default_pipeline  # noqa: E402
from geo.readers import read_articles  # noqa: E402
from geo.sample import SAMPLE_TEXT  # noqa: E402

SHARED_GEOVIRUS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "geovirus.jsonl"


def corpus(path: str | None) -> tuple[str, list[Article]]:
    if path:
        return path, read_articles([path], keep_ids=True).articles
    if SHARED_GEOVIRUS.exists():
        return str(SHARED_GEOVIRUS), read_articles([SHARED_GEOVIRUS], keep_ids=True).articles
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    return "sample x200", [Article(id=str(i), text=text) for i in range(200)]


def ner_alone(model: str = DEFAULT_MODEL, keep: tuple[str, ...] = ("tok2vec", "ner")):  # noqa: ANN201
    """The model with only the ``keep`` components (spacy Language): ``tok2vec`` and
    ``ner``, the issue's reference speed; or ``ner`` alone, which in spaCy's CNN models
    embeds its own tok2vec and needs no other component."""
    import spacy

    nlp = spacy.load(model)
    return spacy.load(model, exclude=[n for n in nlp.component_names if n not in keep])


def _timed(step) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    step()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    name, articles = corpus(args.corpus)
    passages = [p.text for a in articles for p in split_passages(a)]
    words = sum(len(t.split()) for t in passages)
    pipeline = default_pipeline(progress=False)
    ner = ner_alone()
    bare = ner_alone(keep=("ner",))
    for _ in ner.pipe(passages[:20]):  # warm all three (first calls allocate)
        pass
    for _ in bare.pipe(passages[:20]):
        pass
    for _ in pipeline.analyze_many(articles[:3]):
        pass

    def run_ner() -> None:
        for _ in ner.pipe(passages, batch_size=64):
            pass

    def run_bare() -> None:
        for _ in bare.pipe(passages, batch_size=64):
            pass

    def run_analysis() -> None:
        for _ in pipeline.analyze_many(articles):
            pass

    ner_s, bare_s, full_s = [], [], []
    for _ in range(args.runs):
        ner_s.append(_timed(run_ner))
        bare_s.append(_timed(run_bare))
        full_s.append(_timed(run_analysis))
    ner_wps = words / statistics.median(ner_s)
    full_wps = words / statistics.median(full_s)
    print(f"corpus          {name} ({len(articles)} articles, {len(passages)} passages, "
          f"{words:,} words)")
    print(f"components      {', '.join(pipeline.nlp.pipe_names)}")
    print(f"NER alone       {', '.join(ner.pipe_names)}: {ner_wps:,.0f} words/s "
          f"(median of {args.runs})")
    print(f"analysis        {full_wps:,.0f} words/s (median of {args.runs})")
    bare_wps = words / statistics.median(bare_s)
    print(f"ner component   {', '.join(bare.pipe_names)}: {bare_wps:,.0f} words/s "
          f"(median of {args.runs})")
    per_run = ", ".join(f"{n / f:.2f}" for n, f in zip(ner_s, full_s))
    print(f"ratio           {full_wps / ner_wps:.2f}x NER alone (runs: {per_run})")
    per_run = ", ".join(f"{n / f:.2f}" for n, f in zip(bare_s, full_s))
    print(f"                {full_wps / bare_wps:.2f}x the ner component alone "
          f"(runs: {per_run})")


if __name__ == "__main__":
    main()
