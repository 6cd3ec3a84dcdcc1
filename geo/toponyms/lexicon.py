"""A language's words for finding and resolving place names, read from a data file.

Recognition (:mod:`geo.nlp`), the article-level passes (:mod:`geo.pipeline`) and the
resolver (:mod:`geo.resolve`) ask one :class:`Lexicon` which words are place-type
heads, which capitalised words are not places, which words make a name a disease's,
what may follow a dateline, and so on. Adding a word is editing
``geo/data/lexicon/<lang>.txt``, not code.

The format is plain text, one entry per line, under ``[kind]`` section headers, with
``#`` comments and blank lines ignored::

    [place_types]   # "the village of X", "X is a town in ..."
    city
    town

Why not TOML or JSON: a word list there needs quotes and commas on every line, and a
semantic mistake (an invalid regular expression, a duplicate, a malformed pair) cannot
be traced back to a line. Here every entry is its own line, so an error says
``en.txt:42: ...``, and one file shows the whole language at a glance (a new language is
one new file). Three entry shapes exist, fixed per kind (see :data:`KINDS`):

* words: a word or phrase, compared as written (case matters: "Street" is a street's
  head, "street" is not); in ``[disease_words]`` a leading ``*`` means "any word ending
  so" (``*virus``: "coronavirus");
* pairs: ``short = long`` (name folding: ``st = saint``; demonyms: ``russe = RU``);
* patterns: a regular expression; the kind's entries are alternatives.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from geo.errors import LexiconError

LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicon"

WORDS, PAIRS, PATTERNS = "words", "pairs", "patterns"


@dataclass(frozen=True)
class Lexicon:
    """One language's words, by kind. Each field is one ``[kind]`` of the data file."""

    lang: str
    # recognition (geo.nlp)
    locatives: frozenset[str]  # "in X", "near X", "northern X": a place may follow
    inside_words: frozenset[str]  # "in", "near": a town after them is a place
    place_types: frozenset[str]  # "the village of X", "X, a town in ..."
    copulas: frozenset[str]  # "X is a town": the verb of a type cue
    type_links: frozenset[str]  # "the village of X": between the type and the name
    types_before: frozenset[str]  # "le fleuve X": a place type right before the name
    descriptors: frozenset[str]  # "Nyanza province" -> "Nyanza"
    feature_heads: frozenset[str]  # "X River", "the Z Strait": a place even if NER missed it
    connectors: frozenset[str]  # inside a name: "Bosnia and Herzegovina", "Stratford-upon-Avon"
    not_places: frozenset[str]  # capitalised words that are places somewhere, not in news
    compass_words: frozenset[str]  # "South West England": direction, no place on its own
    disease_names: frozenset[str]  # "Ebola", "Zika": never places
    disease_words: frozenset[str]  # "West Nile virus": the name before is a disease's
    street_heads: frozenset[str]  # "Royal Street", "14th St."
    street_initials: frozenset[str]  # "N. Bedford Drive"
    ordinal_suffixes: frozenset[str]  # "14th Street"
    not_street_words: frozenset[str]  # "the Street", "on Street": not a street's name
    dotted_names: frozenset[str]  # "U.S.": capitalised although the tokenizer disagrees
    possessives: frozenset[str]  # "South Korea's": trimmed; "in Clinton's speech": no town
    definite_articles: frozenset[str]  # "the Pacific": seas and regions take it
    indefinite_articles: frozenset[str]  # trimmed like "the": "a Paris" -> "Paris"
    list_joiners: frozenset[str]  # "Zilina, Nitra and Kosice"
    person_titles: frozenset[str]  # "coach Ripley", "President Obama": a person, no town
    company_words: frozenset[str]  # "Titan Industries", "Toyota Motor": a company, no town
    name_not_place: frozenset[str]  # "Toyota", "Duma": a company or body, not the town
    # "russe = RU": demonyms the gazetteer lacks (its own are English), by ISO code
    demonyms: dict[str, str]
    # article level (geo.pipeline)
    sentence_openers: frozenset[str]  # "In Ebola virus ...": not part of the disease's name
    # resolution (geo.resolve)
    water_heads: frozenset[str]  # "X River" wants a water body
    region_heads: frozenset[str]  # "X County" wants a region
    region_after: frozenset[str]  # "New York state", "Washington governor"
    region_before: frozenset[str]  # "the state of Washington"
    part_prefixes: frozenset[str]  # "North Dallas" is part of Dallas
    part_suffixes: frozenset[str]  # "Salinas Valley" is part of Salinas
    near_prefixes: frozenset[str]  # "Lake Manassas" is near Manassas
    pair_enders: frozenset[str]  # "Tacoma, Washington and ...": the words that end Y of "X, Y"
    name_folding: dict[str, str]  # "St. Louis" = "Saint Louis"
    dateline_after: tuple[str, ...]  # what follows a dateline: "NEW YORK (AP) --"
    # language choice (geo.languages)
    function_words: frozenset[str]  # "the", "of": common in the language, rare elsewhere

    # -- questions ----------------------------------------------------------------------

    @functools.cached_property
    def articles(self) -> frozenset[str]:
        """"the", "a", "an": trimmed before a name."""
        return self.definite_articles | self.indefinite_articles

    def is_disease_word(self, word: str) -> bool:
        """"virus", "fever", "coronavirus": the name before it is a disease's."""
        w = word.casefold()
        return w in self._disease[0] or w.endswith(self._disease[1])

    def is_dateline(self, text: str, start: int, end: int) -> bool:
        """``text[start:end]`` is a dateline: a name in capitals (3 letters or more) that
        opens a line or a sentence and is followed by one of ``[dateline_after]``
        ("OKLAHOMA CITY (AP) --", "PLEASANTON, Calif.", "By Jo Biron. WASHINGTON, April 5")."""
        letters = [ch for ch in text[start:end] if ch.isalpha()]
        if len(letters) < 3 or not all(ch.isupper() for ch in letters):
            return False
        k = start - 1
        while k >= 0 and text[k] in " \t":
            k -= 1
        return (k < 0 or text[k] in "\n.!?") and bool(self.dateline_after_re.match(text, end))

    def demonym(self, word: str) -> str | None:
        """The ISO code of the country ``word`` is a ``[demonyms]`` form of, a plural in
        "s" included ("Syriens" as "syrien"), else None."""
        if not self.demonyms:
            return None
        key = word.casefold()
        return self.demonyms.get(key) or (self.demonyms.get(key[:-1])
                                          if key.endswith("s") else None)

    def fold(self, name: str) -> str:
        """A name for comparing: case, punctuation, a leading "the" and the
        ``[name_folding]`` short words ("St." = "Saint") aside."""
        s = self._leading_article.sub("", name.strip())
        words = re.sub(r"[^\w]+", " ", s.casefold()).split()
        return " ".join(self.name_folding.get(w, w) for w in words)

    # -- patterns built from the words (compiled once per lexicon) ------------------------

    @functools.cached_property
    def _disease(self) -> tuple[frozenset[str], tuple[str, ...]]:
        words = frozenset(w.casefold() for w in self.disease_words if not w.startswith("*"))
        return words, tuple(w[1:].casefold() for w in self.disease_words if w.startswith("*"))

    @functools.cached_property
    def disease_after(self) -> str:
        """A regex (no groups) matching a disease word: "virus", "fever", "coronavirus"."""
        words, suffixes = self._disease
        alts = [rf"(?:{_alternation(words)})\b"] if words else []
        alts += [rf"\w*(?:{_alternation(suffixes)})\b"] if suffixes else []
        return "|".join(alts) or r"(?!)"

    @functools.cached_property
    def _leading_article(self) -> re.Pattern[str]:
        if not self.definite_articles:
            return re.compile(r"(?!)")
        return re.compile(rf"^(?:{_alternation(self.definite_articles)})\s+", re.I)

    @functools.cached_property
    def definite_before(self) -> re.Pattern[str]:
        """"the " right before a name ("the Pacific"), capitalised or not."""
        return re.compile(rf"\b(?:{_alternation(_capitalised(self.definite_articles))})\s+$")

    @functools.cached_property
    def dateline_after_re(self) -> re.Pattern[str]:
        return re.compile(r"\s*(?:" + ("|".join(self.dateline_after) or "(?!)") + ")")

    @functools.cached_property
    def water_head(self) -> re.Pattern[str]:
        return re.compile(rf"\b({_alternation(self.water_heads)})$", re.I)

    @functools.cached_property
    def region_head(self) -> re.Pattern[str]:
        return re.compile(rf"\b({_alternation(self.region_heads)})$", re.I)

    @functools.cached_property
    def region_after_re(self) -> re.Pattern[str]:
        return re.compile(rf"\s+(?:{_alternation(_capitalised(self.region_after))})\b")

    @functools.cached_property
    def region_before_re(self) -> re.Pattern[str]:
        return re.compile(rf"\b(?:{_alternation(_capitalised(self.region_before))})\s+$")

    @functools.cached_property
    def ordinal(self) -> re.Pattern[str]:
        """"14th", "2nd": a number with an ordinal ending."""
        return re.compile(rf"^\d+(?:{_alternation(self.ordinal_suffixes)})$")

    @functools.cached_property
    def part_prefix(self) -> re.Pattern[str]:
        return re.compile(rf"^(?:{_alternation(self.part_prefixes)})\s+")

    @functools.cached_property
    def part_suffix(self) -> re.Pattern[str]:
        return re.compile(rf"\s+(?:{_alternation(self.part_suffixes)})$")

    @functools.cached_property
    def near_prefix(self) -> re.Pattern[str]:
        return re.compile(rf"^(?:{_alternation(self.near_prefixes)})\s+")

    @functools.cached_property
    def list_gap(self) -> re.Pattern[str]:
        """What may separate two items of a list: "Texas, Ohio and New York"."""
        return re.compile(rf"\s*(?:,|,?\s+(?:{_alternation(self.list_joiners)}))\s*")

    @functools.cached_property
    def definition(self) -> re.Pattern[str]:
        """What follows a name that says which kind of place it is and where: " is a
        town in ...", ", a community located in ...", " (Saint Cross) is an extensive
        neighborhood of ..." (not " was the first country to recognise ...")."""
        return re.compile(
            r"\s*(?:\([^()]{0,80}\)\s*)?(?:,|\s(?:" + _alternation(self.copulas) + r"))\s+"
            r"(?:" + _alternation(self.articles) + r")\s+(?:[\w-]+,?\s+){0,5}?"
            r"(?:" + _alternation(self.place_types) + r")(?:,?\s+[\w-]+){0,2}?,?\s+"
            r"(?:" + _alternation(self.inside_words | self.type_links) + r")\s", re.I)

    @functools.cached_property
    def pair_region(self) -> re.Pattern[str]:
        """The Y of "X, Y" right after X: ", Washington" up to punctuation or an ender."""
        return re.compile(r",\s*([A-Z][\w.'’ -]{1,40}?)(?=[,.;:)\n]|\s+(?:"
                          + _alternation(self.pair_enders) + r")\b|$)")


