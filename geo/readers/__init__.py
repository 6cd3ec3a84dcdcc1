"""Files to Articles, whatever their format; a bad file or record never stops a batch.

>>> result = read_articles(["news/"])        # doctest: +SKIP
>>> result.articles, result.errors, result.warnings

Formats, by extension (case-insensitive): ``.txt`` ``.md`` (geo.readers.text),
``.json`` ``.jsonl`` ``.csv`` (geo.readers.records), ``.html`` ``.htm`` and
``.xml`` ``.rss`` ``.atom`` (geo.readers.web). Directories are walked recursively in
sorted order for those extensions (hidden files and folders skipped).

Size limit: ``max_bytes`` (default 20 MB) caps a whole file for formats read in one go
(txt, md, html, json, feeds) and one line or record for the streamed ones (jsonl, csv),
whose files may be any size.

Article ids are content hashes (``geo.models.article_id_for``) unless ``keep_ids=True``,
which keeps a record's own ``id`` field (what ``geoparse`` needs in its output).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import InputError
from geo.models import Article
from geo.readers.records import read_csv_file, read_json_file, read_jsonl_file
from geo.readers.text import read_text_file
from geo.readers.web import read_feed_file, read_html_file

__all__ = ["DEFAULT_MAX_BYTES", "EXTENSIONS", "ReadResult", "iter_articles", "read_articles"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_READERS: dict[str, Callable[..., Iterator[Article | InputError]]] = {
    ".txt": read_text_file, ".md": read_text_file, ".markdown": read_text_file,
    ".json": read_json_file, ".jsonl": read_jsonl_file, ".ndjson": read_jsonl_file,
    ".csv": read_csv_file,
    ".html": read_html_file, ".htm": read_html_file,
    ".xml": read_feed_file, ".rss": read_feed_file, ".atom": read_feed_file,
}
_TAKES_IDS = {read_json_file, read_jsonl_file, read_csv_file}
EXTENSIONS: tuple[str, ...] = tuple(_READERS)


@dataclass
class ReadResult:
    """What a batch of files gave: the articles, the inputs refused, and warnings."""

    articles: list[Article] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _walk(directory: Path) -> list[Path]:
    found = []
    for path in sorted(directory.rglob("*")):
        parts = path.relative_to(directory).parts
        if any(part.startswith(".") for part in parts):
            continue
        if path.is_file() and path.suffix.lower() in _READERS:
            found.append(path)
    return found


def iter_articles(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  keep_ids: bool = False,
                  on_warning: Callable[[str], None] | None = None,
                  ) -> Iterator[Article | InputError]:
    """Yield every Article in ``path`` (a file or a directory), and an InputError for
    each file, line or record that cannot be read. Warnings (an unparseable date, say)
    go to ``on_warning``, or to the log when it is None."""
    warn = on_warning or logger.warning
    path = Path(path)
    where = str(path)
    if path.is_dir():
        files = _walk(path)
        if not files:
            yield InputError(where, "no readable files in this folder (expected "
                             f"{', '.join(EXTENSIONS)})")
        for file in files:
            yield from iter_articles(file, max_bytes=max_bytes, keep_ids=keep_ids,
                                     on_warning=warn)
        return
    if not path.exists():
        yield InputError(where, "no such file or folder")
        return
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        kind = f"'{path.suffix}'" if path.suffix else "(no extension)"
        yield InputError(where, f"unknown file type {kind}; expected one of "
                         f"{', '.join(EXTENSIONS)}")
        return
    options = {"keep_ids": keep_ids} if reader in _TAKES_IDS else {}
    try:
        yield from reader(path, where, max_bytes=max_bytes, warn=warn, **options)
    except InputError as err:  # the whole file is unreadable (size, encoding, I/O)
        yield err


def read_articles(paths: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES,
                  keep_ids: bool = False) -> ReadResult:
    """Read every file (or folder) in ``paths``; collect articles, errors and warnings."""
    result = ReadResult()
    for path in paths:
        for item in iter_articles(path, max_bytes=max_bytes, keep_ids=keep_ids,
                                  on_warning=result.warnings.append):
            if isinstance(item, InputError):
                logger.info("skipped %s", item)
                result.errors.append(item)
            else:
                result.articles.append(item)
    return result
