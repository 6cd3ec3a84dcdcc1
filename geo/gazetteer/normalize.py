"""Name keys: the normalised form under which every gazetteer name is indexed.

Both the index builder and every lookup go through :func:`name_key`, so "U.S.", "US"
and "u.s" meet under one key, as do "Kyiv" / "KYIV", "Donetsk Oblast" / "Donetsk-Oblast",
"Côte d'Ivoire" / "Cote d'Ivoire" and "The Gambia" / "Gambia".
"""
from __future__ import annotations

import re
import unicodedata

# Letters that do not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans({
    "đ": "d", "ð": "d", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "ı": "i",
    "þ": "th", "ħ": "h", "ŧ": "t", "ŋ": "n", "ə": "e", "ß": "ss",
})
# Apostrophe-like marks vanish ("Xi'an" -> "xian", "Anadyr'" -> "anadyr").
_APOSTROPHES = re.compile(r"['’‘`´ʻʼʹʾʿ]")
_NON_WORD = re.compile(r"[^\w]+|_")
_LEADING_THE = "the "


def name_key(text: str) -> str:
    """The lookup key of a place name: casefolded, accents stripped, punctuation
    and hyphens turned into spaces, spaces collapsed, a leading "the" dropped, and
    runs of single letters joined ("U. S. A." -> "usa").
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.translate(_FOLD)
    folded = _APOSTROPHES.sub("", folded)
    tokens = _NON_WORD.sub(" ", folded).split()
    tokens = _join_initials(tokens)
    key = " ".join(tokens)
    if key.startswith(_LEADING_THE) and len(key) > len(_LEADING_THE):
        key = key[len(_LEADING_THE):]
    return key


def _join_initials(tokens: list[str]) -> list[str]:
    """Join runs of two or more one-letter tokens: ["u", "s"] -> ["us"]."""
    out: list[str] = []
    run: list[str] = []
    for tok in tokens + [""]:
        if len(tok) == 1 and tok.isalpha():
            run.append(tok)
            continue
        if len(run) > 1:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if tok:
            out.append(tok)
    return out


def token_count(key: str) -> int:
    """How many tokens a name key has (what an n-gram matcher tries)."""
    return key.count(" ") + 1 if key else 0


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is a Latin letter (accents allowed).

    The index keeps Latin-script names only: News Atlas reads English news, and the
    Cyrillic, CJK or Arabic alternate names of 235k cities would double its size.
    """
    for ch in text:
        if ch.isalpha() and ch.isascii():
            continue
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True
