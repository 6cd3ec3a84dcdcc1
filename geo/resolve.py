"""Resolving place mentions to gazetteer entries, using the whole document.

:class:`Resolver` is the public face of the toponym engine's resolution side
(``geo/toponyms/``, layered bottom-up):

* :mod:`geo.toponyms.cues`: what the words right around each mention say ("Tacoma,
  Washington", "NEW YORK (AP) --", "New York state", a list of states), read once;
* :mod:`geo.toponyms.document`: what the article says about itself (its countries,
  regions, clear places by passage), read once from the first pass;
* :mod:`geo.toponyms.features`: one function per named piece of evidence;
* :mod:`geo.toponyms.rank`: weights from ``geo/data/rank/weights.json``, the deciding
  feature, one sense per document;
* :mod:`geo.toponyms.rules`: the rule each mention carries, typed, stored as text and
  told in words.

Here: the candidates of a name (the gazetteer, an online geocoder when the settings
name one, abbreviations, "X River" as "X"), names the gazetteer lacks that are part of
or near a place it has ("North Dallas", "Lake Manassas": the rule "part of X" / "near
X"), streets (in the town the article puts them), demonyms, and the two passes: the
first ranks each mention on its own to learn the document; the second ranks every
mention with it. The words around a mention decide it whatever the rest of the article
says.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from geo.gazetteer.curated import state_abbreviations
from geo.models import Candidate, GazetteerEntry, PlaceMention
from geo.toponyms.cues import POPULATED_KINDS, CueReader
from geo.toponyms.document import Document, read_document
from geo.toponyms.features import Mention, defined_in
from geo.toponyms.lexicon import Lexicon, lexicon
from geo.toponyms.names import same_name as _same_name
from geo.toponyms.rank import RankTable, Ranked, load_table, one_sense, rank
from geo.toponyms.rules import Rule, RuleCode

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer
    from geo.toponyms.home import Home
    from geo.geocoders import CandidateSource

# the resolver's words when none are given
_ENGLISH = lexicon("en")
# the kinds of place that hold the X of "X, Y" when the gazetteer lacks X
_HOLDING_KINDS = frozenset({"country", "admin1", "admin2", "region", "city"})


@dataclass
class Reading:
    """A document's place mentions read by both passes, by mention ``id``."""

    places: list[PlaceMention]
    candidates: dict[int, list[GazetteerEntry]]
    within: dict[int, Rule]  # names the gazetteer lacks: "part of X" / "near X"
    views: dict[int, Mention]
    document: Document
    ranked: dict[int, list[Ranked]]


