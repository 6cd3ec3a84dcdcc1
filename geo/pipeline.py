"""The pipeline: Article -> passages -> places, demonyms and actors -> AnalyzedArticle.

Services (gazetteer, spaCy pipeline) are passed in; :func:`default_pipeline` builds
the usual ones. Each passage is analysed on its own (``nlp.pipe`` over the passages of
a few articles at a time), and mention offsets are mapped back into the article text.

Memory stays bounded whatever the article's size: passages are never longer than
``geo.passages.HARD_MAX_CHARS``, each spaCy ``Doc`` is turned into plain mentions as
soon as spaCy yields it and then dropped (only a batch of docs exists at a time), and
the article-level steps (one sense per document, resolution, actors) read those
mentions, not the docs. An article gives at most :data:`MAX_MENTIONS` place mentions
and as many actor mentions: the passages after the one that would pass either are not
analysed, and the result carries a warning naming the article.
"""
from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator, TypeVar

from geo.actors import canonicalize_actors
from geo.models import ActorMention, AnalyzedArticle, Article, Passage, PlaceMention
from geo.nlp import load_nlp, own_entries
from geo.passages import split_passages
from geo.resolve import Resolver
from geo.toponyms.home import Homes, load_homes
from geo.toponyms.lexicon import Lexicon, lexicon

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
        """spaCy's doc of each text, with its context, in batches of at most
        ``batch_size`` texts and ``batch_chars`` characters (one text at least)."""
        for batch in _batches(items, size=self.batch_size, chars=self.batch_chars):
            docs = self.nlp.pipe([text for text, _ in batch], batch_size=len(batch))
            yield from zip(docs, (context for _, context in batch))

    def _finish(self, found: "_Found") -> AnalyzedArticle:
        """The article-level steps over the mentions of one article's passages."""
        article, passages = found.article, found.passages
        lex = lexicon(self.nlp.lang)
        places, actors = _split_person_names(found.places, found.actors, self.gazetteer)
        places = _drop_disease_names(places, article.text, lex)
        aliases = _abbreviations(places, article.text)
        places = _propagate_names(places, actors, passages[:found.analysed],
                                  self.gazetteer, aliases, lex)
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
        places = list(_place_mentions(doc, passage))
        actors = list(_actor_mentions(doc, passage))
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


def _disease_name(lex: Lexicon) -> re.Pattern[str]:
    """One or two capitalised words before one of the lexicon's disease words."""
    return re.compile(r"\b([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)(?= (?:" + lex.disease_after + "))")


def _drop_disease_names(places: list[PlaceMention], text: str,
                        lex: Lexicon) -> list[PlaceMention]:
    """A name the article uses for a disease ("Ebola virus", "West Nile fever") is the
    disease wherever it stands alone in that article too ("cases of Ebola")."""
    diseases = set()
    for hit in _disease_name(lex).finditer(text):
        words = hit.group(1).split()
        if len(words) > 1 and words[0].lower() in lex.sentence_openers:  # "In Ebola virus"
            words = words[1:]
        diseases.add(" ".join(words))
    return [m for m in places if m.text not in diseases]


_ABBREVIATION = re.compile(r"\s*\(([A-Z][A-Z.]{1,7})\)")


def _abbreviations(places: list[PlaceMention], text: str) -> dict[str, str]:
    """Abbreviations the article defines for places: "New South Wales (NSW)"."""
    out = {}
    for m in places:
        hit = _ABBREVIATION.match(text, m.end) if m.kind == "place" else None
        if hit and hit.group(1).replace(".", "") == _initials(m.text):
            out[hit.group(1)] = m.text  # not "Corp. of America (PCA)"
    return out


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w[:1].isupper())


