"""``python -m geo``: the command line (stable: checks and users depend on it).

    python -m geo ingest PATH... [--db URL]
    python -m geo geoparse INPUT [--out FILE]
    python -m geo eval GOLD.jsonl [--errors FILE] [--out FILE]
    python -m geo export --format geojson|csv|jsonl|html [--db URL] [--out FILE]
                         [--base-url URL] [--filters QUERY]   (the last two: html)
    python -m geo gazetteer build|info|lookup NAME
    python -m geo sample --load|--remove [--db URL] | --rebuild   (the built-in sample)
    python -m geo corrections list|export FILE|import FILE [--db URL]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from geo.errors import GeoError, OutputError

if TYPE_CHECKING:
    from geo.models import Article
    from geo.store import Store

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
    """Read, analyse and store; progress on stderr, the summary at the end."""
    from geo.readers import read_articles
    from geo.store import Store

    started = time.monotonic()
    result = read_articles(args.paths)
    _report_read(result, err=sys.stderr)
    failures = [str(error) for error in result.errors]
    added = 0
    with Store.open(args.db) as store:
        fresh, skipped = _new_articles(result.articles, store)
        if fresh:  # the model and gazetteer load only when there is something to analyse
            print(f"ingest: analysing {len(fresh)} new article(s)"
                  f" ({skipped} already stored)", file=sys.stderr, flush=True)
            added, failed = _analyze_and_save(fresh, store)
            failures += failed
            skipped += len(fresh) - added - len(failed)
        _sample_hint(store, added)
    print(f"ingested {added} article(s), {skipped} already stored, {len(failures)} failed")
    _print_summary(added, skipped, failures, time.monotonic() - started)
    return 1 if failures else 0


FAILURES_LISTED = 20


def _print_summary(added: int, skipped: int, failures: list[str], seconds: float) -> None:
    """The end of an ingest on stderr: the counts, the time, each failure's reason."""
    print(f"ingest: {added} added, {skipped} already stored, {len(failures)} failed"
          f" in {seconds:.1f} s", file=sys.stderr)
    if failures:
        print("failed:", file=sys.stderr)
        for reason in failures[:FAILURES_LISTED]:
            print(f"  {reason}", file=sys.stderr)
        if len(failures) > FAILURES_LISTED:
            print(f"  ... and {len(failures) - FAILURES_LISTED} more (see the error lines"
                  " above)", file=sys.stderr)


def _sample_hint(store: Store, added: int) -> None:
    """After adding the user's articles next to the built-in sample, say how to drop it."""
    from geo.store.sample import sample_count

    if added and sample_count(store):
        print("note: this store also holds the built-in sample article; remove it with"
              f" `python -m geo sample --remove{_db_option(store)}`", file=sys.stderr)


def _db_option(store: Store) -> str:
    from geo.store import is_default_store

    return "" if is_default_store(store.path) else f" --db {store.path}"


def _new_articles(articles: list[Article], store: Store) -> tuple[list[Article], int]:
    """The articles not stored yet (each text once), and how many were skipped."""
    from geo.errors import StoreFaultError

    if articles and store.read_only:
        raise StoreFaultError(f"cannot ingest into the store {store.path}: it is read-only; "
                              "make the file and its folder writable, or choose another "
                              "store with --db")
    seen: set[str] = set()
    fresh = []
    for article in articles:
        if article.id not in seen and not store.is_stored(article):
            fresh.append(article)
        seen.add(article.id)
    return fresh, len(articles) - len(fresh)


def _analyze_and_save(articles: list[Article], store: Store) -> tuple[int, list[str]]:
    """Analyse and store ``articles`` with a progress bar; report each problem; return
    how many were added and why the others failed. A fault of the store itself
    (damaged, read-only, full) stops the batch."""
    from geo.errors import StoreFaultError
    from geo.pipeline import default_pipeline
    from geo.progress import Progress

    pipeline = default_pipeline()
    added, failed = 0, []
    with Progress(len(articles), desc="ingest", unit="articles") as progress:
        for analyzed in pipeline.analyze_many(articles):
            art = analyzed.article
            progress.update(art.title or art.path or art.id)
            for warning in analyzed.warnings:
                progress.write(f"warning: {warning}")
            try:
                stored = store.save(analyzed)
            except StoreFaultError:
                raise
            except GeoError as err:
                failed.append(str(err))
                progress.write(f"error: {err}")
                continue
            if not stored:
                continue  # another process stored it meanwhile
            added += 1
            for other in store.url_twins(art):
                progress.write(f"warning: {art.path}: same URL as {other} ({art.url}) but a "
                               "different text: both are stored")
            if not analyzed.places:
                progress.write(f"warning: {art.path}: no places found")
    return added, failed


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


def _html_export_options(args: argparse.Namespace) -> dict:
    """``standalone_map_html`` keywords from ``--base-url``, ``--filters`` and ``--db``."""
    from geo.export_html import filters_from_query
    from geo.store import default_db_url, sqlite_path

    options: dict = {"store_name": Path(sqlite_path(args.db or default_db_url())).name,
                     "base_url": args.base_url}
    if args.filters:
        options["filters"], unknown = filters_from_query(args.filters)
        if unknown:
            print(f"warning: --filters: ignoring {', '.join(unknown)} (not a filter)",
                  file=sys.stderr)
    return options


