"""Upload-to-map time and the dashboard's memory while it reads (run by hand; results in
docs/add.md).

    NEWS_ATLAS_GAZETTEER=... python benchmarks/bench_upload.py [--articles 200] [--runs 1]

Everything goes through the page, as a user does: ``streamlit run dashboard.py`` on a
new store (127.0.0.1, a free port), headless Chromium opens the Add page, uploads one
``.zip`` of N generated articles (each naming a different town of a few countries),
clicks "Add these files", waits for the summary ("Done."), follows "Open the map"
and waits until the map shows a marker or cluster. Reported:

1. **Upload to map**: seconds from the click to the first marker on the map page, and
   the part the background job took (its own row: created to finished; articles/s).
2. **Dashboard memory**: the streamlit server's resident memory (VmRSS, sampled every
   0.1 s from /proc) before the upload, its peak while the job ran and the page polled
   it, and after the map; whether spaCy is loaded in the server (its compiled modules
   in /proc/PID/maps), against the worker's peak memory (VmHWM) and spaCy in it.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.test_browser import map_frame  # noqa: E402 (the browser tests' helper)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
TOWNS = ["Cork", "Galway", "Limerick", "Sligo", "Tralee", "Athlone", "Kilkenny", "Wexford",
         "Ennis", "Carlow", "Bergen", "Tromso", "Stavanger", "Bodo", "Lyon", "Nantes",
         "Toulouse", "Lille", "Porto", "Braga", "Faro", "Coimbra", "Ghent", "Bruges"]


def make_zip(path: Path, n: int) -> Path:
    """N articles of ~1.2 kB, each about two towns, in one zip of .txt files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(n):
            town, other = TOWNS[i % len(TOWNS)], TOWNS[(i * 7 + 3) % len(TOWNS)]
            body = " ".join(f"Officials in {town} met residents on day {d} of the storm,"
                            f" and Mary Byrne spoke about the roads to {other}."
                            for d in range(10))
            archive.writestr(f"batch/story{i:03d}.txt", f"Story {i} from {town}\n\n{body}\n")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(pid: int, field: str) -> int:
    """A /proc/PID/status figure in kB (VmRSS, VmHWM), 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def spacy_loaded(pid: int) -> bool:
    """Whether process ``pid`` has spaCy's compiled modules mapped (it imported spaCy)."""
    try:
        return "/spacy/" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


class Sampler(threading.Thread):
    """VmRSS of a process every ``step`` seconds, until stopped."""

    def __init__(self, pid: int, step: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.step, self.samples = pid, step, []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append(_status(self.pid, "VmRSS"))
            time.sleep(self.step)


def serve(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "NEWS_ATLAS_DB": str(db), "NEWS_ATLAS_TILES": "none"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("streamlit did not start: " + log.read_text(errors="replace"))


class WorkerWatch(threading.Thread):
    """Finds the job's worker (its pid in the store's jobs table) and follows its peak
    memory (VmHWM) and whether spaCy is loaded in it, until it ends."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.pid, self.peak_kb, self.has_spacy = db, None, 0, False
        self.stopped = threading.Event()

    def run(self) -> None:
        while self.pid is None and not self.stopped.is_set():
            try:
                with sqlite3.connect(self.db) as conn:
                    row = conn.execute("SELECT pid FROM jobs ORDER BY id DESC LIMIT 1"
                                       ).fetchone()
                self.pid = row[0] if row else None
            except sqlite3.Error:
                pass
            time.sleep(0.05)
        while not self.stopped.is_set():
            hwm = _status(self.pid, "VmHWM")
            if not hwm:
                return
            self.peak_kb = max(self.peak_kb, hwm)
            self.has_spacy = self.has_spacy or spacy_loaded(self.pid)
            time.sleep(0.2)


def run_once(n: int, work: Path) -> dict:
    from playwright.sync_api import sync_playwright

    db = work / "store.sqlite"
    batch = make_zip(work / "batch.zip", n)
    server, url = serve(db, work / "server.log")
    sampler = Sampler(server.pid)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/add")
            page.get_by_role("heading", name="Add articles").wait_for(timeout=60000)
            page.wait_for_timeout(1000)
            rss_before = _status(server.pid, "VmRSS")
            page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(batch)
            page.get_by_text("batch.zip").first.wait_for(timeout=60000)
            page.wait_for_timeout(1000)
            sampler.start()
            clicked = time.perf_counter()
            page.get_by_role("button", name="Add these files").click()
            worker = WorkerWatch(db)
            worker.start()
            page.get_by_text("Done.").wait_for(timeout=1800000)
            done = time.perf_counter()
            page.get_by_role("link", name="Open the map").click()
            frame = map_frame(page, timeout=60.0)
            frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=120000)
            shown = time.perf_counter()
            sampler.stopped.set()
            page.wait_for_timeout(1000)
            rss_after = _status(server.pid, "VmRSS")
            browser.close()
        worker.stopped.set()
        job = _job(db)
        return {
            "articles": n, "upload_to_map_s": round(shown - clicked, 1),
            "upload_to_summary_s": round(done - clicked, 1),
            "job_s": job["seconds"], "job_articles_per_s": job["rate"],
            "added": job["added"],
            "server_rss_mb": {"before": round(rss_before / 1024), "peak_during_job":
                              round(max(sampler.samples) / 1024),
                              "after_map": round(rss_after / 1024)},
            "server_has_spacy": spacy_loaded(server.pid),
            "worker_peak_mb": round(worker.peak_kb / 1024), "worker_has_spacy":
            worker.has_spacy,
        }
    finally:
        sampler.stopped.set()
        server.terminate()
        server.wait(timeout=20)


def _job(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        created, started, finished, done, added = conn.execute(
            "SELECT created_at, started_at, finished_at, done, added FROM jobs"
            " ORDER BY id DESC LIMIT 1").fetchone()
    from datetime import datetime

    seconds = (datetime.fromisoformat(finished) - datetime.fromisoformat(created)
               ).total_seconds()
    analysing = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)
                 ).total_seconds()
    return {"seconds": round(seconds, 1), "rate": round(done / analysing, 1) if done else 0,
            "added": added}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-upload-") as work:
            print(json.dumps(run_once(args.articles, Path(work))), flush=True)


if __name__ == "__main__":
    main()
