"""Web formats: HTML pages (main text by trafilatura) and RSS/Atom feeds (feedparser).

Encoding: UTF-8 as everywhere, except that a page or feed which declares another
charset (``<meta charset=...>``, ``<?xml encoding=...?>``) is decoded with the charset it
declares, when that is a real text charset (not UTF-16/32, which a BOM or the NUL pattern
already reveals, nor Python-only codecs such as ``unicode_escape`` or ``punycode``).
Nothing is fetched here (geo.fetch does that, then calls ``html_articles`` or
``feed_articles``): feedparser gets the text, never a URL or a path. A feed that
declares XML entities or external references (a "billion laughs" bomb, an external
entity naming a local file) is refused whole, checked with defusedxml.
"""
from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from geo.dates import parse_date
from geo.errors import InputError
from geo.models import Article
from geo.readers._article import make_article
from geo.readers._decode import decode_bytes, normalise_newlines, read_bytes

logger = logging.getLogger(__name__)

Warn = Callable[[str], None]

_DECLARED_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]+)""")
_BLOCK_TAGS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "tr", "table", "section", "article", "figure", "pre")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "template", "svg", "head")
# declared charsets never used: Unicode forms are found without a declaration, and the
# rest are Python's own codecs, not charsets a page can mean
_REFUSED_CHARSETS = {"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                     "utf-32-le", "utf-32-be", "utf-7", "unicode-escape",
                     "raw-unicode-escape", "punycode", "idna", "undefined"}


def _declared_codec(data: bytes, header: str | None = None) -> str | None:
    """The first charset that the HTTP header (``header``, when fetched) or the document
    near its start declares and that we decode with (a page may declare UTF-8 in one tag
    and its real charset in the next)."""
    names = [header] if header else []
    names += [m.group(1).decode("ascii") for m in _DECLARED_CHARSET.finditer(data[:4096])]
    for name in names:
        try:
            info = codecs.lookup(name)
        except LookupError:
            continue
        if getattr(info, "_is_text_encoding", True) and info.name not in _REFUSED_CHARSETS:
            return info.name
    return None


def _read_markup(path: Path, where: str, *, max_bytes: int) -> str:
    """A file's markup as text (see :func:`decode_markup`)."""
    return decode_markup(read_bytes(path, where, max_bytes=max_bytes), where)


def decode_markup(data: bytes, where: str, *, charset: str | None = None) -> str:
    """Markup as text: UTF-8, or the charset that the HTTP header (``charset``) or the
    document itself declares; InputError when none decodes it, or it is empty."""
    try:
        text = decode_bytes(data, where)
    except InputError as err:
        name = _declared_codec(data, charset)
        if not name or b"\x00" in data[:8192]:
            raise
        try:
            text = data.decode(name)
        except UnicodeError as decode_err:
            raise InputError(where, f"{err.reason}; the declared charset {name!r} "
                             f"does not decode it either") from decode_err
    if not text.strip():
        raise InputError(where, "empty file (only whitespace)")
    return normalise_newlines(text)


def html_to_text(markup: str) -> str:
    """A fragment of HTML (a feed summary) as plain text, one paragraph per block."""
    if "<" not in markup:
        return normalise_newlines(markup).strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, lxml.etree.ParserError) as err:
        logger.debug("unparseable HTML fragment: %s", err)
        return ""
    for element in list(root.iter(*_DROP_TAGS)):
        element.drop_tree()
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
    text = root.text_content()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def read_html_file(path: Path, where: str, *, max_bytes: int,
                   warn: Warn) -> Iterator[Article | InputError]:
    """The main text of an HTML page (no navigation, footer or scripts), with metadata."""
    markup = _read_markup(path, where, max_bytes=max_bytes)  # InputError: see iter_articles
    yield from html_articles(markup, where, warn)


