"""Canonical actors: "Russian President Vladimir Putin", "Putin's" and "Putin" are one.

Within an article (:func:`canonicalize_actors`) a mention's surface is cleaned (titles,
possessives, "the", punctuation), junk that spaCy's small model labels PERSON/ORG is
dropped, and shorter or misspelt forms are folded into the full name the article uses:
a surname ("Putin" -> "Vladimir Putin"), an East Asian family name ("Kim" -> the Kim the
article mentions most), a misspelling ("Raisulis" -> "Andrew Rasiulis"), an acronym
("KCNA" -> "Korean Central News Agency"). Two full names never merge unless they are
spelling variants of each other, so two people called Kim stay two people.

Across articles the store folds a canonical name into a stored actor of the same kind
when :func:`same_person` says they are spelling variants ("Kim Jong Un" / "Kim Jong-un",
"Vladimir V. Putin" / "Vladimir Putin"), looked up by :func:`fold_key` (an indexed
column) and chosen by :func:`pick_fold`; a surname alone never folds across articles.
"""
from __future__ import annotations

import bisect
import itertools
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from geo.models import ActorMention

log = logging.getLogger(__name__)

FUZZY_THRESHOLD = 85.0  # rapidfuzz ratio a misspelt name part must reach
FUZZY_MIN_LENGTH = 5  # shorter name parts are never fuzzy-matched ("Kim" / "Lim")

# Words that, leading a PERSON entity, are a title or role rather than part of the name.
TITLE_WORDS = frozenset("""
    president vice prime minister premier chancellor secretary general gen lt lieutenant
    col colonel maj major capt captain cmdr commander adm admiral sgt sergeant marshal
    brig brigadier gov governor sen senator rep representative congressman congresswoman
    mayor mr mrs ms mx dr prof professor sir dame lord lady rev reverend imam rabbi
    ayatollah cardinal pope king queen prince princess sheikh emir sultan crown leader
    chairman chairwoman chairperson chair spokesperson spokesman spokeswoman ambassador
    envoy director chief ceo head judge justice attorney speaker deputy defence defense
    foreign interior finance economy trade health state navy army air force marine
    officer official analyst commissioner councillor supreme commander-in-chief
""".split())
# A title that is part of how the person is known ("Prince Harry"): only stripped
# when at least two name tokens remain ("Crown Prince Mohammed bin Salman").
ROYAL_TITLES = frozenset("pope king queen prince princess sheikh emir sultan".split())
# Words that may come before a title without being a name ("the former Russian ...").
TITLE_MODIFIERS = frozenset(
    "the of for and & former then acting interim new top senior north south east west".split()
)
_ADJECTIVE_ENDINGS = ("an", "ian", "ese", "ish", "i", "ic", "ch")

# Page furniture and pronoun-like words spaCy's small model sometimes labels as actors.
FURNITURE = frozenset({
    "watch", "photo", "photos", "video", "videos", "figure", "image", "images", "read",
    "read more", "more", "similar", "similar news", "related", "advertisement", "listen",
    "share", "subscribe", "live", "breaking", "update", "updated", "opinion", "analysis",
})
PRONOUNS = frozenset("i me he him his she her they them their we us our you it its".split())
_ACRONYM_SKIP = frozenset("of the and for & de du la".split())
# Words that make an ORG name look like an organisation, not a mislabelled person.
ORG_WORDS = frozenset("""
    ministry department agency council committee institute university college school
    news press media times post party forum foundation bank group company corporation
    inc ltd co association union league army navy force forces guard court office house
    service services commission authority organization organisation fund club church
    international national federal state central global
""".split())
_APPOSITIVE_ROLE = re.compile(r",\s+(?:(?:a|an|the)\s+)?([A-Za-z]+)(?:\s+([A-Za-z]+))?")

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2212]")
_EDGE = "\"'“”‘’`()[]{}<>,;:!?*•|·-–— \t\n"
_POSSESSIVE = re.compile(r"['’]s$")


