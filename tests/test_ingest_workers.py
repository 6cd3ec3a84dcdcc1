"""geo.ingest_workers: ``python -m geo ingest --workers N`` analyses in N processes and
stores, in one process, exactly what a one-process ingest stores; a bad line is still
named and the rest goes in; the job's row follows; a worker that cannot build its
pipeline fails the ingest with its reason."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.errors import ModelError
from geo.ingest import ingest
from geo.ingest_workers import in_order
from geo.store import Store
from geo.store.jobs import JobState, create_job, get_job
from tests.news_batch import write_batch
from tests.stored import stored_analysis

REPO = Path(__file__).resolve().parents[1]


def _ingest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "ingest", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.gazetteer
@pytest.mark.model
def test_two_workers_store_what_one_process_stores(tmp_path):
    batch = write_batch(tmp_path / "in", 40)
    one, two = str(tmp_path / "one.sqlite"), str(tmp_path / "two.sqlite")
    with Store.open(two) as store:
        job_id = create_job(store, "ingest", [str(batch)])
    first = _ingest(str(batch), "--db", one, "--workers", "1")
    second = _ingest(str(batch), "--db", two, "--workers", "2", "--job", str(job_id))
    for run in (first, second):
        assert run.returncode == 1, run.stderr  # the broken line
        assert "ingested 40 article(s), 0 already stored, 1 failed" in run.stdout
        assert f"{batch}:41: invalid JSON" in run.stderr
    assert "analysing in 2 processes" in second.stderr
    assert "processes" not in first.stderr
    stored = stored_analysis(two)
    assert len(stored) == 40 and stored == stored_analysis(one)
    assert sum(len(places) for places, _ in stored.values()) > 100
    assert {name for _, actors in stored.values() for *_, name, _ in actors} >= {
        "Ferdinand Marcos", "William Ruto"}
    with Store.open(two) as store:
        job = get_job(store, job_id)
    assert job.state is JobState.DONE
    assert (job.total, job.done, job.added, job.failed) == (40, 40, 40, 1)


def _broken_builder():
    raise ModelError("the spaCy model en_core_web_sm is not installed")


def test_a_worker_that_cannot_load_the_model_fails_the_job_with_its_reason(tmp_path):
    batch = write_batch(tmp_path / "in", 40)
    db = str(tmp_path / "s.sqlite")
    with Store.open(db) as store:
        job_id = create_job(store, "ingest")
    with pytest.raises(ModelError, match="en_core_web_sm is not installed"):
        ingest([batch], db, job=job_id, pipeline=_broken_builder, workers=2)
    with Store.open(db) as store:
        job = get_job(store, job_id)
        assert store.article_count() == 0
    assert job.state is JobState.FAILED
    assert job.error == "the spaCy model en_core_web_sm is not installed"
    assert job.pid == os.getpid()


class _Shuffled:
    """Chunks that finish in a scrambled order, two at a time."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.running: list[int] = []

    def submit(self, index: int) -> None:
        self.started.append(index)
        self.running.append(index)

    def finished(self):
        self.running.sort(reverse=True)  # the latest started finish first
        done, self.running = self.running[:2], self.running[2:]
        return [(i, f"result {i}") for i in done]


def test_results_come_back_in_input_order_within_the_window():
    tasks = _Shuffled()
    taken = []
    for result in in_order(tasks, 10, window=3):
        taken.append(result)
        assert len(tasks.started) - len(taken) <= 3  # never more in hand than the window
    assert taken == [f"result {i}" for i in range(10)]
    assert tasks.started == list(range(10))


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.gazetteer
@pytest.mark.model
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_leave_when_the_ingest_process_is_killed(tmp_path):
    import signal
    import time

    batch = write_batch(tmp_path / "in", 80)
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(batch), "--db",
                             str(tmp_path / "s.sqlite"), "--workers", "2"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(workers := _children(proc.pid)) < 2 and time.time() < deadline:
        time.sleep(0.1)
    assert len(workers) >= 2, "the ingest never started its workers"
    time.sleep(1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.time() + 15
    while any(_alive(pid) for pid in workers) and time.time() < deadline:
        time.sleep(0.2)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # (before the fix: they stayed, waiting for work forever)
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived the ingest process"
