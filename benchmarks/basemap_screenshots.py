"""Screenshots of the dashboard's map at world zoom and zoomed to one US state (Ohio).

    python benchmarks/basemap_screenshots.py OUT_PREFIX [--repo DIR] [--db STORE]

Starts ``streamlit run dashboard.py`` from ``--repo`` (default: this checkout; give an
older checkout for a "before" picture) on 127.0.0.1, on ``--db`` (default: a new store,
which loads the built-in sample), and writes ``OUT_PREFIX-world.png`` and
``OUT_PREFIX-ohio.png``. Requests that leave 127.0.0.1 are blocked and listed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard import CHROMIUM_ARGS, _first_marker, _start_server  # noqa: E402

OHIO = (40.3, -82.8, 7)  # lat, lon, zoom


def map_frame(page):
    """The st_folium frame, once its Leaflet map exists."""
    for _ in range(300):
        for frame in page.frames:
            if "st_folium" in frame.url or "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate("() => !!window.map_div"):
                        return frame
                except Exception:  # noqa: BLE001 - the frame is being replaced
                    pass
        page.wait_for_timeout(100)
    raise RuntimeError("the map never appeared")


def shoot(repo: Path, db: str, prefix: str) -> list[str]:
    """Take both screenshots; return the requests that tried to leave the machine."""
    import bench_dashboard
    from playwright.sync_api import sync_playwright

    bench_dashboard.REPO = repo
    proc, url = _start_server(db)
    blocked: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", lambda route: (
                route.continue_() if route.request.url.startswith(
                    ("http://127.0.0.1", "data:", "blob:", "about:")) else
                (blocked.append(route.request.url), route.abort())))
            page.goto(url)
            _first_marker(page, time.perf_counter())
            frame = map_frame(page)
            page.wait_for_timeout(3000)
            page.screenshot(path=f"{prefix}-world.png")
            frame.evaluate("([lat, lon, z]) => window.map_div.setView([lat, lon], z,"
                           " {animate: false})", list(OHIO))
            page.wait_for_timeout(5000)
            page.screenshot(path=f"{prefix}-ohio.png")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return blocked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefix")
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--db")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        blocked = shoot(args.repo.resolve(), args.db or str(Path(tmp) / "new.sqlite"),
                        args.prefix)
    print(f"wrote {args.prefix}-world.png, {args.prefix}-ohio.png;"
          f" blocked requests: {blocked or 'none'}")


if __name__ == "__main__":
    main()
