"""Structured articles: JSON (one object or a list), JSON Lines, CSV.

Field names are matched case-insensitively: text from ``text`` / ``content`` / ``body``;
``title`` (or ``headline``); ``url`` (or ``link``); ``source`` (a string, or an object
with a ``name``); the date from ``date`` / ``published`` / ``published_at`` /
``publishedAt`` / ``pubDate`` / ``datePublished``. The text is kept exactly as given
(no newline normalisation), so offsets computed on it match the caller's own.

Dates: a string is parsed (an unparseable one is a warning: the article is kept
without a date); a number is a Unix time, in seconds when its magnitude is under
10^11 (up to the year 5138), else in milliseconds when under 10^14 (JavaScript's
``Date.now()``, common in exports). Any other number (microseconds, ``1e20``,
``NaN``, infinities), a boolean, a list or an object refuses the record, with the
reason. A title, URL or source of the wrong type (a list, say) is dropped with a
warning; a text that is not a string refuses the record.

JSON Lines and CSV are streamed: there is no limit on the file, only on one line or
record (``max_bytes``). A broken line or record is an InputError naming its line; the
other records still come through. A ``.json`` file is parsed whole, so the file limit
applies; use JSON Lines for big batches. JSON nested too deeply to parse (Python's
recursion limit, about 1000 levels) is refused for its file or line. Records of a JSON
list are named ``file#N`` (N counts from 1), JSON Lines and CSV records ``file:LINE``.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.dates import parse_date
from geo.errors import InputError
from geo.models import Article
from geo.readers._article import make_article
from geo.readers._decode import human_size, iter_lines, open_regular, read_text

TEXT_FIELDS = ("text", "content", "body")
TITLE_FIELDS = ("title", "headline")
URL_FIELDS = ("url", "link")
SOURCE_FIELDS = ("source", "publisher", "sitename")
LANGUAGE_FIELDS = ("language", "lang")  # "fr", "fr-FR"; absent: detected from the text
DATE_FIELDS = ("date", "published", "published_at", "publishedat", "pubdate",
               "datepublished", "publication_date")
MAX_EPOCH_SECONDS = 1e11  # below: seconds; from here to MAX_EPOCH_MILLIS: milliseconds
MAX_EPOCH_MILLIS = 1e14
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}

Warn = Callable[[str], None]


class _Refused(ValueError):
    """A field that makes the whole record unreadable (the message is the reason)."""


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _first(record: dict, names: tuple[str, ...]) -> tuple[str, object]:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return name, value
    return names[0], None


def _as_text(value: object, where: str, field: str, warn: Warn) -> str | None:
    """A title, URL or source as text; a number is written out, anything else dropped."""
    if value is None:
        return None
    if isinstance(value, dict):  # NewsAPI-style {"id": ..., "name": "CBC News"}
        value = value.get("name") or value.get("title") or value
    if isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        value = str(value)
    if not isinstance(value, str):
        shown = "an object without a 'name'" if isinstance(value, dict) else _json_type(value)
        warn(f"{where}: {field} is {shown}, not text (ignored)")
        return None
    return value.strip() or None


def _unix_time(value: float) -> str:
    """A Unix time in seconds or milliseconds (by magnitude, see the module docstring)
    as ISO-8601 in UTC; _Refused when it is neither."""
    shown = json.dumps(value)  # as the file wrote it: NaN, Infinity, true, 1e+20
    if isinstance(value, bool) or not math.isfinite(value):
        raise _Refused(f"date {shown} is not a date (expected a string or a Unix time)")
    if abs(value) >= MAX_EPOCH_MILLIS:
        raise _Refused(f"date {shown} is not a Unix time in seconds or milliseconds")
    seconds = value if abs(value) < MAX_EPOCH_SECONDS else value / 1000
    try:
        return (_EPOCH + dt.timedelta(seconds=seconds)).isoformat()
    except OverflowError as err:
        raise _Refused(f"date {shown} is out of range (before the year 1)") from err


def _published(value: object, where: str, warn: Warn) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return _unix_time(value)
    if not isinstance(value, str):
        raise _Refused(f"date is {_json_type(value)}, expected a string or a Unix time")
    iso = parse_date(value)
    if iso is None:
        shown = value if len(value) <= 80 else value[:77] + "..."
        warn(f"{where}: unparseable date {shown!r} (kept without a date)")
    return iso


def _record_id(value: object) -> str | None:
    """A record's own id (a string or an integer), or None."""
    if isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip():
        return str(value)
    return None


