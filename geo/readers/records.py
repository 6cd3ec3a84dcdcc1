"""Structured articles: JSON (one object or a list), JSON Lines, CSV.

Field names are matched case-insensitively: text from ``text`` / ``content`` / ``body``;
``title`` (or ``headline``); ``url`` (or ``link``); ``source`` (a string, or an object
with a ``name``); the date from ``date`` / ``published`` / ``published_at`` /
``publishedAt`` / ``pubDate`` / ``datePublished``. The text is kept exactly as given
(no newline normalisation), so offsets computed on it match the caller's own.

JSON Lines and CSV are streamed: there is no limit on the file, only on one line or
record (``max_bytes``). A broken line or record is an InputError naming its line; the
other records still come through. A ``.json`` file is parsed whole, so the file limit
applies; use JSON Lines for big batches. Records of a JSON list are named
``file#N`` (N counts from 1), JSON Lines and CSV records ``file:LINE``.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.dates import parse_date
from geo.errors import InputError
from geo.models import Article, article_id_for
from geo.readers._decode import iter_lines, read_text

TEXT_FIELDS = ("text", "content", "body")
TITLE_FIELDS = ("title", "headline")
URL_FIELDS = ("url", "link")
SOURCE_FIELDS = ("source", "publisher", "sitename")
DATE_FIELDS = ("date", "published", "published_at", "publishedat", "pubdate",
               "datepublished", "publication_date")

Warn = Callable[[str], None]


def _first(record: dict, names: tuple[str, ...]) -> object:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):  # NewsAPI-style {"id": ..., "name": "CBC News"}
        value = value.get("name") or value.get("title")
    text = str(value).strip() if value is not None else ""
    return text or None


def _published(value: object, where: str, warn: Warn) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc).isoformat()
    iso = parse_date(str(value))
    if iso is None:
        warn(f"{where}: unparseable date {str(value)!r} (kept without a date)")
    return iso


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
                          f"{type(record).__name__}", line=line)
    fields = {str(key).strip().lower(): value for key, value in record.items()}
    text = _first(fields, TEXT_FIELDS)
    if not isinstance(text, str) or not text.strip():
        return InputError(file, f"{prefix}record has no text (expected a non-empty "
                          "'text', 'content' or 'body' field)", line=line)
    title, url = _as_text(_first(fields, TITLE_FIELDS)), _as_text(_first(fields, URL_FIELDS))
    article_id = article_id_for(text, url=url, title=title)
    if keep_ids:
        if fields.get("id") not in (None, ""):
            article_id = str(fields["id"])
        else:
            warn(f"{where}: record has no 'id'; using the content hash {article_id}")
    return Article(
        id=article_id, text=text, title=title, url=url,
        source=_as_text(_first(fields, SOURCE_FIELDS)),
        published=_published(_first(fields, DATE_FIELDS), where, warn),
        path=where,
    )


def _json_problem(err: json.JSONDecodeError) -> str:
    if err.msg.endswith(" at"):  # "Unterminated string starting at" column N
        return f"invalid JSON: {err.msg} column {err.colno}"
    return f"invalid JSON: {err.msg} (column {err.colno})"


def read_json_file(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
                   warn: Warn) -> Iterator[Article | InputError]:
    """A ``.json`` file holding one article object or a list of them."""
    text = read_text(path, where, max_bytes=max_bytes)  # InputError: reported by the caller
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        yield InputError(where, _json_problem(err), line=err.lineno)
        return
    if isinstance(data, dict):
        yield article_from_record(data, where, keep_ids=keep_ids, warn=warn)
        return
    if not isinstance(data, list):
        yield InputError(where, f"expected a JSON object or list, got {type(data).__name__}")
        return
    if not data:
        yield InputError(where, "empty JSON list: no articles")
    for number, record in enumerate(data, start=1):
        yield article_from_record(record, where, item=number, keep_ids=keep_ids, warn=warn)


def read_jsonl_file(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
                    warn: Warn) -> Iterator[Article | InputError]:
    """A ``.jsonl`` file: one article object per line; blank lines are skipped."""
    found = False
    try:
        stream = path.open("rb")
    except OSError as err:
        yield InputError(where, f"cannot read file: {err.strerror or err}")
        return
    with stream:
        for number, line in iter_lines(stream, where, max_bytes=max_bytes):
            if isinstance(line, InputError):
                yield line
                found = True
                continue
            if not line.strip():
                continue
            found = True
            try:
                record = json.loads(line.strip())
            except json.JSONDecodeError as err:
                yield InputError(where, _json_problem(err), line=number)
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
    try:
        stream = path.open("rb")
    except OSError as err:
        yield InputError(where, f"cannot read file: {err.strerror or err}")
        return
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
    with stream:
        lines = _DecodedLines(stream, where, max_bytes=max_bytes)
        reader = csv.reader(lines)
        header = next(reader, None)
        if 1 in lines.bad:
            yield lines.bad[1]
            return
        if not header or not any(cell.strip() for cell in header):
            yield InputError(where, "empty file (no CSV header)")
            return
        names = [cell.strip().lower() for cell in header]
        if not any(name in TEXT_FIELDS for name in names):
            yield InputError(where, f"CSV header has no text column (expected one of "
                             f"{', '.join(TEXT_FIELDS)}; found {', '.join(names)})", line=1)
            return
        yield from _csv_rows(reader, lines, names, where, keep_ids=keep_ids, warn=warn)


def _csv_rows(reader, lines: _DecodedLines, names: list[str], where: str, *,
              keep_ids: bool, warn: Warn) -> Iterator[Article | InputError]:
    while True:
        start = lines.seen + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield InputError(where, f"broken CSV row: {err}", line=start)
            continue
        bad = [lines.bad[n] for n in range(start, lines.seen + 1) if n in lines.bad]
        if bad:
            yield bad[0]
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            yield InputError(where, f"row has {len(row)} fields, the header has "
                             f"{len(names)}", line=start)
            continue
        yield article_from_record(dict(zip(names, row)), where, line=start,
                                  keep_ids=keep_ids, warn=warn)
