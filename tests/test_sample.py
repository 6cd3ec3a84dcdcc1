"""The built-in sample the dashboard shows on a fresh clone."""
from __future__ import annotations

import pytest

from geo.sample import analyze_sample, ensure_sample, load_sample
from geo.serialize import to_dict
from geo.store import Store


def test_sample_loads_into_an_empty_store_once(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        assert ensure_sample(store) is True
        assert ensure_sample(store) is False
        assert store.article_count() == 1


def test_sample_is_not_added_to_a_store_that_has_articles(tmp_path):
    from tests.test_store import analyzed

    with Store.open(str(tmp_path / "s.sqlite")) as store:
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
    """If this fails, the pipeline changed: run `python -m geo sample` and commit."""
    fresh = to_dict(analyze_sample(pipeline))
    shipped = to_dict(load_sample())
    assert fresh["places"] == shipped["places"]
    assert fresh["actors"] == shipped["actors"]
    assert fresh["passages"] == shipped["passages"]
