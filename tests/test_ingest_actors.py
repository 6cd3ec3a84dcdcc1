"""Actors fold across two articles ingested with the real model (`python -m geo ingest`):
"Kim Jong Un" and "Kim Jong-un" are one actor, Kim Yo-jong and Hunter Biden stay apart."""
from __future__ import annotations

import pytest

from geo.cli import main
from geo.store import Store
from tests.actor_articles import actor_counts

pytestmark = [pytest.mark.gazetteer, pytest.mark.model]

ONE = """Kim Jong Un meets Putin

North Korean leader Kim Jong Un met Russian President Vladimir Putin at the Vostochny \
Cosmodrome on Wednesday. Kim Jong Un arrived by armoured train from Pyongyang.

Joe Biden said in Washington that the United States was watching the summit closely.
"""
TWO = """Sister speaks for Pyongyang

Kim Yo-jong, the sister of leader Kim Jong-un, said in Pyongyang on Friday that Seoul had \
no say in the talks. Kim Jong-un has not spoken publicly since his return.

Hunter Biden, the son of the American president, was in Los Angeles. Vladimir V. Putin \
said in Moscow that the visit was a success.
"""


def test_two_ingested_articles_share_their_actors_but_not_their_surnames(tmp_path):
    (tmp_path / "one.txt").write_text(ONE, encoding="utf-8")
    (tmp_path / "two.txt").write_text(TWO, encoding="utf-8")
    db = str(tmp_path / "s.sqlite")
    assert main(["ingest", str(tmp_path / "one.txt"), "--db", db]) == 0
    assert main(["ingest", str(tmp_path / "two.txt"), "--db", db]) == 0
    with Store.open(db) as store:
        counts = actor_counts(store)
        per_article = dict(store.conn.execute(
            "SELECT a.name, count(DISTINCT m.article_id) FROM actors a JOIN actor_mentions m"
            " ON m.actor_id = a.id GROUP BY a.id").fetchall())
    kims = [name for name, _ in counts if name.startswith("Kim Jong")]
    assert len(kims) == 1 and per_article[kims[0]] == 2  # one actor, in both articles
    assert per_article["Vladimir Putin"] == 2  # "Vladimir V. Putin" folded in
    assert counts[("Kim Yo-jong", "PERSON")] == 1
    assert counts[("Joe Biden", "PERSON")] == 1 and counts[("Hunter Biden", "PERSON")] == 1
