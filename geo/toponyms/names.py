"""Comparing a mention's text with a gazetteer entry's name (the lexicon folds case,
punctuation, a leading "the" and "St." / "Saint")."""
from __future__ import annotations

import functools

from geo.toponyms.lexicon import lexicon

# the folding of names, by the English lexicon until the functions take the document's
# lexicon (the French part of issue 13)
_ENGLISH = lexicon("en")


@functools.lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """The form under which two spellings of one name compare equal (cached: every
    candidate of every mention asks it of the same few names)."""
    return _ENGLISH.fold(s)


def same_name(query: str, name: str) -> bool:
    """The query is the entry's own name ("EU" is not the French town "Eu")."""
    bare = query.replace(".", "")
    if bare.isupper() and len(bare) <= 5:
        return bare == name.replace(".", "")
    return fold(query) == fold(name)


def city_name(query: str, name: str) -> bool:
    """The query is the city's name, or its name without "City" ("New York City")."""
    return same_name(query, name) or fold(name) == fold(query) + " city"
