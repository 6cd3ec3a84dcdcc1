"""One place where every reader builds its Articles, so that what reaches the store and
the hash is always storable text.

A lone surrogate (JSON's ``"\\ud800"``, a broken UTF-16 pair) cannot be written as UTF-8,
and a NUL cuts the text short in SQLite's string functions and in browsers: each is
replaced by U+FFFD (one character for one, so offsets into the text stay true), with a
warning naming the record and the field. A file name that is not valid UTF-8 is shown
with backslash escapes (``caf\\xe9.txt``); the file itself is still read.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable

from geo.models import Article, article_id_for

Warn = Callable[[str], None]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def display_path(path: str | bytes | os.PathLike) -> str:
    """A file name as printable, storable text: undecodable bytes and lone surrogates
    become backslash escapes (``b'caf\\xe9.txt'`` -> ``'caf\\\\xe9.txt'``), and control
    characters too, so a message about it stays on one line."""
    name = os.fsdecode(path)
    try:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file system byte gave
        name = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def storable(value: str, where: str, field: str, warn: Warn) -> str:
    """``value`` with each lone surrogate and NUL replaced by U+FFFD (warned)."""
    found = _UNSTORABLE.findall(value)
    if not found:
        return value
    nuls = found.count("\x00")
    what = " and ".join(part for part in (
        f"{len(found) - nuls} lone surrogate(s)" if len(found) > nuls else "",
        f"{nuls} NUL character(s)" if nuls else "") if part)
    warn(f"{where}: {field}: {what} replaced with U+FFFD")
    return _UNSTORABLE.sub("\ufffd", value)


def make_article(text: str, where: str, warn: Warn, *, title: str | None = None,
                 url: str | None = None, source: str | None = None,
                 published: str | None = None, article_id: str | None = None,
                 language: str | None = None) -> Article:
    """An Article with storable fields and its content-hash id (unless ``article_id``);
    ``language`` is the one the input declares, as a language code ("fr" for "fr-FR"),
    or None (unknown or undeclared: the pipeline detects it)."""
    from geo.languages import language_code

    fields = {"text": text, "title": title, "url": url, "source": source,
              "published": published, "id": article_id}
    clean = {name: storable(value, where, name, warn) if value is not None else None
             for name, value in fields.items()}
    text, title, url = clean["text"], clean["title"], clean["url"]
    return Article(
        id=clean["id"] or article_id_for(text, url=url, title=title), text=text,
        title=title, url=url, source=clean["source"], published=clean["published"],
        language=language_code(language), path=where,
    )
