"""Write a synthetic News Atlas store for the dashboard benchmarks.

    python benchmarks/make_synthetic_store.py [OUT.sqlite] [--articles 10000]
        [--mentions 100000] [--places 5000] [--seed 7] [--bulk]

Articles go through ``Store.save`` like real ones (so the benchmark measures the real
schema and indexes). Mention counts per place follow a Zipf-like law, as in news: a few
places are everywhere, most are named once or twice.

``--bulk`` writes the same rows (the same articles for the same seed) many articles per
transaction with ``executemany``, building the secondary indexes and the full-text
index once at the end rather than row by row: the way to make a store of a million
mentions (one transaction per article takes hours on a loaded machine). The store is
the real schema, made by ``Store.open``; only the order of writing differs.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.models import (  # noqa: E402
    ActorMention, AnalyzedArticle, Article, GazetteerEntry, Passage, PlaceMention,
)
from geo.actors import fold_key  # noqa: E402
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


def build(out: Path, *, articles: int, mentions: int, places: int, seed: int,
          bulk: bool = False, batch: int = 1000) -> None:
    rng = random.Random(seed)
    entries = make_places(places, rng)
    weights = zipf_weights(places)
    actors = [f"Actor {i:03d}" for i in range(300)]
    per_article = [mentions // articles] * articles
    for i in range(mentions - sum(per_article)):
        per_article[i] += 1
    start, t0 = date(2023, 1, 1), time.time()
    made = (make_article(i, n, entries, weights, actors, rng, start)
            for i, n in enumerate(per_article))
    with Store.open(str(out)) as store:
        if bulk:
            BulkWriter(store.conn).write(made, batch=batch, t0=t0)
        else:
            for i, analyzed in enumerate(made):
                store.save(analyzed)
                if i and i % 1000 == 0:
                    log.info("%d articles (%.0f s)", i, time.time() - t0)
    log.info("wrote %s: %d articles, %d mentions, %d places in %.0f s", out, articles,
             mentions, places, time.time() - t0)


# the tables whose indexes and triggers --bulk drops while loading, then makes again
BULK_TABLES = ("passages", "place_mentions", "actor_mentions", "actor_mentions_auto")


class BulkWriter:
    """Writes fresh synthetic articles (no corrections, each actor one spelling) as
    ``Store.save`` would, ``batch`` articles per transaction, with the indexes and
    triggers of :data:`BULK_TABLES` dropped during the load and re-made from their own
    stored SQL afterwards (so the schema is still only written in geo/store/schema.py)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.places: set[str] = set()
        self.actors: dict[tuple[str, str], int] = {}

    def write(self, made, *, batch: int, t0: float) -> None:
        c = self.conn
        c.execute("PRAGMA synchronous=OFF")
        marks = ",".join("?" * len(BULK_TABLES))
        deferred = c.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
            f" AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY type, name",
            BULK_TABLES).fetchall()
        for kind, name, _ in deferred:
            c.execute(f'DROP {kind.upper()} "{name}"')
        c.commit()
        pending, n = [], 0
        for analyzed in made:
            pending.append(analyzed)
            if len(pending) == batch:
                n += self._flush(pending)
                pending = []
                log.info("%d articles (%.0f s)", n, time.time() - t0)
        n += self._flush(pending)
        log.info("%d articles stored (%.0f s); indexing", n, time.time() - t0)
        for kind, _, sql in sorted(deferred, key=lambda d: d[0]):  # indexes, then triggers
            c.execute(sql)
            if kind == "index":
                log.info("index made (%.0f s)", time.time() - t0)
        c.execute("INSERT INTO passages_fts (id, text) SELECT id, text FROM passages")
        c.commit()
        c.execute("PRAGMA synchronous=NORMAL")
        log.info("full-text index made (%.0f s)", time.time() - t0)

    def _flush(self, batch: list[AnalyzedArticle]) -> int:
        c = self.conn
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        arts, passages, places, pms, actors, autos, ams = [], [], [], [], [], [], []
        for analyzed in batch:
            art = analyzed.article
            arts.append((art.id, art.title, art.url, art.source, art.published,
                         art.language or "en", art.path, art.text, now, 0))
            passages += [(p.id, p.article_id, p.index, p.start, p.end, p.text, p.date)
                         for p in analyzed.passages]
            for m in analyzed.places:
                for e in [m.place, *(a.entry for a in m.alternatives)]:
                    if e.id not in self.places:
                        self.places.add(e.id)
                        places.append((e.id, e.name, e.lat, e.lon, e.kind, e.country_code,
                                       e.feature_class, e.feature_code, e.admin1,
                                       e.population, e.source))
                pms.append((art.id, m.passage_id, m.start, m.end, m.text, m.kind, m.label,
                            m.place.id, m.score, m.rule, json.dumps([
                                {"id": a.entry.id, "name": a.entry.name,
                                 "score": round(a.score, 4)} for a in m.alternatives])))
            for m in analyzed.actors:
                name, key = m.canonical or m.text, (m.canonical or m.text, m.label)
                if key not in self.actors:
                    self.actors[key] = len(self.actors) + 1
                    actors.append((self.actors[key], name, m.label, fold_key(name)))
                autos.append((art.id, m.passage_id, m.start, m.end, m.text, name, m.label,
                              fold_key(name)))
                ams.append((art.id, m.passage_id, m.start, m.end, m.text, self.actors[key]))
        c.execute("BEGIN")
        c.executemany(
            "INSERT INTO articles (id, title, url, source, published, language, path, text,"
            " ingested_at, sample) VALUES (?,?,?,?,?,?,?,?,?,?)", arts)
        c.executemany('INSERT INTO passages (id, article_id, idx, start, "end", text, date)'
                      " VALUES (?,?,?,?,?,?,?)", passages)
        c.executemany(
            "INSERT INTO places (id, name, lat, lon, kind, country_code, feature_class,"
            " feature_code, admin1, population, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            places)
        c.executemany(
            'INSERT INTO place_mentions (article_id, passage_id, start, "end", text, kind,'
            " label, place_id, score, rule, alternatives) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            pms)
        c.executemany("INSERT INTO actors (id, name, kind, key) VALUES (?,?,?,?)", actors)
        c.executemany(
            'INSERT INTO actor_mentions_auto (article_id, passage_id, start, "end", text,'
            " name, kind, key) VALUES (?,?,?,?,?,?,?,?)", autos)
        c.executemany('INSERT INTO actor_mentions (article_id, passage_id, start, "end",'
                      " text, actor_id) VALUES (?,?,?,?,?,?)", ams)
        c.commit()
        return len(batch)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="/tmp/news_atlas_synthetic.sqlite")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--mentions", type=int, default=100_000)
    ap.add_argument("--places", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bulk", action="store_true",
                    help="many articles per transaction, indexes built at the end"
                         " (for a million mentions)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.exists():
        sys.exit(f"{out} exists: remove it first")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build(out, articles=args.articles, mentions=args.mentions, places=args.places,
          seed=args.seed, bulk=args.bulk)


if __name__ == "__main__":
    main()
