"""Actors fold across articles at ingest: spelling variants are one actor, two people
who share a surname stay two (geo.actors.fold_key / same_person / pick_fold, and the
store's actors.key)."""
from __future__ import annotations

import sqlite3

import pytest

from geo.actors import fold_key, pick_fold, same_person
from geo.store import Store
from geo.store.schema import MIGRATIONS, migrate, statements
from tests.actor_articles import actor_counts, article

P = "PERSON"


@pytest.mark.parametrize("a, b", [
    ("Kim Jong Un", "Kim Jong-un"), ("Vladimir V. Putin", "Vladimir Putin"),
    ("KIM JONG UN", "Kim Jong-un"), ("José Martí", "Jose Marti"),
])
def test_spelling_variants_are_one_person(a, b):
    assert fold_key(a) == fold_key(b)
    assert same_person(a, b) and pick_fold(a, [b]) == b


@pytest.mark.parametrize("a, b", [
    ("Kim Jong-un", "Kim Yo-jong"), ("Joe Biden", "Hunter Biden"), ("Biden", "Joe Biden"),
    ("George W. Bush", "George H. W. Bush"), ("Kim", "Kim Jong-un"),
])
def test_people_who_share_a_surname_are_two(a, b):
    assert not same_person(a, b)
    assert pick_fold(a, [b]) is None and pick_fold(b, [a]) is None


def test_a_name_without_initials_does_not_pick_between_two_initialled_names():
    assert pick_fold("George Bush", ["George W. Bush", "George H. W. Bush"]) is None
    assert pick_fold("George W. Bush", ["George Bush", "George H. W. Bush"]) is None
    assert pick_fold("George W Bush", ["George H. W. Bush", "George W. Bush"]) == \
        "George W. Bush"


def test_ingest_folds_spelling_variants_across_articles(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        store.save(article("a1", "Kim Jong-un met Vladimir Putin and Joe Biden.",
                           ("Kim Jong-un", "Kim Jong-un", P),
                           ("Vladimir Putin", "Vladimir Putin", P),
                           ("Joe Biden", "Joe Biden", P)))
        store.save(article("a2", "Kim Jong Un, Vladimir V. Putin, Kim Yo-jong and Hunter"
                           " Biden. Biden said no.",
                           ("Kim Jong Un", "Kim Jong Un", P),
                           ("Vladimir V. Putin", "Vladimir V. Putin", P),
                           ("Kim Yo-jong", "Kim Yo-jong", P),
                           ("Hunter Biden", "Hunter Biden", P),
                           ("Biden", "Hunter Biden", P)))  # folded within its article
        store.save(article("a3", "Biden spoke.", ("Biden", "Biden", P)))
        assert actor_counts(store) == {
            ("Kim Jong-un", P): 2, ("Vladimir Putin", P): 2, ("Joe Biden", P): 1,
            ("Kim Yo-jong", P): 1, ("Hunter Biden", P): 2, ("Biden", P): 1}
        plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT id FROM actors"
                                  " WHERE key = ? AND kind = ?", ("x", P)).fetchall()
        assert "actors_key" in " ".join(str(tuple(r)) for r in plan)


def test_the_same_name_as_a_person_and_an_organisation_stays_two(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        store.save(article("a1", "Hamas said.", ("Hamas", "Hamas", "ORG")))
        store.save(article("a2", "Hamas said.!", ("Hamas", "Hamas", P)))
        assert actor_counts(store) == {("Hamas", "ORG"): 1, ("Hamas", P): 1}


def test_the_migration_keys_stored_actors_and_folds_stored_variants(tmp_path):
    """A store made before folding (exact names only) gets actors.key, and the variants
    it stored as separate actors become one: the most mentioned one's name."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:6], start=1):
        for statement in statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.executescript("""
        INSERT INTO articles (id, text, ingested_at) VALUES ('a1', 'x', 't'), ('a2', 'y', 't');
        INSERT INTO actors (id, name, kind) VALUES (1, 'Kim Jong Un', 'PERSON'),
            (2, 'Kim Jong-un', 'PERSON'), (3, 'Kim Yo-jong', 'PERSON'), (4, 'KIM JONG UN', 'ORG');
        INSERT INTO actor_mentions (article_id, start, "end", text, actor_id) VALUES
            ('a1', 0, 3, 'Kim', 1), ('a2', 0, 3, 'Kim', 2), ('a2', 5, 8, 'Kim', 2),
            ('a2', 9, 12, 'Kim', 3), ('a1', 4, 8, 'KIM', 4);
    """)
    conn.commit()
    conn.close()
    with Store.open(str(path)) as store:
        assert actor_counts(store) == {("Kim Jong-un", P): 3, ("Kim Yo-jong", P): 1,
                                       ("KIM JONG UN", "ORG"): 1}
        keys = dict(store.conn.execute("SELECT name, key FROM actors").fetchall())
        assert keys["Kim Jong-un"] == "kim jong un"
        found = store.conn.execute("SELECT name, count(*) FROM actor_mentions_auto"
                                   " GROUP BY name ORDER BY name").fetchall()
        assert [tuple(r) for r in found] == [("KIM JONG UN", 1), ("Kim Jong Un", 1),
                                             ("Kim Jong-un", 2), ("Kim Yo-jong", 1)]
        # a later article's variant folds into the merged actor
        store.save(article("a3", "Kim Jong Un.", ("Kim Jong Un", "Kim Jong Un", P)))
        assert actor_counts(store)[("Kim Jong-un", P)] == 4


def test_migrating_twice_changes_nothing(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        store.save(article("a1", "Kim Jong-un.", ("Kim Jong-un", "Kim Jong-un", P)))
        assert migrate(store.conn) == len(MIGRATIONS)
        assert actor_counts(store) == {("Kim Jong-un", P): 1}
