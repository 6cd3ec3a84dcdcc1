"""The dashboard's memory while it serves the built-in sample, as on a small host.

    python benchmarks/bench_serve_memory.py [--visitors 3]

Loads the built-in sample into a new store (``python -m geo sample --load``), starts
``streamlit run dashboard.py`` on it read-only (as a hosted dashboard runs), and has
``--visitors`` headless Chromium pages open, one after the other, every visitor's page
(Map, Articles, Places, Actors, Corrections) and the map filtered by an actor. A thread
samples the server's resident memory (``/proc/PID/status`` VmRSS) every 0.1 s; the
server's own peak (``VmHWM``) is read at the end. Prints both, in MB, as JSON.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_concurrent import Sampler, rss_mb  # noqa: E402
from benchmarks.bench_dashboard import CHROMIUM_ARGS, _start_server, stop_server  # noqa: E402

PAGES = ["", "articles", "places", "actors", "corrections", "?actor=Sergei%20Shoigu"]


def peak_mb(pid: int) -> float:
    """The kernel's record of the process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def visit(url: str, visitors: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(visitors):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            for path in PAGES:
                page.goto(url + path)
                page.wait_for_selector("[data-testid='stSidebarNav']", timeout=60000)
                page.wait_for_timeout(3000)  # the page's run and the map's first report
            context.close()
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_serve_") as folder:
        db = str(Path(folder) / "sample.sqlite")
        subprocess.run([sys.executable, "-m", "geo", "sample", "--load", "--db", db],
                       cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        proc, url = _start_server(db, env={"NEWS_ATLAS_READ_ONLY": "1"})
        sampler = Sampler(proc.pid)
        sampler.start()
        try:
            started_mb = rss_mb(proc.pid)
            began = time.perf_counter()
            visit(url, args.visitors)
            seconds = time.perf_counter() - began
            hwm = peak_mb(proc.pid)
        finally:
            sampler.done.set()
            stop_server(proc, timeout=30)
    print(json.dumps({"visitors": args.visitors, "pages each": len(PAGES),
                      "seconds": round(seconds, 1), "server at start MB": round(started_mb),
                      "server peak sampled MB": round(sampler.peak),
                      "server peak VmHWM MB": round(hwm)}, indent=2))


if __name__ == "__main__":
    main()
