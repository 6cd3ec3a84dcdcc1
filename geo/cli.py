"""``python -m geo``: the command line (stable: checks and users depend on it).

    python -m geo ingest PATH|URL... [--db URL] [--allow-private] [--fetch-timeout S]
                         [--workers N | --dask ADDRESS|local] [--sources FILE]
                         [--job ID]   (--job: the Add page's worker)
    python -m geo geoparse INPUT [--out FILE] [--sources FILE]
    python -m geo eval GOLD.jsonl [--errors FILE] [--out FILE]
    python -m geo export --format geojson|geojson-mentions|csv|jsonl|html [--db URL]
                         [--out FILE] [--filters QUERY] [--base-url URL] (html)
    python -m geo gazetteer build|info|lookup NAME
    python -m geo sample --load|--remove [--db URL] | --rebuild   (the built-in sample)
    python -m geo delete ID... [--db URL]
    python -m geo reanalyse [--db URL] [ID...]
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
    """Read, analyse and store (geo.ingest); progress on stderr, the summary at the end."""
    from geo.ingest import ingest

    if args.dask and not args.verbose:  # Dask logs each worker's comings and goings
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    report = _IngestReport()
    try:
        summary = ingest(args.paths, args.db, job=args.job, on_progress=report.progress,
                         on_message=report.message, reader=lambda _paths: _read_inputs(args),
                         workers=args.workers, dask=args.dask,
                         sources_file=args.sources)
    finally:
        report.close()
    if summary.added:
        from geo.store import Store

        with Store.open(args.db) as store:
            _sample_hint(store, summary.added)
    failures = [str(problem) for problem in summary.failed]
    print(f"ingested {summary.added} article(s), {summary.skipped} already stored,"
          f" {len(failures)} failed")
    _print_summary(f"{summary.added} added, {summary.skipped} already stored", failures,
                   summary.seconds)
    return 1 if failures else 0


class _IngestReport:
    """An ingest's messages and progress bar on standard error."""

    def __init__(self) -> None:
        self.bar = None

    def progress(self, progress) -> None:  # noqa: ANN001 (geo.ingest.IngestProgress)
        from geo.progress import Progress

        if self.bar is None and progress.total:
            self.bar = Progress(progress.total, desc="ingest", unit="articles")
        if self.bar is not None and progress.done:
            self.bar.update(progress.last or "")

    def message(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text)
        else:
            print(text, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _read_inputs(args: argparse.Namespace):  # noqa: ANN202 (ReadResult)
    """``ingest``'s inputs as one ReadResult: files and folders read, and each
    http(s):// URL fetched (a page or a feed; geo.fetch), with an error for each one
    that cannot be fetched or read."""
    from geo.fetch import FetchSettings, is_url, iter_url_articles
    from geo.readers import read_articles

    result = read_articles([path for path in args.paths if not is_url(path)])
    urls = [path for path in args.paths if is_url(path)]
    settings = FetchSettings.from_env() if urls else FetchSettings()
    for url in urls:
        print(f"ingest: fetching {url}", file=sys.stderr, flush=True)
        for item in iter_url_articles(
                url, allow_private=args.allow_private or settings.allow_private,
                timeout=args.fetch_timeout or settings.timeout,
                max_bytes=settings.max_bytes, on_warning=result.warnings.append):
            (result.errors if isinstance(item, GeoError) else result.articles).append(item)
    return result


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {value!r}")
    return seconds


def _count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes (1 or"
                                         f" more), not {value!r}")
    return count


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


FAILURES_LISTED = 20


def _print_summary(counts: str, failures: list[str], seconds: float, *,
                   command: str = "ingest") -> None:
    """The end of a batch on stderr: the counts (``3 added, 2 already stored``), the
    time, each failure's reason."""
    print(f"{command}: {counts}, {len(failures)} failed in {seconds:.1f} s",
          file=sys.stderr)
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
        pipeline = default_pipeline(sources=args.sources)
        bad_sources = pipeline.homes.errors if pipeline.homes else []
        for error in bad_sources:
            print(f"error: {error}", file=sys.stderr)
        started, n = time.perf_counter(), 0
        for analyzed in pipeline.analyze_many(result.articles):
            _report_analysis(analyzed, err=sys.stderr)
            out.write(json.dumps(geoparse_record(analyzed), ensure_ascii=False) + "\n")
            n += 1
    print(f"geoparsed {n} document(s) in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 1 if result.errors or bad_sources else 0


def _read_gold(path: str) -> dict[str, dict]:
    """The gold documents of an evaluation corpus (JSON lines with an ``id``), by id;
    :class:`InputError` names the file (and line) that cannot be read."""
    from geo.errors import InputError

    gold = {}
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                    gold[str(doc["id"])] = doc
                except json.JSONDecodeError as err:
                    raise InputError(path, f"invalid JSON: {err.msg}", line=number) from None
                except (KeyError, TypeError):
                    raise InputError(path, "a gold document needs an \"id\"", line=number) from None
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text ({err.reason})") from err
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    return gold


def cmd_eval(args: argparse.Namespace) -> int:
    from geo.evaluate import error_report, format_figures, score
    from geo.output import geoparse_record
    from geo.pipeline import default_pipeline

    gold = _read_gold(args.gold)
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


def _export_filters(args: argparse.Namespace):  # noqa: ANN202 (geo.query.Filters)
    """The filters ``--filters`` names (a dashboard link or its query), or None."""
    from geo.export_html import filters_from_query

    if not args.filters:
        return None
    filters, unknown = filters_from_query(args.filters)
    if unknown:
        print(f"warning: --filters: ignoring {', '.join(unknown)} (not a filter)",
              file=sys.stderr)
    return filters


def _html_export_options(args: argparse.Namespace) -> dict:
    """``standalone_map_html`` keywords from ``--base-url`` and ``--db``."""
    from geo.store import default_db_url, sqlite_path

    return {"store_name": Path(sqlite_path(args.db or default_db_url())).name,
            "base_url": args.base_url}


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
    elif args.base_url:
        raise SystemExit("python -m geo export: --base-url applies to --format html only")
    filters = _export_filters(args)
    try:
        with _output(args.out, "--out", newline="") as out:
            n = export(args.format, out, db=args.db, filters=filters,
                       html_options=html_options)
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


def cmd_hash_password(args: argparse.Namespace) -> int:
    """Read the password twice at a terminal (not echoed), or once from standard input,
    and print its argon2 hash: the value of NEWS_ATLAS_EDITOR_PASSWORD_HASH."""
    import getpass

    from geo.auth import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Editors' password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("error: the password is empty", file=sys.stderr)
        return 2
    print(hash_password(password))
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
    from geo.export import FORMATS

    ap = argparse.ArgumentParser(prog="python -m geo", description="News Atlas geoparser")
    ap.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="read, analyse and store articles")
    p.add_argument("paths", nargs="+", help="files, folders or .zip archives (txt, md, html, json, "
                   "jsonl, csv, rss), or http(s):// URLs of article pages or RSS/Atom feeds to fetch")
    p.add_argument("--db", help="store URL or path (default: $NEWS_ATLAS_DB or data/news_atlas.sqlite)")
    p.add_argument("--allow-private", action="store_true",
                   help="let URLs reach private, loopback and link-local addresses (default:"
                        " refused, unless $NEWS_ATLAS_FETCH_ALLOW_PRIVATE=1)")
    p.add_argument("--fetch-timeout", type=_seconds, metavar="SECONDS",
                   help="seconds to wait for a server to connect or send data (default:"
                        " $NEWS_ATLAS_FETCH_TIMEOUT or 10)")
    p.add_argument("--job", type=int, metavar="ID",
                   help="keep this job's progress in the store (the dashboard's Add page)")
    p.add_argument("--workers", type=_count, metavar="N", default=_cores(),
                   help="analyse in N processes; this one stores (default: the number of"
                        f" cores, {_cores()} here; fewer for a small batch)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="analyse on the Dask cluster whose scheduler is at ADDRESS"
                        " (tcp://host:8786), or 'local' for a local cluster of --workers"
                        " processes; this process stores (docs/scale.md)")
    p.add_argument("--sources", metavar="FILE",
                   help="a sources file (CSV source,country,region) declaring each source's "
                        "home region (default: $NEWS_ATLAS_SOURCES)")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("geoparse", help="analyse without storing; JSONL out")
    p.add_argument("input", help="a text file, or JSONL of {id, text, date?, title?}")
    p.add_argument("--out", help="output file (default: standard output)")
    p.add_argument("--sources", metavar="FILE",
                   help="a sources file (CSV source,country,region) declaring each source's "
                        "home region (default: $NEWS_ATLAS_SOURCES)")
    p.set_defaults(func=cmd_geoparse)
    p = sub.add_parser("eval", help="geoparse a gold corpus and score it")
    p.add_argument("gold")
    p.add_argument("--errors", help="write an error report (Markdown) here")
    p.add_argument("--out", help="also write the predictions (JSONL) here")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("export", help="export the store")
    p.add_argument("--format", required=True, choices=list(FORMATS),
                   help="geojson: places; geojson-mentions: a point per mention; csv:"
                        " mentions; jsonl: articles; html: the map in one file")
    p.add_argument("--db", help="store URL or path (default: $NEWS_ATLAS_DB or data/news_atlas.sqlite)")
    p.add_argument("--out", help="output file (default: standard output)")
    p.add_argument("--base-url", type=_base_url, metavar="URL",
                   help="html: popup links open the dashboard hosted at URL"
                        " (default: a reader inside the file)")
    p.add_argument("--filters", metavar="QUERY",
                   help="only what a dashboard link's filters show, e.g."
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
    p = sub.add_parser("hash-password",
                       help="make the argon2 hash of the editors' password for the settings")
    p.set_defaults(func=cmd_hash_password)
    from geo.cli_manage import add_commands

    add_commands(sub)  # delete, reanalyse
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


