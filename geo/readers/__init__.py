"""Files to Articles, whatever their format; a bad file or record never stops a batch.

>>> result = read_articles(["news/"])        # doctest: +SKIP
>>> result.articles, result.errors, result.warnings

Formats, by extension (case-insensitive): ``.txt`` ``.md`` (geo.readers.text),
``.json`` ``.jsonl`` ``.csv`` (geo.readers.records), ``.html`` ``.htm`` and
``.xml`` ``.rss`` ``.atom`` (geo.readers.web), and ``.zip`` archives of those
(geo.readers.zipped: bomb, path and nesting checks; members named ``a.zip:dir/b.json``).
Directories are walked recursively in
sorted order for those extensions (hidden files and folders skipped). Only regular files
are read: a named pipe, socket or device is an error, given directly or met in a
folder. A sub-folder that cannot be listed, a broken symbolic link and a link loop are
errors too; a symbolic link to a folder is not followed (a warning says so), so a walk
always ends.

Size limit: ``max_bytes`` (default 20 MB) caps a whole file for formats read in one go
(txt, md, html, json, feeds) and one line or record for the streamed ones (jsonl, csv),
whose files may be any size; in a zip, each member's. A zip itself is bounded by what it
unpacks to (``geo.readers.zipped.ZIP_MAX_TOTAL_BYTES``).

Article ids are content hashes (``geo.models.article_id_for``) unless ``keep_ids=True``,
which keeps a record's own ``id`` field (what ``geoparse`` needs in its output).
``Article.path`` and ``InputError.path`` are printable text even for a file name that is
not UTF-8 (``caf\\xe9.txt``). At most ``MAX_REPORTS_PER_FILE`` errors and as many
warnings are kept for one file; one more message counts the rest.
"""
from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import InputError
from geo.models import Article
from geo.readers._article import display_path
from geo.readers._decode import file_kind
from geo.readers.records import read_csv_file, read_json_file, read_jsonl_file
from geo.readers.text import read_text_file
from geo.readers.web import read_feed_file, read_html_file
from geo.readers.zipped import read_zip_file

