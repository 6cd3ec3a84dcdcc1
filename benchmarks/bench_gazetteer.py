"""Measure the gazetteer: open time, lookup time, resident memory after open.

    python benchmarks/bench_gazetteer.py [PATH]

Uses the index at PATH (default: the default gazetteer path); build it first with
``python -m geo gazetteer build``.
"""
from __future__ import annotations

import resource
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.gazetteer import Gazetteer, default_gazetteer_path  # noqa: E402

NAMES = ["Vladivostok", "Khasan", "United States", "U.S.", "Primorsky Krai", "Sea of Japan",
         "Paris", "Springfield", "Donbas", "Jefferson County", "Atlantis"]


def resident_mb() -> float:
    """Current resident set size (Linux /proc), else the peak from getrusage."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else default_gazetteer_path()
    before = resident_mb()
    started = time.perf_counter()
    gaz = Gazetteer.open(path)
    opened_ms = (time.perf_counter() - started) * 1000
    after = resident_mb()
    info = gaz.info()
    print(f"index        {path} ({info['bytes'] / 2**20:.1f} MB, built {info['built_at']})")
    print(f"entries      {info['entries']:,}  name rows {info['name_rows']:,}  "
          f"demonyms {info['demonyms']}")
    print(f"open         {opened_ms:.2f} ms; resident {after:.1f} MB "
          f"(+{after - before:.1f} MB for opening)")
    number = 20000
    for name in NAMES:
        per_call = timeit.timeit(lambda: gaz.lookup(name, limit=10), number=number) / number
        has = timeit.timeit(lambda: gaz.has_name(name), number=number) / number
        hits = len(gaz.lookup(name))
        print(f"lookup       {name!r:18} {per_call * 1e6:7.1f} us  has_name {has * 1e6:5.1f} us"
              f"  ({hits} match{'es' if hits != 1 else ''})")
    print(f"demonym      {timeit.timeit(lambda: gaz.demonym('Russians'), number=number) / number * 1e6:.1f} us")
    print(f"resident     {resident_mb():.1f} MB after {number * len(NAMES) * 2:,} lookups")


if __name__ == "__main__":
    main(sys.argv)
