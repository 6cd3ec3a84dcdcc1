"""Names that some town bears but that stand for a person, a company or a team.

"Obama" is a town in Japan, "Toyota" a city, "Ripley" a dozen towns, "Titan" a village in
Afghanistan; in a local paper's "former President Obama", "a Toyota parts supplier",
"coach Ripley" or "workers at Titan" they are no places. Recognition asks
:func:`bears_a_name` of every name it took for a place and drops it when the words say
person, company or team and nothing says place. The words are the lexicon's
(``geo/data/lexicon/<lang>.txt``):

* ``[person_titles]``: a title right before the name ("coach Ripley", "President Obama");
* ``[company_words]``: a company's word right after it ("Titan Industries", "Toyota Motor");
* ``[name_not_place]``: names that news uses for a person, company, team or body far more
  than for the town that bears them ("Toyota", "Duma", "Highways").

Place evidence wins: a type cue ("the town of Obama", "Toyota is a city in ..."), a
region after a comma ("Toyota, Aichi", "Ripley, Tenn."), a dateline ("RIPLEY, Tenn. --").
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from geo.toponyms.cues import span_cues

if TYPE_CHECKING:
    from spacy.tokens import Span

    from geo.gazetteer import Gazetteer
    from geo.toponyms.lexicon import Lexicon


def bears_a_name(span: "Span", lex: "Lexicon", gazetteer: "Gazetteer | None" = None) -> bool:
    """The span, taken for a place, is a person's, company's or team's name: a title
    before it, a company word after it, or a listed name; and no place evidence.

    A company named after a country, a first-level region or a capital is still named
    after that place ("Malaysia Airlines", "Bank of Valletta plc"): with a ``gazetteer``,
    such names are kept before a company word."""
    return _names_a_bearer(span, lex, gazetteer) and not _place_evidence(span, lex)


def _names_a_bearer(span: "Span", lex: "Lexicon", gazetteer: "Gazetteer | None") -> bool:
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if before is not None and before.text.casefold() in lex.person_titles:
        return True
    if after is not None and after.text in lex.company_words:
        return gazetteer is None or not _major_place(span.text, gazetteer)
    return span.text in lex.name_not_place


def _major_place(name: str, gazetteer: "Gazetteer") -> bool:
    """A country, a first-level region or a capital bears this name as its own."""
    return any(e.name.casefold() == name.casefold() and (
        e.kind in ("country", "admin1") or e.feature_code == "PPLC")
        for e in gazetteer.lookup(name, limit=10))


def _place_evidence(span: "Span", lex: "Lexicon") -> bool:
    """"the town of Obama", "Toyota, Aichi", "RIPLEY, Tenn. --": the words say place."""
    from geo.nlp import _proper  # geo.nlp calls this module

    doc = span.doc
    if span_cues(span, lex).type_cue or lex.is_dateline(doc.text, span.start_char, span.end_char):
        return True
    # "X, Y": a capitalised name after a comma, the region that holds X
    return span.end + 1 < len(doc) and doc[span.end].text == "," \
        and doc[span.end + 1].text[:1].isupper() and _proper(doc[span.end + 1])
