"""Write a synthetic News Atlas store for the dashboard benchmarks.

    python benchmarks/make_synthetic_store.py [OUT.sqlite] [--articles 10000]
        [--mentions 100000] [--places 5000] [--seed 7]

Articles go through ``Store.save`` like real ones (so the benchmark measures the real
schema and indexes). Mention counts per place follow a Zipf-like law, as in news: a few
places are everywhere, most are named once or twice.
"""
from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.models import (  # noqa: E402
    ActorMention, AnalyzedArticle, Article, GazetteerEntry, Passage, PlaceMention,
)
from geo.store import Store  # noqa: E402

log = logging.getLogger(__name__)

KINDS = ["city"] * 14 + ["admin1", "admin1", "water", "landmark", "region", "country"]
COUNTRIES = ["RU", "UA", "KP", "KR", "CN", "US", "FR", "DE", "SY", "IL", "IR", "IN", "BR",
             "NG", "ZA", "GB", "JP", "TR", "PL", "MX"]
SOURCES = ["CBC News", "Reuters", "AP", "BBC", "Al Jazeera", "Le Monde", "DW", "NHK"]
WORDS = ("officials said the talks would continue after the visit while analysts expected"
         " new sanctions and more military co-operation near the border").split()
RULES = ["population", "near-context", "capital", "country", "curated", "x-y-pattern"]


def make_places(n: int, rng: random.Random) -> list[GazetteerEntry]:
    places = []
    for i in range(n):
        kind = rng.choice(KINDS)
        places.append(GazetteerEntry(
            f"syn:{i}", f"Place{i:05d}", round(rng.uniform(-55, 70), 4),
            round(rng.uniform(-180, 180), 4), kind, rng.choice(COUNTRIES),
            population=rng.randint(0, 2_000_000)))
    return places


def zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) ** 0.9 for rank in range(n)]


def make_article(i: int, n_mentions: int, places, weights, actors, rng, start: date
                 ) -> AnalyzedArticle:
    aid = f"syn{i:07d}"
    chosen = rng.choices(places, weights=weights, k=n_mentions)
    n_pass = max(1, (n_mentions + 3) // 4)
    texts, spans = [], []
    for p in range(n_pass):
        parts, local = [], []
        for entry in chosen[p::n_pass]:
            parts.append(" ".join(rng.choices(WORDS, k=6)) + " in ")
            offset = sum(len(x) for x in parts)
            parts.append(entry.name)
            local.append((offset, entry))
        texts.append("".join(parts) + ".")
        spans.append(local)
    text = "\n\n".join(texts)
    passages, pm, am, pos = [], [], [], 0
    for p, ptext in enumerate(texts):
        pid = f"{aid}-p{p}"
        passages.append(Passage(pid, aid, p, pos, pos + len(ptext), ptext))
        for offset, entry in spans[p]:
            s = pos + offset
            pm.append(PlaceMention(s, s + len(entry.name), entry.name, pid, "place", "GPE",
                                   entry, round(rng.uniform(0.4, 1.0), 3), rng.choice(RULES)))
        name = rng.choice(actors)
        am.append(ActorMention(pos, pos + 3, ptext[:3], "PERSON", pid, name))
        pos += len(ptext) + 2
    published = (start + timedelta(days=rng.randint(0, 729))).isoformat()
    art = Article(aid, text, f"Synthetic article {i}", f"https://example.org/{aid}",
                  rng.choice(SOURCES), published)
    return AnalyzedArticle(art, passages, pm, am)


def build(out: Path, *, articles: int, mentions: int, places: int, seed: int) -> None:
    rng = random.Random(seed)
    entries = make_places(places, rng)
    weights = zipf_weights(places)
    actors = [f"Actor {i:03d}" for i in range(300)]
    per_article = [mentions // articles] * articles
    for i in range(mentions - sum(per_article)):
        per_article[i] += 1
    start, t0 = date(2023, 1, 1), time.time()
    with Store.open(str(out)) as store:
        for i, n in enumerate(per_article):
            store.save(make_article(i, n, entries, weights, actors, rng, start))
            if i and i % 1000 == 0:
                log.info("%d articles (%.0f s)", i, time.time() - t0)
    log.info("wrote %s: %d articles, %d mentions, %d places in %.0f s", out, articles,
             mentions, places, time.time() - t0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="/tmp/news_atlas_synthetic.sqlite")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--mentions", type=int, default=100_000)
    ap.add_argument("--places", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.exists():
        sys.exit(f"{out} exists: remove it first")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build(out, articles=args.articles, mentions=args.mentions, places=args.places,
          seed=args.seed)


if __name__ == "__main__":
    main()
