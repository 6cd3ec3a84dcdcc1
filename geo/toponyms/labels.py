"""spaCy's side of a language: its model, with its entity labels named as recognition
(:mod:`geo.nlp`) reads them, and the place finder with the language's lexicon."""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc, Span

from geo.languages import MODELS

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

# entity labels of a language's model renamed to the English model's, which
# recognition reads (French models say PER where English ones say PERSON)
ENTITY_LABELS: dict[str, dict[str, str]] = {
    "fr": {"PER": "PERSON"},
}


def load_language_nlp(gazetteer: "Gazetteer", lang: str) -> Language:
    """The spaCy pipeline of ``lang``: its model, its entity labels renamed
    (:data:`ENTITY_LABELS`), and the place finder with ``lang``'s lexicon."""
    from geo.nlp import load_nlp

    nlp = load_nlp(gazetteer, model=MODELS[lang])
    if ENTITY_LABELS.get(lang):
        nlp.add_pipe("news_atlas_entity_labels", before="news_atlas_places",
                     config={"labels": ENTITY_LABELS[lang]})
    return nlp


@Language.factory("news_atlas_entity_labels", default_config={"labels": {}})
def make_entity_labels(nlp: Language, name: str, labels: dict[str, str]) -> "EntityLabels":
    return EntityLabels(labels)


class EntityLabels:
    """Renames entity labels: ``{"PER": "PERSON"}``."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = dict(labels)

    def __call__(self, doc: Doc) -> Doc:
        if any(e.label_ in self.labels for e in doc.ents):
            doc.ents = [Span(doc, e.start, e.end, label=self.labels.get(e.label_, e.label_))
                        for e in doc.ents]
        return doc