def article_from_record(record: object, file: str, *, line: int | None = None,
                        item: int | None = None, keep_ids: bool,
                        warn: Warn) -> Article | InputError:
    """One JSON object / CSV row as an Article, or the InputError saying what is missing.

    ``line`` (JSON Lines, CSV) or ``item`` (position in a JSON list) locate the record.
    """
    where = f"{file}:{line}" if line is not None else f"{file}#{item}" if item else file
    prefix = f"record #{item}: " if item else ""
    if not isinstance(record, dict):
        return InputError(file, f"{prefix}expected a JSON object, got "
                          f"{_json_type(record)}", line=line)
    fields = {str(key).strip().lower(): value for key, value in record.items()}
    name, text = _first(fields, TEXT_FIELDS)
    if text is not None and not isinstance(text, str):
        return InputError(file, f"{prefix}'{name}' is {_json_type(text)}, expected "
                          "the article's text as a string", line=line)
    if not text or not text.strip():
        return InputError(file, f"{prefix}record has no text (expected a non-empty "
                          "'text', 'content' or 'body' field)", line=line)
    try:
        published = _published(_first(fields, DATE_FIELDS)[1], where, warn)
    except _Refused as err:
        return InputError(file, f"{prefix}{err}", line=line)
    title = _as_text(_first(fields, TITLE_FIELDS)[1], where, "title", warn)
    url = _as_text(_first(fields, URL_FIELDS)[1], where, "url", warn)
    own_id = _record_id(fields.get("id")) if keep_ids else None
    article = make_article(
        text, where, warn, title=title, url=url, published=published,
        source=_as_text(_first(fields, SOURCE_FIELDS)[1], where, "source", warn),
        article_id=own_id, language=_first(fields, LANGUAGE_FIELDS)[1])
    if keep_ids and own_id is None:
        value = fields.get("id")
        shown = "no 'id'" if value in (None, "") else f"an 'id' that is {_json_type(value)}"
        warn(f"{where}: record has {shown}; using the content hash {article.id}")
    return article


def _json_problem(err: json.JSONDecodeError) -> str:
    if err.msg.endswith(" at"):  # "Unterminated string starting at" column N
        return f"invalid JSON: {err.msg} column {err.colno}"
    return f"invalid JSON: {err.msg} (column {err.colno})"


