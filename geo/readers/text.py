"""Plain text and Markdown articles: one file, one article.

The first non-empty line is the title (Markdown ``#`` marks stripped); a line among the
first five non-empty ones that is only a date ("12 Sep 2023", "Published: 2023-09-12")
is the publication date. ``Article.text`` is the whole file, as received (newlines
normalised to ``\\n``, a BOM dropped), so offsets into it are stable and the reader shows
the article as it came; the passage splitter drops the date line as page furniture.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.dates import find_date_line
from geo.errors import InputError
from geo.models import Article
from geo.readers._article import make_article
from geo.readers._decode import read_text

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*|\s+#+\s*$")
_MD_INLINE = re.compile(r"\*\*|__|`|(?<!\w)[*_]|[*_](?!\w)")


def clean_title(line: str) -> str:
    """``"## **Kim arrives**"`` -> ``"Kim arrives"``."""
    title = _MD_HEADING.sub("", line.strip())
    return " ".join(_MD_INLINE.sub("", title).split())


def article_from_text(text: str, where: str, *, warn: Callable[[str], None]) -> Article:
    """Build an Article from a whole text, finding its title and date line."""
    lines = text.split("\n")
    date_line = find_date_line(lines)
    published = None
    if date_line is not None:
        published = date_line.iso
        if published is None:
            warn(f"{where}:{date_line.index + 1}: unparseable date {date_line.value!r} "
                 "(kept without a date)")
    title = None
    for index, line in enumerate(lines):
        if line.strip() and (date_line is None or index != date_line.index):
            title = clean_title(line) or None
            break
    return make_article(text, where, warn, title=title, published=published)


def read_text_file(path: Path, where: str, *, max_bytes: int,
                   warn: Callable[[str], None]) -> Iterator[Article | InputError]:
    """Yield the one article of a ``.txt`` / ``.md`` file (an unreadable file raises
    InputError, which :func:`geo.readers.iter_articles` reports)."""
    text = read_text(path, where, max_bytes=max_bytes)
    yield article_from_text(text, where, warn=warn)
