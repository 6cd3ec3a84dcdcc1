"""Progress of a long batch on standard error, readable on a terminal and in a log.

On a terminal: a tqdm bar (done of N, percent, items/s, ETA, the last item's name).
When standard error is not a terminal (a log file, a CI job), no bar: one plain line
every ``every_s`` seconds or every tenth of the batch, whichever comes first, and one
at the end, so the log stays readable.
"""
from __future__ import annotations

import io
import math
import os
import sys
import time
from typing import IO

from tqdm import tqdm

BAR_FORMAT = ("{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
              "[{elapsed}<{remaining}, {rate_noinv_fmt}{postfix}]")
LINE_FORMAT = ("{desc}: {n_fmt}/{total_fmt} ({percentage:.0f}%), {rate_noinv_fmt},"
               " ETA {remaining}{postfix}")
NOTE_CHARS = 50
FALLBACK_SIZE = {"ncols": 100, "nrows": 24}  # a terminal that reports no size


def _has_width(stream: IO[str]) -> bool:
    """Whether ``stream`` is a terminal that reports its width (a pseudo-terminal with
    no size set reports 0 columns, and tqdm would then draw nothing)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


def _short(note: str) -> str:
    note = " ".join(note.split())
    return note if len(note) <= NOTE_CHARS else note[:NOTE_CHARS - 1] + "…"


class Progress:
    """Count ``total`` items done, showing the rate, the ETA and the last item's name."""

    def __init__(self, total: int, *, desc: str, unit: str = "items",
                 stream: IO[str] | None = None, every_s: float = 10.0,
                 terminal: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.done, self.desc, self.unit = total, 0, desc, unit
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.every_s, self.step = every_s, max(1, math.ceil(total / 10))
        self.started = self.last_line = time.monotonic()
        size = {} if _has_width(self.stream) else FALLBACK_SIZE
        self.bar = tqdm(total=total, desc=desc, unit=f" {unit}", file=self.stream,
                        bar_format=BAR_FORMAT, dynamic_ncols=not size, **size,
                        disable=not self.terminal)

    def update(self, note: str = "") -> None:
        """One more item done; ``note`` names it (an article's title)."""
        self.done += 1
        postfix = f"last: {_short(note)}" if note else ""
        if self.terminal:
            self.bar.set_postfix_str(postfix, refresh=False)
            self.bar.update(1)
            return
        now = time.monotonic()
        if (now - self.last_line >= self.every_s or self.done % self.step == 0
                or self.done == self.total):
            self.last_line = now
            self.stream.write(self.line(postfix) + "\n")
            self.stream.flush()

    def line(self, postfix: str = "") -> str:
        """The plain progress line (for logs)."""
        return tqdm.format_meter(self.done, self.total, time.monotonic() - self.started,
                                 prefix=self.desc, unit=f" {self.unit}",
                                 bar_format=LINE_FORMAT, postfix=postfix or None)

    def write(self, message: str) -> None:
        """Print ``message`` without breaking the bar."""
        if self.terminal:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