def html_articles(markup: str, where: str, warn: Warn, *, url: str | None = None
                  ) -> Iterator[Article | InputError]:
    """The article in an HTML page's markup; ``url`` is where it was fetched from (the
    article's URL unless the page names its own, and its source's host name)."""
    import trafilatura

    document = trafilatura.bare_extraction(
        markup, url=url, with_metadata=True, include_comments=False, favor_precision=True,
    )
    data = document.as_dict() if hasattr(document, "as_dict") else (document or {})
    text = normalise_newlines(data.get("text") or "").strip()
    if not text:
        yield InputError(where, "no article text found in the HTML page (only navigation, "
                         "scripts or boilerplate)")
        return
    published = parse_date(data.get("date")) if data.get("date") else None
    yield make_article(text, where, warn, title=data.get("title") or None,
                       url=data.get("url") or url, published=published,
                       source=data.get("sitename") or data.get("hostname") or None,
                       language=_html_lang(markup))


_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)


def _html_lang(markup: str) -> str | None:
    """The page's declared language: ``<html lang="fr-FR">`` -> "fr-FR"."""
    hit = _HTML_LANG.search(markup, 0, 100_000)
    return hit.group(1) if hit else None


def _entry_text(entry) -> str:
    """The longest of an entry's contents and summary, as plain text."""
    candidates = [part.get("value", "") for part in entry.get("content", [])]
    candidates.append(entry.get("summary", ""))
    texts = [html_to_text(value) for value in candidates if value]
    return max(texts, key=len, default="")


def _refuse_entities(markup: str, where: str) -> None:
    """InputError if the XML declares entities or external references (defusedxml);
    XML that is not well-formed is left to feedparser's lenient parser. The text is
    given as str, so expat ignores the encoding the declaration names (it may lie)."""
    try:
        fromstring(markup, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise InputError(where, f"refused: the feed declares XML entities or external "
                         f"references, which can expand without bound or read local "
                         f"files ({err}); remove its <!DOCTYPE> declarations") from err
    except (ParseError, ValueError, LookupError):
        pass


def read_feed_file(path: Path, where: str, *, max_bytes: int,
                   warn: Warn) -> Iterator[Article | InputError]:
    """Each entry of an RSS or Atom feed as an Article (named ``file#N``)."""
    markup = _read_markup(path, where, max_bytes=max_bytes)  # InputError: see iter_articles
    yield from feed_articles(markup, where, warn)


def feed_articles(markup: str, where: str, warn: Warn, *, url: str | None = None
                  ) -> Iterator[Article | InputError]:
    """Each entry of an RSS or Atom feed's markup as an Article (named ``where#N``);
    relative links are resolved against ``url``, where the feed was fetched from."""
    import feedparser

    _refuse_entities(markup, where)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if url:
        headers["content-location"] = url
    feed = feedparser.parse(io.BytesIO(markup.encode("utf-8")), response_headers=headers)
    if not feed.get("version"):
        problem = f" ({feed.bozo_exception})" if feed.get("bozo") else ""
        yield InputError(where, f"not an RSS/Atom feed{problem}")
        return
    if not feed.entries:
        yield InputError(where, "the feed has no entries")
        return
    source = feed.feed.get("title") or None
    language = feed.feed.get("language") or None  # RSS <language>, Atom xml:lang
    for number, entry in enumerate(feed.entries, start=1):
        yield _entry_article(entry, where, number, source=source, warn=warn,
                             language=language)


def _entry_article(entry, where: str, number: int, *, source: str | None,
                   warn: Warn, language: str | None = None) -> Article | InputError:
    title = (entry.get("title") or "").strip() or None
    text = _entry_text(entry)
    if not text:
        label = f" ({title!r})" if title else ""
        return InputError(where, f"feed entry #{number}{label} has no text")
    raw_date = entry.get("published") or entry.get("updated")
    published = parse_date(raw_date) if raw_date else None
    if raw_date and published is None:
        warn(f"{where}#{number}: unparseable date {raw_date!r} (kept without a date)")
    return make_article(text, f"{where}#{number}", warn, title=title,
                        url=entry.get("link") or None, source=source, published=published,
                        language=language)
