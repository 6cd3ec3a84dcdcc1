"""Dashboard benchmarks on a synthetic store (run by hand; results in docs/dashboard.md).

Filter changes in a live server, as a user waits for them, are measured by
``bench_live.py`` beside this one.

    python benchmarks/make_synthetic_store.py /tmp/news_atlas_synthetic.sqlite
    python benchmarks/bench_dashboard.py /tmp/news_atlas_synthetic.sqlite [--no-browser]

Reports the issue's three figures:

1. **Page run** per filter: the whole Map page script run (``dashboard.py``: sidebar,
   queries, layers, map, timeline, table) for a filter value that is not cached yet,
   which is what a user waits for after changing a filter. It is timed inside the
   script run (``$NEWS_ATLAS_TIMING``), so the AppTest harness that drives it is not
   counted. Each filter is run ``--repeat`` times, with ``st.cache_data`` cleared before
   each run; the mention index is built once, after a first run, as in a running server.
2. **Payload** per filter: bytes of the map component's arguments (base map, header,
   feature groups), as ``st_folium`` sends them.
3. **Markers visible** in headless Chromium: seconds from navigation to the first marker
   or cluster. *Cold*: a freshly started server and a new browser (nothing cached
   anywhere). *Cold after warm-up*: the same, but the server's readiness probe
   (``/_stcore/script-health-check``) ran the page once before the browser came.
   *Warm*: further page loads on those servers.
4. **Bytes sent** for the first map page at world zoom (``--bytes``): every HTTP response
   body and every websocket frame the browser received until the basemap settled, on
   the given store and on a new store that loads the built-in sample; with the
   basemap files among them (the zoomed-in layers must not be there).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geo.query import Filters  # noqa: E402
from geo.urlstate import filters_to_params  # noqa: E402

POPUPS_WITH_PASSAGES = 300  # as dashboard_ui
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
FILTERS = {
    "no filter": Filters(),
    "actor": Filters(actors=("Actor 001",)),
    "publication dates (3 months)": Filters(date_from="2023-06-01", date_to="2023-08-31"),
    "passage dates (3 months)": Filters(date_from="2023-06-01", date_to="2023-08-31",
                                        date_field="passage"),
    "text search (a word in 57% of passages)": Filters(text="sanctions"),
    "text search (a word in every passage)": Filters(text="in"),
    "text search (a place name)": Filters(text="Place00042"),
    "country": Filters(countries=("RU",)),
    "without countries & demonyms": Filters(include_broad=False),
}


def payload_bytes(db: str, f: Filters) -> tuple[int, int]:
    """(bytes of the map component's arguments under ``f``, places shown)."""
    from streamlit_folium import _get_feature_group_string, _get_header, _get_map_string

    from geo.assets import AssetUrls, static_base_url
    from geo.maps import base_map, drawn_places, place_layers
    from geo.mention_index import MentionIndex
    from geo.query import place_snippets, place_table
    from geo.settings import Settings
    from geo.store import Store
    from geo.urlstate import link_maker

    with Store.open(db, read_only=True) as store:
        sel = MentionIndex.build(store.conn).select(store.conn, f)
        cap = Settings().map_markers
        places = drawn_places(place_table(store, f, selection=sel, limit=cap), cap)
        snippets = place_snippets(store, f, list(places["place_id"].head(POPUPS_WITH_PASSAGES)),
                                  selection=sel)
    assets = AssetUrls(static_base_url(""))
    layers = place_layers(places, snippets, assets=assets,
                          reader_href=link_maker("/", "articles", f, "article", "passage"),
                          place_href=link_maker("/", "places", f, "place"))
    m = base_map(assets)
    m.get_root().render()
    size = len(_get_map_string(m).encode()) + len(_get_header(m).encode())
    size += sum(len(_get_feature_group_string(fg, m, i).encode())
                for i, fg in enumerate(layers))
    return size, len(places)


def _timed_run(app, timing: Path, params: dict) -> float:
    """Run the app once with ``params`` in its URL; the script's own run time in ms."""
    from streamlit.testing.v1 import AppTest

    timing.write_text("")
    at = AppTest.from_file(app, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception}")
    runs = [json.loads(line) for line in timing.read_text().splitlines() if line.strip()]
    return runs[-1]["ms"]


def bench_page_runs(db: str, repeat: int) -> dict[str, list[float]]:
    """Map page run times (ms) per filter, each with the query caches cleared."""
    import streamlit as st

    timing = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    os.environ["NEWS_ATLAS_DB"], os.environ["NEWS_ATLAS_TIMING"] = db, str(timing)
    app = str(REPO / "dashboard.py")
    _timed_run(app, timing, {})  # the first run: imports, store, the mention index
    out = {}
    for name, f in FILTERS.items():
        runs = []
        for _ in range(repeat):
            st.cache_data.clear()
            runs.append(_timed_run(app, timing, filters_to_params(f)))
        out[name] = runs
    timing.unlink()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _first_marker(page, start: float, timeout: float = 60) -> float:
    while time.perf_counter() - start < timeout:
        for frame in page.frames:
            if "st_folium" in frame.url or "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate("() => document.querySelectorAll("
                                      "'.na-marker, .marker-cluster').length > 0"):
                        return round(time.perf_counter() - start, 2)
                except Exception:  # noqa: BLE001 - frame replaced while polling
                    pass
        page.wait_for_timeout(20)
    return float("nan")


def _start_server(db: str, *, health_check: bool = False,
                  env: dict[str, str] | None = None,
                  prefix: list[str] | None = None) -> tuple[subprocess.Popen, str]:
    """``streamlit run dashboard.py`` on ``db`` at a free 127.0.0.1 port, once healthy;
    ``health_check``: with the script health check on (main turns it off by default);
    ``env``: more settings (``NEWS_ATLAS_READ_ONLY``...); ``prefix``: a command that runs
    it (``["taskset", "-c", "0"]``)."""
    port = _free_port()
    proc = subprocess.Popen(
        [*(prefix or []), sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false",
         "--server.scriptHealthCheckEnabled", "true" if health_check else "false"],
        cwd=REPO, env={**os.environ, "NEWS_ATLAS_DB": db, "NEWS_ATLAS_TILES": "none",
                       **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return proc, url


def stop_server(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server :func:`_start_server` started (killed if it does not stop)."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bench_bytes(db: str, settle_ms: int = 4000) -> dict:
    """Bytes the browser received for the first map page at world zoom: HTTP bodies as
    sent (compressed when the server compresses), websocket frames, and which files
    under ``static/vendor/`` were fetched."""
    from playwright.sync_api import sync_playwright

    proc, url = _start_server(db)
    http: dict[str, int] = {}
    ws = [0]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def done(request) -> None:
                try:
                    http[request.url] = request.sizes()["responseBodySize"]
                except Exception:  # noqa: BLE001 - the page went away
                    pass

            page.on("requestfinished", done)
            page.on("websocket", lambda w: w.on(
                "framereceived", lambda payload: ws.__setitem__(0, ws[0] + len(payload))))
            start = time.perf_counter()
            page.goto(url)
            _first_marker(page, start)
            page.wait_for_timeout(settle_ms)
            browser.close()
    finally:
        stop_server(proc)
    vendor = {u.split("/static/vendor/", 1)[1]: n for u, n in http.items()
              if "/static/vendor/" in u}
    component = sum(n for u, n in http.items() if "/component/" in u)
    return {"total": sum(http.values()) + ws[0], "http": sum(http.values()),
            "websocket": ws[0], "requests": len(http),
            # the map's own bytes: its arguments (websocket), the st_folium bundle, and
            # Leaflet, plugins and basemap from static/vendor; the rest is Streamlit's app
            "map": ws[0] + component + sum(vendor.values()),
            "vendor": sum(vendor.values()), "component": component,
            "basemap_files": {k: v for k, v in vendor.items()
                              if k.startswith("basemap/") or k.endswith(".geojson")}}


def bench_browser(db: str, *, warm_loads: int = 3, warm_up: bool = False
                  ) -> tuple[float, list[float]]:
    """(cold seconds, warm seconds per load) to the first visible marker: a new server
    and a new browser for the cold load, then more page loads on the same server.
    ``warm_up``: start the server with the script health check on (it is off by
    default: it runs the Map page for anyone) and probe it once before the first load."""
    from playwright.sync_api import sync_playwright

    proc, url = _start_server(db, health_check=warm_up)
    try:
        if warm_up:
            urllib.request.urlopen(url + "_stcore/script-health-check", timeout=120).read()
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            for _ in range(1 + warm_loads):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                start = time.perf_counter()
                page.goto(url)
                times.append(_first_marker(page, start))
                page.close()
            browser.close()
        return times[0], times[1:]
    finally:
        stop_server(proc)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", nargs="?", default="/tmp/news_atlas_synthetic.sqlite")
    ap.add_argument("--repeat", type=int, default=3, help="page runs per filter")
    ap.add_argument("--cold", type=int, default=2, help="cold starts (server + browser)")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-page-runs", action="store_true", help="skip the page-run table")
    ap.add_argument("--bytes", action="store_true",
                    help="only the bytes of the first map page (this store and the sample)")
    args = ap.parse_args(argv)
    from geo.store import Store

    if args.bytes:
        with tempfile.TemporaryDirectory() as tmp:
            for name, db in (("store", args.db), ("sample", str(Path(tmp) / "new.sqlite"))):
                got = bench_bytes(db)
                print(f"first map page at world zoom, {name}: map {got['map'] / 1e6:.2f} MB"
                      f" (websocket {got['websocket'] / 1e6:.2f}, st_folium bundle"
                      f" {got['component'] / 1e6:.2f}, static/vendor {got['vendor'] / 1e6:.2f});"
                      f" whole page {got['total'] / 1e6:.2f} MB in {got['requests']} requests;"
                      f" basemap files: {got['basemap_files']}")
        return
    Store.open(args.db).close()  # apply any new migration first
    report: dict = {"filters": []}
    if not args.no_page_runs:
        runs = bench_page_runs(args.db, args.repeat)
        print("| filter | places | page run ms (median) | page run ms (max) | payload MB |")
        print("| --- | --- | --- | --- | --- |")
        for name, f in FILTERS.items():
            size, n = payload_bytes(args.db, f)
            row = {"filter": name, "places": n, "page_run_ms": runs[name],
                   "payload_mb": round(size / 1e6, 2)}
            report["filters"].append(row)
            print(f"| {name} | {n} | {statistics.median(runs[name]):.0f} |"
                  f" {max(runs[name]):.0f} | {row['payload_mb']:.2f} |")
    if not args.no_browser:
        seen: dict[str, list[float]] = {"cold": [], "cold after warm-up": [], "warm": []}
        for _ in range(args.cold):
            for warm_up in (False, True):
                first, rest = bench_browser(args.db, warm_up=warm_up)
                seen["cold after warm-up" if warm_up else "cold"].append(first)
                seen["warm"].extend(rest)
        report["markers_visible_s"] = seen
        for name, values in seen.items():
            print(f"markers visible, {name}: {values} s (median {statistics.median(values)})")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
