"""The built-in sample: the CBC News report the project started from.

``streamlit run dashboard.py`` on a fresh clone shows it with no other step. Its
analysis is shipped pre-computed (``geo/data/sample/seed-article.analysis.json``), so
the dashboard loads it without the spaCy model or the gazetteer; ``python -m geo
sample`` re-analyses the text with the current pipeline and rewrites that file, and
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
    """Load the sample into ``store`` when the store is empty; True if it did."""
    if store.article_count():
        return False
    return store.save(load_sample())


def rebuild_sample(pipeline: "Pipeline | None" = None) -> Path:
    """Re-analyse the sample and rewrite the shipped analysis file."""
    from geo.pipeline import default_pipeline

    analyzed = analyze_sample(pipeline or default_pipeline())
    SAMPLE_ANALYSIS.write_text(
        json.dumps(to_dict(analyzed), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return SAMPLE_ANALYSIS