def _base_url(value: str) -> str:
    from geo.export_html import dashboard_base_url

    try:
        return dashboard_base_url(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def cmd_export(args: argparse.Namespace) -> int:
    from geo.export import export

    html_options = None
    if args.format == "html":
        html_options = _html_export_options(args)
    elif args.base_url or args.filters:
        raise SystemExit("python -m geo export: --base-url and --filters apply to"
                         " --format html only")
    try:
        with _output(args.out, "--out", newline="") as out:
            n = export(args.format, out, db=args.db, html_options=html_options)
            out.flush()
    except BrokenPipeError:
        # the reader stopped early (``| head``): stop quietly, and point stdout at
        # /dev/null so Python's own flush at exit does not complain either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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
    """``--load`` the built-in sample into a store, ``--remove`` it, or ``--rebuild``
    its shipped analysis."""
    from geo.store import Store

    if args.rebuild:
        if args.db:
            raise SystemExit("python -m geo sample: --db applies to --load and --remove")
        from geo.sample import rebuild_sample

        print(f"wrote {rebuild_sample()}")
        return 0
    with Store.open(args.db) as store:
        return _remove_sample(store) if args.remove else _load_sample(store)


def _load_sample(store: Store) -> int:
    from geo.sample import add_sample

    if not add_sample(store):
        print(f"the built-in sample is already in the store {store.path}: nothing loaded")
        return 0
    print(f"loaded the built-in sample (1 article) into the store {store.path};"
          f" remove it with `python -m geo sample --remove{_db_option(store)}`")
    return 0


def _remove_sample(store: Store) -> int:
    from geo.store.sample import remove_sample

    removed = remove_sample(store)
    if not removed.articles:
        print(f"the built-in sample is not in the store {store.path}: nothing removed")
    else:
        print(f"removed the built-in sample from the store {store.path}:"
              f" {removed.describe()}")
    return 0


def cmd_corrections(args: argparse.Namespace) -> int:
    """List the store's corrections, export the live ones as JSON lines, or import a
    file of them (idempotent: what the store has already is not added twice)."""
    from geo import corrections
    from geo.store import Store

    if args.action in ("export", "import") and not args.file:
        raise SystemExit(f"usage: python -m geo corrections {args.action} FILE [--db URL]")
    if args.action == "list" and args.file:
        raise SystemExit("usage: python -m geo corrections list [--db URL]")
    with Store.open(args.db) as store:
        if args.action == "list":
            return _list_corrections(store)
        if args.action == "export":
            n = 0
            with _output(None if args.file == "-" else args.file, "FILE") as out:
                for line in corrections.export_lines(store):
                    out.write(line + "\n")
                    n += 1
            print(f"exported {n} correction(s) from the store {store.path}", file=sys.stderr)
            return 0
        return _import_corrections(store, args.file)


def _list_corrections(store: Store) -> int:
    from geo import corrections

    found = corrections.corrections(store)
    for c in found:
        state = f"undone {c.undone_at}" if c.undone_at else "live"
        by = f" by {c.author}" if c.author else ""
        print(f"#{c.id}\t{c.created_at}{by}\t{c.target}\t{state}\t{corrections.describe(c)}")
    live = sum(1 for c in found if c.live)
    print(f"{len(found)} correction(s), {live} live, in the store {store.path}", file=sys.stderr)
    return 0


def _import_corrections(store: Store, path: str) -> int:
    from geo import corrections
    from geo.errors import InputError

    try:
        with open(path, encoding="utf-8") as fh:
            report = corrections.import_lines(store, fh, path=path)
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text ({err.reason})") from err
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    for c in report.added:
        print(f"added #{c.id}: {corrections.describe(c)}")
    print(f"imported {len(report.added)} correction(s), {report.present} already present,"
          f" {len(report.errors)} refused, into the store {store.path}")
    return 1 if report.errors else 0


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
    p.add_argument("--db", help="store URL or path (default: $NEWS_ATLAS_DB or data/news_atlas.sqlite)")
    p.add_argument("--out", help="output file (default: standard output)")
    p.add_argument("--base-url", type=_base_url, metavar="URL",
                   help="html: popup links open the dashboard hosted at URL"
                        " (default: a reader inside the file)")
    p.add_argument("--filters", metavar="QUERY",
                   help="html: only what a dashboard link's filters show, e.g."
                        " 'actor=Sergei+Shoigu&from=2023-09-01' or the whole link")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("gazetteer", help="build or query the offline gazetteer")
    p.add_argument("action", choices=["build", "info", "lookup"])
    p.add_argument("name", nargs="*")
    p.add_argument("--path", help="gazetteer file (default: $NEWS_ATLAS_GAZETTEER or data/gazetteer.sqlite)")
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(func=cmd_gazetteer)
    p = sub.add_parser("sample", help="load, remove or rebuild the built-in sample article")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--load", action="store_true",
                      help="add the sample to the store (marked as the sample)")
    what.add_argument("--remove", action="store_true",
                      help="remove the sample and what only it referred to from the store")
    what.add_argument("--rebuild", action="store_true",
                      help="re-analyse the sample and rewrite geo/data/sample/")
    p.add_argument("--db", help="store URL or path (default: $NEWS_ATLAS_DB or data/news_atlas.sqlite)")
    p.set_defaults(func=cmd_sample)
    p = sub.add_parser("corrections", help="list, export or import the user's corrections")
    p.add_argument("action", choices=["list", "export", "import"])
    p.add_argument("file", nargs="?", help="export: the JSON-lines file to write ('-':"
                   " standard output); import: the file to read")
    p.add_argument("--db", help="store URL or path (default: $NEWS_ATLAS_DB or data/news_atlas.sqlite)")
    p.set_defaults(func=cmd_corrections)
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