def _load_json(text: str, where: str, *, line: int | None = None) -> object | InputError:
    """Parsed JSON, or the InputError for its file (or line) saying why not."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        return InputError(where, _json_problem(err),
                          line=line if line is not None else err.lineno)
    except RecursionError:
        return InputError(where, "JSON nested too deeply to read (over about 1000 "
                          "levels of lists or objects)", line=line)
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        return InputError(where, f"invalid JSON: {err}", line=line)


def read_json_file(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
                   warn: Warn) -> Iterator[Article | InputError]:
    """A ``.json`` file holding one article object or a list of them."""
    text = read_text(path, where, max_bytes=max_bytes)  # InputError: reported by the caller
    data = _load_json(text, where)
    if isinstance(data, InputError):
        yield data
        return
    if isinstance(data, dict):
        yield article_from_record(data, where, keep_ids=keep_ids, warn=warn)
        return
    if not isinstance(data, list):
        yield InputError(where, f"expected a JSON object or list, got {_json_type(data)}")
        return
    if not data:
        yield InputError(where, "empty JSON list: no articles")
    for number, record in enumerate(data, start=1):
        yield article_from_record(record, where, item=number, keep_ids=keep_ids, warn=warn)


def read_jsonl_file(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
                    warn: Warn) -> Iterator[Article | InputError]:
    """A ``.jsonl`` file: one article object per line; blank lines are skipped."""
    found = False
    with open_regular(path, where) as stream:  # InputError: reported by the caller
        for number, line in iter_lines(stream, where, max_bytes=max_bytes):
            if isinstance(line, InputError):
                yield line
                found = True
                continue
            if not line.strip():
                continue
            found = True
            record = _load_json(line.strip(), where, line=number)
            if isinstance(record, InputError):
                yield record
                continue
            yield article_from_record(record, where, line=number,
                                      keep_ids=keep_ids, warn=warn)
    if not found:
        yield InputError(where, "empty file")


class _DecodedLines:
    """Feeds ``csv.reader`` decoded lines while remembering which lines were not UTF-8."""

    def __init__(self, stream, where: str, *, max_bytes: int) -> None:
        self._lines = iter_lines(stream, where, max_bytes=max_bytes)
        self.bad: dict[int, InputError] = {}
        self.seen = 0

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        number, line = next(self._lines)
        self.seen = number
        if isinstance(line, InputError):
            self.bad[number] = line
            return "\n"
        return line


def read_csv_file(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
                  warn: Warn) -> Iterator[Article | InputError]:
    """A ``.csv`` file with a header row and a text/content/body column."""
    stream = open_regular(path, where)  # InputError: reported by the caller
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
    with stream:
        lines = _DecodedLines(stream, where, max_bytes=max_bytes)
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
        except csv.Error as err:
            yield InputError(where, f"broken CSV header: {err}", line=1)
            return
        if 1 in lines.bad:
            yield lines.bad[1]
            return
        if header and _too_big(header, max_bytes):
            yield InputError(where, f"CSV header too long: over the limit of "
                             f"{human_size(max_bytes)}", line=1)
            return
        if not header or not any(cell.strip() for cell in header):
            yield InputError(where, "empty file (no CSV header)")
            return
        names = [cell.strip().lower() for cell in header]
        if not any(name in TEXT_FIELDS for name in names):
            yield InputError(where, f"CSV header has no text column (expected one of "
                             f"{', '.join(TEXT_FIELDS)}; found {', '.join(names)})", line=1)
            return
        yield from _csv_rows(reader, lines, names, where, max_bytes=max_bytes,
                             keep_ids=keep_ids, warn=warn)


def _too_big(row: list[str], max_bytes: int) -> bool:
    """A row of more than ``max_bytes`` characters (fields may span lines, so the line
    limit alone does not bound a row; csv's field limit bounds the memory it takes)."""
    return sum(len(cell) for cell in row) > max_bytes


def _csv_rows(reader, lines: _DecodedLines, names: list[str], where: str, *,
              max_bytes: int, keep_ids: bool, warn: Warn) -> Iterator[Article | InputError]:
    while True:
        start = lines.seen + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield InputError(where, f"broken CSV row: {err}", line=start)
            continue
        bad = [lines.bad.pop(n) for n in range(start, lines.seen + 1) if n in lines.bad]
        if bad:
            yield bad[0]
            continue
        if not any(cell.strip() for cell in row):
            continue
        if _too_big(row, max_bytes):
            yield InputError(where, f"row too long: over the limit of "
                             f"{human_size(max_bytes)}", line=start)
            continue
        if len(row) != len(names):
            yield InputError(where, f"row has {len(row)} fields, the header has "
                             f"{len(names)}", line=start)
            continue
        yield article_from_record(dict(zip(names, row)), where, line=start,
                                  keep_ids=keep_ids, warn=warn)
