"""The pipeline: Article -> passages -> places, demonyms and actors -> AnalyzedArticle.

Services (gazetteer, spaCy pipeline) are passed in; :func:`default_pipeline` builds
the usual ones. Each passage is analysed on its own (``nlp.pipe`` over the passages of
a few articles at a time, the article-level components disabled), and mention offsets
are mapped back into the article text. Then the article-level components of
:mod:`geo.toponyms.recognize` run over the article's mentions, in pipeline order
(``nlp.pipe_names``), and resolution and actors follow.

Memory stays bounded whatever the article's size: passages are never longer than
``geo.passages.HARD_MAX_CHARS``, each spaCy ``Doc`` is turned into plain mentions as
soon as spaCy yields it and then dropped (only a batch of docs exists at a time), and
the article-level steps (one sense per document, resolution, actors) read those
mentions, not the docs. An article gives at most :data:`MAX_MENTIONS` place mentions
and as many actor mentions: the passages after the one that would pass either are not
analysed, and the result carries a warning naming the article.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Iterator, TypeVar

from geo.actors import canonicalize_actors
from geo.languages import DEFAULT_LANGUAGE, PipelineByLanguage
from geo.models import ActorMention, AnalyzedArticle, Article, Passage, PlaceMention
from geo.passages import split_passages
from geo.resolve import Resolver
from geo.toponyms.home import Homes, load_homes
from geo.toponyms.labels import load_language_nlp
from geo.toponyms.lexicon import lexicon
from geo.toponyms.recognize import (ArticleMentions, actor_mentions, article_components,
                                    place_mentions)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from geo.gazetteer import Gazetteer
    from geo.settings import Settings
    from geo.store import Store

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Place mentions (places and demonyms) kept per article, and apart actor mentions: a
# 5 MB article of news sentences reaches it within its first ~400 kB; ordinary
# articles stay far below it (GeoVirus and GeoWebNews: at most a few hundred).
MAX_MENTIONS = 5_000


@dataclass
class Pipeline:
    """Analyses articles with the given gazetteer and spaCy pipeline."""

    gazetteer: "Gazetteer"
    nlp: "Language"
    resolver: Resolver
    batch_size: int = 64  # passages per spaCy batch
    # and characters per batch: spaCy needs ~3 kB per character of a batch (64 passages
    # of 2,000 characters cost +400 MB); news batches stay under 16,000 (GeoWebNews)
    batch_chars: int = 25_000
    # articles whose passages go through spaCy together: 4 gains most of the speed of
    # bigger batches (GeoVirus 13.7 s -> 10.1 s) for +20 MB; 32 would cost +210 MB
    articles_per_batch: int = 4
    max_mentions: int = MAX_MENTIONS  # per article, places and actors each
    homes: Homes | None = None  # the sources' home regions (geo.toponyms.home)

    def analyze(self, article: Article) -> AnalyzedArticle:
        return next(iter(self.analyze_many([article])))

    def analyze_many(self, articles: Iterable[Article]) -> Iterator[AnalyzedArticle]:
        """Analyse articles lazily, in order; the passages of several articles at a time
        go through spaCy together, so its batches stay full."""
        for chunk in _chunks(articles, self.articles_per_batch):
            found = [_Found(article, split_passages(article)) for article in chunk]

            def texts() -> Iterator[tuple[str, tuple[int, Passage]]]:
                for i, f in enumerate(found):
                    for passage in f.passages:
                        if f.full:  # no more of an article that reached the cap
                            break
                        yield passage.text, (i, passage)

            done = 0
            for doc, (i, passage) in self._docs(texts()):
                for _ in range(done, i):  # the articles before this one are complete
                    yield self._finish(found[done])
                    done += 1
                found[i].add(doc, passage, cap=self.max_mentions)
            for f in found[done:]:
                yield self._finish(f)

    def _docs(self, items: Iterator[tuple[str, _T]]) -> Iterator[tuple["Doc", _T]]:
        """spaCy's doc of each text (the passage-level components), with its context, in
        batches of at most ``batch_size`` texts and ``batch_chars`` characters (one text
        at least)."""
        article_level = [name for name, _ in article_components(self.nlp)]
        for batch in _batches(items, size=self.batch_size, chars=self.batch_chars):
            docs = self.nlp.pipe([text for text, _ in batch], batch_size=len(batch),
                                 disable=article_level)
            yield from zip(docs, (context for _, context in batch))

    def _finish(self, found: "_Found") -> AnalyzedArticle:
        """The article-level steps over the mentions of one article's passages."""
        article, passages = found.article, found.passages
        if not article.language:  # undeclared: this pipeline's (PipelineByLanguage decides)
            article = replace(article, language=self.nlp.lang)
        mentions = ArticleMentions(text=article.text, passages=passages[:found.analysed],
                                   places=found.places, actors=found.actors)
        for _, component in article_components(self.nlp):
            component.article(mentions)
        places, actors, aliases = mentions.places, mentions.actors, mentions.aliases
        warnings = found.warnings(self.max_mentions)
        if len(places) > self.max_mentions:  # names repeated in the analysed passages
            places = places[:self.max_mentions]
            if not warnings:
                warnings.append(f"{_name(article)}: more than {self.max_mentions:,} place "
                                f"mentions: only the first {self.max_mentions:,} are kept")
        for warning in warnings:
            log.info("%s", warning)  # the command line prints AnalyzedArticle.warnings
        home = self.homes.of(article.source) if self.homes else None
        self.resolver.resolve(places, article.text, aliases=aliases, home=home)
        if self.homes:
            self.homes.learn(article.source, places)
        taken = {(m.start, m.end) for m in places}
        names = {m.text for m in places if m.place is not None}
        actors = canonicalize_actors(actors, text=article.text, exclude_spans=taken,
                                     place_names=names)
        return AnalyzedArticle(article=article, passages=passages, places=places,
                               actors=actors, warnings=warnings)


