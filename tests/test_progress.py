"""geo.progress: the progress of a batch, as a bar on a terminal and as lines in a log."""
from __future__ import annotations

import io
import re

from geo.progress import Progress

LINE = re.compile(r"^ingest: (\d+)/25 \(\d+%\), +[\d.?]+ articles/s, ETA [\d:?]+(, last: .+)?$")


def test_a_log_gets_a_line_every_tenth_of_the_batch_and_at_the_end():
    out = io.StringIO()
    with Progress(25, desc="ingest", unit="articles", stream=out, every_s=3600,
                  terminal=False) as progress:
        for i in range(25):
            progress.update(f"Story {i}")
    lines = out.getvalue().splitlines()
    assert all(LINE.match(line) for line in lines), lines
    assert [int(LINE.match(line).group(1)) for line in lines] == [*range(3, 25, 3), 25]
    assert lines[-1].startswith("ingest: 25/25 (100%)") and lines[-1].endswith("last: Story 24")
    assert "\r" not in out.getvalue()


def test_a_log_gets_a_line_when_the_interval_has_passed():
    out = io.StringIO()
    progress = Progress(1000, desc="ingest", unit="articles", stream=out, every_s=0,
                        terminal=False)
    for _ in range(5):
        progress.update("a very long title " * 10)
    lines = out.getvalue().splitlines()
    assert len(lines) == 5 and lines[0].startswith("ingest: 1/1000 (0%)")
    assert lines[0].endswith("…") and len(lines[0]) < 140


def test_a_terminal_gets_a_bar_and_messages_above_it():
    out = io.StringIO()
    with Progress(4, desc="ingest", unit="articles", stream=out, terminal=True) as progress:
        progress.update("First")
        progress.write("warning: x.txt: no places found")
        for _ in range(3):
            progress.update("Last one")
    text = out.getvalue()
    assert "\r" in text and "warning: x.txt: no places found\n" in text
    assert "100%|" in text and "4/4" in text and "articles/s" in text
    assert "last: Last one" in text
