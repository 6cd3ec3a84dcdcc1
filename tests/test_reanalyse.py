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
    """A correction row as geo.corrections writes them (migration 6's table): Khasan is
    not a place, in every article."""
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
    before = analysis(sample_db)["places"]
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
    # the user's correction (Khasan is not a place, everywhere) holds after re-analysis
    khasan = [row for row in first["places"] if row[3] == "Khasan"]
    assert khasan and all(row[5] is None and row[7] == "not a place" for row in khasan)
    assert all(row[5] == "cur:khasan-ru" for row in before if row[3] == "Khasan")
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


def consistent_by_article(db: str) -> dict[str, str]:
    """Each article's state: ``old`` (its hand-built analysis) or ``new`` (re-analysed),
    checking that no article is half-written and every passage has its search row."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM passages").fetchone()[0] == \
            conn.execute("SELECT count(*) FROM passages_fts").fetchone()[0]
        assert not conn.execute("SELECT 1 FROM place_mentions pm LEFT JOIN places p"
                                " ON p.id = pm.place_id WHERE pm.place_id IS NOT NULL"
                                " AND p.id IS NULL").fetchall()
        states = {}
        for (article_id,) in conn.execute("SELECT id FROM articles"):
            assert conn.execute("SELECT count(*) FROM passages WHERE article_id = ?",
                                (article_id,)).fetchone()[0] == 2
            rules = {r[0] for r in conn.execute(
                "SELECT rule FROM place_mentions WHERE article_id = ?", (article_id,))}
            assert rules == {"old"} or "old" not in rules, (article_id, rules)
            states[article_id] = "old" if rules == {"old"} else "new"
    return states


def test_a_reanalysis_killed_midway_leaves_whole_articles_and_a_rerun_finishes(
        tmp_path, full_gazetteer):
    import signal

    from tests.test_export import MANY, build_many_store

    db = build_many_store(tmp_path / "many.sqlite")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE place_mentions SET rule = 'old'")
    proc = subprocess.Popen([sys.executable, "-m", "geo", "reanalyse", "--db", db],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    for line in proc.stderr:  # the first progress line: a tenth of the batch is done
        if line.startswith("reanalyse: ") and "/400" in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    states = consistent_by_article(db)
    assert 0 < list(states.values()).count("new") < MANY
    with Store.open(db) as store:  # the dashboard sees it stopped half-way
        from geo.reanalyse import read_status

        status = read_status(store)
    assert status.state == "running" and not status.is_alive() and status.done < MANY
    rerun = geo("reanalyse", "--db", db)
    assert rerun.returncode == 0, rerun.stderr
    assert set(consistent_by_article(db).values()) == {"new"}
