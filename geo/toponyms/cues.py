"""What the words right around one place mention say, read once per mention.

A :class:`Cues` record holds every fact of the text around a mention that evidence
reads: "New York state" / "the state of Washington" (a region word), a dateline
("NEW YORK (AP) --"), "the" before it, "X, Y" from either side (the Y that holds this X;
the readings of the X that this Y holds), the list of places it stands in ("Texas, Ohio
and New York"), and whether it sits inside a longer name ("the Texas Rangers").
:func:`read_cues` computes them for all of a document's place mentions at once, from the
article text, the mentions' offsets and the language's :class:`~geo.toponyms.lexicon.Lexicon`;
nothing else reads the raw text around a mention. Features
(:mod:`geo.toponyms.features`) read the record, never the text.

Two cues are read from spaCy tokens, before a candidate span is a mention: a locative
before it ("in X", "near the X") and a type cue ("the village of X", "X is a town in").
:func:`span_cues` reads them into the same record, and recognition (:mod:`geo.nlp`,
:mod:`geo.toponyms.bearers`) asks that record; each cue has its one definition here.
The resolver's record is read from the article text (:class:`CueReader`) and leaves the
two token cues false: no feature reads them yet.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from geo.dates import CALENDAR_WORDS
from geo.models import GazetteerEntry, PlaceMention
from geo.toponyms.home import state_code
from geo.toponyms.lexicon import Lexicon
from geo.toponyms.names import same_name

if TYPE_CHECKING:
    from spacy.tokens import Span

    from geo.gazetteer import Gazetteer

# the X of "X, Y" when X was not taken for a place ("Buffalo, New York")
NAME_COMMA = re.compile(r"\b([A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}), ?$")
POPULATED_KINDS = frozenset({"city", "admin2", "landmark"})
# a definition's places are named within this many characters, before the sentence ends
DEFINITION_REACH = 150
SENTENCE_END = re.compile(r"[.;!?](?=\s+[A-Z0-9\"“])|\n")
# the kinds of place that hold others
HOLDING_KINDS = frozenset({"country", "admin1", "admin2", "region", "city"})
# the label recognition gives a place found inside an organisation's name
INSIDE_ORG_LABEL = "embedded:ORG"


@dataclass(frozen=True)
class Cues:
    """The words around one mention (all false / empty when they say nothing)."""

    region_word: bool = False  # "New York state", "the state of Washington", a governor
    dateline: bool = False  # "NEW YORK (AP) --": the city the story was filed from
    definite: bool = False  # "the Pacific": seas and regions take "the", towns do not
    # this is X of "X, Y": the country or region Y names ("Springfield, Illinois")
    partner: GazetteerEntry | None = None
    # this is Y of "X, Y": the populated readings of X ("Tacoma, Washington")
    holds: tuple[GazetteerEntry, ...] = ()
    # the mentions of the list it stands in, itself included ("Texas, Ohio and New
    # York"): three names or more, or two joined by "and" / "or"; () when in none
    list_run: tuple[PlaceMention, ...] = ()
    inside_name: bool = False  # found inside an organisation's name ("Texas Rangers")
    # "Aurora is a city in Hamilton County, Nebraska", "Kalam, a town in the Swat
    # Valley": the places the sentence then names, each as its readings under its own
    # name; () when the words define no kind of place
    defined_in: tuple[tuple[GazetteerEntry, ...], ...] = ()
    defined_by: tuple[PlaceMention, ...] = ()  # the mentions of those places
    # read from the tokens (span_cues), by recognition
    locative: bool = False  # "in X", "near the X": a place may follow
    type_cue: bool = False  # "the village of X", "Aurora is a city in", "Bala, a community"


def span_cues(span: "Span", lex: Lexicon) -> Cues:
    """The token cues of a candidate span (recognition's record)."""
    return Cues(locative=locative_before(span, lex), type_cue=has_type_cue(span, lex))


def locative_before(span: "Span", lex: Lexicon, words: frozenset[str] | None = None) -> bool:
    """One of ``words`` (the lexicon's locatives unless given) right before the span,
    "the" aside ("in the Bronx")."""
    k = span.start - 1
    doc = span.doc
    while k >= 0 and doc[k].lower_ in lex.definite_articles:
        k -= 1
    return k >= 0 and doc[k].lower_ in (lex.locatives if words is None else words)


def has_type_cue(span: "Span", lex: Lexicon) -> bool:
    """"the village of Bariyarpur", "Aurora is a city in ...", "Bala, a community",
    and where a language puts the type right before the name, "le fleuve Amour"."""
    doc = span.doc
    if span.start >= 1 and doc[span.start - 1].lower_ in lex.types_before:
        return True
    if span.start >= 2 and doc[span.start - 1].lower_ in lex.type_links \
            and doc[span.start - 2].lower_ in lex.place_types:
        return True
    after = [t.lower_ for t in doc[span.end:span.end + 6]]
    if after and (after[0] in lex.copulas or after[0] == ",") and len(after) > 2 \
            and after[1] in lex.articles:
        return any(w in lex.place_types for w in after[2:])
    return False


def inside_town(span: "Span", lex: Lexicon) -> bool:
    """"in Riverdale", "near Castlegar": a preposition that puts something inside or
    beside a place, and no possessive after ("in Clinton's speech")."""
    doc = span.doc
    if not locative_before(span, lex, lex.inside_words):
        return False
    return span.end >= len(doc) or doc[span.end].text not in lex.possessives


@dataclass(frozen=True)
class CueReader:
    """Reads the cues of a document's mentions with one language's words."""

    gazetteer: "Gazetteer"
    lexicon: Lexicon
    # the state or province an exact abbreviation names ("Mont.", "B.C.")
    abbreviated: Callable[[str], GazetteerEntry | None]
    max_candidates: int = 25

    def read(self, places: list[PlaceMention], text: str,
             cands: dict[int, list[GazetteerEntry]]) -> dict[int, Cues]:
        """The cues of each mention (by ``id``); ``cands`` are each one's candidates."""
        ordered = sorted(places, key=lambda m: m.start)
        runs = self._list_runs(ordered, text)
        lex = self.lexicon
        out: dict[int, Cues] = {}
        for k, m in enumerate(ordered):
            after = text[m.end:m.end + 12]
            out[id(m)] = Cues(
                region_word=bool(lex.region_after_re.match(after) or
                                 lex.region_before_re.search(text[max(0, m.start - 12):m.start])),
                dateline=lex.is_dateline(text, m.start, m.end),
                definite=bool(lex.definite_before.search(text[max(0, m.start - 5):m.start])),
                partner=self._partner(m, text, cands[id(m)]),
                holds=self._holds(ordered, k, text, cands),
                list_run=runs.get(id(m), ()),
                inside_name=m.label == INSIDE_ORG_LABEL,
            )
            holders = self._defined_in(ordered, k, text, cands)
            if holders:
                out[id(m)] = replace(out[id(m)], defined_in=tuple(g for _, g in holders),
                                     defined_by=tuple(n for n, _ in holders))
        return out

    def _defined_in(self, ordered: list[PlaceMention], k: int, text: str,
                    cands: dict[int, list[GazetteerEntry]],
                    ) -> list[tuple[PlaceMention, tuple[GazetteerEntry, ...]]]:
        """When the words after ``ordered[k]`` say which kind of place it is ("is a
        town", ", a community"), the readings of the places named next in the same
        sentence ("in Berkshire County, Massachusetts"), each under its own name."""
        m = ordered[k]
        hit = self.lexicon.definition.match(text, m.end, m.end + 160)
        if not hit:
            return []
        stop = SENTENCE_END.search(text, hit.end(), hit.end() + DEFINITION_REACH)
        end = stop.start() if stop else hit.end() + DEFINITION_REACH
        out = []
        for n in ordered[k + 1:]:
            if n.start >= end:
                break
            if n.start >= hit.end():
                own = tuple(e for e in cands[id(n)] if e.kind in HOLDING_KINDS
                            and same_name(n.text, e.name))
                if own:
                    out.append((n, own))
        return out

    def _holds(self, ordered: list[PlaceMention], k: int, text: str,
               cands: dict[int, list[GazetteerEntry]]) -> tuple[GazetteerEntry, ...]:
        """When ``ordered[k]`` is Y of "X, Y": the populated readings of X."""
        m = ordered[k]
        if k and text[ordered[k - 1].end:m.start] in (", ", ","):
            prev = cands[id(ordered[k - 1])]
        else:  # "Buffalo, New York" where "Buffalo" was not taken for a place
            hit = NAME_COMMA.search(text, max(0, m.start - 40), m.start)
            prev = self.gazetteer.lookup(hit.group(1), limit=self.max_candidates) \
                if hit and hit.group(1) not in CALENDAR_WORDS else []
        return tuple(e for e in prev if e.kind in POPULATED_KINDS)

    def _partner(self, m: PlaceMention, text: str,
                 cands: list[GazetteerEntry]) -> GazetteerEntry | None:
        """In "X, Y", the entry Y names (a country or region), when Y is a known place.
        Not when X can be a country: "China, Japan" is a list, not "X, Y"."""
        if any(e.kind == "country" for e in cands):
            return None
        # nor when X is a state itself: "New York, Pennsylvania and New Jersey" is a list
        is_state = any(e.kind == "admin1" and same_name(m.text, e.name) for e in cands)
        after = text[m.end:m.end + 60]
        hit = self.lexicon.pair_region.match(after)
        if not hit:
            return None
        abbreviated = self.abbreviated(hit.group(1).strip() + ".") \
            if after[hit.end():hit.end() + 1] == "." else None
        if abbreviated:  # "Helena, Mont."
            return abbreviated
        coded = state_code(hit.group(1).strip(), self.gazetteer)  # "Athens, TN"
        if coded:
            return coded
        for e in self.gazetteer.lookup(hit.group(1).strip(), limit=5):
            if e.kind in ("country", "admin1", "admin2", "region"):
                return None if is_state and e.kind != "country" else e
        return None

    def _list_runs(self, ordered: list[PlaceMention],
                   text: str) -> dict[int, tuple[PlaceMention, ...]]:
        """Each listed mention's list. A list is three names or more, or two joined by
        "and" / "or" ("Oaxaca State, Mexico" is a place and its country, not a list)."""
        runs: list[list[PlaceMention]] = []
        joined_by_word: list[bool] = []
        for k, m in enumerate(ordered):
            gap = text[ordered[k - 1].end:m.start] if k else None
            if gap is not None and self.lexicon.list_gap.fullmatch(gap):
                runs[-1].append(m)
                joined_by_word[-1] = joined_by_word[-1] or "," not in gap
            else:
                runs.append([m])
                joined_by_word.append(False)
        out: dict[int, tuple[PlaceMention, ...]] = {}
        for run, by_word in zip(runs, joined_by_word):
            if len(run) >= 3 or (len(run) == 2 and by_word):
                for m in run:
                    out[id(m)] = tuple(run)
        return out
