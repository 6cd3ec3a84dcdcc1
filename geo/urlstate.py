"""The dashboard's state as URL query parameters, so a copied link reproduces the view.

Pure functions between :class:`ViewState` and a mapping of query parameters (as
``st.query_params`` or ``urllib.parse.parse_qs`` give them: a value may be a string or
a list of strings). Defaults are left out of the URL; values that do not parse are
ignored rather than failing the page.

A URL is typed by anyone, so every value is bounded here: control characters and lone
surrogates are dropped, an id or a name longer than :data:`MAX_VALUE_CHARS` is ignored,
the text search is cut to :data:`~geo.query.MAX_SEARCH_CHARS`, a repeated list
parameter keeps at most :data:`MAX_VALUES` values, dates must be real ISO dates, and a
range given backwards is turned round. :func:`url_notices` says what was cut or ignored,
for a notice above the page.
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Mapping, Sequence

from geo.query import MAX_SEARCH_CHARS, Filters
from geo.render import query_string

log = logging.getLogger(__name__)

Params = Mapping[str, "str | Sequence[str]"]

# URL key for each list-valued filter field
LIST_KEYS = {"actors": "actor", "sources": "source", "countries": "country", "kinds": "kind"}
MAX_VALUE_CHARS = 300  # the longest id or name a URL may carry (longer: ignored)
MAX_VALUES = 50        # the most values of one repeated parameter (the rest: ignored)


@dataclass(frozen=True)
class ViewState:
    """What a link points at: the filters, and a place or an article/passage."""

    filters: Filters = field(default_factory=Filters)
    place: str | None = None
    article: str | None = None
    passage: str | None = None
    mention: str | None = None  # a place mention (its id): the page that corrects it


def clean_value(value: str) -> str:
    """``value`` without control characters (NUL, escapes...) or lone surrogates."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cs"))


def _all(params: Params, key: str, *, limit: int = MAX_VALUE_CHARS) -> list[str]:
    """The non-empty values of ``key``, cleaned; values over ``limit`` characters are
    ignored (no id or name is that long)."""
    value = params.get(key)
    if value is None:
        return []
    raw = [value] if isinstance(value, str) else [str(v) for v in value]
    out = []
    for v in raw:
        if len(v) > 4 * limit:  # far too long: not worth cleaning
            continue
        v = clean_value(v).strip()
        if v and len(v) <= limit:
            out.append(v)
    return out


def _one(params: Params, key: str) -> str | None:
    """The last value of ``key`` (a repeated parameter: the last one wins)."""
    values = _all(params, key)
    return values[-1] if values else None


def _search(params: Params) -> str:
    """The text search: the last ``q``, cleaned and cut to ``MAX_SEARCH_CHARS``."""
    value = params.get("q")
    raw = [value] if isinstance(value, str) else [str(v) for v in value or []]
    texts = [t for t in (clean_value(v[:4 * MAX_SEARCH_CHARS]).strip() for v in raw) if t]
    return texts[-1][:MAX_SEARCH_CHARS].strip() if texts else ""