def _alternation(words: frozenset[str] | tuple[str, ...]) -> str:
    """A regex alternation of the words, longest first, or one that never matches."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) or "(?!)"


def _capitalised(words: frozenset[str]) -> frozenset[str]:
    """The words as written and with a capital ("state", "State")."""
    return frozenset(words) | {w[:1].upper() + w[1:] for w in words}


# the kind of each ``[section]``: every field of Lexicon but ``lang``
KINDS: dict[str, str] = {
    f.name: PAIRS if f.name in ("name_folding", "demonyms") else PATTERNS if f.name == "dateline_after"
    else WORDS for f in dataclasses.fields(Lexicon) if f.name != "lang"}


@functools.lru_cache(maxsize=None)
def lexicon(lang: str) -> Lexicon:
    """The lexicon of ``lang`` ("en"), read once from ``geo/data/lexicon/<lang>.txt``."""
    if not re.fullmatch(r"[a-z]{2,3}", lang):
        raise LexiconError(f"error: {lang!r}: not a language code (such as 'en')")
    return read_lexicon(LEXICON_DIR / f"{lang}.txt", lang=lang)


def read_lexicon(path: Path | str, *, lang: str) -> Lexicon:
    """Read a lexicon file; :class:`LexiconError` names the file and line of a fault."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise LexiconError(f"error: {path}: cannot read the lexicon: {err}") from err
    entries: dict[str, list[str]] = {}
    seen: dict[tuple[str, str], int] = {}
    kind = None
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{path}:{number}"
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            kind = header.group(1)
            if kind not in KINDS:
                raise LexiconError(f"error: {where}: unknown section [{kind}] "
                                   f"(known: {', '.join(KINDS)})")
            if kind in entries:
                raise LexiconError(f"error: {where}: section [{kind}] appears twice")
            entries[kind] = []
            continue
        if kind is None:
            raise LexiconError(f"error: {where}: {line!r} comes before any [section]")
        _check(line, KINDS[kind], kind, where)
        if (kind, line) in seen:
            raise LexiconError(f"error: {where}: {line!r} is already in [{kind}] "
                               f"(line {seen[kind, line]})")
        seen[kind, line] = number
        entries[kind].append(line)
    missing = [k for k in KINDS if k not in entries]
    if missing:
        raise LexiconError(f"error: {path}: no section "
                           + ", ".join(f"[{k}]" for k in missing))
    values: dict[str, object] = {}
    for kind, shape in KINDS.items():
        if shape == PAIRS:
            values[kind] = dict(tuple(p.strip() for p in e.split("=", 1)) for e in entries[kind])
        elif shape == PATTERNS:
            values[kind] = tuple(entries[kind])
        else:
            values[kind] = frozenset(entries[kind])
    return Lexicon(lang=lang, **values)  # type: ignore[arg-type]


def _check(line: str, shape: str, kind: str, where: str) -> None:
    """Refuse an entry that does not fit its kind's shape."""
    if shape == PAIRS:
        parts = [p.strip() for p in line.split("=")]
        if len(parts) != 2 or not all(parts):
            raise LexiconError(f"error: {where}: [{kind}] wants 'short = long', got {line!r}")
    elif shape == PATTERNS:
        try:
            re.compile(line)
        except re.error as err:
            raise LexiconError(f"error: {where}: invalid regular expression {line!r}: {err}") \
                from err
    elif line.startswith("*") and (kind != "disease_words" or len(line) < 2):
        raise LexiconError(f"error: {where}: a '*' (word ending) entry is only allowed in "
                           f"[disease_words], got {line!r} in [{kind}]")
    elif "=" in line or "[" in line:
        raise LexiconError(f"error: {where}: [{kind}] wants one word or phrase, got {line!r}")