@dataclass
class _Found:
    """The raw mentions of one article's passages, gathered doc by doc as spaCy yields
    them (no ``Doc`` is kept); ``analysed`` passages, a prefix, gave them."""

    article: Article
    passages: list[Passage]
    places: list[PlaceMention] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    analysed: int = 0
    full: bool = False  # the mention cap was reached: later passages are not analysed

    def add(self, doc: "Doc", passage: Passage, *, cap: int) -> None:
        if self.full:
            return
        places = place_mentions(doc, passage)
        actors = actor_mentions(doc, passage)
        if len(self.places) + len(places) > cap or len(self.actors) + len(actors) > cap:
            self.full = True
            return
        self.places.extend(places)
        self.actors.extend(actors)
        self.analysed += 1

    def warnings(self, cap: int) -> list[str]:
        if not self.full:
            return []
        rest = self.passages[self.analysed]
        return [f"{_name(self.article)}: more than {cap:,} place or actor mentions: only "
                f"the first {self.analysed:,} of {len(self.passages):,} passages were "
                f"analysed (up to character {rest.start:,} of {len(self.article.text):,})"]


def _name(article: Article) -> str:
    """How a message names an article: where it was read from, else its id."""
    return article.path or article.title or article.id


def _batches(items: Iterable[tuple[str, _T]], *, size: int, chars: int
             ) -> Iterator[list[tuple[str, _T]]]:
    batch: list[tuple[str, _T]] = []
    total = 0
    for item in items:
        if batch and (len(batch) >= size or total + len(item[0]) > chars):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += len(item[0])
    if batch:
        yield batch


def _chunks(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    chunk: list[Article] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def default_pipeline(*, gazetteer: "Gazetteer | None" = None, progress: bool = True,
                     settings: "Settings | None" = None, store: "Store | None" = None,
                     sources: str | None = None) -> PipelineByLanguage:
    """The pipeline users run: the built (or first-use built) gazetteer and, per
    language (:mod:`geo.languages`), its sm model and lexicon, loaded when the first
    article in that language comes (English at once), and the online geocoder the
    settings (default: :func:`geo.settings.load`) name, its answers cached in ``store``
    when one is given. Sources' home regions come from the ``sources`` file (default:
    the ``sources`` setting) and are learned from ``store`` and the articles analysed,
    one record for every language."""
    from geo.gazetteer import ensure_gazetteer
    from geo.geocoders import candidate_source
    from geo.settings import load

    settings = settings or load()
    gaz = gazetteer or ensure_gazetteer(progress=progress)
    homes = load_homes(sources or settings.sources, gaz, store=store)

    def make(lang: str) -> Pipeline:
        names = gaz.for_language(lang)  # its own names too ("Corée du Nord")
        nlp = load_language_nlp(names, lang)
        source = candidate_source(names, settings, store=store)
        return Pipeline(gazetteer=names, nlp=nlp,
                        resolver=Resolver(names, source=source, lexicon=lexicon(lang)),
                        homes=homes)

    pipeline = PipelineByLanguage(make, homes=homes)
    pipeline.pipeline(DEFAULT_LANGUAGE)  # loaded now: a missing model fails here
    return pipeline
