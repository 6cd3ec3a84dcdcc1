"""The built-in sample the dashboard shows on a fresh clone."""
from __future__ import annotations

import pytest

from geo.sample import analyze_sample, ensure_sample, load_sample
from geo.serialize import to_dict
from geo.store import Store
from geo.store.sample import sample_count


def test_sample_loads_into_an_empty_store_once(store_url):
    with Store.open(store_url) as store:
        assert ensure_sample(store) is True
        assert ensure_sample(store) is False
        assert store.article_count() == 1


def test_sample_is_not_added_to_a_store_that_has_articles(store_url):
    from tests.test_store import analyzed

    with Store.open(store_url) as store:
        store.save(analyzed())
        assert ensure_sample(store) is False
        assert store.article_count() == 1


def test_shipped_sample_has_the_known_facts():
    a = load_sample()
    assert a.article.title.startswith("North Korea's Kim Jong-un arrives in Russia")
    assert a.article.published == "2023-09-12" and a.article.source == "CBC News"
    khasan = [m for m in a.places if m.text == "Khasan"]
    assert khasan and all(m.place.country_code == "RU" for m in khasan)


@pytest.mark.gazetteer
@pytest.mark.model
def test_shipped_sample_matches_what_the_pipeline_produces_today(pipeline):
    """If this fails, the pipeline changed: run `python -m geo sample --rebuild` and commit."""
    fresh = to_dict(analyze_sample(pipeline))
    shipped = to_dict(load_sample())
    assert fresh["places"] == shipped["places"]
    assert fresh["actors"] == shipped["actors"]
    assert fresh["passages"] == shipped["passages"]


# -- the sample is marked, removable, and loaded only on request ------------------------

def _counts(db: str) -> dict[str, int]:
    with Store.open(db) as store:
        return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "passages", "passages_fts", "place_mentions",
                          "actor_mentions", "places", "actors")}


def test_sample_cli_loads_and_removes_the_sample_and_all_it_brought(tmp_path):
    from tests.test_cli_store import geo

    db = str(tmp_path / "mine.sqlite")
    run = geo("sample", "--load", "--db", db)
    assert run.returncode == 0, run.stderr
    assert "loaded the built-in sample" in run.stdout and "--remove --db" in run.stdout
    loaded = _counts(db)
    assert loaded["articles"] == 1 and loaded["places"] > 10 and loaded["actors"] > 5
    with Store.open(db) as store:
        assert sample_count(store) == 1
    assert "already in the store" in geo("sample", "--load", "--db", db).stdout

    run = geo("sample", "--remove", "--db", db)
    assert run.returncode == 0, run.stderr
    assert (f"removed the built-in sample from the store {db}: 1 article,"
            f" {loaded['passages']} passages, {loaded['place_mentions']} place mentions,"
            f" {loaded['actor_mentions']} actor mentions, {loaded['places']} places,"
            f" {loaded['actors']} actors") in run.stdout
    assert set(_counts(db).values()) == {0}

    again = geo("sample", "--remove", "--db", db)
    assert again.returncode == 0 and "not in the store" in again.stdout
    assert "nothing removed" in again.stdout


def test_removing_the_sample_keeps_the_users_articles_and_what_they_share(tmp_path):
    from geo.sample import add_sample
    from tests.test_cli_store import geo
    from tests.test_store import analyzed

    db = str(tmp_path / "s.sqlite")
    with Store.open(db) as store:
        store.save(analyzed("mine1"))  # Khasan (Hassan rejected), Kim Jong-un
        add_sample(store)
        store.save(analyzed("mine2", text="Kim arrived in Khasan!"))
    assert geo("sample", "--remove", "--db", db).returncode == 0
    with Store.open(db) as store:
        c = store.conn
        assert [r[0] for r in c.execute("SELECT id FROM articles ORDER BY id")] == \
            ["mine1", "mine2"]
        assert {r[0] for r in c.execute("SELECT name FROM places")} == {"Khasan", "Hassan"}
        assert [r[0] for r in c.execute("SELECT name FROM actors")] == ["Kim Jong-un"]
        assert c.execute("SELECT count(*) FROM passages_fts").fetchone()[0] == 2
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_sample_is_not_loaded_again_after_its_removal_until_asked(tmp_path):
    from geo.sample import add_sample
    from geo.store.sample import remove_sample

    with Store.open(str(tmp_path / "s.sqlite")) as store:
        assert ensure_sample(store) is True
        assert remove_sample(store).articles == 1
        assert ensure_sample(store) is False and store.article_count() == 0
        assert add_sample(store) is True
        assert remove_sample(store).articles == 1
        assert add_sample(store) is True and sample_count(store) == 1


def test_sample_cli_needs_one_action_and_refuses_a_read_only_store(tmp_path):
    from tests.test_cli_store import geo

    run = geo("sample")
    assert run.returncode == 2 and "--load" in run.stderr and "--remove" in run.stderr
    run = geo("sample", "--rebuild", "--db", str(tmp_path / "s.sqlite"))
    assert run.returncode != 0 and "--db applies to --load and --remove" in run.stderr
    db = tmp_path / "s.sqlite"
    assert geo("sample", "--load", "--db", str(db)).returncode == 0
    run = geo("sample", "--remove", "--db", f"sqlite:///{db}?mode=ro")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "cannot remove the sample from the store" in run.stderr and "read-only" in run.stderr
    assert _counts(str(db))["articles"] == 1


def test_only_the_unnamed_default_store_is_the_default(monkeypatch):
    from geo.store import DEFAULT_DB, is_default_store

    monkeypatch.delenv("NEWS_ATLAS_DB", raising=False)
    assert is_default_store(str(DEFAULT_DB))
    assert not is_default_store("/tmp/mine.sqlite")
    monkeypatch.setenv("NEWS_ATLAS_DB", str(DEFAULT_DB))  # named, even if the same file
    assert not is_default_store(str(DEFAULT_DB))


@pytest.mark.gazetteer
@pytest.mark.model
def test_after_ingesting_and_removing_the_sample_only_the_users_articles_remain(tmp_path):
    from tests.test_cli_store import GOOD, geo

    db = str(tmp_path / "s.sqlite")
    assert geo("sample", "--load", "--db", db).returncode == 0
    (tmp_path / "mine.txt").write_text(GOOD, encoding="utf-8")
    run = geo("ingest", str(tmp_path / "mine.txt"), "--db", db)
    assert run.returncode == 0, run.stderr
    assert f"python -m geo sample --remove --db {db}" in run.stderr  # the hint
    assert geo("sample", "--remove", "--db", db).returncode == 0
    with Store.open(db) as store:
        titles = [r[0] for r in store.conn.execute("SELECT title FROM articles")]
        places = {r[0] for r in store.conn.execute(
            "SELECT p.name FROM places p JOIN place_mentions m ON m.place_id = p.id")}
    assert titles == ["Floods in Bulacan"]
    assert "Bulacan" in places and "Khasan" not in places
