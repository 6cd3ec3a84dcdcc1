"""A cheap health check for the SQLite files News Atlas opens (the store, the gazetteer),
and a stamp that lets a file which never changes skip it.

``PRAGMA quick_check`` reads every page: about 0.25 s for the default gazetteer, most of
its open. A read-only file checked once needs no second check until it changes, so
:func:`checked_quickly` records, after a clean check, the file's identity (device,
inode, size, modification and change times) in ``<file>-checked`` beside it, and skips
the check while they match. Any write to the file changes its times, a rebuild (a new
file renamed into place) changes its inode, so a damaged file is still checked and
refused. A file modified within the last :data:`RACY_S` seconds gets no stamp (a write
in the same clock tick as the check could leave its times unchanged), and a folder
this process cannot write simply keeps no stamp: every open checks.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from pathlib import Path

log = logging.getLogger(__name__)

STAMP_SUFFIX = "-checked"
RACY_S = 2.0


def quick_check(conn: sqlite3.Connection, path: str | os.PathLike, *,
                max_bytes: int) -> str | None:
    """What ``PRAGMA quick_check`` finds wrong, in one line (None when it is fine, or
    when the file is bigger than ``max_bytes``, where the check would not be cheap)."""
    try:
        if str(path) == ":memory:" or os.path.getsize(path) > max_bytes:
            return None
    except OSError:  # not created yet: nothing to check
        return None
    lines = [line.strip() for (row,) in conn.execute("PRAGMA quick_check(3)")
             for line in str(row).splitlines()]
    if lines == ["ok"]:
        return None
    return "; ".join(line for line in lines if line and not line.startswith("***"))


def checked_quickly(conn: sqlite3.Connection, path: str | os.PathLike, *,
                    max_bytes: int) -> str | None:
    """:func:`quick_check` for a file that only readers use, skipped when its stamp
    says it passed unchanged; a clean check leaves a stamp when it can."""
    target = Path(path)
    identity = _identity(target)
    stamp = stamp_path(target)
    if identity is not None and _read_stamp(stamp) == identity:
        return None
    problem = quick_check(conn, target, max_bytes=max_bytes)
    if problem is None and identity is not None and _identity(target) == identity \
            and time.time() - identity["mtime_ns"] / 1e9 > RACY_S:
        _write_stamp(stamp, identity)
    return problem


def stamp_path(path: Path) -> Path:
    return path.with_name(path.name + STAMP_SUFFIX)


def _identity(path: Path) -> dict[str, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return {"dev": st.st_dev, "ino": st.st_ino, "size": st.st_size,
            "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns}


def _read_stamp(stamp: Path) -> dict | None:
    try:
        return json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(stamp: Path, identity: dict[str, int]) -> None:
    temporary = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(identity), encoding="utf-8")
        os.replace(temporary, stamp)
    except OSError as err:  # a read-only folder: check on every open
        log.debug("no check stamp at %s: %s", stamp, err)
        temporary.unlink(missing_ok=True)