def actor_key(name: str) -> str:
    """The key that cross-article matching compares: casefolded, accents stripped,
    dots and apostrophes dropped, hyphens and other punctuation made spaces.

    >>> actor_key("Kim Jong-un") == actor_key("KIM JONG UN")
    True
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[.'’`]", "", plain.casefold())
    plain = re.sub(r"[^\w]+|_", " ", plain)
    return " ".join(plain.split())


def _loose_key(name: str) -> str:
    """:func:`actor_key` without middle initials ("Vladimir V. Putin" -> "vladimir putin")."""
    tokens = actor_key(name).split()
    if len(tokens) > 2:
        tokens = [tokens[0]] + [t for t in tokens[1:-1] if len(t) > 1] + [tokens[-1]]
    return " ".join(tokens)


def fold_key(name: str) -> str:
    """The key the store indexes actors by: :func:`actor_key` without middle initials.
    Names with equal keys may still be two people (:func:`same_person` decides)."""
    return _loose_key(name)


def _middle_initials(name: str) -> tuple[str, ...]:
    tokens = actor_key(name).split()
    return tuple(t for t in tokens[1:-1] if len(t) == 1)


def same_person(a: str, b: str) -> bool:
    """Whether two canonical names are spelling variants of one name: the same
    :func:`fold_key` and no conflicting middle initials ("Vladimir V. Putin" is
    "Vladimir Putin"; "George W. Bush" is not "George H. W. Bush"; "Kim Jong-un" is not
    "Kim Yo-jong", and "Biden" is not "Joe Biden")."""
    if fold_key(a) != fold_key(b):
        return False
    ia, ib = _middle_initials(a), _middle_initials(b)
    return ia == ib or not ia or not ib


def pick_fold(name: str, stored: Iterable[str]) -> str | None:
    """The stored name (same kind, same :func:`fold_key`) that ``name`` folds into, or
    None: the one with the same :func:`actor_key` first, else the first variant of the
    same person; when the stored names carry different middle initials, only a name
    with the same initials ("George Bush" stays apart from "George W. Bush" and
    "George H. W. Bush", and those two from each other)."""
    stored = [s for s in stored if fold_key(s) == fold_key(name)]
    variants = [s for s in stored if same_person(name, s)]
    key = actor_key(name)
    for s in variants:
        if actor_key(s) == key:
            return s
    initials = {_middle_initials(s) for s in stored} - {()}
    mine = _middle_initials(name)
    if (mine and initials - {mine}) or (not mine and len(initials) > 1):
        variants = [s for s in variants if _middle_initials(s) == mine]
    return variants[0] if variants else None


def merge_across_articles(names: Iterable[str]) -> dict[str, str]:
    """Map each canonical name to one representative of its spelling variants.

    Conservative: names merge only when they have the same key once middle initials
    and hyphens are dropped ("Kim Jong Un" / "Kim Jong-un", "Vladimir V. Putin" /
    "Vladimir Putin"); "Putin" alone does not merge with "Vladimir Putin". The
    representative is the most frequent variant in ``names`` (repeats count), then the
    one without initials, then the alphabetically first, so it does not depend on order.
    """
    counts = Counter(names)
    groups: dict[str, list[str]] = {}
    for name in counts:
        groups.setdefault(_loose_key(name), []).append(name)
    mapping: dict[str, str] = {}
    for variants in groups.values():
        rep = min(variants, key=lambda n: (-counts[n], len(actor_key(n).split()), n))
        for name in variants:
            mapping[name] = rep
    return mapping


def _strip_edges(s: str) -> str:
    s = s.strip(_EDGE)
    while s.endswith("."):  # a sentence full stop, but not "Jr." / "Inc." / "U.S."
        last = s.rsplit(" ", 1)[-1]
        if len(last) <= 4 or "." in last[:-1]:
            break
        s = s[:-1].rstrip(_EDGE)
    return s


def _is_modifier(token: str) -> bool:
    low = token.lower()
    if low in TITLE_MODIFIERS:
        return True
    if "." in token or (token.isupper() and len(token) > 1):  # "U.S.", "UN"
        return True
    return token[:1].isupper() and low.endswith(_ADJECTIVE_ENDINGS)  # "Russian"


def _strip_titles(tokens: list[str]) -> list[str]:
    """Drop leading titles and roles: "Russian Defence Minister Sergei Shoigu" -> name."""
    cut = 0
    for i, token in enumerate(tokens[:-1]):
        word = token.lower().rstrip(".")
        if word in TITLE_WORDS:
            if word in ROYAL_TITLES and len(tokens) - i - 1 < 2:
                break
            cut = i + 1
        elif not _is_modifier(token):
            break
    return tokens[cut:]


def _singular_group(name: str) -> str:
    """NORP plural to its adjective: "Russians" -> "Russian", "Swiss" stays."""
    head, _, last = name.rpartition(" ")
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us")):
        last = last[:-1]
    return f"{head} {last}".strip()


def _is_junk(name: str, label: str) -> bool:
    if len(name) < 2 or not any(c.isalpha() for c in name):
        return True
    if not any(c.isupper() for c in name):  # "leader", "the pair": not a name
        return True
    low = name.casefold()
    if low in FURNITURE or (low in PRONOUNS and not name.isupper()):
        return True
    if label == "PERSON" and all(t.lower().rstrip(".") in TITLE_WORDS for t in name.split()):
        return True
    return False


def clean_name(text: str, label: str) -> str | None:
    """The cleaned surface of one mention, or None when it is not an actor at all.

    Whitespace is collapsed and dash variants become "-" ("Kim Jong‑un" -> "Kim Jong-un");
    possessives, surrounding punctuation, leading titles (PERSON) and "the" (ORG) go;
    NORP plurals become the adjective. "A/B" photo credits count as junk.
    """
    s = _DASHES.sub("-", unicodedata.normalize("NFC", text))
    s = _strip_edges(" ".join(s.split()))
    s = _strip_edges(_POSSESSIVE.sub("", s))
    if not s or "/" in s:
        return None
    if label == "ORG" and s.lower().startswith("the "):
        s = s[4:]
    elif label == "PERSON":
        s = " ".join(_strip_titles(s.split()))
    elif label == "NORP":
        s = _singular_group(s)
    s = _strip_edges(s)
    return None if _is_junk(s, label) else s


@dataclass
class _Group:
    """Distinct spelling variants of one name in one article, e.g. "Kim Jong-un"."""

    name: str  # the representative variant
    count: int  # mentions of the group's variants
    first: int  # order of its first mention
    tokens: list[str]  # actor_key tokens of the representative
    target: _Group | None = None  # the group it folds into, if any

    def rank(self) -> tuple[int, int]:
        return (-self.count, self.first)


def _group_variants(names: list[str]) -> dict[str, _Group]:
    """Group one label's cleaned names by loose key; most frequent variant represents."""
    counts = Counter(names)
    first = {}
    for i, n in enumerate(names):
        first.setdefault(n, i)
    by_key: dict[str, list[str]] = {}
    for n in counts:
        by_key.setdefault(_loose_key(n), []).append(n)
    groups: dict[str, _Group] = {}
    for variants in by_key.values():
        rep = min(variants, key=lambda n: (-counts[n], first[n]))
        group = _Group(rep, sum(counts[v] for v in variants),
                       min(first[v] for v in variants), actor_key(rep).split())
        for v in variants:
            groups[v] = group
    return groups


