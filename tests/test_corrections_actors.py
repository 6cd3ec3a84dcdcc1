"""Actor corrections (geo.corrections_actors): merge, split, rename, not an actor; each
applied at once, kept in the store, re-applied when an article is stored again or added
later, and undone."""
from __future__ import annotations

import json

import pytest

from geo import corrections_actors as ca
from geo.errors import InputError, StoreFaultError
from geo.store import Store
from geo.store.filters import Filters
from geo.store.queries import all_actors, article_actor_mentions, place_counts
from tests.actor_articles import actor_counts, article, delete_article

P = "PERSON"


def obama(aid: str = "a1") -> object:
    return article(aid, f"Barack Obama spoke. Obama smiled ({aid}).",
                   ("Barack Obama", "Barack Obama", P), ("Obama", "Obama", P))


def kims() -> object:
    """An article whose analysis folded Kim Yo-jong into Kim Jong-un (to split)."""
    return article("a2", "Kim Jong-un and Kim Yo-jong. Medvedev Approves Treaties.",
                   ("Kim Jong-un", "Kim Jong-un", P), ("Kim Yo-jong", "Kim Jong-un", P),
                   ("Medvedev Approves Treaties", "Medvedev Approves Treaties", P))


def later(aid: str = "a9") -> object:
    return article(aid, "Obama and Medvedev Approves Treaties and Kim and Kim.",
                   ("Obama", "Obama", P),
                   ("Medvedev Approves Treaties", "Medvedev Approves Treaties", P),
                   ("Kim", "Kim Jong-un", P), ("Kim", "Kim Jong-un", P))


@pytest.fixture()
def db(store_url):
    """Two articles' actors, on each back end (tests/conftest.py)."""
    path = store_url
    with Store.open(path) as store:
        store.save(obama("a1"))
        store.save(kims())
    return path


def readd(store: Store, analyzed) -> None:
    delete_article(store, analyzed.article.id)
    assert store.save(analyzed)


def test_merge_applies_persists_reapplies_and_undoes(db):
    with Store.open(db) as store:
        cid = ca.merge_actors(store, ("Obama", P), ("Barack Obama", P))
        assert actor_counts(store)[("Barack Obama", P)] == 2
        assert ("Obama", P) not in actor_counts(store)
    with Store.open(db) as store:  # persisted
        assert actor_counts(store)[("Barack Obama", P)] == 2
        readd(store, obama("a1"))  # re-analysed: the rule applies again
        assert actor_counts(store)[("Barack Obama", P)] == 2
        store.save(later())  # a later article
        assert actor_counts(store)[("Barack Obama", P)] == 3
        assert "Obama" not in [r["name"] for r in all_actors(store.conn)]
        ca.undo(store, cid)
        counts = actor_counts(store)
        assert counts[("Barack Obama", P)] == 1 and counts[("Obama", P)] == 2
        row = store.conn.execute("SELECT undone_at FROM corrections WHERE id = ?",
                                 (cid,)).fetchone()
        assert row[0]


def test_rename_applies_to_every_article_and_undoes(db):
    with Store.open(db) as store:
        cid = ca.rename_actor(store, ("Kim Jong-un", P), "Kim Jong Un (DPRK)")
        assert actor_counts(store)[("Kim Jong Un (DPRK)", P)] == 2
        store.save(later())
        readd(store, kims())
        assert actor_counts(store)[("Kim Jong Un (DPRK)", P)] == 4
        assert ("Kim Jong-un", P) not in actor_counts(store)
    with Store.open(db) as store:  # persisted
        assert actor_counts(store)[("Kim Jong Un (DPRK)", P)] == 4
        ca.undo(store, cid)
        assert actor_counts(store)[("Kim Jong-un", P)] == 4
        assert ("Kim Jong Un (DPRK)", P) not in actor_counts(store)


def test_not_an_actor_leaves_the_lists_and_the_filter(db):
    with Store.open(db) as store:
        cid = ca.mark_not_actor(store, ("Medvedev Approves Treaties", P))
        names = [r["name"] for r in all_actors(store.conn)]
        assert "Medvedev Approves Treaties" not in names
        # the actor filter admits none of its old passages' mentions
        assert place_counts(store.conn, Filters(actors=("Medvedev Approves Treaties",))) == []
    with Store.open(db) as store:  # persisted
        assert ("Medvedev Approves Treaties", P) not in actor_counts(store)
        store.save(later())
        readd(store, kims())
        assert "Medvedev Approves Treaties" not in [r["name"] for r in all_actors(store.conn)]
        assert [m["text"] for m in article_actor_mentions(store.conn, "a9")] == \
            ["Obama", "Kim", "Kim"]
        ca.undo(store, cid)
        assert actor_counts(store)[("Medvedev Approves Treaties", P)] == 2


