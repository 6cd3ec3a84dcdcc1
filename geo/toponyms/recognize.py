"""Recognition as spaCy components, in the order ``nlp.pipe_names`` shows.

:func:`add_recognition` appends to a model's pipeline (after its ``ner``):

==============================  =========  ===========================================
component                       level      what it does
==============================  =========  ===========================================
``news_atlas_places``           passage    places, demonyms and actors of one passage
                                           (:class:`geo.nlp.PlaceFinder`)
``news_atlas_person_names``     article    a place match that is a word of a person
                                           the article names goes back to the actors
``news_atlas_disease_names``    article    a name the article uses for a disease is
                                           not a place anywhere in it
``news_atlas_abbreviations``    article    abbreviations the article defines for
                                           places: "New South Wales (NSW)"
``news_atlas_document_names``   article    one sense per document: a name found as a
                                           place is one wherever the article repeats it
==============================  =========  ===========================================

Settings live in the nlp config (``nlp.config["components"][name]``), and the gazetteer
comes through spaCy's registry: ``{"@misc": "news_atlas.gazetteer.v1", "path": ...}``
opens the index at ``path`` (``null``: the default index) once per process, and
:func:`add_recognition` hands an already-open gazetteer to it by its path.

**Article-level components.** Docs are per passage, and an article-level component
needs the whole article. It gets it as an :class:`ArticleMentions` record (the article
text, its analysed passages, their place and actor mentions, the abbreviations found),
through :meth:`ArticlePass.article`, which :class:`geo.pipeline.Pipeline` calls, in
pipeline order, once all of an article's passages have come out of ``nlp.pipe``
(the article components disabled there). Called on a ``Doc`` (``nlp(text)``), the same
component treats that Doc as an article of one passage, so ``nlp(text)`` gives the
whole recognition of a short text. Why not one ``Doc`` per article: the passages of
several articles share spaCy's batches (most of its speed), each Doc is dropped as soon
as its mentions are read, so memory stays bounded whatever an article's size (a 5 MB
article would be one 5 MB Doc), and the article passes read mentions and the article's
own text (their patterns run over the text with its line breaks), not tokens.
"""
from __future__ import annotations

import bisect
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from geo.errors import ModelError
from geo.models import ActorMention, Passage, PlaceMention
from geo.nlp import PlaceFinder, own_entries
from geo.toponyms.lexicon import Lexicon, lexicon

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

GAZETTEER = "news_atlas.gazetteer.v1"
PASSAGE_COMPONENTS = ("news_atlas_places",)
ARTICLE_COMPONENTS = ("news_atlas_person_names", "news_atlas_disease_names",
                      "news_atlas_abbreviations", "news_atlas_document_names")
ALIASES = "news_atlas_aliases"  # doc.user_data key of a one-passage article's abbreviations

_OPEN: dict[str, "Gazetteer"] = {}  # gazetteers by resolved path, for the registry


@spacy.registry.misc(GAZETTEER)
def gazetteer_at(path: str | None = None) -> "Gazetteer":
    """The gazetteer index at ``path`` (None: the default one), opened once per process."""
    from geo.gazetteer import Gazetteer
    from geo.gazetteer.paths import default_gazetteer_path

    key = str(Path(path or default_gazetteer_path()).resolve())
    if key not in _OPEN:
        _OPEN[key] = Gazetteer.open(key)
    return _OPEN[key]


def gazetteer_ref(gazetteer: "Gazetteer") -> dict[str, Any]:
    """The registry reference to ``gazetteer`` for an nlp config; the open object is
    what the reference resolves to."""
    key = str(Path(gazetteer.path).resolve())
    _OPEN[key] = gazetteer
    return {"@misc": GAZETTEER, "path": key}


