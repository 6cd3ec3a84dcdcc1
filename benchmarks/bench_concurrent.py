"""Many visitors at once: time to markers and the server's memory (run by hand).

    python benchmarks/make_synthetic_store.py /tmp/bc_store.sqlite   # 10,000 articles
    python benchmarks/bench_concurrent.py /tmp/bc_store.sqlite --sessions 20 --changes 5
    python benchmarks/bench_concurrent.py /tmp/bc_store.sqlite --pin      # see below

One ``streamlit run dashboard.py`` serves the store (read-only mode, as a hosted
dashboard would). One headless Chromium opens ``--sessions`` pages at once (each its
own browser context, so its own Streamlit session). Each page loads the map, then
changes the filters ``--changes`` times as a visitor does, in the sidebar (a word
search, an actor, a source, clearing them), or with ``--by url`` by opening the link that
carries the filters (a full page load each time, as a shared link is).

Times: for the first load, from the request to the first marker drawn in the map's
frame; for a change, from the key press or pick to the moment the run is over and the
map's frame holds markers drawn after the change. The server's own script runs are
timed too (``$NEWS_ATLAS_TIMING``), and a thread samples its resident memory
(``/proc/PID/status`` VmRSS) every 0.1 s.

``--pin`` runs the server on CPU 0 and the browser on the other CPUs (``taskset``), so
the browsers' rendering does not take the server's core; on a 2-core machine the
browsers then share one core.

Prints, as JSON, p50 / p95 / max of the first loads, of the changes, and of all, the
server's script runs, and its memory before and at its peak. The targets (issue 12):
p95 under 3 s, the server under 1 GB.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_dashboard import CHROMIUM_ARGS, _start_server, stop_server  # noqa: E402

# the filter changes each visitor makes, in this order, in the sidebar (values the
# synthetic store holds; visitor n takes the n-th word, source and actor of each list):
# (widget, value); a search of "" clears the search box
WORDS = ["talks", "border", "sanctions", "visit", "analysts", "military", "officials"]
SOURCES = ["BBC", "AP", "Reuters", "DW", "NHK", "Le Monde", "Al Jazeera", "CBC News"]


def widget_changes(n: int) -> list[tuple[str, str]]:
    """Visitor ``n``'s filter changes: each one changes what passes (at most 7)."""
    return [("search", WORDS[n % len(WORDS)]), ("source", SOURCES[n % len(SOURCES)]),
            ("search", ""), ("actor", f"Actor {n % 12:03d}"),
            ("search", WORDS[(n + 3) % len(WORDS)]),
            ("source", SOURCES[(n + 1) % len(SOURCES)]), ("search", "")]


# ... or as links that carry them (``--by url``)
URL_CHANGES = ["?from=2024-01-01&to=2024-03-31", "?actor=Actor%20003", "?source=BBC",
               "?q=talks", "?from=2023-06-01&to=2023-06-30&source=AP", "?actor=Actor%20010",
               "?country=US", ""]
MARKERS = ".na-marker, .marker-cluster"
IDLE = """() => document.querySelector("[data-testid='stApp']")
    ?.getAttribute("data-test-script-state") === "notRunning" """


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


async def _map_frame(page):
    for frame in page.frames:
        if "st_folium" in frame.url:
            return frame
    return None


async def new_markers(page, started: float, timeout: float = 120.0) -> float:
    """Seconds from ``started`` until the script run is over and the map's frame holds
    a marker not marked old (every marker drawn before a change is marked old), or no
    marker at all (nothing passes the filters)."""
    probe = f"() => !!document.querySelector({json.dumps(MARKERS)}.split(', ')" \
            ".map(s => s + ':not([data-na-old])').join(', '))" \
            f" || !document.querySelector({json.dumps(MARKERS)})"
    while time.perf_counter() - started < timeout:
        frame = await _map_frame(page)
        try:
            if frame is not None and await frame.evaluate(probe) \
                    and await page.evaluate(IDLE):
                return time.perf_counter() - started
        except Exception:  # noqa: BLE001 - the frame is being replaced
            pass
        await asyncio.sleep(0.02)
    return float("nan")


async def mark_old(page, timeout: float = 120.0) -> None:
    """Mark every marker drawn so far, once the run that drew them is over."""
    await page.wait_for_function(IDLE, timeout=timeout * 1000)
    started = time.perf_counter()
    while (frame := await _map_frame(page)) is None:
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the map's frame never appeared")
        await asyncio.sleep(0.05)
    await frame.evaluate(f"() => document.querySelectorAll({json.dumps(MARKERS)})"
                         ".forEach(e => e.setAttribute('data-na-old', '1'))")


