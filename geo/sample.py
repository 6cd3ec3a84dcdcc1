"""The built-in sample: the CBC News report the project started from.

It is a demo, not the user's data. ``streamlit run dashboard.py`` loads it only into
an empty *default* store (``data/news_atlas.sqlite``, when neither ``NEWS_ATLAS_DB``
nor ``--db`` names one), marked as the sample (``articles.sample``), and says so;
``python -m geo sample --remove`` (:func:`geo.store.sample.remove_sample`) takes it
out again, ``--load`` puts it into any store on request. A store named by the user
never gets it silently.

Its analysis is shipped pre-computed (``geo/data/sample/seed-article.analysis.json``),
so loading it needs neither the spaCy model nor the gazetteer; ``python -m geo sample
--rebuild`` re-analyses the text with the current pipeline and rewrites that file, and
a test checks that the shipped file matches what the pipeline produces today.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from geo.models import AnalyzedArticle
from geo.serialize import from_dict, to_dict

if TYPE_CHECKING:
    from geo.pipeline import Pipeline
    from geo.store import Store

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "sample"
SAMPLE_TEXT = SAMPLE_DIR / "seed-article.txt"
SAMPLE_ANALYSIS = SAMPLE_DIR / "seed-article.analysis.json"
SAMPLE_SOURCE = "CBC News"


def analyze_sample(pipeline: "Pipeline") -> AnalyzedArticle:
    """Read and analyse the sample text with ``pipeline``."""
    from geo.readers import read_articles

    result = read_articles([SAMPLE_TEXT])
    article = result.articles[0]
    article.source = SAMPLE_SOURCE
    article.path = "geo/data/sample/seed-article.txt"
    return pipeline.analyze(article)


def load_sample() -> AnalyzedArticle:
    """The shipped analysis of the sample article."""
    return from_dict(json.loads(SAMPLE_ANALYSIS.read_text(encoding="utf-8")))


def ensure_sample(store: "Store") -> bool:
    """Load the sample into ``store`` when the store is empty and the user has not
    removed the sample from it before; True if it did."""
    from geo.store.sample import removed_by_user

    if store.article_count() or removed_by_user(store):
        return False
    return store.save(load_sample(), sample=True)


def add_sample(store: "Store") -> bool:
    """Load the sample into ``store`` on request (empty or not); False when its article
    is already stored."""
    from geo.store.sample import forget_removal

    added = store.save(load_sample(), sample=True)
    forget_removal(store)
    return added


def rebuild_sample(pipeline: "Pipeline | None" = None) -> Path:
    """Re-analyse the sample and rewrite the shipped analysis file."""
    from geo.pipeline import default_pipeline

    analyzed = analyze_sample(pipeline or default_pipeline())
    SAMPLE_ANALYSIS.write_text(
        json.dumps(to_dict(analyzed), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return SAMPLE_ANALYSIS
