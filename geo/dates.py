"""Dates: publication dates of articles, and the date a passage speaks of.

Every date leaves this module as ISO-8601 text: ``YYYY-MM-DD`` when only a day is
known, a full datetime (with its UTC offset when the input gave one) when a time is.

Parsing is done by ``dateparser`` (English only, no network), behind two cheap
guards: ISO strings take a fast path, and ``passage_date`` only calls dateparser on the
spans a regular expression has already recognised as date expressions, so a passage
without a month, weekday or year word costs a single regex search.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

logger = logging.getLogger(__name__)

LANGUAGES = ["en"]

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_FULL_MONTH = (
    "(?:January|February|March|April|May|June|July|August|September|October|November"
    "|December)"
)
_PREP = r"(?:[Ii]n|[Ss]ince|[Ff]rom|[Dd]uring|[Uu]ntil|[Tt]ill|[Bb]y|[Tt]hrough|[Bb]efore|[Aa]fter)"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = "(?:" + "|".join(_WEEKDAYS) + ")"
# capitalised words that are dates, not names: "Buffalo, Monday", "14th St. Thursday"
CALENDAR_WORDS = frozenset(_WEEKDAYS) | frozenset(_FULL_MONTH[3:-1].split("|"))
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_TIME_RE = re.compile(r"\d{1,2}:\d{2}|\b\d{1,2}\s*[ap]\.?m\b|T\d{2}", re.IGNORECASE)

# One alternation, tried left to right at each position; the group name says which
# rule resolves it. Month and weekday names must be capitalised ("may seek" is not May).
_PASSAGE_DATE_RE = re.compile(
    rf"(?P<iso>\b{_YEAR}-[01]\d-[0-3]\d\b)"
    rf"|(?P<dmy>\b{_DAY}\s+(?:of\s+)?{_MONTH}\.?(?:,?\s+{_YEAR})?\b)"
    rf"|(?P<mdy>\b{_MONTH}\.?\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?)"
    rf"|(?P<my>\b{_MONTH}\.?,?\s+{_YEAR}\b)"
    rf"|(?P<month>\b(?:(?:{_PREP}|[Ee]arly|[Ll]ate|[Mm]id|[Ll]ast|[Tt]his|[Nn]ext)\s+|[Mm]id-)"
    rf"{_FULL_MONTH}\b)"
    rf"|(?P<year>\b(?:(?:{_PREP}|[Tt]hroughout|[Ee]arly|[Ll]ate|[Mm]id)\s+|[Mm]id-)"
    rf"{_YEAR}\b(?!s))"
    rf"|(?P<weekday>\b(?:(?P<wd_rel>[Ll]ast|[Tt]his|[Nn]ext)\s+)?(?P<wd>{_WEEKDAY})\b)"
    r"|(?P<relative>\b(?:yesterday|tomorrow|last night)\b)"
)

# A line that might be a bare date: short, has a digit, and a month name, an ISO date
# or a numeric d/m/y. Cheap filter before dateparser sees it.
_DATE_LINE_HINT = re.compile(
    rf"\b{_MONTH}\b|\b{_YEAR}-\d\d-\d\d|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b", re.IGNORECASE
)
_DATE_LABEL_RE = re.compile(
    r"^\s*(?:published|updated|posted|date|last updated|first published)\s*(?:on|:)?\s*",
    re.IGNORECASE,
)
MAX_DATE_LINE_CHARS = 80
# longer is never one date, and dateparser's time grows with length (29 s for 1.2 MB)
MAX_DATE_CHARS = 100


class DateLine(NamedTuple):
    """A line near the top of an article that gives its date.

    ``iso`` is None when the line is labelled as a date ("Published: ...") but its value
    could not be parsed: the reader turns that into a warning.
    """

    index: int
    value: str
    iso: str | None


@lru_cache(maxsize=1)
def _dateparser():  # imported lazily: dateparser loads its language data on first use
    import dateparser

    return dateparser


def _fast_iso(value: str) -> str | None:
    """ISO-8601 input, normalised without dateparser (most feeds and JSON give this)."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d\d-\d\d([T ][\d:.]+(Z|[+-]\d\d(:?\d\d)?)?)?", text):
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.date().isoformat() if len(text) == 10 else parsed.isoformat()


def _to_datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        iso = parse_date(value)
        return dt.datetime.fromisoformat(iso) if iso else None


