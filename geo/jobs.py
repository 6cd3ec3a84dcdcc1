"""Background jobs: an ingest started from the dashboard runs in its own process.

The dashboard creates a job row in the store (:mod:`geo.store.jobs`), saves what the
user gave under ``uploads/<job>/`` beside the store, and starts
``python -m geo ingest PATH... --db URL --job ID`` as a detached process (its own
session), so leaving the page, closing the tab or another visitor does not stop it, and
the dashboard's process never loads spaCy. The worker keeps the row up to date; any
page reads it. A job whose process is gone before it finished is shown as failed
("interrupted"); running it again completes the batch, since the store skips what is
already stored.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from geo.store.jobs import (
    Job, JobState, create_job, fail_job, get_job, recent_jobs, set_pid, set_sources,
)

if TYPE_CHECKING:
    from geo.store import Store

__all__ = ["Job", "JobState", "create_job", "fail_job", "get_job", "job_status",
           "launch_ingest",
           "new_upload", "recent_jobs", "rerun", "upload_root", "worker_alive"]

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
LOG_NAME = "worker.log"
INTERRUPTED = ("interrupted: the {kind} process (pid {pid}) stopped before it finished;"
               " what it stored is kept, and running it again completes the batch")


def upload_root(store: Store) -> Path:
    """Where uploads are kept: ``uploads/`` beside the store file."""
    return Path(store.path).resolve().parent / "uploads"


def new_upload(store: Store, kind: str = "ingest") -> tuple[int, Path]:
    """A new queued job and its (new, empty) upload folder ``uploads/<job>/``."""
    job_id = create_job(store, kind)
    folder = upload_root(store) / str(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    return job_id, folder


def launch_ingest(store: Store, job_id: int, sources: list[str | os.PathLike], *,
                  log_dir: Path | None = None, env: Mapping[str, str] | None = None,
                  workers: int = 1) -> int:
    """Start ``python -m geo ingest SOURCES --db STORE --job job_id --workers N``
    detached (``workers``: its analysing processes, one by default, since each loads
    the model beside the dashboard's own memory); its
    output goes to ``worker.log`` in ``log_dir`` (default: the job's upload folder).
    Sources that share one folder are given relative to it (the worker runs there), so
    messages name ``batch.zip:notes/a.json:3``, not the server's folders. ``env``: more
    variables for the worker (the dashboard's settings from its secrets,
    :func:`geo.settings.secrets_env`). Returns the worker's pid."""
    paths = [Path(source).resolve() for source in sources]
    set_sources(store, job_id, [os.fspath(p) for p in paths])
    folder = log_dir or upload_root(store) / str(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    cwd = paths[0].parent if paths and all(p.parent == paths[0].parent for p in paths) \
        else REPO
    args = [os.path.relpath(p, cwd) if cwd != REPO else os.fspath(p) for p in paths]
    command = [sys.executable, "-m", "geo", "ingest", "--db",
               os.fspath(Path(store.path).resolve()), "--job", str(job_id),
               "--workers", str(workers), "--", *args]
    with open(folder / LOG_NAME, "ab") as out:
        proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env=_worker_env(env))
    set_pid(store, job_id, proc.pid)
    # reap it when it ends (else it stays a zombie of this process, which looks alive)
    threading.Thread(target=proc.wait, name=f"job-{job_id}-reaper", daemon=True).start()
    log.info("job %s: started ingest of %d source(s), pid %s", job_id, len(paths), proc.pid)
    return proc.pid


def _worker_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment, with ``extra``, for a worker that runs in another
    folder: the package importable, and the paths settings name made absolute."""
    env = {**os.environ, **(extra or {}), "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    for name in ("NEWS_ATLAS_DB", "NEWS_ATLAS_GAZETTEER"):
        value = env.get(name)
        if value and "://" not in value and value != ":memory:":
            env[name] = os.fspath(Path(value).expanduser().resolve())
    return env


def rerun(store: Store, job: Job, *, env: Mapping[str, str] | None = None,
          workers: int = 1) -> int:
    """Run a job's sources again as a new job (completing an interrupted batch); the
    new job's id. ``env`` and ``workers``: as for :func:`launch_ingest`."""
    job_id = create_job(store, job.kind, job.sources)
    launch_ingest(store, job_id, job.sources, log_dir=upload_root(store) / str(job_id),
                  env=env, workers=workers)
    return job_id


def worker_alive(pid: int, job_id: int, kind: str = "ingest") -> bool:
    """Whether process ``pid`` is running, and is the worker of job ``job_id``
    (``python -m geo KIND ... --job ID``; a pid the system reused for another program
    does not count)."""
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():  # no procfs: the process exists, that is all
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        argv = (proc / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False
    if state in ("Z", "X", "x"):
        return False
    return kind.encode() in argv and b"--job" in argv and str(job_id).encode() in argv


def job_status(store: Store, job_id: int) -> Job | None:
    """The job as it is: a job left ``queued`` or ``running`` by a worker that is gone
    is marked failed (interrupted) first."""
    job = get_job(store, job_id)
    if job is None or job.finished or job.pid is None:
        return job
    if worker_alive(job.pid, job.id, job.kind):
        return job
    job = get_job(store, job_id)  # it may have finished in between
    if job is not None and not job.finished:
        fail_job(store, job_id, INTERRUPTED.format(kind=job.kind, pid=job.pid))
        job = get_job(store, job_id)
    return job