def _iso_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` (a longer ISO timestamp is cut to its day), else None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        log.info("ignoring bad date %r in the URL", value[:40])
        return None


ONE_VALUE_KEYS = ("place", "article", "passage", "mention", "datefield", "broad")
SEARCH_CUT_NOTICE = f"The search was cut to its first {MAX_SEARCH_CHARS} characters."


def search_notice(text: str) -> str | None:
    """:data:`SEARCH_CUT_NOTICE` for a search longer than :data:`MAX_SEARCH_CHARS`."""
    too_long = len(clean_value(text[:4 * MAX_SEARCH_CHARS + 1]).strip()) > MAX_SEARCH_CHARS
    return SEARCH_CUT_NOTICE if too_long else None


def url_notices(params: Params) -> list[str]:
    """What :func:`view_from_params` cut from ``params`` or left out of them, in words
    for the visitor: fixed texts naming the parameter, never its value."""
    def raw(key: str) -> list[str]:
        value = params.get(key)
        return [] if value is None else [value] if isinstance(value, str) else list(value)

    notes = [SEARCH_CUT_NOTICE] if any(search_notice(str(v)) for v in raw("q")) else []
    for key in (*LIST_KEYS.values(), *ONE_VALUE_KEYS, "from", "to"):
        values = raw(key)
        if any(len(clean_value(str(v)[:4 * MAX_VALUE_CHARS + 1]).strip()) > MAX_VALUE_CHARS
               for v in values):
            notes.append(f"A “{key}” value longer than {MAX_VALUE_CHARS} characters was"
                         " ignored.")
        if key in LIST_KEYS.values() and len(set(_all(params, key))) > MAX_VALUES:
            notes.append(f"Only the first {MAX_VALUES} “{key}” values were kept.")
        if key in ("from", "to") and _one(params, key) and not _iso_date(_one(params, key)):
            notes.append(f"The “{key}” date is not a date (YYYY-MM-DD) and was ignored.")
    return notes


def filters_from_params(params: Params) -> Filters:
    """The filters a URL carries (missing or malformed values give the defaults)."""
    lists = {name: tuple(dict.fromkeys(_all(params, key)))[:MAX_VALUES]
             for name, key in LIST_KEYS.items()}
    start, end = _iso_date(_one(params, "from")), _iso_date(_one(params, "to"))
    if start and end and start > end:
        start, end = end, start
    return Filters(
        date_from=start,
        date_to=end,
        date_field="passage" if _one(params, "datefield") == "passage" else "published",
        text=_search(params),
        include_broad=_one(params, "broad") != "0",
        **lists,
    )


def filters_to_params(f: Filters) -> dict[str, str | list[str]]:
    """Query parameters for ``f``, leaving out what is at its default."""
    out: dict[str, str | list[str]] = {}
    if f.date_from:
        out["from"] = f.date_from
    if f.date_to:
        out["to"] = f.date_to
    if f.date_field == "passage":
        out["datefield"] = "passage"
    for name, key in LIST_KEYS.items():
        values = list(getattr(f, name))
        if values:
            out[key] = values
    if f.text.strip():
        out["q"] = f.text.strip()
    if not f.include_broad:
        out["broad"] = "0"
    return out


def view_from_params(params: Params) -> ViewState:
    return ViewState(filters=filters_from_params(params), place=_one(params, "place"),
                     article=_one(params, "article"), passage=_one(params, "passage"),
                     mention=_one(params, "mention"))


def view_to_params(view: ViewState) -> dict[str, str | list[str]]:
    out = filters_to_params(view.filters)
    for key in ("place", "article", "passage", "mention"):
        value = getattr(view, key)
        if value:
            out[key] = value
    return out


def page_url(base: str, page: str, view: ViewState) -> str:
    """An absolute-path URL to ``page`` ("" for the map) under ``base`` (e.g. "/"); the
    map under a prefix is ``/prefix/`` (with its slash: a proxy serves the prefix so)."""
    parts = [p for p in (base.strip("/"), page.strip("/")) if p]
    path = "/" + "/".join(parts) + ("/" if parts and not page.strip("/") else "")
    qs = query_string(view_to_params(view))
    return f"{path}?{qs}" if qs else path


def reader_url(base: str, article_id: str, passage_id: str | None = None, *,
               filters: Filters | None = None) -> str:
    """The article reader opened on an article (and a passage in it)."""
    view = ViewState(filters=filters or Filters(), article=article_id, passage=passage_id)
    return page_url(base, "articles", view)


def map_url(base: str, *, place: str | None = None, filters: Filters | None = None) -> str:
    """The map, centred on ``place`` when given, with ``filters``."""
    return page_url(base, "", ViewState(filters=filters or Filters(), place=place))


def with_actor(f: Filters, actor: str) -> Filters:
    """``f`` with ``actor`` selected (kept once)."""
    return replace(f, actors=tuple(dict.fromkeys((*f.actors, actor))))


def link_maker(base: str, page: str, filters: Filters, *keys: str):
    """A fast ``f(*values) -> URL`` for many links to ``page`` that differ only in
    ``keys`` (e.g. ``"article", "passage"``), the filters' query string computed once."""
    from urllib.parse import quote

    prefix = page_url(base, page, ViewState(filters=filters))
    sep = "&" if "?" in prefix else "?"

    def make(*values: str | None) -> str:
        extra = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in zip(keys, values)
                         if v is not None)
        return f"{prefix}{sep}{extra}" if extra else prefix
    return make