def _misspelt(a: list[str], b: list[str]) -> bool:
    """``a`` aligns with the end of ``b``, its last part near-identical ("Raisulis")."""
    b_tail = b[-len(a):]
    if len(a) > len(b) or a == b_tail:
        return False
    if a[:-1] != b_tail[:-1]:  # only the surname may differ
        return False
    x, y = a[-1], b_tail[-1]
    return (min(len(x), len(y)) >= FUZZY_MIN_LENGTH and x[0] == y[0]
            and fuzz.ratio(x, y) >= FUZZY_THRESHOLD)


def _initials(name: str) -> set[str]:
    tokens = [t for t in re.split(r"[\s-]+", name) if t]
    every = "".join(t[0] for t in tokens).upper()
    capitalised = "".join(t[0] for t in tokens if t.lower() not in _ACRONYM_SKIP).upper()
    return {every, capitalised}


class _Folds:
    """Where a name may fold, found by lookup rather than by a scan of every group (an
    article can name thousands of people): the groups by each shorter token prefix and
    suffix of their name, by each tail with its last token's initial, and by initials."""

    def __init__(self, groups: list[_Group]) -> None:
        self.affixes: dict[tuple[str, ...], list[_Group]] = {}
        self.tails: dict[tuple[tuple[str, ...], str], list[_Group]] = {}
        self.initials: dict[str, list[_Group]] = {}
        for g in groups:
            t = g.tokens
            for n in range(1, len(t)):
                for affix in {tuple(t[:n]), tuple(t[-n:])}:
                    self.affixes.setdefault(affix, []).append(g)
            for n in range(1, len(t) + 1):
                self.tails.setdefault((tuple(t[-n:-1]), t[-1][:1]), []).append(g)
            if len(t) > 1:
                for letters in _initials(g.name):
                    self.initials.setdefault(letters, []).append(g)


def _fold_person(group: _Group, folds: _Folds) -> _Group | None:
    """The fuller name a short or misspelt PERSON name refers to, if any."""
    longer = folds.affixes.get(tuple(group.tokens))  # it is their prefix or suffix
    if longer:
        return min(longer, key=_Group.rank)
    if not group.tokens:
        return None
    near = folds.tails.get((tuple(group.tokens[:-1]), group.tokens[-1][:1]), [])
    misspelt = [g for g in near if g is not group and _misspelt(group.tokens, g.tokens)
                and (len(g.tokens) > len(group.tokens) or g.rank() < group.rank())]
    return min(misspelt, key=_Group.rank) if misspelt else None


def _fold_acronym(group: _Group, folds: _Folds) -> _Group | None:
    """The long ORG name an all-caps ORG name abbreviates ("KCNA"), if any."""
    letters = group.name.replace(".", "")
    if not (letters.isalpha() and letters.isupper() and 2 <= len(letters) <= 6):
        return None
    longer = folds.initials.get(letters)
    return min(longer, key=_Group.rank) if longer else None


