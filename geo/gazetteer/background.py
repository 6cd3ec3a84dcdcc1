"""Building the gazetteer in the background when a hosted dashboard starts without one.

A host such as Streamlit Community Cloud runs ``streamlit run dashboard.py`` on a fresh
checkout: no step of ours runs before it, and ``data/gazetteer.sqlite`` is not in git.
The dashboard then calls :func:`start_build` once per server: when the index is missing
and someone may edit (ingest and the Correct-a-place search need it), it starts
``python -m geo gazetteer build --path PATH`` as a detached process, so the first page is
drawn at once and the build's memory is freed when it ends. A lock file beside the index
(``.NAME.lock``), held by the builder for as long as it runs, keeps a second server or a
second call from starting another build.
"""
from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.settings import Settings

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]


def needs_gazetteer(settings: Settings) -> bool:
    """Whether a dashboard with these settings may use the gazetteer: anyone may edit
    (a local workspace), or editors may sign in. A read-only dashboard without an
    editors' password only shows what is stored, which needs no gazetteer."""
    return not settings.read_only or bool(settings.editor_password_hash)


def lock_path(path: Path) -> Path:
    """The lock file a build of ``path`` holds while it runs."""
    return path.with_name(f".{path.name}.lock")


def log_path(path: Path) -> Path:
    """Where a background build of ``path`` writes its output."""
    return path.with_name(f".{path.name}.build.log")


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold the build lock of ``path``, waiting while another process builds it (an
    unwritable folder: no lock, the build itself will say what is wrong)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def start_build(path: Path) -> subprocess.Popen | None:
    """Start building the index at ``path`` in a detached process, unless it exists or
    a build of it is already running; the process, or None when none was started (also
    when its folder cannot be written: logged)."""
    if path.is_file():
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        log.warning("cannot build the gazetteer at %s: %s", path, err)
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("the gazetteer at %s is being built by another process", path)
            return None
        if path.is_file():  # finished between the first look and the lock
            return None
        with open(log_path(path), "ab") as out:
            # the child inherits the locked descriptor: the lock lasts as long as it runs
            proc = subprocess.Popen(
                [sys.executable, "-m", "geo", "gazetteer", "build", "--path", str(path)],
                cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                pass_fds=(fd,), start_new_session=True)
    finally:
        os.close(fd)
    log.info("the gazetteer at %s is missing: building it in process %s (about a "
             "minute; output in %s)", path, proc.pid, log_path(path))
    # reap it when it ends (else it stays a zombie of this process)
    threading.Thread(target=proc.wait, name="gazetteer-build-reaper", daemon=True).start()
    return proc