def _propagate_names(places: list[PlaceMention], actors: list[ActorMention],
                     passages: list[Passage], gazetteer: "Gazetteer",
                     aliases: dict[str, str], lex: Lexicon) -> list[PlaceMention]:
    """One sense per document for recognition too: a name found as a place in one
    passage (or an abbreviation the article defines for one) is a place wherever else
    the article repeats it, unless that occurrence is inside a person's or
    organisation's name ("Aurora University")."""
    names = {m.text for m in places
             if m.kind == "place" and len(m.text) > 2 and gazetteer.has_name(m.text)}
    names |= set(aliases)
    if not names:
        return places
    # an actor mention that is just the place's name ("Aurora" tagged PERSON) is no cover
    covered = sorted((x.start, x.end) for x in [*places, *(a for a in actors
                                                          if a.text not in names)])
    pattern = re.compile(r"(?<![\w.])(" + "|".join(
        re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w])")
    found = list(places)
    for p in passages:
        for hit in pattern.finditer(p.text):
            start, end = p.start + hit.start(), p.start + hit.end()
            if _overlaps(covered, start, end) or _glued(p.text, hit.start(), hit.end(), lex):
                continue
            found.append(PlaceMention(start=start, end=end, text=hit.group(0),
                                      passage_id=p.id, kind="place", label="document"))
    found.sort(key=lambda m: m.start)
    return found


_GLUED_BEFORE = re.compile(r"\b[A-Z][\w'’-]*\s+$")


def _glued(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """True when the occurrence is part of a longer name or a disease name:
    "Buffalo Science Magnet School", "NHS West Midlands", "West Nile virus"."""
    glued_after = re.compile(r"\s+(?:[A-Z]|" + lex.disease_after + ")")
    return bool(glued_after.match(text, end)) or bool(_GLUED_BEFORE.search(text[:start]))


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect.bisect_left(spans, (start, start))
    return any(s < end and start < e for s, e in spans[max(0, i - 1):i + 2])


def _split_person_names(places: list[PlaceMention], actors: list[ActorMention],
                        gazetteer: "Gazetteer") -> tuple[list[PlaceMention], list[ActorMention]]:
    """Give back to the actors the place matches that are a word of a person named in
    the article.

    "Kim" is a place somewhere, but in an article about Kim Jong-un it is him. An NER
    place goes too when no place has that name (the small model calls "Modi" and "Buhari"
    GPE); "Dallas" beside George M. Dallas stays a place.
    """
    words = {w for a in actors if a.label == "PERSON" and len(a.text.split()) > 1
             for w in a.text.split()}
    kept, people = [], list(actors)
    for m in places:
        if m.text not in words or m.label == "DEMONYM" or (
                m.label in ("GPE", "LOC", "FAC") and own_entries(gazetteer, m.text)):
            kept.append(m)
        else:
            people.append(ActorMention(start=m.start, end=m.end, text=m.text, label="PERSON",
                                       passage_id=m.passage_id))
    people.sort(key=lambda a: a.start)
    return kept, people


def _place_mentions(doc: "Doc", passage: Passage) -> Iterator[PlaceMention]:
    for kind, key in (("place", "places"), ("demonym", "demonyms")):
        for span in doc.spans[key]:
            yield PlaceMention(start=passage.start + span.start_char,
                               end=passage.start + span.end_char, text=span.text,
                               passage_id=passage.id, kind=kind, label=span.label_)


def _actor_mentions(doc: "Doc", passage: Passage) -> Iterator[ActorMention]:
    for span in doc.spans["actors"]:
        yield ActorMention(start=passage.start + span.start_char,
                           end=passage.start + span.end_char, text=span.text,
                           label=span.label_, passage_id=passage.id)


def default_pipeline(*, gazetteer: "Gazetteer | None" = None, progress: bool = True,
                     settings: "Settings | None" = None, store: "Store | None" = None,
                     sources: str | None = None) -> Pipeline:
    """The pipeline users run: the built (or first-use built) gazetteer and the sm model,
    and the online geocoder the settings (default: :func:`geo.settings.load`) name, its
    answers cached in ``store`` when one is given. Sources' home regions come from the
    ``sources`` file (default: the ``sources`` setting) and are learned from ``store``."""
    from geo.gazetteer import ensure_gazetteer
    from geo.geocoders import candidate_source
    from geo.settings import load

    settings = settings or load()
    gaz = gazetteer or ensure_gazetteer(progress=progress)
    nlp = load_nlp(gaz)
    source = candidate_source(gaz, settings, store=store)
    return Pipeline(gazetteer=gaz, nlp=nlp,
                    resolver=Resolver(gaz, source=source, lexicon=lexicon(nlp.lang)),
                    homes=load_homes(sources or settings.sources, gaz, store=store))
