"""Many visitors at once: time to markers and the server's memory (run by hand).

    python benchmarks/make_synthetic_store.py /tmp/bc_store.sqlite   # 10,000 articles
    python benchmarks/bench_concurrent.py /tmp/bc_store.sqlite --sessions 20 --changes 5

One ``streamlit run dashboard.py`` serves the store (read-only mode, as a hosted
dashboard would). One headless Chromium opens ``--sessions`` pages at once (each its
own browser context, so its own Streamlit session). Each page loads the map, then
changes the filters ``--changes`` times, by opening the link that carries them (a
date range, an actor, a source, a text search, as shared links do). For each load the
time from the request to the first marker drawn in the map's frame is recorded. A
thread samples the server's resident memory (``/proc/PID/status`` VmRSS) every 0.1 s.

Prints the p50 / p95 / max of the times and the server's memory before and at its
peak, as JSON. The targets (issue 12): p95 under 3 s, the server under 1 GB.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_dashboard import CHROMIUM_ARGS, _start_server  # noqa: E402

# the filter changes each visitor makes, in turn (values the synthetic store holds)
CHANGES = ["?from=2024-01-01&to=2024-03-31", "?actor=Actor%20003", "?source=BBC",
           "?q=talks", "?from=2023-06-01&to=2023-06-30&source=AP", "?actor=Actor%20010",
           "?country=US", ""]


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` in MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Sampler(threading.Thread):
    """The peak RSS of a process, sampled every ``every`` seconds until stopped."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.done = pid, every, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(self.every)


async def first_marker(page, started: float, timeout: float = 120.0) -> float:
    """Seconds from ``started`` until a marker is drawn in the map's frame."""
    while time.perf_counter() - started < timeout:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if await frame.evaluate("() => document.querySelectorAll("
                                            "'.na-marker, .marker-cluster').length > 0"):
                        return time.perf_counter() - started
                except Exception:  # noqa: BLE001 - the frame is being replaced
                    pass
        await asyncio.sleep(0.02)
    return float("nan")


async def visitor(browser, url: str, n: int, changes: int, times: list[float]) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        for i in range(changes + 1):
            query = "" if i == 0 else CHANGES[(n + i) % len(CHANGES)]
            started = time.perf_counter()
            await page.goto(url + query)
            times.append(await first_marker(page, started))
    finally:
        await context.close()


async def run(url: str, sessions: int, changes: int) -> list[float]:
    from playwright.async_api import async_playwright

    times: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium",
                                          args=CHROMIUM_ARGS)
        await asyncio.gather(*(visitor(browser, url, n, changes, times)
                               for n in range(sessions)))
        await browser.close()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="a store (make one with make_synthetic_store.py)")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--changes", type=int, default=5, help="filter changes per session")
    args = ap.parse_args()
    proc, url = _start_server(args.db, env={"NEWS_ATLAS_READ_ONLY": "1"})
    try:
        # one visit first, so the server has built its caches as it would have by then
        asyncio.run(run(url, 1, 0))
        before = rss_mb(proc.pid)
        sampler = Sampler(proc.pid)
        sampler.start()
        started = time.perf_counter()
        times = asyncio.run(run(url, args.sessions, args.changes))
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    ok = [t for t in times if t == t]  # NaN: no marker within the timeout
    print(json.dumps({
        "sessions": args.sessions, "loads": len(times), "failed": len(times) - len(ok),
        "p50_s": round(statistics.median(ok), 2), "p95_s": round(percentile(ok, 0.95), 2),
        "max_s": round(max(ok), 2), "wall_s": round(wall, 1),
        "server_rss_before_mb": round(before), "server_rss_peak_mb": round(sampler.peak),
    }, indent=2))


if __name__ == "__main__":
    main()
