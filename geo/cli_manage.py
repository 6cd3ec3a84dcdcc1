"""``python -m geo delete`` and ``python -m geo reanalyse``: managing a store's articles.

    python -m geo delete ID... [--db URL]
    python -m geo reanalyse [--db URL] [ID...]
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from geo.errors import GeoError

if TYPE_CHECKING:
    from geo.reanalyse import Reanalysis, StatusNote
    from geo.store import Store

DB_HELP = "store URL or path (default: $NEWS_ATLAS_DB or data/news_atlas.sqlite)"


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete articles by id; name the ones the store does not hold. Exit status 1 when
    none of them was stored."""
    from geo.store import Store

    with Store.open(args.db) as store:
        deletion = store.delete_articles(args.ids)
    for article_id in deletion.unknown:
        print(f"error: {article_id}: no such article in the store {store.path}",
              file=sys.stderr)
    if not deletion.deleted:
        print(f"deleted nothing from the store {store.path}")
        return 1
    print(f"deleted {len(deletion.deleted)} article(s) from the store {store.path}:"
          f" {deletion.removed.describe()}")
    return 0


def cmd_reanalyse(args: argparse.Namespace) -> int:
    """Re-analyse every stored article (or the given ones) with the current gazetteer
    and model; progress on stderr, the summary at the end (as ``ingest``)."""
    from geo.cli import _print_summary
    from geo.reanalyse import StatusNote, ids_to_reanalyse, unknown_ids
    from geo.store import Store

    started = time.monotonic()
    with Store.open(args.db) as store:
        unknown = unknown_ids(store, args.ids) if args.ids else []
        for article_id in unknown:
            print(f"error: {article_id}: no such article in the store {store.path}",
                  file=sys.stderr)
        ids = ids_to_reanalyse(store, args.ids or None)
        if not ids:
            print(f"nothing to re-analyse in the store {store.path}")
            return 1 if unknown else 0
        if store.read_only:
            from geo.errors import StoreFaultError

            raise StoreFaultError(f"cannot re-analyse the store {store.path}: it is"
                                  " read-only; make the file and its folder writable")
        print(f"reanalyse: re-analysing {len(ids)} article(s)", file=sys.stderr, flush=True)
        note = StatusNote(store, len(ids))
        report = _run(store, ids, note)
    failures = [f"{article_id}: no such article" for article_id in unknown] + report.failed
    print(f"re-analysed {report.replaced} article(s), {len(failures)} failed")
    _print_summary(f"{report.replaced} re-analysed, {report.vanished} deleted meanwhile",
                   failures, time.monotonic() - started, command="reanalyse")
    return 1 if failures else 0


def _run(store: Store, ids: list[str], note: StatusNote) -> Reanalysis:
    """Re-analyse ``ids`` with a progress bar, keeping ``note`` (the status the
    dashboard shows) up to date; a run that stops says so in the note."""
    from geo.pipeline import default_pipeline
    from geo.progress import Progress
    from geo.reanalyse import reanalyse

    try:
        pipeline = default_pipeline(store=store)
        with Progress(len(ids), desc="reanalyse", unit="articles") as bar:
            def progress(done: int, total: int, title: str) -> None:
                bar.update(title)
                note(done, total, title)

            report = reanalyse(store, pipeline, ids, progress=progress, warn=bar.write)
    except BaseException as err:
        try:
            note.fail(str(err) or type(err).__name__)
        except GeoError:
            pass  # the store itself failed: the error below says why
        raise
    note.finish(report)
    return report


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``delete`` and ``reanalyse`` to the command line."""
    p = sub.add_parser("delete", help="delete articles (and what only they mentioned)")
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids (the Articles page"
                   " and `export --format jsonl` show them)")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(func=cmd_delete)
    p = sub.add_parser("reanalyse", help="analyse stored articles again (after a gazetteer"
                       " or model upgrade), keeping the corrections")
    p.add_argument("ids", nargs="*", metavar="ID", help="only these articles (default: all)")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(func=cmd_reanalyse)