def test_split_moves_the_chosen_mentions_out_and_survives_reanalysis(db):
    with Store.open(db) as store:
        # the analysis folded "Kim Yo-jong" into Kim Jong-un: move that mention out
        text = store.conn.execute("SELECT text FROM articles WHERE id = 'a2'").fetchone()[0]
        start = text.index("Kim Yo-jong")
        ids = ca.split_actor(store, ("Kim Jong-un", P), [("a2", start, start + 11)],
                             ("Kim Yo-jong", P))
        assert actor_counts(store)[("Kim Jong-un", P)] == 1
        assert actor_counts(store)[("Kim Yo-jong", P)] == 1
    with Store.open(db) as store:  # persisted
        assert actor_counts(store)[("Kim Yo-jong", P)] == 1
        readd(store, kims())
        assert actor_counts(store)[("Kim Yo-jong", P)] == 1
        store.save(later())  # keyed on this mention only: a later article is not split
        assert actor_counts(store)[("Kim Jong-un", P)] == 3
        assert ("Kim Yo-jong", P) in actor_counts(store)
        ca.undo(store, ids[0])
        assert actor_counts(store)[("Kim Jong-un", P)] == 4
        assert ("Kim Yo-jong", P) not in actor_counts(store)


def test_undo_keeps_the_corrections_made_after(db):
    """Merge "Obama" into "Barack Obama", then rename "Barack Obama": undoing the merge
    brings "Obama" back and keeps the rename."""
    with Store.open(db) as store:
        merge = ca.merge_actors(store, ("Obama", P), ("Barack Obama", P))
        ca.rename_actor(store, ("Barack Obama", P), "Barack H. Obama")
        assert actor_counts(store)[("Barack H. Obama", P)] == 2
        ca.undo(store, merge)
        counts = actor_counts(store)
        assert counts[("Barack H. Obama", P)] == 1 and counts[("Obama", P)] == 1


def test_a_read_only_store_refuses_corrections(db):
    with Store.open(db, read_only=True) as store:
        with pytest.raises(StoreFaultError, match="read-only"):
            ca.merge_actors(store, ("Obama", P), ("Barack Obama", P))


def test_bad_corrections_are_refused_with_the_reason(db):
    with Store.open(db) as store:
        with pytest.raises(ValueError, match="into itself"):
            ca.merge_actors(store, ("Obama", P), ("Obama", P))
        with pytest.raises(ValueError, match="empty"):
            ca.rename_actor(store, ("Obama", P), "  ")
        with pytest.raises(ValueError, match="at least one mention"):
            ca.split_actor(store, ("Obama", P), [], ("X", P))
        assert store.conn.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def test_descriptions_are_plain_words(db):
    with Store.open(db) as store:
        ca.merge_actors(store, ("Obama", P), ("Barack Obama", P))
        ca.rename_actor(store, ("Kim Jong-un", P), "Kim Jong Un")
        ca.mark_not_actor(store, ("Medvedev Approves Treaties", P))
        ca.split_actor(store, ("Kim Jong Un", P), [("a2", 16, 27)], ("Kim Yo-jong", P))
        rows = store.conn.execute("SELECT * FROM corrections ORDER BY id").fetchall()
        assert [ca.describe_actor_correction(r) for r in rows] == [
            'Merged "Obama" (person) into "Barack Obama" (person), in every article',
            'Renamed "Kim Jong-un" (person) to "Kim Jong Un", in every article',
            'Marked "Medvedev Approves Treaties" (person) as not an actor, in every article',
            'Moved the mention "Kim Yo-jong" (characters 16-27 of article a2) out of'
            ' "Kim Jong Un" (person) into "Kim Yo-jong" (person)']


def test_export_and_import_move_corrections_to_another_store(db, tmp_path):
    with Store.open(db) as store:
        ca.merge_actors(store, ("Obama", P), ("Barack Obama", P), author="ed")
        ca.split_actor(store, ("Kim Jong-un", P), [("a2", 16, 27)], ("Kim Yo-jong", P))
        gone = ca.mark_not_actor(store, ("Medvedev Approves Treaties", P))
        ca.undo(store, gone)
        records = [json.loads(json.dumps(ca.actor_correction_json(r))) for r in
                   store.conn.execute("SELECT * FROM corrections ORDER BY id")]
    assert records[0]["old_value"] == {"name": "Obama", "kind": P}
    assert records[0]["new_value"] == {"name": "Barack Obama", "kind": P}
    assert records[0]["author"] == "ed" and records[1]["start"] == 16
    assert ca.describe_actor_correction(records[0]).startswith('Merged "Obama"')
    with Store.open(str(tmp_path / "other.sqlite")) as other:
        other.save(obama("a1"))
        other.save(kims())
        with other.conn:
            added = [ca.add_actor_correction(other.conn, r, where="fixes.jsonl", line=i)
                     for i, r in enumerate(records, 1)]
            again = [ca.add_actor_correction(other.conn, r) for r in records]
        assert added[2] is None and again == [None, None, None]  # undone, duplicates
        assert actor_counts(other) == {
            ("Barack Obama", P): 2, ("Kim Jong-un", P): 1, ("Kim Yo-jong", P): 1,
            ("Medvedev Approves Treaties", P): 1}
        with pytest.raises(InputError, match=r"fixes.jsonl:3: actor correction: unknown"):
            ca.add_actor_correction(other.conn, {**records[0], "action": "explode"},
                                    where="fixes.jsonl", line=3)


def test_a_correction_changes_the_revision_the_dashboard_caches_by(db):
    from geo.store.queries import revision

    with Store.open(db) as store:
        before = revision(store.conn)
        cid = ca.merge_actors(store, ("Obama", P), ("Barack Obama", P))
        merged = revision(store.conn)
        ca.undo(store, cid)
        assert len({before, merged, revision(store.conn)}) == 3
