"""Safe HTML fragments: every piece of article text, title or name is escaped here.

Whatever an article contains (``<script>``, ``<img onerror=...>``, ``javascript:``
links) reaches the page as text: the functions below escape all data they are given and
only emit the few tags they write themselves (``mark``, ``a``, ``span``).
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import quote, urlsplit


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
