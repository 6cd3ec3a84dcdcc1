"""A cheap health check for the SQLite files News Atlas opens (the store, the gazetteer)."""
from __future__ import annotations

import os
import sqlite3


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
