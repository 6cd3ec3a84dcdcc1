"""Re-analysis: every stored article (or some) analysed again with the current gazetteer
and model, after an upgrade (``python -m geo reanalyse``).

Each article is read back from the store, analysed, and its analysis replaced in its own
transaction (``Store.replace``, which re-applies the user's corrections): a run that is
stopped half-way leaves every article either as it was or re-analysed, never half
written, and running it again finishes the job. The built-in sample keeps its mark.

Progress goes to a callback ``(done, total, title)`` after each article, so the command
line draws a bar and a dashboard (or a job table) can follow; :class:`StatusNote` keeps
the latest state in the store's notes for the dashboard's Manage page.
"""
from __future__ import annotations

from collections.abc import Mapping

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from geo.errors import GeoError, StoreFaultError
from geo.store.connect import fault
from geo.store.manage import article_ids, read_note, stored_article, stored_ids, write_note
from geo.store.db import DB_ERRORS

if TYPE_CHECKING:
    import subprocess

    from geo.models import Article
    from geo.pipeline import Pipeline
    from geo.store import Store

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]  # (articles done, of total, last title)
STATUS_NOTE = "reanalysis"
STATUS_EVERY_S = 1.0  # the status note is rewritten at most this often while running


@dataclass
class Reanalysis:
    """What a re-analysis did."""

    total: int                  # articles it set out to re-analyse
    replaced: int = 0           # re-analysed and stored
    vanished: int = 0           # deleted by someone else meanwhile
    failed: list[str] = field(default_factory=list)  # each failure's reason
    warnings: list[str] = field(default_factory=list)


def unknown_ids(store: "Store", ids: Iterable[str]) -> list[str]:
    """Those of ``ids`` the store does not hold."""
    wanted = list(ids)
    try:
        present = stored_ids(store.conn, wanted)
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read") from err
    return [i for i in wanted if i not in present]


def ids_to_reanalyse(store: "Store", ids: Iterable[str] | None = None) -> list[str]:
    """``ids`` (those stored, each once), or every stored article's id."""
    try:
        if ids is None:
            return article_ids(store.conn)
        wanted = list(dict.fromkeys(ids))
        present = stored_ids(store.conn, wanted)
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read") from err
    return [i for i in wanted if i in present]


def reanalyse(store: "Store", pipeline: "Pipeline", ids: list[str], *,
              progress: ProgressCallback | None = None,
              warn: Callable[[str], None] | None = None) -> Reanalysis:
    """Re-analyse the stored articles ``ids`` one by one (see the module's docstring).

    A fault of the store itself (read-only, damaged, full) stops the run with
    :class:`StoreFaultError`; an article that cannot be stored is counted as failed,
    with its reason, and the run goes on."""
    if store.read_only:
        raise StoreFaultError(f"cannot re-analyse the store {store.path}: it is read-only;"
                              " make the file and its folder writable")
    report = Reanalysis(total=len(ids))
    tell = warn or (lambda message: None)
    done = 0
    for analyzed in pipeline.analyze_many(_articles(store, ids, report)):
        art = analyzed.article
        for warning in analyzed.warnings:
            report.warnings.append(warning)
            tell(f"warning: {warning}")
        try:
            if store.replace(analyzed):
                report.replaced += 1
            else:
                report.vanished += 1
        except StoreFaultError:
            raise
        except GeoError as err:
            report.failed.append(str(err))
            tell(f"error: {err}")
        done += 1
        if progress is not None:  # (articles deleted meanwhile count as done)
            progress(min(done + report.vanished, len(ids)), len(ids),
                     art.title or art.path or art.id)
    return report


def _articles(store: "Store", ids: list[str], report: Reanalysis) -> Iterator["Article"]:
    """The stored articles ``ids``, read one at a time (an id deleted meanwhile is
    counted as vanished)."""
    for article_id in ids:
        try:
            stored = stored_article(store.conn, article_id)
        except DB_ERRORS as err:
            raise fault(store.path, err, doing="read") from err
        if stored is None:
            report.vanished += 1
            continue
        yield stored.article


# -- the status the dashboard shows ----------------------------------------------------

@dataclass
class Status:
    """The latest re-analysis of a store, as its note keeps it."""

    state: str                 # "running", "finished" or "failed"
    done: int
    total: int
    started_at: str
    updated_at: str
    pid: int | None = None
    replaced: int = 0
    failed: int = 0
    error: str | None = None   # why it stopped, when it failed

    def is_alive(self) -> bool:
        """Whether it says it is running and its process (on this machine) exists."""
        if self.state != "running" or self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def read_status(store: "Store") -> Status | None:
    """The latest re-analysis status kept in the store (None when there never was one)."""
    value = read_note(store, STATUS_NOTE)
    if not value:
        return None
    try:
        return Status(**json.loads(value))
    except (TypeError, ValueError):
        log.warning("ignoring an unreadable re-analysis status note")
        return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class StatusNote:
    """Keeps a re-analysis's state in the store's notes: call it as the progress
    callback; :meth:`finish` or :meth:`fail` at the end."""

    def __init__(self, store: "Store", total: int) -> None:
        self.store, self.last = store, 0.0
        self.status = Status("running", 0, total, _now(), _now(), pid=os.getpid())
        self._save()

    def __call__(self, done: int, total: int, title: str = "") -> None:
        self.status.done, self.status.total = done, total
        if time.monotonic() - self.last >= STATUS_EVERY_S or done == total:
            self._save()

    def finish(self, report: Reanalysis) -> None:
        self.status.state = "finished"
        self.status.done = report.total
        self.status.replaced, self.status.failed = report.replaced, len(report.failed)
        self._save()

    def fail(self, reason: str) -> None:
        self.status.state, self.status.error = "failed", reason
        self._save()

    def _save(self) -> None:
        self.last = time.monotonic()
        self.status.updated_at = _now()
        write_note(self.store, STATUS_NOTE, json.dumps(asdict(self.status)))


def start_in_background(db_url: str, *, env: "Mapping[str, str] | None" = None
                        ) -> "subprocess.Popen":
    """Start ``python -m geo reanalyse --db DB_URL`` as a process of its own session (it
    goes on when the caller, a dashboard, stops); its output goes to the caller's
    standard error (the server's log). ``env``: more variables for it (the dashboard's
    settings from its secrets, :func:`geo.settings.secrets_env`)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.Popen(
        [sys.executable, "-m", "geo", "reanalyse", "--db", db_url],
        cwd=Path(__file__).resolve().parents[1], stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, **(env or {})})
