"""Ingest throughput: one process, N worker processes, a local Dask cluster; re-ingest.

    python benchmarks/bench_ingest.py [--articles 10000] [--runs 1] [--modes 1,2,dask]

Builds ``--articles`` articles with distinct texts as one JSON-lines file: the texts of
../shared/eval (GeoVirus, GeoWebNews, WikToR) when present, else the built-in sample's
paragraphs; when more are asked for than there are, each further round appends to every
text the first sentence of another (so every text differs, and is analysed afresh).

Each mode runs ``python -m geo ingest FILE --db NEW_STORE`` in its own process, as a
user runs it (mode ``1``: ``--workers 1``; ``2``: ``--workers 2``; ``dask``: ``--dask
local --workers 2``), through the library entry point so the summary's
``store_seconds`` (time spent storing) is known. It reports, per mode, the wall time
from process start to exit (model loads included), words per second, the store's share
of the time, and the CPU seconds of the process and its children (steadier than wall
time when other work shares the machine). Then it re-ingests the same file into the
first mode's store (nothing new: every article is recognised before any model loads)
and reports how many times faster that is than the first ingest. With ``--runs R``,
each mode runs R times (a new store each time) and the medians are reported, with the
ratios of each run. The load average before each run is printed: on a shared machine,
compare runs made at the same load.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"
CORPORA = ["geovirus.jsonl", "geowebnews.jsonl", "wiktor.jsonl"]
MODES = {"1": ["--workers", "1"], "2": ["--workers", "2"],
         "dask": ["--dask", "local", "--workers", "2"]}
# the child: the CLI's ingest (reader included), its summary as JSON on the last line
CHILD = """
import json, sys, os
from geo.cli import build_parser, _read_inputs
from geo.ingest import ingest
args = build_parser().parse_args(["ingest", *sys.argv[1:]])
if args.dask:
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
summary = ingest(args.paths, args.db, reader=lambda _p: _read_inputs(args),
                 workers=args.workers, dask=args.dask)
print(json.dumps({"added": summary.added, "present": summary.skipped,
                  "failed": len(summary.failed), "seconds": summary.seconds,
                  "store_seconds": summary.store_seconds}))
"""


def source_texts() -> tuple[str, list[str]]:
    texts = []
    for name in CORPORA:
        path = SHARED_EVAL / name
        if path.exists():
            with path.open(encoding="utf-8") as f:
                texts += [json.loads(line)["text"] for line in f if line.strip()]
    if texts:
        return "../shared/eval (" + ", ".join(CORPORA) + ")", list(dict.fromkeys(texts))
    from geo.sample import SAMPLE_TEXT

    paragraphs = [p.strip() for p in SAMPLE_TEXT.read_text(encoding="utf-8").split("\n\n")]
    return "the built-in sample's paragraphs", [p for p in paragraphs if len(p) > 80]


_SENTENCE = re.compile(r".+?[.!?](?=\s|$)", re.S)


def first_sentence(text: str) -> str:
    hit = _SENTENCE.match(text.strip())
    return (hit.group(0) if hit else text.strip())[:400]


def build_articles(count: int) -> tuple[str, list[dict]]:
    """``count`` articles with distinct texts."""
    name, texts = source_texts()
    out, seen = [], set()
    round_ = 0
    while len(out) < count:
        for i, text in enumerate(texts):
            if len(out) >= count:
                break
            if round_:
                other = texts[(i + round_ * 7919) % len(texts)]
                text = f"{text}\n\n{first_sentence(other)} (round {round_})"
            if text in seen:
                continue
            seen.add(text)
            out.append({"title": f"Article {len(out)}", "text": text,
                        "published": f"2024-{1 + len(out) % 12:02d}-{1 + len(out) % 28:02d}"})
        round_ += 1
    return name, out


def run_ingest(path: Path, db: Path, mode_args: list[str]) -> dict:
    """One ingest in its own process: its summary, wall time and CPU seconds."""
    load = os.getloadavg()[0]
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), "--db", str(db),
                           *mode_args], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = os.times()
    if proc.returncode != 0:
        sys.exit(f"ingest {' '.join(mode_args)} failed:\n{proc.stderr[-3000:]}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system)
    return {**summary, "wall": wall, "cpu": cpu, "load": load}


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--modes", default="1,2,dask", help="comma-separated: 1, 2, dask")
    args = ap.parse_args(argv)
    modes = args.modes.split(",")
    name, articles = build_articles(args.articles)
    words = sum(len(a["text"].split()) for a in articles)
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as folder:
        path = Path(folder) / "articles.jsonl"
        path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
        print(f"corpus   {len(articles):,} articles, {words:,} words, from {name}")
        print(f"machine  {os.cpu_count()} cores")
        results: dict[str, list[dict]] = {m: [] for m in modes}
        again: list[dict] = []
        for run in range(args.runs):
            for mode in modes:
                db = Path(folder) / f"{mode}-{run}.sqlite"
                result = run_ingest(path, db, MODES[mode])
                assert result["added"] == len(articles), result
                results[mode].append(result)
                print(f"run {run + 1} {mode:>4}: {result['wall']:7.1f} s wall"
                      f" ({words / result['wall']:8,.0f} words/s), store"
                      f" {result['store_seconds']:6.1f} s"
                      f" ({result['store_seconds'] / result['seconds']:4.0%}), CPU"
                      f" {result['cpu']:7.1f} s, load {result['load']:.1f}", flush=True)
                if mode == modes[0]:
                    repeat = run_ingest(path, db, MODES[mode])
                    assert repeat["added"] == 0 and repeat["present"] == len(articles)
                    again.append({**repeat, "first": result["wall"]})
                    print(f"run {run + 1} re-ingest: {repeat['wall']:.2f} s wall,"
                          f" {result['wall'] / repeat['wall']:.0f}x faster than the first"
                          f" ingest, load {repeat['load']:.1f}", flush=True)
        report(results, again, words, modes)


def report(results: dict[str, list[dict]], again: list[dict], words: int,
           modes: list[str]) -> None:
    print("\nmedians")
    for mode in modes:
        rs = results[mode]
        wall = statistics.median(r["wall"] for r in rs)
        store = statistics.median(r["store_seconds"] / r["seconds"] for r in rs)
        cpu = statistics.median(r["cpu"] for r in rs)
        print(f"  {mode:>4}: {wall:7.1f} s, {words / wall:8,.0f} words/s end to end,"
              f" store {store:.0%} of the time, CPU {cpu:.1f} s")
    if "1" in results:
        for mode in modes:
            if mode != "1":
                ratios = [one["wall"] / other["wall"]
                          for one, other in zip(results["1"], results[mode])]
                print(f"  speed-up of {mode} over 1 worker: median"
                      f" {statistics.median(ratios):.2f}x (runs: "
                      + ", ".join(f"{r:.2f}x" for r in ratios) + ")")
    ratios = [a["first"] / a["wall"] for a in again]
    print(f"  re-ingest: median {statistics.median(a['wall'] for a in again):.2f} s,"
          f" {statistics.median(ratios):.0f}x faster than the first ingest")


if __name__ == "__main__":
    main(sys.argv[1:])
