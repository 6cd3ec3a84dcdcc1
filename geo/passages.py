"""Articles to passages: paragraphs with stable ids and exact character offsets.

Paragraphs are separated by blank lines. Inside a block of consecutive lines, each line
is its own paragraph (news text pasted from a web page has one paragraph per line),
unless the block looks hard-wrapped (most of its lines continue a sentence begun on
the line before), in which case the block is one paragraph.

Page furniture is dropped: figure labels ("North Korea - Figure 1"), photo and image
credits, "WATCH | ...", "Read more", "Similar news", "Advertisement", share/subscribe
prompts, bylines, bare date lines, lines without letters, and one- or two-word lines
without a sentence. A paragraph longer than ``max_chars`` is cut at sentence
boundaries so that a snippet stays readable. A piece that is still longer than
:data:`HARD_MAX_CHARS` (one "sentence" of thousands of characters: a table, a dump, a
text without punctuation) is cut again, at the last sentence end, else whitespace,
else character within ``max_chars``: no passage sent to spaCy nears its ``max_length``,
whatever the article.

For every passage ``article.text[p.start:p.end] == p.text``; ids are
``f"{article.id}-p{index}"`` where ``index`` counts the passages kept, in order.
"""
from __future__ import annotations

import logging
import re

from geo.dates import is_date_line, passage_date
from geo.models import Article, Passage

logger = logging.getLogger(__name__)

MAX_PASSAGE_CHARS = 2000
_TARGET_CHARS = 1200  # long paragraphs are cut into pieces of about this size
# A piece longer than this after the cut at sentence ends is cut again into pieces of at
# most ``max_chars`` (the longest passage of the three evaluation corpora has 2,046
# characters, so ordinary news never gets there); spaCy refuses 1,000,000.
HARD_MAX_CHARS = 10_000

_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_SENTENCE_END_RE = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)\]]))\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])"
)
_LETTER_RE = re.compile(r"[^\W\d_]")
_NON_SPACE_RE = re.compile(r"\S")
# where an over-long piece may be cut, best first: a sentence end, then any whitespace
_HARD_BREAKS = (re.compile(r"(?<=[.!?;:])\s+"), re.compile(r"\s+"))

_FURNITURE_EXACT = {
    "read more", "similar news", "advertisement", "advertisements", "share this article",
    "share this story", "share", "related", "related articles", "related stories",
    "related content", "more stories", "more from this section", "recommended",
    "most read", "trending", "comments", "print", "email", "tweet", "skip to content",
    "skip to main content", "listen to this article", "story continues below advertisement",
    "continue reading", "see also", "top stories", "sponsored content", "back to top",
    "all rights reserved", "sign up", "subscribe", "log in", "menu",
}
_FURNITURE_PATTERNS = [
    re.compile(p, re.IGNORECASE) for p in (
        r"^.{1,80}\s[-\u2013\u2014|:]\s*(figure|fig\.?|image|photo|picture|video|gallery|"
        r"graphic|map|chart)\s*\d*$",
        r"^(figure|fig\.?|image|photo|picture|video|gallery)\s*\d+\s*$",
        r"^(photo|image|picture|video|credit|source|photograph)s?\s*(:|by|credit:?)?\s*"
        r"[\w@.&/ ,'-]{1,50}$",
        r"^(watch|listen|live|video|read|more|update|related|see also)\s*[l|:\u2502\u00a6]\s*",
        r"^(read more|related|see also|more on this|also read)\s*:",
        r"^(click|tap) here\b", r"^(sign up|subscribe|follow us|share on|share via)\b",
        r"^(copyright|\u00a9|\(c\))\s", r"^all rights reserved",
        r"^\(?(photo|image|picture)?[^()]{0,80}/\s*(getty images|reuters|afp|ap|"
        r"associated press|the associated press|shutterstock|epa|anadolu)[^()]{0,20}\)?$",
        r"^\(?(getty images|reuters|afp|ap photo|shutterstock|epa)\)?$",
        r"^by\s+[A-Z][\w.'\u2019-]+(\s+[A-Z][\w.'\u2019-]+){0,3}"
        r"(\s*(,|\||\u00b7|-|and)\s*[\w .'-]{0,40})?$",
    )
]