def parse_date(value: str | None, *, relative_to: str | None = None) -> str | None:
    """Parse a date as written in a feed, a JSON field or a date line; ISO-8601 or None.

    Without ``relative_to`` parsing is strict (day, month and year must all be there),
    so a random word is never a date; nor is anything over MAX_DATE_CHARS. With it, relative expressions ("yesterday",
    "Sunday", "in July") are accepted and resolved against that date, preferring the past.
    """
    value = str(value).strip() if value is not None else ""
    if not value or len(value) > MAX_DATE_CHARS:
        return None
    fast = _fast_iso(value)
    if fast:
        return fast
    settings: dict = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
    base = _to_datetime(relative_to)
    if base is not None:
        settings["RELATIVE_BASE"] = base.replace(tzinfo=None)
    else:
        settings["STRICT_PARSING"] = True
    try:
        parsed = _dateparser().parse(value, languages=LANGUAGES, settings=settings)
    except (ValueError, OverflowError, TypeError) as err:
        logger.debug("dateparser failed on %r: %s", value, err)
        return None
    if parsed is None:
        return None
    return parsed.isoformat() if _TIME_RE.search(value) else parsed.date().isoformat()


def is_date_line(line: str) -> bool:
    """True when a whole line is just a date ("12 Sep 2023", "Published: 2023-09-12")."""
    text = _DATE_LABEL_RE.sub("", line.strip(), count=1)
    if not text or len(text) > MAX_DATE_LINE_CHARS or not any(c.isdigit() for c in text):
        return False
    if not _DATE_LINE_HINT.search(text):
        return False
    return parse_date(text) is not None


def find_date_line(lines: Sequence[str], *, max_lines: int = 5) -> DateLine | None:
    """Find the publication date among the first ``max_lines`` non-empty lines.

    Returns the index (into ``lines``) of the first line that is a bare date, or that is
    labelled as one ("Published: ..."), with its ISO value (None if unparseable).
    """
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > max_lines:
            break
        if is_date_line(line):
            value = _DATE_LABEL_RE.sub("", line.strip(), count=1)
            return DateLine(index, line.strip(), parse_date(value))
        if _DATE_LABEL_RE.match(line) and len(line.strip()) <= MAX_DATE_LINE_CHARS:
            return DateLine(index, line.strip(), None)
    return None


def _weekday_date(match: re.Match, published: dt.date) -> dt.date:
    """Sunday -> the Sunday on or before publication; next/last shift by a week."""
    target = _WEEKDAYS.index(match.group("wd"))
    rel = (match.group("wd_rel") or "").lower()
    if rel == "next":
        return published + dt.timedelta(days=(target - published.weekday()) % 7 or 7)
    back = (published.weekday() - target) % 7
    if rel == "last" and back == 0:
        back = 7
    return published - dt.timedelta(days=back)


def _resolve(match: re.Match, published: dt.date | None) -> dt.date | None:
    kind = match.lastgroup if match.lastgroup not in ("wd", "wd_rel") else "weekday"
    span = match.group(0)
    if kind == "iso":
        return dt.date.fromisoformat(span)
    if kind == "year":
        return dt.date(int(re.search(r"\d{4}", span).group(0)), 1, 1)
    has_year = re.search(_YEAR, span) is not None
    if published is None and not has_year:
        return None  # "in July", "on Sunday": relative to a publication date we lack
    if kind == "weekday":
        return _weekday_date(match, published)
    if kind == "relative":
        days = 1 if span.lower() == "tomorrow" else -1
        return published + dt.timedelta(days=days)
    if kind == "month":
        span = re.search(_FULL_MONTH, span).group(0)
    base = dt.datetime.combine(published, dt.time()) if published else None
    settings: dict = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"}
    if kind == "month" and match.group(0).startswith(("next", "Next")):
        settings["PREFER_DATES_FROM"] = "future"
    if base is not None:
        settings["RELATIVE_BASE"] = base
    parsed = _dateparser().parse(span, languages=LANGUAGES, settings=settings)
    return parsed.date() if parsed else None


def passage_date(text: str, published: str | None) -> str | None:
    """The date a passage speaks of, as ``YYYY-MM-DD``, or None when it names none.

    The first date expression in the passage wins: "on 3 March 2021", "March 3",
    "in July" (the last July on or before publication, day 1), "since 2022"
    (2022-01-01), "on Sunday" (the Sunday on or before publication: the same day when
    the article was published on a Sunday), "next Friday", "yesterday". Expressions
    relative to publication give None when ``published`` is None.
    """
    pub_dt = _to_datetime(published)
    pub = pub_dt.date() if pub_dt else None
    for match in _PASSAGE_DATE_RE.finditer(text):
        try:
            resolved = _resolve(match, pub)
        except (ValueError, OverflowError) as err:  # e.g. "31 February 2023"
            logger.debug("no date from %r: %s", match.group(0), err)
            continue
        if resolved is not None:
            return resolved.isoformat()
    return None
