"""Time and peak memory of analysing one very large article.

    python benchmarks/bench_big_article.py [MB ...] [--single-line] [--profile FILE]

For each size (default: 5 and 20 MB) a child process generates one article of about
that many megabytes and analyses it with the pipeline users run, and prints seconds
(wall and CPU: on a shared machine the CPU time is the steadier figure), mentions and
its peak resident memory (``ru_maxrss``); a child per size, so one
size's peak does not hide the next. The text is the built-in sample article
(``geo/data/sample/seed-article.txt``) repeated, each copy with other names: a town
for Khasan and Vladivostok, a person for Andrew Rasiulis and Jo Chun Ryong, so that
the article has many distinct places and actors, as a long dossier would.
``--single-line`` joins it all into one line without sentence punctuation (the
shape that used to exceed spaCy's ``max_length``). ``--profile FILE`` writes cProfile
statistics of the analysis (one size only).

Model and gazetteer loading are not counted in the seconds; they are in the peak
(about 200 MB of it).
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_gazetteer import resident_mb  # the same RSS reading

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOWNS = ["Ussuriysk", "Nakhodka", "Artyom", "Khabarovsk", "Blagoveshchensk", "Chita",
         "Irkutsk", "Tomsk", "Omsk", "Kazan", "Samara", "Saratov", "Voronezh", "Kursk",
         "Belgorod", "Rostov", "Krasnodar", "Sochi", "Murmansk", "Arkhangelsk", "Vologda",
         "Tver", "Smolensk", "Bryansk", "Orenburg", "Perm", "Ufa", "Tyumen", "Surgut",
         "Norilsk", "Yakutsk", "Magadan", "Sinuiju", "Wonsan", "Hamhung", "Chongjin",
         "Kaesong", "Nampo", "Rason", "Hyesan"]
SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "vel", "sa", "dun", "pek", "ri", "gol", "na",
             "bes", "ur", "tam", "zi"]


def surnames() -> "itertools.cycle[str]":
    """Many distinct made-up surnames ("Kalomi", "Rentorvel", ...)."""
    names = ["".join(p).capitalize() for p in itertools.product(SYLLABLES, repeat=3)]
    return itertools.cycle(names)


def big_text(megabytes: float, *, single_line: bool = False) -> str:
    """About ``megabytes`` MB of article text (see the module docstring)."""
    from geo.sample import SAMPLE_TEXT

    seed = SAMPLE_TEXT.read_text(encoding="utf-8")
    people, towns = surnames(), itertools.cycle(TOWNS)
    size, parts = int(megabytes * 1_000_000), []
    total = 0
    for _ in itertools.count():
        copy = (seed.replace("Khasan", next(towns)).replace("Vladivostok", next(towns))
                .replace("Rasiulis", next(people)).replace("Ryong", next(people)))
        parts.append(copy)
        total += len(copy) + 2
        if total >= size:
            break
    text = "\n\n".join(parts)
    if single_line:
        text = re.sub(r"[.!?]", "", " ".join(text.split()))
    return text[:size]


def run_one(megabytes: float, *, single_line: bool, profile: str | None) -> dict:
    """Analyse one generated article in this process; the figures as a dict."""
    from geo.models import Article
    from geo.pipeline import default_pipeline

    pipeline = default_pipeline(progress=False)
    text = big_text(megabytes, single_line=single_line)
    article = Article(id="big", text=text, path=f"generated-{megabytes:g}MB.txt")
    before_mb = resident_mb()
    started, cpu = time.perf_counter(), time.process_time()
    if profile:
        import cProfile

        prof = cProfile.Profile()
        analyzed = prof.runcall(pipeline.analyze, article)
        prof.dump_stats(profile)
    else:
        analyzed = pipeline.analyze(article)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"MB": megabytes, "chars": len(text), "single_line": single_line,
            "passages": len(analyzed.passages), "places": len(analyzed.places),
            "actors": len(analyzed.actors), "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "rss_before_mb": round(before_mb), "warnings": analyzed.warnings,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=float, default=[5.0, 20.0], help="megabytes")
    ap.add_argument("--single-line", action="store_true")
    ap.add_argument("--profile", help="write cProfile stats here (one size only)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_one(args.sizes[0], single_line=args.single_line,
                                 profile=args.profile)))
        return
    for mb in args.sizes:
        cmd = [sys.executable, __file__, str(mb), "--child"]
        cmd += ["--single-line"] if args.single_line else []
        cmd += ["--profile", args.profile] if args.profile else []
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode:
            print(f"{mb:g} MB: failed\n{out.stderr[-2000:]}")
            continue
        r = json.loads(out.stdout.splitlines()[-1])
        print(f"{r['MB']:g} MB ({r['chars']:,} chars{', one line' if r['single_line'] else ''}):"
              f" {r['seconds']} s ({r['cpu_seconds']} s CPU), peak RSS {r['peak_rss_mb']} MB"
              f" ({r['rss_before_mb']} MB before the analysis);"
              f" {r['passages']:,} passages, {r['places']:,} place mentions,"
              f" {r['actors']:,} actor mentions")
        for warning in r["warnings"]:
            print(f"  warning: {warning}")


if __name__ == "__main__":
    main(sys.argv[1:])
