"""Which names of an administrative area are worth indexing.

Codes and abbreviations among the name variants ("KiM" for Kosovo-Metohija, "BOP"
for Bay of Plenty) read as surnames, acronyms or words in news; so do very short
variants ("Bai"). They are left out; the ones news really uses are curated aliases.
"""
from __future__ import annotations

from collections.abc import Iterable

from geo.gazetteer.normalize import is_latin, name_key

MIN_KEY_LEN = 4  # for a variant or a one-word second-level name
MAX_WORDS = 8
# one-word second-level names that are English words (or generic area words)
_WORDS = {"central", "western", "eastern", "northern", "southern", "north", "south",
          "east", "west", "capital", "mine", "most", "same", "centre", "center", "island",
          "islands", "coast", "union", "liberty", "independence", "progress", "victoria"}


def looks_like_abbreviation(text: str) -> bool:
    """True for codes and abbreviations: "BOP", "KiM", "NSW", "D.C.", "Kr."."""
    word = text.strip()
    if " " in word or not word:
        return False
    letters = [c for c in word if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if word.endswith(".") or "." in word.rstrip("."):
        return True
    if word.isupper() and len(letters) <= 6:
        return True
    return len(letters) <= 5 and upper >= 2  # "KiM", "RoK"


def good_variant(text: str, *, min_len: int = MIN_KEY_LEN) -> bool:
    """A name variant fit for the index: Latin script, no digits, not a code or an
    abbreviation, a key of ``min_len``+ characters, at most :data:`MAX_WORDS` words."""
    key = name_key(text)
    return (bool(key) and is_latin(text) and not any(c.isdigit() for c in text)
            and not looks_like_abbreviation(text) and len(key) >= min_len
            and key.count(" ") < MAX_WORDS)


def _bare(alias_key: str, name_key_: str) -> bool:
    """"Sonoma" for "Sonoma County": the name without its type word, which is what a
    town of that name is called."""
    return name_key_.startswith(alias_key + " ") or name_key_.endswith(" " + alias_key)


def admin2_names(name: str, aliases: Iterable[str]) -> list[str]:
    """Names of a second-level area, its own name first (empty: nothing worth indexing).

    Aliases that are the name without its type word ("Jefferson" for "Jefferson
    County") are left out: bare, they name towns far more often than counties."""
    key = name_key(name)
    one_word_ok = " " in key or (key not in _WORDS and len(key) >= MIN_KEY_LEN)
    own = [name] if one_word_ok and good_variant(name, min_len=3) else []
    candidates = own + [a for a in aliases if good_variant(a)]
    if not candidates:
        return []
    main = name_key(candidates[0])
    seen: set[str] = set()
    out = []
    for text in candidates:
        key = name_key(text)
        if key in seen or (out and _bare(key, main)) or key in _WORDS:
            continue
        seen.add(key)
        out.append(text)
    return out
