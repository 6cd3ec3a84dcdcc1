"""The SQLite store: migrations, one transaction per article, idempotent saves."""
from __future__ import annotations

import sqlite3

import pytest

from geo.errors import StoreError
from geo.models import (
    ActorMention, AnalyzedArticle, Article, Candidate, GazetteerEntry, Passage, PlaceMention,
)
from geo.store import Store, sqlite_path
from geo.store.schema import MIGRATIONS, schema_version

KHASAN = GazetteerEntry(id="cur:khasan", name="Khasan", lat=42.43, lon=130.64, kind="city",
                        country_code="RU")
HASSAN = GazetteerEntry(id="gn:1270216", name="Hassan", lat=13.0, lon=76.1, kind="city",
                        country_code="IN", population=155000)


def analyzed(article_id: str = "a1", *, text: str = "Kim arrived in Khasan.") -> AnalyzedArticle:
    art = Article(id=article_id, text=text, title="T", published="2023-09-12")
    p = Passage(id=f"{article_id}-p0", article_id=article_id, index=0, start=0,
                end=len(text), text=text)
    place = PlaceMention(start=15, end=21, text="Khasan", passage_id=p.id, place=KHASAN,
                         score=0.9, rule="document country",
                         alternatives=[Candidate(HASSAN, 0.1)])
    actor = ActorMention(start=0, end=3, text="Kim", label="PERSON", passage_id=p.id,
                         canonical="Kim Jong-un")
    return AnalyzedArticle(article=art, passages=[p], places=[place], actors=[actor])


def test_save_then_resave_adds_nothing(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        assert store.save(analyzed()) is True
        assert store.save(analyzed()) is False
        assert store.article_count() == 1
        counts = [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("passages", "place_mentions", "actor_mentions", "actors")]
        assert counts == [1, 1, 1, 1]
        # the rejected candidate is kept, so a user can see and pick it
        alts = store.conn.execute("SELECT alternatives FROM place_mentions").fetchone()[0]
        assert "gn:1270216" in alts


def test_same_actor_across_articles_is_one_row(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        store.save(analyzed("a1"))
        store.save(analyzed("a2", text="Kim arrived in Khasan!"))
        assert store.conn.execute("SELECT count(*) FROM actors").fetchone()[0] == 1
        assert store.conn.execute("SELECT count(*) FROM actor_mentions").fetchone()[0] == 2


def test_failed_save_leaves_nothing_half_written(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        store.save(analyzed("a1"))
        bad = analyzed("a2")
        bad.passages.append(bad.passages[0])  # duplicate passage id: the insert fails
        with pytest.raises(StoreError, match="a2"):
            store.save(bad)
        assert not store.has_article("a2")
        assert store.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 1
        assert store.has_article("a1")


def test_migrations_are_applied_once_and_recorded(tmp_path):
    path = str(tmp_path / "s.sqlite")
    Store.open(path).close()
    with Store.open(path) as store:
        assert schema_version(store.conn) == len(MIGRATIONS)
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_read_only_store_refuses_writes(tmp_path):
    path = str(tmp_path / "s.sqlite")
    with Store.open(path) as store:
        store.save(analyzed())
    with Store.open(path, read_only=True) as ro:
        assert ro.article_count() == 1
        with pytest.raises(sqlite3.OperationalError):
            ro.conn.execute("DELETE FROM articles")


def test_store_urls():
    assert sqlite_path("sqlite:///tmp/x.db") == "tmp/x.db"
    assert sqlite_path("sqlite:////tmp/x.db") == "/tmp/x.db"
    assert sqlite_path("x.db") == "x.db"
    with pytest.raises(StoreError, match="unsupported"):
        sqlite_path("mysql://host/db")
