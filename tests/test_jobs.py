"""geo.jobs and the jobs table: a job's row through its life, a worker that runs
detached (a real ``python -m geo ingest --job`` process), a dead or impostor pid shown
as interrupted, and a worker SIGKILLed mid-batch: the store stays consistent and running
the job again completes the batch, every article once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo import jobs
from geo.store import Store
from geo.store.jobs import (
    JobState, create_job, finish_job, get_job, start_job, update_progress,
)

TOWNS = ["Cork", "Galway", "Limerick", "Sligo", "Tralee", "Athlone", "Kilkenny", "Wexford",
         "Ennis", "Carlow"]


@pytest.fixture
def store(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        yield store


def wait_for(condition, *, timeout: float = 300, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def test_a_jobs_row_through_its_life(store):
    job_id = create_job(store, "ingest", ["a.txt"])
    job = get_job(store, job_id)
    assert job.state is JobState.QUEUED and job.sources == ["a.txt"] and not job.finished
    start_job(store, job_id, 4242)
    update_progress(store, job_id, total=10, done=4, added=3, skipped=1, failed=0,
                    current="Storm in <b>Cork</b>")
    job = get_job(store, job_id)
    assert (job.state, job.pid, job.total, job.done, job.current) == (
        JobState.RUNNING, 4242, 10, 4, "Storm in <b>Cork</b>")
    with pytest.raises(ValueError, match="not a progress field: state"):
        update_progress(store, job_id, state="done")
    finish_job(store, job_id, {"added": 3})
    job = get_job(store, job_id)
    assert job.state is JobState.DONE and job.finished and job.summary == {"added": 3}
    assert job.current is None and job.finished_at
    assert [j.id for j in jobs.recent_jobs(store)] == [job_id]


def _sleeper(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *args])


def test_a_job_whose_worker_is_gone_shows_as_interrupted(store):
    job_id = create_job(store, "ingest")
    proc = _sleeper("ingest", "--job", str(job_id))
    try:
        jobs.set_pid(store, job_id, proc.pid)
        assert jobs.job_status(store, job_id).state is JobState.QUEUED  # alive: untouched
        proc.kill()
        wait_for(lambda: _state(proc.pid) in ("Z", None))  # a zombie (not reaped) is dead
        job = jobs.job_status(store, job_id)
    finally:
        proc.kill()
        proc.wait()
    assert job.state is JobState.FAILED
    assert job.error.startswith(f"interrupted: the ingest process (pid {proc.pid}) stopped")


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def test_a_pid_that_another_program_now_holds_is_not_the_worker(store):
    job_id = create_job(store, "ingest")
    other = _sleeper()  # alive, but not `geo ingest --job ID`
    try:
        jobs.set_pid(store, job_id, other.pid)
        assert not jobs.worker_alive(other.pid, job_id)
        assert jobs.job_status(store, job_id).state is JobState.FAILED
    finally:
        other.kill()
        other.wait()


def test_a_reanalyse_job_is_followed_the_same_way(store):
    job_id = create_job(store, "reanalyse")
    worker = _sleeper("reanalyse", "--job", str(job_id))
    try:
        jobs.set_pid(store, job_id, worker.pid)
        assert jobs.job_status(store, job_id).state is JobState.QUEUED
        assert not jobs.worker_alive(worker.pid, job_id, "ingest")
    finally:
        worker.kill()
        worker.wait()
    assert jobs.job_status(store, job_id).error.startswith(
        f"interrupted: the reanalyse process (pid {worker.pid}) stopped")


def _articles(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        town = TOWNS[i % len(TOWNS)]
        body = " ".join(f"Officials in {town}, Ireland, met residents on day {d} of the "
                        f"storm, and Mary Byrne spoke in {TOWNS[(i + d) % len(TOWNS)]}."
                        for d in range(12))
        (folder / f"story{i:02d}.txt").write_text(f"Story {i} from {town}\n\n{body}\n",
                                                 encoding="utf-8")
    return folder


@pytest.mark.gazetteer
@pytest.mark.model
def test_a_detached_worker_runs_the_job_and_names_files_without_server_folders(store):
    job_id, folder = jobs.new_upload(store)
    _articles(folder, 1)
    (folder / "bad.jsonl").write_text('{"text": "Rain in Oslo."}\n{broken\n')
    pid = jobs.launch_ingest(store, job_id, [folder / "story00.txt", folder / "bad.jsonl"])
    assert os.getsid(pid) == pid != os.getsid(0)  # its own session: not the page's
    # one analysing process unless asked (each loads the model beside the dashboard)
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert argv[argv.index(b"--workers") + 1] == b"1"
    job = wait_for(lambda: (j := jobs.job_status(store, job_id)).finished and j)
    assert job.state is JobState.DONE, job.error
    assert (job.added, job.failed) == (2, 1)
    assert [f["path"] for f in job.summary["failed"]] == ["bad.jsonl"]
    assert job.summary["failed"][0]["line"] == 2
    assert "ingested 2 article(s)" in (folder / jobs.LOG_NAME).read_text()


def _consistent(db: str) -> int:
    """The store passes SQLite's integrity check, every article has passages, no text
    is stored twice; the number of articles."""
    with Store.open(db) as store:
        c = store.conn
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        assert c.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS"
                         " (SELECT 1 FROM passages p WHERE p.article_id = a.id)"
                         ).fetchone()[0] == 0
        total, texts = c.execute("SELECT count(*), count(DISTINCT text) FROM articles"
                                 ).fetchone()
        assert total == texts
        return total


@pytest.mark.gazetteer
@pytest.mark.model
def test_a_worker_killed_mid_batch_loses_nothing_and_a_rerun_completes_it(store):
    job_id, folder = jobs.new_upload(store)
    _articles(folder / "batch", 40)
    pid = jobs.launch_ingest(store, job_id, [folder / "batch"])
    wait_for(lambda: jobs.get_job(store, job_id).done >= 3, step=0.01)
    os.kill(pid, signal.SIGKILL)
    job = wait_for(lambda: (j := jobs.job_status(store, job_id)).finished and j)
    assert job.state is JobState.FAILED and job.error.startswith("interrupted: ")
    stored = _consistent(store.path)
    assert 3 <= stored < 40, stored

    again = jobs.rerun(store, job)
    job = wait_for(lambda: (j := jobs.job_status(store, again)).finished and j)
    assert job.state is JobState.DONE, job.error
    assert (job.added, job.skipped, job.failed) == (40 - stored, stored, 0)
    assert _consistent(store.path) == 40
    titles = [r[0] for r in store.conn.execute("SELECT title FROM articles ORDER BY title")]
    assert titles == sorted(f"Story {i} from {TOWNS[i % len(TOWNS)]}" for i in range(40))