def add_recognition(nlp: Language, gazetteer: "Gazetteer", *,
                    config: dict[str, dict[str, Any]] | None = None) -> Language:
    """Append the recognition components to ``nlp``, with ``gazetteer`` supplied through
    the registry and ``config`` (by component name) over their default settings."""
    ref = gazetteer_ref(gazetteer)
    for name in (*PASSAGE_COMPONENTS, *ARTICLE_COMPONENTS):
        settings = dict((config or {}).get(name, {}))
        if "gazetteer" in _factory_settings(name):
            settings["gazetteer"] = ref
        nlp.add_pipe(name, last=True, config=settings)
    return nlp


def _factory_settings(name: str) -> dict[str, Any]:
    return Language.get_factory_meta(name).default_config


def article_components(nlp: Language) -> list[tuple[str, "ArticlePass"]]:
    """The article-level components of ``nlp``, in pipeline order."""
    return [(name, proc) for name, proc in nlp.pipeline if isinstance(proc, ArticlePass)]


# -- the passage component ----------------------------------------------------------------

@Language.factory("news_atlas_places", default_config={
    "max_ngram": 5, "city_population": 100_000, "gazetteer": None})
def make_place_finder(nlp: Language, name: str, max_ngram: int, city_population: int,
                      gazetteer: Any) -> PlaceFinder:
    return PlaceFinder(max_ngram=max_ngram, city_population=city_population,
                       gazetteer=gazetteer, lexicon=lexicon(nlp.lang))


# -- the article components ---------------------------------------------------------------

@dataclass
class ArticleMentions:
    """What the article-level components read and change: the article's text, its
    analysed passages and their mentions (offsets into ``text``)."""

    text: str
    passages: list[Passage]
    places: list[PlaceMention]
    actors: list[ActorMention]
    aliases: dict[str, str] = field(default_factory=dict)


class ArticlePass(ABC):
    """An article-level component: :meth:`article` changes an :class:`ArticleMentions`
    in place; called on a Doc, it treats the Doc as an article of one passage."""

    @abstractmethod
    def article(self, found: ArticleMentions) -> None:
        """Read and change the article's mentions (in place)."""

    def __call__(self, doc: Doc) -> Doc:
        found = _from_doc(doc)
        self.article(found)
        _to_doc(found, doc)
        return doc


class PersonNames(ArticlePass):
    def __init__(self, gazetteer: "Gazetteer | None") -> None:
        self.gazetteer = gazetteer

    def article(self, found: ArticleMentions) -> None:
        found.places, found.actors = split_person_names(
            found.places, found.actors, _needed(self.gazetteer, "news_atlas_person_names"))


class DiseaseNames(ArticlePass):
    def __init__(self, lex: Lexicon) -> None:
        self.lexicon = lex
        self.pattern = disease_name_pattern(lex)

    def article(self, found: ArticleMentions) -> None:
        found.places = drop_disease_names(found.places, found.text, self.lexicon,
                                          pattern=self.pattern)


class Abbreviations(ArticlePass):
    def article(self, found: ArticleMentions) -> None:
        found.aliases = abbreviations(found.places, found.text)


class DocumentNames(ArticlePass):
    def __init__(self, gazetteer: "Gazetteer | None", lex: Lexicon) -> None:
        self.gazetteer = gazetteer
        self.lexicon = lex

    def article(self, found: ArticleMentions) -> None:
        gaz = _needed(self.gazetteer, "news_atlas_document_names")
        found.places = propagate_names(found.places, found.actors, found.passages, gaz,
                                       found.aliases, self.lexicon)


@Language.factory("news_atlas_person_names", default_config={"gazetteer": None})
def make_person_names(nlp: Language, name: str, gazetteer: Any) -> PersonNames:
    return PersonNames(gazetteer)


@Language.factory("news_atlas_disease_names")
def make_disease_names(nlp: Language, name: str) -> DiseaseNames:
    return DiseaseNames(lexicon(nlp.lang))


@Language.factory("news_atlas_abbreviations")
def make_abbreviations(nlp: Language, name: str) -> Abbreviations:
    return Abbreviations()


