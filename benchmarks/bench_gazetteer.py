"""Measure the gazetteer: build time and peak memory, open time, lookup time, resident
memory after open.

    python benchmarks/bench_gazetteer.py [PATH] [--build]

Uses the index at PATH (default: the default gazetteer path); build it first with
``python -m geo gazetteer build``. With ``--build``, first builds it at PATH (or in a
temporary folder) with ``python -m geo gazetteer build`` in a child process and reports
its wall time and peak resident memory (the child's ``ru_maxrss``, as
``/usr/bin/time -v`` reports it). Targets (issue 14): build peak under 500 MB, open
under 0.2 s (the median of several opens). The first open of a file runs SQLite's
``quick_check`` and leaves a stamp beside it; the later ones skip the check while the
file is unchanged (geo.sqlite_check): both are reported.
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.gazetteer import Gazetteer, default_gazetteer_path  # noqa: E402
from geo.sqlite_check import RACY_S, stamp_path  # noqa: E402

NAMES = ["Vladivostok", "Khasan", "United States", "U.S.", "Primorsky Krai", "Sea of Japan",
         "Paris", "Springfield", "Donbas", "Jefferson County", "Atlantis"]


def resident_mb() -> float:
    """Current resident set size (Linux /proc), else the peak from getrusage."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path) -> tuple[float, float]:
    """Build the index at ``path`` in a child process: (seconds, peak resident MB)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo", "gazetteer", "build", "--path", str(path)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=Path(__file__).resolve().parents[1])
    seconds = time.perf_counter() - started
    # the largest resident set of any child waited for: this one (the only child)
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def open_times(path: Path, runs: int = 7) -> list[float]:
    """Seconds each of ``runs`` opens (and closes) of the index took."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        Gazetteer.open(path).close()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str]) -> None:
    args = [a for a in argv[1:] if a != "--build"]
    temp = None
    if args:
        path = Path(args[0])
    elif "--build" in argv:
        temp = tempfile.TemporaryDirectory(prefix="bench_gazetteer_")
        path = Path(temp.name) / "gazetteer.sqlite"
    else:
        path = default_gazetteer_path()
    if "--build" in argv:
        seconds, peak = build(path)
        print(f"build        {seconds:.1f} s; peak resident {peak:.0f} MB (target < 500 MB)")
    # the first open checks the file (as after a build or a copy); a file written in the
    # last RACY_S seconds gets no stamp, so wait that long after a build
    stamp_path(path).unlink(missing_ok=True)
    time.sleep(max(0.0, path.stat().st_mtime + RACY_S + 0.1 - time.time()))
    before = resident_mb()
    started = time.perf_counter()
    gaz = Gazetteer.open(path)
    opened_ms = (time.perf_counter() - started) * 1000
    after = resident_mb()
    info = gaz.info()
    print(f"index        {path} ({info['bytes'] / 2**20:.1f} MB, built {info['built_at']})")
    print(f"entries      {info['entries']:,}  name rows {info['name_rows']:,}  "
          f"demonyms {info['demonyms']}")
    print(f"open         {opened_ms:.2f} ms first (quick_check); resident {after:.1f} MB "
          f"(+{after - before:.1f} MB for opening)")
    times = open_times(path)
    print(f"open again   median {statistics.median(times) * 1000:.1f} ms, max "
          f"{max(times) * 1000:.1f} ms over {len(times)} opens, check skipped: the file is"
          f" unchanged (target < 200 ms)")
    number = 20000
    for name in NAMES:
        per_call = timeit.timeit(lambda: gaz.lookup(name, limit=10), number=number) / number
        has = timeit.timeit(lambda: gaz.has_name(name), number=number) / number
        hits = len(gaz.lookup(name))
        print(f"lookup       {name!r:18} {per_call * 1e6:7.1f} us  has_name {has * 1e6:5.1f} us"
              f"  ({hits} match{'es' if hits != 1 else ''})")
    print(f"demonym      {timeit.timeit(lambda: gaz.demonym('Russians'), number=number) / number * 1e6:.1f} us")
    print(f"resident     {resident_mb():.1f} MB after {number * len(NAMES) * 2:,} lookups")
    gaz.close()
    if temp is not None:
        temp.cleanup()


if __name__ == "__main__":
    main(sys.argv)
