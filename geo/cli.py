"""``python -m geo``: the command line (stable: checks and users depend on it).

    python -m geo ingest PATH... [--db URL]
    python -m geo geoparse INPUT [--out FILE]
    python -m geo eval GOLD.jsonl [--errors FILE] [--out FILE]
    python -m geo export --format geojson|csv|jsonl|html [--db URL] [--out FILE]
    python -m geo gazetteer build|info|lookup NAME
    python -m geo sample            (rebuild the dashboard's built-in sample)
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from pathlib import Path
from typing import IO, Iterator

from geo.errors import GeoError, OutputError

log = logging.getLogger("geo")


def _report_read(result, *, err: IO[str]) -> None:  # noqa: ANN001 (ReadResult)
    for warning in result.warnings:
        print(f"warning: {warning}", file=err)
    for error in result.errors:
        print(f"error: {error}", file=err)


def _report_analysis(analyzed, *, err: IO[str]) -> None:  # noqa: ANN001 (AnalyzedArticle)
    for warning in analyzed.warnings:
        print(f"warning: {warning}", file=err)


@contextlib.contextmanager
def _output(path: str | None, option: str, *, newline: str | None = None) -> Iterator[IO[str]]:
    """The file an option such as ``--out`` names, opened for writing (standard output
    when None); one that cannot be opened is an :class:`OutputError` naming it, raised
    before any work is done."""
    if path is None:
        yield sys.stdout
        return
    try:
        out = open(path, "w", encoding="utf-8", newline=newline)
    except OSError as err:
        raise OutputError(path, f"cannot write {option}: {err.strerror or err}") from err
    with out:
        yield out


def cmd_ingest(args: argparse.Namespace) -> int:
    from geo.pipeline import default_pipeline
    from geo.readers import read_articles
    from geo.store import Store

    result = read_articles(args.paths)
    _report_read(result, err=sys.stderr)
    pipeline = default_pipeline()
    added = skipped = failed = 0
    with Store.open(args.db) as store:
        fresh = [a for a in result.articles if not store.has_article(a.id)]
        skipped = len(result.articles) - len(fresh)
        for analyzed in pipeline.analyze_many(fresh):
            try:
                if store.save(analyzed):
                    added += 1
                else:
                    skipped += 1
            except GeoError as err:
                failed += 1
                print(f"error: {err}", file=sys.stderr)
            _report_analysis(analyzed, err=sys.stderr)
            if not analyzed.places:
                print(f"warning: {analyzed.article.path}: no places found", file=sys.stderr)
    bad = len(result.errors) + failed
    print(f"ingested {added} article(s), {skipped} already stored, {bad} failed")
    return 1 if bad else 0


def _read_for_geoparse(path: str):  # noqa: ANN202
    from geo.readers import read_articles

    result = read_articles([path], keep_ids=True)
    _report_read(result, err=sys.stderr)
    return result


def cmd_geoparse(args: argparse.Namespace) -> int:
    from geo.output import geoparse_record
    from geo.pipeline import default_pipeline

    result = _read_for_geoparse(args.input)
    with _output(args.out, "--out") as out:
        pipeline = default_pipeline()
        started, n = time.perf_counter(), 0
        for analyzed in pipeline.analyze_many(result.articles):
            _report_analysis(analyzed, err=sys.stderr)
            out.write(json.dumps(geoparse_record(analyzed), ensure_ascii=False) + "\n")
            n += 1
    print(f"geoparsed {n} document(s) in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 1 if result.errors else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from geo.evaluate import error_report, format_figures, score
    from geo.output import geoparse_record
    from geo.pipeline import default_pipeline

    gold = {}
    with open(args.gold, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                doc = json.loads(line)
                gold[str(doc["id"])] = doc
    result = _read_for_geoparse(args.gold)
    with contextlib.ExitStack() as files:  # both opened (or refused) before the work
        out = files.enter_context(_output(args.out, "--out")) if args.out else None
        errors = files.enter_context(_output(args.errors, "--errors")) if args.errors else None
        pipeline = default_pipeline()
        started = time.perf_counter()
        pred = {}
        for analyzed in pipeline.analyze_many(result.articles):
            _report_analysis(analyzed, err=sys.stderr)
            rec = geoparse_record(analyzed)
            pred[rec["id"]] = rec
        seconds = time.perf_counter() - started
        if out is not None:
            out.write("".join(json.dumps(r) + "\n" for r in pred.values()))
        figures, report = score(gold, pred, precision="wiktor" not in args.gold.lower())
        figures["docs"] = len(gold)
        figures["docs_without_prediction"] = len(set(gold) - set(pred))
        print(format_figures(figures))
        print(f"{'seconds':24s} {seconds:.1f}")
        if errors is not None:
            errors.write(error_report(report, gold))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from geo.export import export

    with _output(args.out, "--out", newline="") as out:
        n = export(args.format, out, db=args.db)
    print(f"exported {n} record(s) as {args.format}", file=sys.stderr)
    return 0


def cmd_gazetteer(args: argparse.Namespace) -> int:
    from geo.gazetteer import Gazetteer, build_gazetteer, default_gazetteer_path

    path = Path(args.path) if args.path else default_gazetteer_path()
    if args.action == "build":
        stats = build_gazetteer(path, progress=True)
        print(json.dumps(stats, indent=2, default=str))
        return 0
    gaz = Gazetteer.open(path)
    if args.action == "info":
        print(json.dumps(gaz.info(), indent=2, default=str))
        return 0
    if not args.name:
        raise SystemExit("usage: python -m geo gazetteer lookup NAME")
    entries = gaz.lookup(" ".join(args.name), limit=args.limit)
    for e in entries:
        print(f"{e.id:16s} {e.name:30s} {e.kind:10s} {e.country_code or '--':3s} "
              f"{e.lat:8.3f} {e.lon:9.3f} pop {e.population:>10,d}  {e.source or ''}")
    if not entries:
        print("no match", file=sys.stderr)
        return 1
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from geo.sample import rebuild_sample

    path = rebuild_sample()
    print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m geo", description="News Atlas geoparser")
    ap.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="read, analyse and store articles")
    p.add_argument("paths", nargs="+", help="files or folders (txt, md, html, json, jsonl, csv, rss)")
    p.add_argument("--db", help="store URL or path (default: $NEWS_ATLAS_DB or data/news_atlas.sqlite)")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("geoparse", help="analyse without storing; JSONL out")
    p.add_argument("input", help="a text file, or JSONL of {id, text, date?, title?}")
    p.add_argument("--out", help="output file (default: standard output)")
    p.set_defaults(func=cmd_geoparse)
    p = sub.add_parser("eval", help="geoparse a gold corpus and score it")
    p.add_argument("gold")
    p.add_argument("--errors", help="write an error report (Markdown) here")
    p.add_argument("--out", help="also write the predictions (JSONL) here")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("export", help="export the store")
    p.add_argument("--format", required=True, choices=["geojson", "csv", "jsonl", "html"])
    p.add_argument("--db")
    p.add_argument("--out")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("gazetteer", help="build or query the offline gazetteer")
    p.add_argument("action", choices=["build", "info", "lookup"])
    p.add_argument("name", nargs="*")
    p.add_argument("--path", help="gazetteer file (default: $NEWS_ATLAS_GAZETTEER or data/gazetteer.sqlite)")
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(func=cmd_gazetteer)
    p = sub.add_parser("sample", help="re-analyse the built-in sample article")
    p.set_defaults(func=cmd_sample)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except GeoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