def _is_furniture(line: str) -> bool:
    """True for a line that is page furniture rather than article text."""
    text = line.strip()
    if not _LETTER_RE.search(text):
        return True
    bare = text.lower().rstrip(" :>\u203a\u00bb.\u2026|").strip()
    if bare in _FURNITURE_EXACT:
        return True
    if len(text) <= 200 and any(p.search(text) for p in _FURNITURE_PATTERNS):
        return True
    words = text.split(maxsplit=2)
    if len(words) <= 2 and not text.endswith((".", "!", "?", '"', "\u201d")):
        return True
    return len(text) <= 80 and is_date_line(text)


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line (without its newline), blank ones included."""
    spans, start = [], 0
    for match in _NEWLINE_RE.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _blocks(text: str) -> list[list[tuple[int, int]]]:
    """Runs of consecutive non-blank lines."""
    blocks: list[list[tuple[int, int]]] = [[]]
    for start, end in _lines(text):
        if text[start:end].strip():
            blocks[-1].append((start, end))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_wrapped(text: str, block: list[tuple[int, int]]) -> bool:
    """A hard-wrapped paragraph: most line breaks fall inside a sentence."""
    if len(block) < 2:
        return False
    continued = 0
    for (start, end), (next_start, _) in zip(block, block[1:]):
        line = text[start:end].rstrip()
        following = _NON_SPACE_RE.search(text, next_start)  # no copy of the rest
        if following and following.group().islower() \
                or line.endswith((",", ";", "-", "\u2013")) \
                or line.split()[-1].lower() in {"the", "a", "an", "of", "and", "in", "to"}:
            continued += 1
    return continued * 2 >= len(block) - 1


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for block in _blocks(text):
        if _is_wrapped(text, block):
            spans.append((block[0][0], block[-1][1]))
        else:
            spans.extend(block)
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, *, max_chars: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at sentence ends into pieces of at most ``max_chars``
    (a single sentence longer than that stays whole)."""
    if end - start <= max_chars:
        return [(start, end)]
    target = min(_TARGET_CHARS, max_chars)
    pieces, piece_start = [], start
    for match in _SENTENCE_END_RE.finditer(text, start, end):
        cut = match.start()
        if cut - piece_start >= target:
            pieces.append((piece_start, cut))
            piece_start = match.end()
    pieces.append((piece_start, end))
    if len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < target // 4:
        last = pieces.pop()  # a short tail joins the piece before it
        pieces[-1] = (pieces[-1][0], last[1])
    return pieces


def _cut_hard(text: str, start: int, end: int, *, max_chars: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into pieces of at most ``max_chars``: at the last sentence
    end in the second half of each piece's reach, else the last whitespace there, else
    right at ``max_chars``."""
    pieces = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = next_start = limit
        for pattern in _HARD_BREAKS:
            last = None
            for last in pattern.finditer(text, start + max_chars // 2, limit):
                pass
            if last is not None:
                cut, next_start = last.start(), last.end()
                break
        pieces.append((start, cut))
        start = next_start
    pieces.append((start, end))
    return pieces


def _pieces(text: str, start: int, end: int, *, max_chars: int) -> list[tuple[int, int]]:
    """The paragraph ``text[start:end]`` as passage spans (see the module docstring)."""
    pieces = []
    for piece_start, piece_end in _cut_long(text, start, end, max_chars=max_chars):
        if piece_end - piece_start > HARD_MAX_CHARS:
            pieces.extend(_cut_hard(text, piece_start, piece_end, max_chars=max_chars))
        else:
            pieces.append((piece_start, piece_end))
    return pieces


def split_passages(article: Article, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """The article's passages, furniture dropped, each dated by ``passage_date``."""
    text = article.text
    passages: list[Passage] = []
    for span_start, span_end in _paragraph_spans(text):
        start, end = _strip(text, span_start, span_end)
        if start == end or _is_furniture(text[start:end]):
            continue
        for piece_start, piece_end in _pieces(text, start, end, max_chars=max_chars):
            piece_start, piece_end = _strip(text, piece_start, piece_end)
            if piece_start == piece_end:  # a run of blanks that a hard cut left alone
                continue
            piece = text[piece_start:piece_end]
            index = len(passages)
            passages.append(Passage(
                id=f"{article.id}-p{index}", article_id=article.id, index=index,
                start=piece_start, end=piece_end, text=piece,
                date=passage_date(piece, article.published),
            ))
    logger.debug("%s: %d passages", article.id, len(passages))
    return passages