async def change(page, widget: str, value: str) -> None:
    """Change one sidebar filter as a visitor does."""
    sidebar = page.locator("[data-testid='stSidebar']")
    if widget == "search":
        box = sidebar.locator("input[aria-label='Search passages']")
        await box.fill(value)
        await box.press("Enter")
        return
    label = {"actor": "Actors", "source": "Source"}[widget]
    pick = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text=label).first
    await pick.locator("input").click()
    await pick.locator("input").fill(value)
    await page.keyboard.press("Enter")
    await page.keyboard.press("Escape")


async def visitor(browser, url: str, n: int, changes: int, by: str,
                  times: dict[str, list[float]]) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(120000)  # a loaded machine: a slow step is a time, not a crash
    try:
        await _visit(page, url, n, changes, by, times)
    except Exception as err:  # noqa: BLE001 - this visitor stops; the others go on
        print(f"visitor {n} stopped: {type(err).__name__}: {err}", file=sys.stderr)
        times["failed_visitors"].append(float(n))
    finally:
        await context.close()


async def _visit(page, url: str, n: int, changes: int, by: str,
                 times: dict[str, list[float]]) -> None:
    """One visitor's first load and filter changes, each time appended to ``times``."""
    started = time.perf_counter()
    await page.goto(url, wait_until="commit")
    times["first"].append(await new_markers(page, started))
    for i in range(1, changes + 1):
        await mark_old(page)
        started = time.perf_counter()
        if by == "url":
            await page.goto(url + URL_CHANGES[(n + i) % len(URL_CHANGES)],
                            wait_until="commit")
        else:
            await change(page, *widget_changes(n)[i - 1])
        times["change"].append(await new_markers(page, started))
        if times["change"][-1] != times["change"][-1]:
            print("no map update after", widget_changes(n)[i - 1]
                  if by == "widgets" else URL_CHANGES[(n + i) % len(URL_CHANGES)],
                  file=sys.stderr)


async def run(url: str, sessions: int, changes: int, by: str) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {"first": [], "change": [], "failed_visitors": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium",
                                          args=CHROMIUM_ARGS)
        await asyncio.gather(*(visitor(browser, url, n, changes, by, times)
                               for n in range(sessions)))
        await browser.close()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict:
    ok = [v for v in values if v == v]  # NaN: nothing drawn within the timeout
    if not ok:
        return {"n": len(values), "failed": len(values)}
    return {"n": len(values), "failed": len(values) - len(ok),
            "p50_s": round(statistics.median(ok), 2), "p95_s": round(percentile(ok, 0.95), 2),
            "max_s": round(max(ok), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="a store (make one with make_synthetic_store.py)")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--changes", type=int, default=5, help="filter changes per session")
    ap.add_argument("--by", choices=("widgets", "url"), default="widgets",
                    help="change filters in the sidebar (default) or by opening links")
    ap.add_argument("--pin", action="store_true",
                    help="the server on CPU 0, the browser on the other CPUs")
    args = ap.parse_args()
    if args.by == "widgets" and args.changes > len(widget_changes(0)):
        ap.error(f"--by widgets makes at most {len(widget_changes(0))} changes")
    import os
    import tempfile

    cpus = sorted(os.sched_getaffinity(0))
    if args.pin and len(cpus) < 2:
        ap.error("--pin needs at least 2 CPUs")
    timing = Path(tempfile.mkdtemp()) / "runs.jsonl"
    proc, url = _start_server(args.db, env={"NEWS_ATLAS_READ_ONLY": "1",
                                            "NEWS_ATLAS_TIMING": str(timing)},
                              prefix=["taskset", "-c", str(cpus[0])] if args.pin else [])
    if args.pin:  # this process and the browser it starts: the other CPUs
        os.sched_setaffinity(0, cpus[1:])
    try:
        # one visit first, so the server has built its caches as it would have by then
        asyncio.run(run(url, 1, 0, args.by))
        before = rss_mb(proc.pid)
        timing.write_text("")
        sampler = Sampler(proc.pid)
        sampler.start()
        started = time.perf_counter()
        times = asyncio.run(run(url, args.sessions, args.changes, args.by))
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    finally:
        stop_server(proc)
    runs = [json.loads(line)["ms"] / 1000 for line in timing.read_text().splitlines()
            if json.loads(line)["page"] == "map"]
    print(json.dumps({
        "sessions": args.sessions, "changes_each": args.changes, "by": args.by,
        "pinned": args.pin, "first_load": summary(times["first"]),
        "filter_change": summary(times["change"]),
        "all": summary(times["first"] + times["change"]),
        "visitors_stopped": len(times["failed_visitors"]),
        "server_map_runs": summary(runs), "wall_s": round(wall, 1),
        "server_rss_before_mb": round(before), "server_rss_peak_mb": round(sampler.peak),
    }, indent=2))


if __name__ == "__main__":
    main()
