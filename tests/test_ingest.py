"""geo.ingest: the one ingest path of the CLI and the Add page: what is added, what is
already present (and why), what failed (file, line, reason); nothing heavy loads when
nothing is new; progress reaches the callback and the job's row."""
from __future__ import annotations

import json
import os

import pytest

from geo.errors import ModelError
from geo.ingest import IngestSummary, Problem, ingest
from geo.store import Store
from geo.store.jobs import JobState, create_job, get_job

pytestmark = [pytest.mark.gazetteer, pytest.mark.model]

GOOD = "Floods in Bulacan\n\nHeavy rain flooded towns in Bulacan, north of Manila, on Monday.\n"
URL = "https://news.example/2024/05/floods"


@pytest.fixture
def batch(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    records = [{"title": "Same text", "text": GOOD},
               {"title": "Kyiv", "url": URL, "text": "Sirens sounded in Kyiv on Friday."},
               {"title": "Lviv", "url": URL, "text": "Trams stopped in Lviv on Friday."}]
    (folder / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records)
                                    + "{broken\n", encoding="utf-8")
    return folder


def _never():
    raise AssertionError("the pipeline was built although nothing is new")


def test_the_summary_names_added_present_and_failed(batch, store_url, pipeline):
    db = store_url
    summary = ingest([batch], db, pipeline=lambda: pipeline)
    assert summary.added == 2
    assert summary.present == [
        Problem(f"{batch}/b.jsonl:1", f"the same text as {batch}/a.txt in this batch"),
        Problem(f"{batch}/b.jsonl:3", f"the same URL as {batch}/b.jsonl:2 in this batch"
                f" ({URL}); the first is kept")]
    assert summary.failed == [Problem(f"{batch}/b.jsonl", "invalid JSON: Expecting property"
                                      " name enclosed in double quotes (column 2)", line=4)]
    assert str(summary.failed[0]).startswith(f"{batch}/b.jsonl:4: invalid JSON: ")
    with Store.open(db) as store:
        titles = {r[0] for r in store.conn.execute("SELECT title FROM articles")}
    assert titles == {"Floods in Bulacan", "Kyiv"}
    assert IngestSummary.from_dict(json.loads(json.dumps(summary.to_dict()))) == summary


def test_already_stored_articles_are_found_before_the_model_loads(batch, store_url, pipeline):
    db = store_url
    ingest([batch], db, pipeline=lambda: pipeline)
    again = ingest([batch], db, pipeline=_never)
    assert again.added == 0
    assert [p.reason for p in again.present] == [
        "already in the store", "the same text as "f"{batch}/a.txt in this batch",
        "already in the store", f"the same URL as {batch}/b.jsonl:2 in this batch ({URL});"
        " the first is kept"]
    assert len(again.failed) == 1


def test_progress_reaches_the_callback_and_the_jobs_row(batch, store_url, pipeline):
    db = store_url
    with Store.open(db) as store:
        job_id = create_job(store, "ingest", [str(batch)])
    events = []
    summary = ingest([batch], db, job=job_id, on_progress=events.append,
                     pipeline=lambda: pipeline)
    assert [(e.total, e.done) for e in events] == [(2, 0), (2, 1), (2, 2)]
    assert events[0].current == "Floods in Bulacan" and events[1].last == "Floods in Bulacan"
    assert events[1].current == "Kyiv" and events[2].current is None
    assert events[-1].added == 2 and events[-1].present == 2 and events[-1].failed == 1
    with Store.open(db) as store:
        job = get_job(store, job_id)
    assert job.state is JobState.DONE and job.pid == os.getpid()
    assert (job.total, job.done, job.added, job.skipped, job.failed) == (2, 2, 2, 2, 1)
    assert job.summary == summary.to_dict() and job.error is None
    assert job.started_at <= job.finished_at and job.rate() > 0


def test_a_model_that_cannot_load_fails_the_job_with_its_reason(batch, store_url):
    db = store_url
    with Store.open(db) as store:
        job_id = create_job(store, "ingest")

    def broken():
        raise ModelError("the spaCy model en_core_web_sm is not installed")

    with pytest.raises(ModelError):
        ingest([batch], db, job=job_id, pipeline=broken)
    with Store.open(db) as store:
        job = get_job(store, job_id)
        assert store.article_count() == 0
    assert job.state is JobState.FAILED and job.finished_at
    assert job.error == "the spaCy model en_core_web_sm is not installed"
    assert (job.total, job.skipped, job.failed) == (2, 2, 1)  # what it knew by then


def test_a_reader_of_its_own_feeds_the_same_path(tmp_path):
    """The CLI's reader also fetches URLs: its articles and errors go the same way."""
    from geo.errors import InputError
    from geo.readers import ReadResult

    def reader(sources):
        assert sources == ["https://news.example/feed"]
        return ReadResult(errors=[InputError(sources[0], "cannot fetch: timed out")],
                          warnings=["https://news.example/feed#2: no date"])

    messages = []
    summary = ingest(["https://news.example/feed"], str(tmp_path / "s.sqlite"),
                     reader=reader, pipeline=_never, on_message=messages.append)
    assert [str(p) for p in summary.failed] == [
        "https://news.example/feed: cannot fetch: timed out"]
    assert messages == ["warning: https://news.example/feed#2: no date",
                        "error: https://news.example/feed: cannot fetch: timed out"]
    assert summary.warnings == ["https://news.example/feed#2: no date"]
