"""Background jobs inside a store (the SQL behind :mod:`geo.jobs`).

A job row is written by two processes: the dashboard creates it (``queued``), the worker
(``python -m geo ingest ... --job ID``) marks it ``running``, counts its progress and
ends it ``done`` or ``failed``. Each change is one short ``BEGIN IMMEDIATE``
transaction, so a reader always sees a whole row.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import TYPE_CHECKING

from geo.errors import StoreError
from geo.store.connect import fault, transaction
from geo.store.db import DB_ERRORS, Record

if TYPE_CHECKING:
    from geo.store import Store

_COLUMNS = ("id, kind, state, sources, total, done, added, skipped, failed, current, pid,"
            " error, summary, created_at, started_at, updated_at, finished_at")
_PROGRESS = ("total", "done", "added", "skipped", "failed", "current")


class JobState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Job:
    """One row of the ``jobs`` table."""

    id: int
    kind: str
    state: JobState
    sources: list[str] = field(default_factory=list)
    total: int = 0
    done: int = 0
    added: int = 0
    skipped: int = 0
    failed: int = 0
    current: str | None = None
    pid: int | None = None
    error: str | None = None
    summary: dict | None = None
    created_at: str = ""
    started_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def rate(self) -> float | None:
        """Articles analysed per second so far (None before the first one)."""
        if not self.done or not self.started_at:
            return None
        end = self.finished_at or self.updated_at or now()
        seconds = (_time(end) - _time(self.started_at)).total_seconds()
        return self.done / seconds if seconds > 0 else None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _job(row: Record) -> Job:
    values = dict(row)
    values["state"] = JobState(values["state"])
    values["sources"] = json.loads(values["sources"] or "[]")
    values["summary"] = json.loads(values["summary"]) if values["summary"] else None
    return Job(**values)


def _write(store: Store, sql: str, params: tuple) -> int:
    """Run one write in its own transaction; the new row's id (for an INSERT ...
    RETURNING id), else 0."""
    with transaction(store, doing="record a job in") as conn:
        row = conn.execute(sql, params).fetchone()
        return int(row[0]) if row is not None else 0


def create_job(store: Store, kind: str, sources: list[str] | None = None) -> int:
    """A new ``queued`` job; its id."""
    return _write(store, "INSERT INTO jobs (kind, sources, created_at, updated_at)"
                  " VALUES (?, ?, ?, ?) RETURNING id",
                  (kind, json.dumps(sources or []), now(), now()))


def set_sources(store: Store, job_id: int, sources: list[str]) -> None:
    _write(store, "UPDATE jobs SET sources = ? WHERE id = ?", (json.dumps(sources), job_id))


def start_job(store: Store, job_id: int, pid: int) -> None:
    """The worker ``pid`` has the job (state ``running``)."""
    _write(store, "UPDATE jobs SET state = 'running', pid = ?, started_at = ?,"
           " updated_at = ? WHERE id = ?", (pid, now(), now(), job_id))


def set_pid(store: Store, job_id: int, pid: int) -> None:
    """Who runs the job (written by the starter, before the worker says so itself)."""
    _write(store, "UPDATE jobs SET pid = coalesce(pid, ?) WHERE id = ?", (pid, job_id))


def update_progress(store: Store, job_id: int, **counts: int | str | None) -> None:
    """Set some of total, done, added, skipped, failed and current."""
    unknown = set(counts) - set(_PROGRESS)
    if unknown:
        raise ValueError(f"not a progress field: {', '.join(sorted(unknown))}")
    names = list(counts)
    assignments = "".join(f"{name} = ?, " for name in names)
    _write(store, f"UPDATE jobs SET {assignments}updated_at = ? WHERE id = ?",
           (*(counts[n] for n in names), now(), job_id))


def finish_job(store: Store, job_id: int, summary: dict, *, error: str | None = None) -> None:
    """End the job: ``done`` with its summary, or ``failed`` with ``error``."""
    state = JobState.FAILED if error else JobState.DONE
    _write(store, "UPDATE jobs SET state = ?, error = ?, summary = ?, current = NULL,"
           " updated_at = ?, finished_at = ? WHERE id = ?",
           (state.value, error, json.dumps(summary), now(), now(), job_id))


def fail_job(store: Store, job_id: int, error: str) -> None:
    """End an unfinished job as ``failed`` (keeping its counts and summary)."""
    _write(store, "UPDATE jobs SET state = 'failed', error = ?, current = NULL,"
           " updated_at = ?, finished_at = ? WHERE id = ? AND state IN ('queued', 'running')",
           (error, now(), now(), job_id))


def get_job(store: Store, job_id: int) -> Job | None:
    try:
        row = store.conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?",
                                 (job_id,)).fetchone()
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read") from err
    return _job(row) if row else None


def recent_jobs(store: Store, *, kind: str | None = None, limit: int = 10) -> list[Job]:
    """The latest jobs, newest first."""
    where = "WHERE kind = ? " if kind else ""
    params = (kind, limit) if kind else (limit,)
    try:
        rows = store.conn.execute(f"SELECT {_COLUMNS} FROM jobs {where}"
                                  "ORDER BY id DESC LIMIT ?", params).fetchall()
    except DB_ERRORS as err:
        raise fault(store.path, err, doing="read") from err
    return [_job(row) for row in rows]


def require_job(store: Store, job_id: int) -> Job:
    job = get_job(store, job_id)
    if job is None:
        raise StoreError(f"no job {job_id} in the store {store.path}")
    return job