class Resolver:
    """Chooses one gazetteer entry per place mention of a document."""

    def __init__(self, gazetteer: "Gazetteer", *, weights: RankTable | None = None,
                 max_candidates: int = 25, keep_alternatives: int = 5,
                 source: "CandidateSource | None" = None,
                 lexicon: Lexicon | None = None) -> None:
        from geo.geocoders import CandidateSource

        self.gazetteer = gazetteer
        # where a name's candidates come from: the gazetteer, and an online geocoder
        # for the names it lacks when the settings name one (geo.geocoders)
        self.source = source or CandidateSource(gazetteer)
        self.lexicon = lexicon or _ENGLISH
        self.table = weights or load_table()
        self.max_candidates = max_candidates
        self.keep_alternatives = keep_alternatives
        self.abbreviations = state_abbreviations()
        self.cue_reader = CueReader(gazetteer, self.lexicon, self._abbreviated,
                                    max_candidates)

    def resolve(self, mentions: list[PlaceMention], text: str, *,
                aliases: dict[str, str] | None = None,
                home: "Home | None" = None) -> list[PlaceMention]:
        """Fill ``place``, ``score``, ``rule`` and ``alternatives`` of each mention.

        One sense per document: every mention of a name gets the reading of its best-
        evidenced mention ("Santa Ana, California" decides the later bare "Santa Ana").
        ``aliases`` are names the document defines ("NSW" for "New South Wales"); ``home``
        is the article's source's home region (:mod:`geo.toponyms.home`).
        """
        reading = self.read(mentions, text, aliases=aliases, home=home)
        places = reading.places
        # "Richmond, Virginia" speaks for itself only
        names = [(id(m), reading.views[id(m)].key, reading.views[id(m)].cues.partner is not None)
                 for m in places]
        chosen_by = one_sense(names, reading.ranked, self.table)
        for m in places:
            chosen, borrowed = chosen_by[id(m)]
            self._apply(m, chosen, borrowed=borrowed)
            if id(m) in reading.within and m.place is not None:
                wider = reading.within[id(m)]  # "part of Dallas (population)"
                m.rule = str(Rule(wider.code, wider.param, because=Rule.parse(m.rule or "")))
        moved: dict[tuple[str, str], PlaceMention] = {}
        for m in places:
            if not reading.candidates[id(m)]:
                self._place_inside_next(m, places, text)
            elif m.place is not None:
                was = m.place.id
                if self._place_in_definition(reading.views[id(m)], reading):
                    moved[reading.views[id(m)].key, was] = m
        for m in places:  # the same name elsewhere, read as the namesake, follows
            defined = moved.get((reading.views[id(m)].key, m.place.id if m.place else ""))
            if defined is not None and defined is not m:
                m.place, m.score, m.alternatives = defined.place, defined.score, []
                m.rule = str(replace(Rule.parse(defined.rule or ""), same_name=True))
        towns = _Towns(places)
        for m in mentions:
            if m.kind == "place" and m.label == "street":
                self._place_street(m, towns)
        for m in mentions:
            if m.kind == "demonym":
                self._resolve_demonym(m)
        return mentions

    def read(self, mentions: list[PlaceMention], text: str, *,
             aliases: dict[str, str] | None = None, home: "Home | None" = None) -> Reading:
        """Both passes over the place mentions (streets aside), choosing nothing: each
        one's candidates, cues and ranking, and the document (what a training script
        reads, and what :meth:`resolve` chooses from)."""
        places = [m for m in mentions if m.kind == "place" and m.label != "street"]
        cands = {id(m): self.candidates(m, aliases=aliases) for m in places}
        within: dict[int, Rule] = {}
        for m in places:
            if not cands[id(m)]:  # "North Dallas", "Salinas Valley": near a known place
                wider = self._within(m.text)
                if wider:
                    within[id(m)], cands[id(m)] = wider
        cues = self.cue_reader.read(places, text, cands)
        views = {id(m): Mention.of(m, cands[id(m)], cues[id(m)], self.lexicon) for m in places}
        alone = Document(gazetteer=self.gazetteer, params=self.table.params, settled=False,
                         home=home)
        first = {id(m): [(r.entry, r.score, r.deciding) for r in
                         rank(views[id(m)], cands[id(m)], alone, self.table)] for m in places}
        document = read_document(mentions, first, cues, gazetteer=self.gazetteer,
                                 params=self.table.params, home=home)
        ranked = {id(m): rank(views[id(m)], cands[id(m)], document, self.table) for m in places}
        return Reading(places, cands, within, views, document, ranked)

    def _place_street(self, street: PlaceMention, towns: "_Towns") -> None:
        """A street is in the town named nearest to it in the same passage ("on Collins
        Avenue in Miami Beach", "Harare's Third Street"), else in the last town the
        article named before it. No gazetteer lists streets, so none is looked up by
        name: a village called "Main Street" somewhere is not the street. With no town
        before it the street stays unresolved."""
        town = towns.nearest(street)
        if town is None:
            street.place, street.score, street.alternatives = None, 0.0, []
            street.rule = str(Rule(RuleCode.NO_TOWN))
            return
        street.place, street.score, street.alternatives = town.place, town.score, []
        street.rule = str(Rule(RuleCode.STREET_IN, town.place.name))

    # -- candidates -------------------------------------------------------------------

    def candidates(self, mention: PlaceMention, *,
                   aliases: dict[str, str] | None = None) -> list[GazetteerEntry]:
        abbreviated = self._abbreviated(mention.text)
        if abbreviated:  # "Calif.", "D.C.", "B.C."
            return [abbreviated]
        name = (aliases or {}).get(mention.text, mention.text)
        found = self.source.candidates(name, limit=self.max_candidates)
        bare = name.replace(".", "")
        if bare.isupper() and 2 <= len(bare) <= 3:
            # "EU" is not the town of Eu, nor "UK" a village called Uk, when an entry
            # bears the letters as an abbreviation
            other = [e for e in found if e.name.replace(".", "").casefold() != bare.casefold()
                     or e.name.replace(".", "").isupper()]
            found = other or found
        if found:
            return found
        # "Razdolnaya River" as "Razdolnaya", but only entries of the kind the head names:
        # "Wright County" must not become a town that lists "Wright" among its names.
        for pattern, kinds in ((self.lexicon.water_head, {"water"}),
                               (self.lexicon.region_head, {"admin1", "admin2", "region"})):
            head = pattern.search(name)
            if head:
                bare = self.gazetteer.lookup(name[: head.start()].strip(),
                                             limit=self.max_candidates)
                return [e for e in bare if e.kind in kinds]
        return []

    def _abbreviated(self, text: str) -> GazetteerEntry | None:
        """The state or province an exact abbreviation names ("Calif.", "B.C.")."""
        target = self.abbreviations.get(text)
        return self.gazetteer.get(target) if target else None

    def _within(self, name: str) -> tuple[Rule, list[GazetteerEntry]] | None:
        """A name the gazetteer lacks that is a part of, or the area around, a place it
        has: "North Dallas", "Western US", "Salinas Valley", "Birmingham City"; or a
        feature named after a place beside it: "Lake Manassas"."""
        lex = self.lexicon
        for pattern, relation in ((lex.part_prefix, RuleCode.PART_OF),
                                  (lex.part_suffix, RuleCode.PART_OF),
                                  (lex.near_prefix, RuleCode.NEAR)):
            rest = pattern.sub("", name, count=1).strip()
            if rest != name and rest[:1].isupper() and (len(rest) >= 3 or rest.isupper()):
                # a town only under its own name: "Cape Peron" is not near a town that
                # lists "Peron" among its alternate names ("Western US" is the country)
                found = [e for e in self.gazetteer.lookup(rest, limit=self.max_candidates)
                         if e.kind != "city" or _same_name(rest, e.name)]
                if found:
                    return Rule(relation, rest), found
        return None

    def _place_inside_next(self, m: PlaceMention, places: list[PlaceMention],
                           text: str) -> None:
        """X of "X, Y" when the gazetteer lacks X and Y is resolved: X is part of Y
        ("Greenlane, Auckland", "Fort Detrick, Maryland", "Pingilikani, Kenya"), so the
        map shows it at Y rather than nowhere (rule "part of Y"). X lends Y no
        evidence: Y was resolved without it."""
        y = next((n for n in places if m.end < n.start <= m.end + 2), None)
        if y is None or text[m.end:y.start] not in (", ", ",") or y.place is None \
                or y.place.kind not in _HOLDING_KINDS:
            return
        m.place, m.score, m.alternatives = y.place, y.score, []
        m.rule = str(Rule(RuleCode.PART_OF, y.text, because=Rule.parse(y.rule or "")))

    def _place_in_definition(self, view: Mention, reading: Reading) -> bool:
        """"Lima is a town in Seminole County, Oklahoma" when no Lima of the gazetteer
        lies there (it lacks the hamlet): the words say where it is, so it is shown at
        the first place they name (rule "part of Seminole County"), not at a namesake
        elsewhere."""
        m, groups = view.place, view.cues.defined_in
        # a country or state said to be part of another ("Hong Kong, a special
        # administrative region of China") keeps its own reading
        if not groups or m.place is None or m.place.kind not in POPULATED_KINDS or any(
                defined_in(view, e, reading.document) == 1.0
                for e in reading.candidates[id(m)]):
            return False
        holder = view.cues.defined_by[0]
        if holder.place is None or holder.place.kind not in _HOLDING_KINDS or not all(
                any(x.contains(holder.place) or x.id == holder.place.id for x in g)
                for g in groups[1:]):
            return False
        m.place, m.score, m.alternatives = holder.place, holder.score, []
        m.rule = str(Rule(RuleCode.PART_OF, holder.text, because=Rule.parse(holder.rule or "")))
        return True

    # -- choosing ---------------------------------------------------------------------

    def _apply(self, m: PlaceMention, ranked: list[Ranked], *, borrowed: bool = False) -> None:
        """Give ``m`` the best of ``ranked``, its share of the likelihood, the rule that
        chose it and the runners-up; ``borrowed`` when another mention of the name
        decided it."""
        if not ranked:
            m.place, m.score, m.alternatives = None, 0.0, []
            m.rule = str(Rule(RuleCode.NO_CANDIDATE))
            return
        top = max(r.score for r in ranked)
        weights = [math.exp(r.score - top) for r in ranked]
        norm = sum(weights)
        m.place = ranked[0].entry
        m.score = round(weights[0] / norm, 4)
        if len(ranked) == 1 or ranked[0].deciding is None:
            rule = Rule(RuleCode.ONLY_CANDIDATE)
        else:  # "nearby", or "nearby (same name in document)"
            rule = Rule(RuleCode.EVIDENCE, ranked[0].deciding.value, same_name=borrowed)
        m.rule = str(rule)
        m.alternatives = [Candidate(entry=r.entry, score=round(wt / norm, 4))
                          for r, wt in list(zip(ranked, weights))[1:self.keep_alternatives + 1]]

    def _resolve_demonym(self, m: PlaceMention) -> None:
        code = self.lexicon.demonym(m.text) or self.gazetteer.demonym(m.text)
        entry = self.gazetteer.country(code) if code else None
        m.place, m.score, m.alternatives = entry, 1.0 if entry else 0.0, []
        m.rule = str(Rule(RuleCode.DEMONYM))


class _Towns:
    """The document's mentions resolved to towns, by passage and in text order, so that
    placing each of many streets is a lookup, not a scan of every mention."""

    def __init__(self, places: list[PlaceMention]) -> None:
        towns = [m for m in places if m.place is not None and m.place.kind in POPULATED_KINDS]
        self.by_passage: dict[str | None, list[PlaceMention]] = {}
        for m in towns:
            self.by_passage.setdefault(m.passage_id, []).append(m)
        self.ordered = sorted(towns, key=lambda m: m.start)
        self.starts = [m.start for m in self.ordered]

    def nearest(self, street: PlaceMention) -> PlaceMention | None:
        """The town nearest the street in its passage, else the last one before it."""
        here = self.by_passage.get(street.passage_id)
        if here:
            return min(here, key=lambda m: abs(m.start - street.start))
        before = bisect.bisect_left(self.starts, street.start)
        if not before:
            return None
        # of the towns that start last before the street, the first the article names
        return self.ordered[bisect.bisect_left(self.starts, self.starts[before - 1])]
