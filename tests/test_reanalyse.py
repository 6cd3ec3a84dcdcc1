"""Re-analysis (geo.reanalyse and ``python -m geo reanalyse``): every stored article is
analysed again with the current gazetteer and model, its analysis replaced."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from geo.store import Store

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.gazetteer, pytest.mark.model]


def geo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=600)


def analysis(db: str) -> dict[str, list[tuple]]:
    """Every article's stored analysis (no row ids), and its mark and ingestion time."""
    with sqlite3.connect(db) as conn:
        return {
            "articles": conn.execute("SELECT id, sample, ingested_at FROM articles"
                                     " ORDER BY id").fetchall(),
            "passages": conn.execute('SELECT id, start, "end", date FROM passages'
                                     " ORDER BY id").fetchall(),
            "places": conn.execute(
                'SELECT article_id, start, "end", text, kind, place_id, round(score, 4),'
                " rule, alternatives FROM place_mentions ORDER BY article_id, start, kind"
            ).fetchall(),
            "actors": conn.execute(
                'SELECT am.article_id, am.start, am."end", ac.name, ac.kind FROM'
                " actor_mentions am JOIN actors ac ON ac.id = am.actor_id"
                " ORDER BY am.article_id, am.start").fetchall(),
        }


def add_correction(db: str) -> None:
    """A correction row as geo.corrections writes them (migration 6's table)."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO corrections (target, action, scope, name, old_value, new_value,"
            " author, created_at) VALUES ('place', 'not_place', 'everywhere', 'Khasan',"
            " '{\"id\": \"gn:2039232\"}', NULL, 'test', '2026-12-01T00:00:00+00:00')")


def spoil(db: str) -> None:
    """Make the stored analysis stale: rules that no resolver gives, a lost mention."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE place_mentions SET rule = 'stale', score = 0.01")
        conn.execute("DELETE FROM place_mentions WHERE id = (SELECT max(id) FROM"
                     " place_mentions)")


def test_reanalyse_replaces_a_stale_analysis_stably_and_keeps_the_sample(sample_db,
                                                                         full_gazetteer):
    add_correction(sample_db)
    fresh = geo("reanalyse", "--db", sample_db)
    assert fresh.returncode == 0, fresh.stderr
    first = analysis(sample_db)
    spoil(sample_db)
    assert analysis(sample_db) != first
    run = geo("reanalyse", "--db", sample_db)
    assert run.returncode == 0, run.stderr
    assert analysis(sample_db) == first  # stable: the same analysis again
    assert first["articles"][0][1] == 1  # still the sample
    assert "stale" not in {row[7] for row in first["places"]}
    assert any(row[3] == "Khasan" and row[5] == "cur:khasan-ru" for row in first["places"])
    # progress and the summary on stderr, as ingest's
    assert "reanalyse: re-analysing 1 article(s)" in run.stderr
    assert "reanalyse: 1/1 (100%)" in run.stderr
    assert "reanalyse: 1 re-analysed, 0 deleted meanwhile, 0 failed in" in run.stderr
    assert "re-analysed 1 article(s), 0 failed" in run.stdout
    with sqlite3.connect(sample_db) as conn:
        assert conn.execute("SELECT count(*) FROM corrections").fetchone()[0] == 1
    with Store.open(sample_db) as store:
        from geo.reanalyse import read_status

        status = read_status(store)
    assert (status.state, status.done, status.total, status.replaced) == (
        "finished", 1, 1, 1)


def test_reanalyse_given_ids_only_and_names_unknown_ones(dashboard_db, full_gazetteer):
    before = analysis(dashboard_db)
    run = geo("reanalyse", "--db", dashboard_db, "followup0000002", "nope")
    assert run.returncode == 1, run.stderr
    assert "error: nope: no such article" in run.stderr
    assert "reanalyse: 1 re-analysed, 0 deleted meanwhile, 1 failed" in run.stderr
    after = analysis(dashboard_db)
    kept = [r for r in before["places"] if r[0] != "followup0000002"]
    assert [r for r in after["places"] if r[0] != "followup0000002"] == kept
    redone = [r for r in after["places"] if r[0] == "followup0000002"]
    assert redone and redone != [r for r in before["places"] if r[0] == "followup0000002"]


def test_reanalyse_refuses_a_read_only_store(sample_db):
    run = geo("reanalyse", "--db", f"sqlite:///{sample_db}?mode=ro")
    assert run.returncode == 2 and "read-only" in run.stderr
    assert "Traceback" not in run.stderr


def test_progress_is_reported_after_each_article(dashboard_db, pipeline):
    from geo.reanalyse import ids_to_reanalyse, reanalyse

    calls = []
    with Store.open(dashboard_db) as store:
        ids = ids_to_reanalyse(store)
        report = reanalyse(store, pipeline, ids,
                           progress=lambda done, total, title: calls.append((done, total,
                                                                            title)))
    assert report.replaced == 3 and not report.failed
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert "Putin and Kim meet at Vostochny Cosmodrome" in {c[2] for c in calls}


def test_an_article_deleted_meanwhile_is_counted_not_an_error(dashboard_db, pipeline):
    from geo.reanalyse import reanalyse

    with Store.open(dashboard_db) as store:
        ids = ["seedlike0000001", "followup0000002"]
        store.delete_articles(["followup0000002"])
        report = reanalyse(store, pipeline, ids)
    assert (report.replaced, report.vanished, report.failed) == (1, 1, [])


def test_a_background_reanalysis_goes_on_and_records_its_status(sample_db, full_gazetteer):
    from geo.reanalyse import read_status, start_in_background

    process = start_in_background(sample_db)
    assert process.wait(timeout=300) == 0
    with Store.open(sample_db) as store:
        status = read_status(store)
    assert status.state == "finished" and status.pid == process.pid
    assert not status.is_alive()
    assert status.replaced == 1 and status.done == status.total == 1