def _resolve(names: list[str], label: str) -> dict[str, str]:
    """Canonical name for each distinct cleaned name of one label in one article."""
    by_name = _group_variants(names)
    groups = list({id(g): g for g in by_name.values()}.values())
    if label in ("PERSON", "ORG"):
        fold = _fold_person if label == "PERSON" else _fold_acronym
        folds = _Folds(groups)
        for g in groups:
            g.target = fold(g, folds)
    canonical = {}
    for name, g in by_name.items():
        seen = {id(g)}
        while g.target is not None and id(g.target) not in seen:  # follow chains
            g = g.target
            seen.add(id(g))
        canonical[name] = g.name
    return canonical


def _is_title_fragment(m: ActorMention, nxt: ActorMention | None, text: str | None) -> bool:
    """An ORG that is part of a title before a PERSON: "Defence" in "Defence Minister
    Sergei Shoigu", "Navy" in "Navy Adm. Kim Myong Sik"."""
    if m.label != "ORG" or nxt is None or nxt.label != "PERSON":
        return False
    if not all(t.lower().rstrip(".") in TITLE_WORDS for t in m.text.split()):
        return False
    if text is None:
        return 0 <= nxt.start - m.end <= 20
    gap = text[m.end:nxt.start].split()
    return len(gap) <= 3 and all(t.lower().rstrip(".") in TITLE_WORDS for t in gap)


def _is_appositive_person(m: ActorMention, name: str, text: str | None) -> bool:
    """An ORG that reads like a person named with a role after it: "Pak Thae Song,
    chairman of ..." (spaCy's small model mislabels some East Asian names as ORG)."""
    if m.label != "ORG" or text is None:
        return False
    tokens = name.split()
    if not 2 <= len(tokens) <= 4 or any(t.lower() in ORG_WORDS for t in tokens):
        return False
    if not all(t[:1].isupper() and t[1:].islower() for t in tokens):
        return False
    role = _APPOSITIVE_ROLE.match(text, m.end)
    return bool(role) and any((w or "").lower() in TITLE_WORDS for w in role.groups())


def _relabel_ambiguous(kept: list[tuple[ActorMention, str]]) -> None:
    """A name spaCy labels both PERSON and ORG takes the label it has most often."""
    labels: dict[str, Counter] = {}
    for m, name in kept:
        if m.label != "NORP":
            labels.setdefault(actor_key(name), Counter())[m.label] += 1
    for m, name in kept:
        votes = labels.get(actor_key(name))
        if votes and len(votes) > 1:
            m.label = votes.most_common(1)[0][0]


class _Spans:
    """Character spans that answer "does [start, end) overlap one of you?" in O(log n)
    (an article can have thousands of place mentions and of actor mentions)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach = list(itertools.accumulate((e for _, e in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self.starts, end)  # the spans that start before end
        return before > 0 and self.reach[before - 1] > start


def canonicalize_actors(
    mentions: list[ActorMention],
    *,
    text: str | None = None,
    exclude_spans: Iterable[tuple[int, int]] = (),
    place_names: Iterable[str] = (),
) -> list[ActorMention]:
    """Fill ``canonical`` for the actor mentions of one article; return those kept.

    ``text`` is the article text the offsets point into (it sharpens the check for
    title fragments such as "Navy" in "Navy Adm. Kim"). Mentions overlapping
    ``exclude_spans`` (places the NLP step found) or whose cleaned name is one of
    ``place_names`` are dropped, as is junk ("WATCH", "Photo", photo credits). The kept
    mentions are updated in place (``canonical``, and ``label`` when spaCy gave one
    name both PERSON and ORG) and returned in their original order.
    """
    spans = _Spans(exclude_spans)
    places = {actor_key(p) for p in place_names}
    ordered = sorted(mentions, key=lambda m: (m.start, m.end))
    next_of = {id(m): (ordered[i + 1] if i + 1 < len(ordered) else None)
               for i, m in enumerate(ordered)}
    kept: list[tuple[ActorMention, str]] = []
    for m in mentions:
        if spans.overlaps(m.start, m.end):
            continue
        name = clean_name(m.text, m.label)
        if name is None or actor_key(name) in places or actor_key(m.text) in places:
            log.debug("dropped actor mention %r (%s)", m.text, m.label)
            continue
        if _is_title_fragment(m, next_of[id(m)], text):
            continue
        if _is_appositive_person(m, name, text):
            m.label = "PERSON"
        kept.append((m, name))
    _relabel_ambiguous(kept)
    for label in ("PERSON", "ORG", "NORP"):
        names = [name for m, name in sorted(kept, key=lambda p: p[0].start) if m.label == label]
        canonical = _resolve(names, label)
        for m, name in kept:
            if m.label == label:
                m.canonical = canonical[name]
    return [m for m, _ in kept]