@Language.factory("news_atlas_document_names", default_config={"gazetteer": None})
def make_document_names(nlp: Language, name: str, gazetteer: Any) -> DocumentNames:
    return DocumentNames(gazetteer, lexicon(nlp.lang))


def _needed(gazetteer: "Gazetteer | None", name: str) -> "Gazetteer":
    if gazetteer is None:
        raise ModelError(f"{name} has no gazetteer: build the pipeline with load_nlp()")
    return gazetteer


# -- a Doc as an article of one passage -----------------------------------------------

def place_mentions(doc: Doc, passage: Passage) -> list[PlaceMention]:
    """The places, then the demonyms, of a passage's Doc, with article offsets."""
    return [PlaceMention(start=passage.start + span.start_char,
                         end=passage.start + span.end_char, text=span.text,
                         passage_id=passage.id, kind=kind, label=span.label_)
            for kind, key in (("place", "places"), ("demonym", "demonyms"))
            for span in doc.spans.get(key, [])]


def actor_mentions(doc: Doc, passage: Passage) -> list[ActorMention]:
    return [ActorMention(start=passage.start + span.start_char,
                         end=passage.start + span.end_char, text=span.text,
                         label=span.label_, passage_id=passage.id)
            for span in doc.spans.get("actors", [])]


def _from_doc(doc: Doc) -> ArticleMentions:
    text = doc.text
    passage = Passage(id="p0", article_id="", index=0, start=0, end=len(text), text=text)
    return ArticleMentions(text=text, passages=[passage],
                           places=place_mentions(doc, passage),
                           actors=actor_mentions(doc, passage),
                           aliases=dict(doc.user_data.get(ALIASES, {})))


def _to_doc(found: ArticleMentions, doc: Doc) -> None:
    def spans(mentions: list) -> list:  # noqa: ANN001
        return [doc.char_span(m.start, m.end, label=m.label or "", alignment_mode="expand")
                for m in mentions]

    doc.spans["places"] = spans([m for m in found.places if m.kind == "place"])
    doc.spans["demonyms"] = spans([m for m in found.places if m.kind == "demonym"])
    doc.spans["actors"] = spans(found.actors)
    doc.user_data[ALIASES] = dict(found.aliases)


# -- the passes -----------------------------------------------------------------------

def disease_name_pattern(lex: Lexicon) -> re.Pattern[str]:
    """One or two capitalised words before one of the lexicon's disease words."""
    return re.compile(r"\b([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)(?= (?:" + lex.disease_after + "))")


def drop_disease_names(places: list[PlaceMention], text: str, lex: Lexicon, *,
                       pattern: re.Pattern[str] | None = None) -> list[PlaceMention]:
    """A name the article uses for a disease ("Ebola virus", "West Nile fever") is the
    disease wherever it stands alone in that article too ("cases of Ebola")."""
    diseases = set()
    for hit in (pattern or disease_name_pattern(lex)).finditer(text):
        words = hit.group(1).split()
        if len(words) > 1 and words[0].lower() in lex.sentence_openers:  # "In Ebola virus"
            words = words[1:]
        diseases.add(" ".join(words))
    return [m for m in places if m.text not in diseases]


_ABBREVIATION = re.compile(r"\s*\(([A-Z][A-Z.]{1,7})\)")


def abbreviations(places: list[PlaceMention], text: str) -> dict[str, str]:
    """Abbreviations the article defines for places: "New South Wales (NSW)"."""
    out = {}
    for m in places:
        hit = _ABBREVIATION.match(text, m.end) if m.kind == "place" else None
        if hit and hit.group(1).replace(".", "") == _initials(m.text):
            out[hit.group(1)] = m.text  # not "Corp. of America (PCA)"
    return out


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w[:1].isupper())


def propagate_names(places: list[PlaceMention], actors: list[ActorMention],
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


def split_person_names(places: list[PlaceMention], actors: list[ActorMention],
                       gazetteer: "Gazetteer"
                       ) -> tuple[list[PlaceMention], list[ActorMention]]:
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
