"""Dashboard benchmarks on a synthetic store (run by hand; results in docs/dashboard.md).

    python benchmarks/make_synthetic_store.py /tmp/news_atlas_synthetic.sqlite
    python benchmarks/bench_dashboard.py /tmp/news_atlas_synthetic.sqlite [--no-browser]

Measures, for several filter changes:
- server time: the map page's work for a filter value it has not cached (queries,
  marker rows, folium layers and their serialisation to the JS st_folium sends), and the
  whole page run under Streamlit's AppTest;
- payload: bytes of the map component's arguments (base map + feature groups);
- in headless Chromium: time from page load to the first visible marker or cluster.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geo.assets import AssetUrls, static_base_url  # noqa: E402
from geo.maps import base_map, place_layers  # noqa: E402
from geo.query import Filters, place_snippets, place_table, timeline  # noqa: E402
from geo.store import Store  # noqa: E402
from geo.urlstate import filters_to_params, link_maker  # noqa: E402

POPUPS_WITH_PASSAGES = 300  # as pages/map.py
FILTERS = {
    "no filter": Filters(),
    "actor": Filters(actors=("Actor 001",)),
    "publication dates (3 months)": Filters(date_from="2023-06-01", date_to="2023-08-31"),
    "passage dates (3 months)": Filters(date_from="2023-06-01", date_to="2023-08-31",
                                        date_field="passage"),
    "text search (a word in 95% of passages)": Filters(text="sanctions"),
    "text search (a place name)": Filters(text="Place00042"),
    "country": Filters(countries=("RU",)),
    "without countries & demonyms": Filters(include_broad=False),
}


def map_payload(store: Store, f: Filters) -> tuple[dict[str, float], int, int]:
    """Time each step of a filter change; return (timings ms, payload bytes, places)."""
    from streamlit_folium import _get_feature_group_string, _get_header, _get_map_string

    t = {"start": time.perf_counter()}
    places = place_table(store, f)
    t["places query"] = time.perf_counter()
    snippets = place_snippets(store, f, list(places["place_id"].head(POPUPS_WITH_PASSAGES)))
    t["snippets query"] = time.perf_counter()
    timeline(store, f)
    t["timeline query"] = time.perf_counter()
    assets = AssetUrls(static_base_url(""))
    layers = place_layers(places, snippets, assets=assets,
                          reader_href=link_maker("/", "articles", f, "article", "passage"),
                          place_href=link_maker("/", "places", f, "place"))
    t["marker rows + layers"] = time.perf_counter()
    m = base_map(assets)
    m.get_root().render()
    payload = len(_get_map_string(m)) + len(_get_header(m))
    payload += sum(len(_get_feature_group_string(fg, m, i).encode()) for i, fg in
                   enumerate(layers))
    t["serialise for st_folium"] = time.perf_counter()
    keys = list(t)
    ms = {k: 1000 * (t[k] - t[keys[i - 1]]) for i, k in enumerate(keys) if i}
    ms["total"] = 1000 * (t[keys[-1]] - t["start"])
    return ms, payload, len(places)


def bench_library(db: str, repeat: int) -> list[dict]:
    results = []
    Store.open(db).close()  # apply any new migration first
    with Store.open(db, read_only=True) as store:
        for name, f in FILTERS.items():
            runs = [map_payload(store, f) for _ in range(repeat)]
            totals = [r[0]["total"] for r in runs]
            best = min(runs, key=lambda r: r[0]["total"])
            results.append({"filter": name, "places": best[2], "payload_bytes": best[1],
                            "median_ms": statistics.median(totals), **{
                                k: round(v, 1) for k, v in best[0].items()}})
    return results


def bench_apptest(db: str) -> list[dict]:
    """The whole map page under AppTest, each filter arriving by URL (cache miss)."""
    os.environ["NEWS_ATLAS_DB"] = db
    from streamlit.testing.v1 import AppTest

    AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120).run()  # warm-up
    out = []
    for name, f in FILTERS.items():
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
        for key, value in filters_to_params(f).items():
            at.query_params[key] = value
        start = time.perf_counter()
        at.run()
        out.append({"filter": name, "page_run_ms": round(1000 * (time.perf_counter() - start)),
                    "exception": bool(at.exception)})
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_browser(db: str, loads: int = 3) -> list[float]:
    """Seconds from navigation to the first marker/cluster in the map, per page load."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, env={**os.environ, "NEWS_ATLAS_DB": db},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic"]
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            for _ in range(loads):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                start = time.perf_counter()
                page.goto(url)
                times.append(_first_marker(page, start))
                page.close()
            browser.close()
        return times
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _first_marker(page, start: float, timeout: float = 60) -> float:
    while time.perf_counter() - start < timeout:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate("() => document.querySelectorAll("
                                      "'.na-marker, .marker-cluster').length > 0"):
                        return round(time.perf_counter() - start, 2)
                except Exception:  # noqa: BLE001 - frame replaced while polling
                    pass
        page.wait_for_timeout(50)
    return float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", nargs="?", default="/tmp/news_atlas_synthetic.sqlite")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    report = {"library": bench_library(args.db, args.repeat), "apptest": bench_apptest(args.db)}
    if not args.no_browser:
        report["browser_first_marker_s"] = bench_browser(args.db)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
