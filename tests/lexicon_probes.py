"""What the lexicon tests of every language probe with: a blank spaCy model's spans,
mentions, gazetteer entries, and the engine's cue reader, feature type and street finder
asked with a given lexicon (tests/test_lexicon.py, tests/test_lexicon_fr.py)."""
from __future__ import annotations

import spacy

from geo.models import GazetteerEntry, PlaceMention
from geo.nlp import PlaceFinder
from geo.resolve import Resolver
from geo.toponyms import features
from geo.toponyms.cues import Cues
from geo.toponyms.document import Document
from geo.toponyms.lexicon import Lexicon
from geo.toponyms.rank import load_table


class Blank:
    """Spans and streets in docs of a blank model of one language."""

    def __init__(self, lang: str) -> None:
        self.nlp = spacy.blank(lang)

    def span(self, text: str, words: str, label: str = ""):
        """The span of ``words`` (whole tokens) in a blank-model doc of ``text``."""
        doc = self.nlp(text)
        start = text.index(words)
        found = doc.char_span(start, start + len(words), label=label)
        assert found is not None, words
        return found

    def streets(self, lex: Lexicon, text: str) -> list[str]:
        doc = self.nlp(text)
        return [s.text for s in PlaceFinder(lexicon=lex)._streets(doc, [False] * len(doc))]


def mention(text: str, name: str) -> PlaceMention:
    start = text.index(name)
    return PlaceMention(start=start, end=start + len(name), text=name, passage_id="p0")


def entry(kind: str, name: str = "X") -> GazetteerEntry:
    return GazetteerEntry(id=f"gn:{kind}", name=name, lat=0.0, lon=0.0, kind=kind)


def cue(gaz, lex: Lexicon, text: str, name: str):  # noqa: ANN001, ANN201
    m = mention(text, name)
    return Resolver(gaz, lexicon=lex).cue_reader.read([m], text, {id(m): []})[id(m)]


def feature_type(lex: Lexicon, text: str, name: str, e: GazetteerEntry) -> float:
    m = mention(text, name)
    alone = Document(params=load_table().params, settled=False)
    return features.feature_type(features.Mention.of(m, [], Cues(), lex), e, alone)
