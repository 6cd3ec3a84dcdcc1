"""Deleting articles and replacing an article's analysis (geo.store.manage, through
``Store.delete_articles`` / ``Store.replace``), and ``python -m geo delete``."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import replace as dc_replace
from pathlib import Path

import pytest

from geo.errors import StoreError, StoreFaultError
from geo.models import Candidate
from geo.store import Store
from geo.store import queries as q
from geo.store.connect import read_only_url
from tests.data.dashboard import fixture_articles as fx

REPO = Path(__file__).resolve().parents[1]
SEED, FOLLOW, HOSTILE = "seedlike0000001", "followup0000002", "hostile00000003"
BACKENDS = ("sqlite", "postgresql")  # dashboard_db and sample_db (tests/conftest.py)


def rows(db: str, sql: str, *params) -> list[tuple]:
    """What a new connection of its own reads (sqlite3 for a file, else the store's)."""
    if "://" not in db or db.startswith("sqlite:"):
        with sqlite3.connect(db) as conn:
            return [tuple(r) for r in conn.execute(sql, params)]
    with Store.open(db, read_only=True) as store:
        return [tuple(r) for r in store.conn.execute(sql, params)]


def _postgresql(db: str) -> bool:
    return db.startswith("postgresql://")


def article_rows(db: str, article_id: str) -> dict[str, list[tuple]]:
    """Everything stored for one article, table by table (ids left out)."""
    return {
        "articles": rows(db, "SELECT id, title, url, source, published, text, sample,"
                             " ingested_at FROM articles WHERE id = ?", article_id),
        "passages": rows(db, 'SELECT id, idx, start, "end", text, date FROM passages'
                             " WHERE article_id = ? ORDER BY idx", article_id),
        "fts": rows(db, "SELECT id, CAST(tsv AS text) FROM passages WHERE article_id = ?"
                        " ORDER BY id", article_id) if _postgresql(db) else
        rows(db, "SELECT f.id, f.text FROM passages_fts f JOIN passages p"
                 " ON p.id = f.id WHERE p.article_id = ? ORDER BY f.id", article_id),
        "places": rows(db, 'SELECT passage_id, start, "end", text, kind, place_id, score,'
                           " rule, alternatives FROM place_mentions WHERE article_id = ?"
                           " ORDER BY start", article_id),
        "actors": rows(db, 'SELECT am.passage_id, am.start, am."end", am.text, ac.name,'
                           " ac.kind FROM actor_mentions am JOIN actors ac"
                           " ON ac.id = am.actor_id WHERE am.article_id = ? ORDER BY"
                           " am.start", article_id),
    }


def test_delete_takes_the_article_and_what_only_it_mentioned(dashboard_db):
    others = {a: article_rows(dashboard_db, a) for a in (FOLLOW, HOSTILE)}
    places_before = {r[0] for r in rows(dashboard_db, "SELECT id FROM places")}
    with Store.open(dashboard_db) as store:
        deletion = store.delete_articles([SEED, "no-such-article"])
    assert deletion.deleted == (SEED,) and deletion.unknown == ("no-such-article",)
    removed = deletion.removed
    assert (removed.articles, removed.passages, removed.place_mentions,
            removed.actor_mentions) == (1, 5, 11, 5)
    assert all(not v for v in article_rows(dashboard_db, SEED).values())
    fts = "passages" if _postgresql(dashboard_db) else "passages_fts"
    assert not rows(dashboard_db, f"SELECT id FROM {fts} WHERE id LIKE ?", SEED + "%")
    # places and actors only the seed named leave; the shared ones stay
    gone = places_before - {r[0] for r in rows(dashboard_db, "SELECT id FROM places")}
    assert gone == {fx.RUSSIA.id, fx.NORTH_KOREA.id, fx.RAZDOLNAYA.id, fx.MOSCOW.id}
    assert removed.places == 4 and removed.actors == 2
    actors = {r[0] for r in rows(dashboard_db, "SELECT name FROM actors")}
    assert actors == {"Vladimir Putin", "Kim Jong-un", fx.HOSTILE_IMG}
    # the other articles are untouched, and the map no longer shows what went
    assert {a: article_rows(dashboard_db, a) for a in (FOLLOW, HOSTILE)} == others
    with Store.open(dashboard_db) as store:
        from geo.query import Filters, place_table
        assert set(place_table(store, Filters())["name"]) == {
            "Khasan", "Vladivostok", "Vostochny Cosmodrome", "Seoul", "Pyongyang"}


def test_a_place_another_article_weighed_as_a_candidate_stays(tmp_path):
    seed, follow = fx.seed_like(), fx.follow_up()
    follow.places[2].alternatives = [Candidate(fx.MOSCOW, 0.1)]  # Khasan: Moscow weighed
    db = str(tmp_path / "s.sqlite")
    with Store.open(db) as store:
        store.save(seed)
        store.save(follow)
        store.delete_articles([SEED])
    assert rows(db, "SELECT name FROM places WHERE id = ?", fx.MOSCOW.id) == [("Moscow",)]


def test_delete_and_replace_refuse_a_read_only_store(dashboard_db):
    before = article_rows(dashboard_db, SEED)
    with Store.open(dashboard_db, read_only=True) as store:
        with pytest.raises(StoreFaultError, match="read-only"):
            store.delete_articles([SEED])
        with pytest.raises(StoreFaultError, match="read-only"):
            store.replace(fx.seed_like())
    assert article_rows(dashboard_db, SEED) == before


def test_deleting_the_samples_article_remembers_the_removal(sample_db):
    from geo.store.sample import removed_by_user, sample_count

    with Store.open(sample_db) as store:
        sample_id = rows(sample_db, "SELECT id FROM articles WHERE sample = 1")[0][0]
        assert store.delete_articles([sample_id]).removed.articles == 1
        assert sample_count(store) == 0 and removed_by_user(store)
        assert not rows(sample_db, "SELECT * FROM places")


def test_delete_and_replace_change_the_revision_the_caches_are_keyed_on(dashboard_db):
    with Store.open(dashboard_db) as store:
        first = q.revision(store.conn)
        store.replace(fx.follow_up())
        second = q.revision(store.conn)
        store.delete_articles([HOSTILE])
        assert len({first, second, q.revision(store.conn)}) == 3


def test_replace_swaps_the_analysis_keeping_the_article(dashboard_db):
    others = article_rows(dashboard_db, HOSTILE)
    old = article_rows(dashboard_db, SEED)
    new = fx.seed_like()
    new.places = [m for m in new.places if m.text != "Moscow"]  # no Moscow any more
    new.places[1] = dc_replace(new.places[1], rule="new rule", score=0.5)
    new.actors = new.actors[:2]
    with Store.open(dashboard_db) as store:
        assert store.replace(new) is True
        assert store.replace(dc_replace(new, article=dc_replace(
            new.article, id="nope"))) is False
    after = article_rows(dashboard_db, SEED)
    assert after["articles"] == old["articles"]  # same fields, ingestion time and mark
    assert after["passages"] == old["passages"] and after["fts"] == old["fts"]
    assert len(after["places"]) == 10 and len(after["actors"]) == 2
    assert [r for r in after["places"] if r[3] == "Khasan"][0][6:8] == (0.5, "new rule")
    assert not rows(dashboard_db, "SELECT 1 FROM places WHERE id = ?", fx.MOSCOW.id)
    assert not rows(dashboard_db, "SELECT 1 FROM actors WHERE name = 'Lim Soo-suk'")
    assert article_rows(dashboard_db, HOSTILE) == others


def test_replace_keeps_the_sample_mark(sample_db):
    from geo.sample import load_sample
    from geo.store.sample import sample_count

    with Store.open(sample_db) as store:
        assert store.replace(load_sample()) is True
        assert sample_count(store) == 1


def test_a_replace_that_fails_leaves_the_old_analysis(dashboard_db):
    old = article_rows(dashboard_db, SEED)
    broken = fx.seed_like()
    broken.passages.append(broken.passages[0])  # the same passage id twice
    with Store.open(dashboard_db) as store:
        with pytest.raises(StoreError, match=SEED):
            store.replace(broken)
    assert article_rows(dashboard_db, SEED) == old


def geo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120)


def test_the_delete_command_deletes_and_names_unknown_ids(dashboard_db):
    run = geo("delete", SEED, "nope", "--db", dashboard_db)
    assert run.returncode == 0, run.stderr
    assert "deleted 1 article(s)" in run.stdout and "4 places, 2 actors" in run.stdout
    assert "error: nope: no such article" in run.stderr
    assert not rows(dashboard_db, "SELECT 1 FROM articles WHERE id = ?", SEED)
    assert len(rows(dashboard_db, "SELECT 1 FROM articles")) == 2
    again = geo("delete", SEED, "--db", dashboard_db)
    assert again.returncode == 1 and f"error: {SEED}: no such article" in again.stderr


def test_the_delete_command_refuses_a_read_only_store(dashboard_db):
    run = geo("delete", SEED, "--db", read_only_url(dashboard_db))
    assert run.returncode == 2
    assert "read-only" in run.stderr and "Traceback" not in run.stderr
    assert rows(dashboard_db, "SELECT 1 FROM articles WHERE id = ?", SEED)