__all__ = ["DEFAULT_MAX_BYTES", "EXTENSIONS", "MAX_REPORTS_PER_FILE", "ReadResult",
           "iter_articles", "read_articles"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REPORTS_PER_FILE = 100


def _read_zip(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
              warn: Callable[[str], None]) -> Iterator[Article | InputError]:
    """A ``.zip`` of article files (geo.readers.zipped: bombs, paths, nesting)."""
    return read_zip_file(path, where, max_bytes=max_bytes, keep_ids=keep_ids, warn=warn,
                         read_member=_read_file, extensions=_MEMBER_EXTENSIONS)


def read_articles(paths: Iterable[str | os.PathLike], *, max_bytes: int = DEFAULT_MAX_BYTES,
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


_READERS: dict[str, Callable[..., Iterator[Article | InputError]]] = {
    ".txt": read_text_file, ".md": read_text_file, ".markdown": read_text_file,
    ".json": read_json_file, ".jsonl": read_jsonl_file, ".ndjson": read_jsonl_file,
    ".csv": read_csv_file,
    ".html": read_html_file, ".htm": read_html_file,
    ".xml": read_feed_file, ".rss": read_feed_file, ".atom": read_feed_file,
}
_MEMBER_EXTENSIONS: tuple[str, ...] = tuple(_READERS)  # what a zip's members may be
_READERS[".zip"] = _read_zip
_TAKES_IDS = {read_json_file, read_jsonl_file, read_csv_file, _read_zip}
EXTENSIONS: tuple[str, ...] = tuple(_READERS)


@dataclass
class ReadResult:
    """What a batch of files gave: the articles, the inputs refused, and warnings."""

    articles: list[Article] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _listing(directory: Path) -> list[os.DirEntry] | InputError:
    try:
        with os.scandir(directory) as entries:
            return sorted((e for e in entries if not e.name.startswith(".")),
                          key=lambda entry: entry.name, reverse=True)
    except OSError as err:
        return InputError(display_path(directory),
                          f"cannot read folder: {err.strerror or err}")


def _walk(directory: Path) -> Iterator[Path | InputError | str]:
    """The files to read under ``directory`` (regular or not: the reader says), in
    sorted order, an InputError for each folder or link that cannot be followed, and a
    warning (str) for each link to a folder, which is not followed. Iterative, so no
    depth of folders exhausts the stack."""
    stack: list[os.DirEntry | InputError] = []
    top = _listing(directory)
    stack.extend([top] if isinstance(top, InputError) else top)
    while stack:
        entry = stack.pop()
        if isinstance(entry, InputError):
            yield entry
            continue
        path = Path(entry.path)
        try:
            is_link, is_dir = entry.is_symlink(), entry.is_dir()
        except OSError as err:  # a link loop, or a file that vanished mid-walk
            yield InputError(display_path(path), f"cannot read: {err.strerror or err}")
            continue
        if is_dir and is_link:
            yield (f"{display_path(path)}: a symbolic link to a folder, not followed "
                   "(name the folder itself to read it)")
        elif is_dir:
            listing = _listing(path)
            stack.extend([listing] if isinstance(listing, InputError) else listing)
        elif path.suffix.lower() in _READERS:
            yield path


def _missing(path: Path, where: str) -> InputError:
    """Why a path that does not stat is not there: missing, a broken link or a loop."""
    try:
        os.lstat(path)
    except OSError as err:
        if err.errno == errno.ENOENT:
            return InputError(where, "no such file or folder")
        return InputError(where, f"cannot read: {err.strerror or err}")
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return InputError(where, "symbolic link loop (the link leads back to itself)")
        return InputError(where, f"broken symbolic link: {err.strerror or err}")
    return InputError(where, "cannot read: it vanished while being read")


def _capped(items: Iterator[Article | InputError], where: str
            ) -> Iterator[Article | InputError]:
    """``items`` with at most MAX_REPORTS_PER_FILE errors; one more counts the rest."""
    hidden = shown = 0
    for item in items:
        if isinstance(item, InputError):
            if shown >= MAX_REPORTS_PER_FILE:
                hidden += 1
                continue
            shown += 1
        yield item
    if hidden:
        yield InputError(where, f"{hidden} more error(s) in this file not shown")


def _capped_warn(warn: Callable[[str], None], where: str
                 ) -> tuple[Callable[[str], None], Callable[[], None]]:
    """A ``warn`` that keeps MAX_REPORTS_PER_FILE messages, and a function that then
    reports how many it dropped."""
    count = 0

    def capped(message: str) -> None:
        nonlocal count
        count += 1
        if count <= MAX_REPORTS_PER_FILE:
            warn(message)

    def finish() -> None:
        if count > MAX_REPORTS_PER_FILE:
            warn(f"{where}: {count - MAX_REPORTS_PER_FILE} more warning(s) in this "
                 "file not shown")

    return capped, finish


def iter_articles(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  keep_ids: bool = False,
                  on_warning: Callable[[str], None] | None = None,
                  ) -> Iterator[Article | InputError]:
    """Yield every Article in ``path`` (a file or a directory), and an InputError for
    each file, line or record that cannot be read. Warnings (an unparseable date, say)
    go to ``on_warning``, or to the log when it is None."""
    warn = on_warning or logger.warning
    path = Path(os.fsdecode(path))
    where = display_path(path)
    try:
        mode = os.stat(path).st_mode
    except ValueError:  # a NUL, or a surrogate no file system byte gave
        yield InputError(where, "invalid file name (it holds a character that no file "
                         "name can)")
        return
    except OSError:
        yield _missing(path, where)
        return
    if stat.S_ISDIR(mode):
        found = False
        for item in _walk(path):
            if isinstance(item, str):
                warn(item)
                continue
            found = True
            if isinstance(item, InputError):
                yield item
            else:
                yield from iter_articles(item, max_bytes=max_bytes, keep_ids=keep_ids,
                                         on_warning=warn)
        if not found:
            yield InputError(where, "no readable files in this folder (expected "
                             f"{', '.join(EXTENSIONS)})")
        return
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        kind = f"'{display_path(path.suffix)}'" if path.suffix else "(no extension)"
        yield InputError(where, f"unknown file type {kind}; expected one of "
                         f"{', '.join(EXTENSIONS)}")
        return
    if not stat.S_ISREG(mode):
        yield InputError(where, f"not a regular file ({file_kind(mode)}); only regular "
                         "files are read")
        return
    yield from _read_file(path, where, max_bytes=max_bytes, keep_ids=keep_ids, warn=warn)


def _read_file(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
               warn: Callable[[str], None]) -> Iterator[Article | InputError]:
    """The articles of one regular file, by its extension, named ``where`` in messages
    (a zip's members come through here too)."""
    reader = _READERS[path.suffix.lower()]
    options = {"keep_ids": keep_ids} if reader in _TAKES_IDS else {}
    file_warn, finish = _capped_warn(warn, where)
    try:
        yield from _capped(reader(path, where, max_bytes=max_bytes, warn=file_warn,
                                  **options), where)
    except InputError as err:  # the whole file is unreadable (size, encoding, I/O)
        yield err
    finally:
        finish()

