"""Filter changes in a live dashboard, as a user waits for them (run by hand; results in
docs/performance.md, "One read path").

    python benchmarks/make_synthetic_store.py /tmp/s1m.sqlite --mentions 1000000 --places 50000
    python benchmarks/bench_live.py /tmp/s1m.sqlite [--changes 50] [--timed 12]

Starts ``streamlit run dashboard.py`` on the store, opens the Map page in headless
Chromium, waits for its markers, then changes the "Search passages" filter ``--changes``
times, each to a different word (words and place names of the synthetic store), as a
user types and presses Enter. For each change it measures:

- **seconds** from Enter to the map drawing the new markers (the map frame's marker
  pane changes), so the server's script run, the websocket transfer and the browser's
  drawing all count;
- **bytes** the browser received over the websocket for that change (until the app is
  idle again);
- the server process's **resident memory** (``VmRSS``) after it;
- the **server's share**: how long the script runs of that change took on the server
  (``NEWS_ATLAS_TIMING``), so the rest is the transfer and the browser.

Also says whether the server process has spaCy mapped (``/proc/PID/maps``): a server
that only reads should never load it. Prints a JSON report last.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_dashboard import CHROMIUM_ARGS, _start_server, stop_server  # noqa: E402

WORDS = ("officials said talks would continue after visit while analysts expected new"
         " sanctions more military co-operation near border").split()
IDLE = """() => document.querySelector("[data-testid='stApp']")
    ?.getAttribute("data-test-script-state") === "notRunning" """
# what the map shows: its marker pane's text (every marker's and cluster's count)
SIGNATURE = """() => { var p = document.querySelector('.leaflet-marker-pane');
    if (!p) return ''; var t = p.innerText, h = 0;
    for (var i = 0; i < t.length; i++) { h = (h * 31 + t.charCodeAt(i)) | 0; }
    return p.children.length + ':' + h; }"""


def search_terms(n: int) -> list[str]:
    """``n`` different searches: the synthetic store's words, then place names."""
    terms = [w for w in WORDS if w != "co-operation"]
    i = 1
    while len(terms) < n:
        terms.append(f"Place{i:05d}")
        i += 1
    return terms[:n]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def has_spacy(pid: int) -> bool:
    """Whether the process maps any file of the spaCy package."""
    return "/spacy/" in Path(f"/proc/{pid}/maps").read_text()


def map_frame(page, timeout: float = 120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate("() => document.querySelectorAll("
                                      "'.na-marker, .marker-cluster').length > 0"):
                        return frame
                except Exception:  # noqa: BLE001 - frame replaced while polling
                    pass
        page.wait_for_timeout(50)
    raise RuntimeError("the map never showed markers")


def wait_idle(page, timeout: float = 120_000) -> None:
    page.wait_for_function(IDLE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=timeout)


def script_ms(path: Path, seen: int) -> tuple[float, int]:
    """The milliseconds of the script runs logged in ``path`` after its first ``seen``
    lines, and how many lines it has now."""
    lines = path.read_text().splitlines() if path.exists() else []
    return sum(json.loads(line)["ms"] for line in lines[seen:]), len(lines)


def run(db: str, *, changes: int, timed: int) -> dict:
    from playwright.sync_api import sync_playwright

    timing = Path(tempfile.mkdtemp()) / "runs.jsonl"
    proc, url = _start_server(db, env={"NEWS_ATLAS_TIMING": str(timing)})
    report: dict = {"db": db, "changes": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            received = [0]
            page.on("websocket", lambda w: w.on(
                "framereceived", lambda payload: received.__setitem__(
                    0, received[0] + len(payload))))
            start = time.perf_counter()
            page.goto(url)
            frame = map_frame(page)
            report["first_markers_s"] = round(time.perf_counter() - start, 2)
            wait_idle(page)
            report["rss_mb_start"] = round(rss_mb(proc.pid), 1)
            _, seen = script_ms(timing, 0)
            box = page.locator("[data-testid='stSidebar'] input[aria-label='Search passages']")
            for term in search_terms(changes):
                before = frame.evaluate(SIGNATURE)
                box.fill(term)
                received[0] = 0
                t0 = time.perf_counter()
                box.press("Enter")
                frame.wait_for_function(f"old => ({SIGNATURE})() !== old", arg=before,
                                        polling=20, timeout=120_000)
                seconds = time.perf_counter() - t0
                wait_idle(page)
                server_ms, seen = script_ms(timing, seen)
                row = {"search": term, "s": round(seconds, 3), "bytes": received[0],
                       "server_s": round(server_ms / 1000, 3),
                       "rss_mb": round(rss_mb(proc.pid), 1)}
                report["changes"].append(row)
                print(json.dumps(row), flush=True)
            report["spacy_loaded"] = has_spacy(proc.pid)
            browser.close()
    finally:
        stop_server(proc)
    rows = report["changes"]
    first = rows[:timed]
    report["median_s"] = statistics.median(r["s"] for r in first)
    report["max_s"] = max(r["s"] for r in first)
    report["median_server_s"] = statistics.median(r["server_s"] for r in first)
    report["median_mb_sent"] = round(statistics.median(r["bytes"] for r in first) / 1e6, 2)
    report["rss_mb_end"] = rows[-1]["rss_mb"]
    report["rss_mb_max"] = max(r["rss_mb"] for r in rows)
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("--changes", type=int, default=50, help="filter changes (all different)")
    ap.add_argument("--timed", type=int, default=12,
                    help="the first changes whose times and bytes are summarised")
    args = ap.parse_args(argv)
    load = os.getloadavg()
    report = run(args.db, changes=args.changes, timed=args.timed)
    report["load_before"] = [round(x, 2) for x in load]
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(f"filter change to map updated: median {report['median_s']:.2f} s"
          f" (max {report['max_s']:.2f}) over the first {args.timed} changes, of which"
          f" the server's script runs {report['median_server_s']:.2f} s;"
          f" sent per change: median {report['median_mb_sent']:.2f} MB;"
          f" server memory: {report['rss_mb_start']} MB at start, {report['rss_mb_end']} MB"
          f" after {len(report['changes'])} changes (max {report['rss_mb_max']});"
          f" spaCy loaded: {report['spacy_loaded']}; load {report['load_before']}"
          f" -> {report['load_after']}")
    print(json.dumps({k: v for k, v in report.items() if k != "changes"}))


if __name__ == "__main__":
    main()
