"""Bytes to text, refusing what is not text: too large, empty, binary, not UTF-8.

Encoding policy: input must be UTF-8. A UTF-8 byte-order mark is accepted and dropped;
so is UTF-16 (or UTF-32) with a BOM, what some Windows tools save as "Unicode", and
UTF-16 without a BOM, recognised by its NUL bytes at every other position (mostly-ASCII
text). Anything else that does not decode as UTF-8 is an error naming the byte offset
and line of the first bad byte; we do not guess a legacy encoding silently, because a
wrong guess turns place names into mojibake that the gazetteer cannot match. The message
suggests re-saving as UTF-8.

Only regular files are read: a named pipe, socket or device is refused before it is
opened for reading (opening a FIFO would wait for a writer forever).
"""
from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from geo.errors import InputError

_SNIFF_BYTES = 8192
_MAX_CONTROL_FRACTION = 0.05
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# UTF-16 without a BOM: at least this share of one parity's bytes are NUL (ASCII-range
# characters) and at most the second share of the other's.
_UTF16_NUL_SHARE, _UTF16_STRAY_SHARE = 0.3, 0.02
_SURROGATE = re.compile("[\ud800-\udfff]")
_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISDIR, "a folder"))


def human_size(size: int) -> str:
    """``52428800`` -> ``"50.0 MB"``."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"  # unreachable


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a named pipe")."""
    return next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")


def _cannot_read(where: str, err: OSError) -> InputError:
    return InputError(where, f"cannot read file: {err.strerror or err}")


def open_regular(path: Path, where: str) -> BinaryIO:
    """Open a regular file for reading, or raise InputError (a FIFO, socket or device is
    refused without blocking: it is opened non-blocking and checked before any read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as err:
        if err.errno == errno.ENXIO:  # a socket
            raise InputError(where, "not a regular file (a socket); only regular "
                             "files are read") from err
        raise _cannot_read(where, err) from err
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(where, f"not a regular file ({file_kind(mode)}); only regular "
                         "files are read")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _too_large(where: str, size: int, max_bytes: int) -> InputError:
    return InputError(
        where,
        f"file too large: {human_size(size)} ({size} bytes) is over the limit of "
        f"{human_size(max_bytes)} ({max_bytes} bytes); split it, or pass a larger "
        "max_bytes",
    )


def check_size(stream: BinaryIO, where: str, *, max_bytes: int) -> int:
    """The open file's size; InputError if it is over ``max_bytes`` or empty."""
    size = os.fstat(stream.fileno()).st_size
    if size > max_bytes:
        raise _too_large(where, size, max_bytes)
    if size == 0:
        raise InputError(where, "empty file")
    return size


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ch < " " and ch not in _ALLOWED_CONTROLS)
    return controls / len(sample) > _MAX_CONTROL_FRACTION


def sniff_utf16(data: bytes) -> str | None:
    """``"utf-16-le"`` / ``"utf-16-be"`` when ``data`` (a file's start) looks like
    UTF-16 without a BOM: NUL bytes at most odd (little-endian) or most even positions,
    and almost none at the others; else None."""
    sample = data[:_SNIFF_BYTES]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0:2 * half:2].count(0) / half, sample[1:2 * half:2].count(0) / half
    if odd >= _UTF16_NUL_SHARE and even <= _UTF16_STRAY_SHARE:
        return "utf-16-le"
    if even >= _UTF16_NUL_SHARE and odd <= _UTF16_STRAY_SHARE:
        return "utf-16-be"
    return None


def _utf8_error(data: bytes, err: UnicodeDecodeError, where: str, *, base_line: int = 1,
                base_offset: int = 0) -> InputError:
    offset = err.start
    line = base_line + data.count(b"\n", 0, offset)
    bad = data[offset:offset + 4][: max(1, err.end - err.start)]
    hint = ""
    try:
        data.decode("cp1252")
        hint = " (it may be Windows-1252 or Latin-1)"
    except UnicodeDecodeError:
        pass
    return InputError(
        where,
        f"invalid UTF-8 at byte {base_offset + offset} (line {line}): byte {bad!r}"
        f"{hint}; re-save the file as UTF-8",
        line=line,
    )


def _unicode_codec(data: bytes) -> str | None:
    """The UTF-16/32 codec a file's start calls for (by its BOM, or sniffed), or None."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return sniff_utf16(data)


def decode_bytes(data: bytes, where: str, *, base_line: int = 1, base_offset: int = 0) -> str:
    """Decode one file's (or one record's) bytes, or raise InputError saying why not."""
    codec = _unicode_codec(data) if base_offset == 0 else None
    if codec:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            raise InputError(where, f"invalid {codec.upper()} at byte {err.start}: "
                             f"{err.reason}") from err
        text = text.removeprefix("\ufeff")
    elif b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(where, "binary file (contains NUL bytes); expected UTF-8 text")
    else:
        try:
            text = data.decode("utf-8-sig" if base_offset == 0 else "utf-8")
        except UnicodeDecodeError as err:
            raise _utf8_error(data, err, where, base_line=base_line,
                              base_offset=base_offset) from err
    if _looks_binary(text):
        raise InputError(where, "binary file (mostly control characters); expected text")
    return text


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``, so offsets mean the same everywhere."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(path: Path, where: str, *, max_bytes: int) -> bytes:
    """The whole (regular) file, after the size check, or InputError."""
    with open_regular(path, where) as stream:
        check_size(stream, where, max_bytes=max_bytes)
        try:
            data = stream.read(max_bytes + 1)
        except OSError as err:
            raise _cannot_read(where, err) from err
    if len(data) > max_bytes:  # it grew since the check
        raise _too_large(where, len(data), max_bytes)
    return data


def read_text(path: Path, where: str, *, max_bytes: int) -> str:
    """The whole file as text (newlines normalised), or InputError."""
    data = read_bytes(path, where, max_bytes=max_bytes)
    text = normalise_newlines(decode_bytes(data, where))
    if not text.strip():
        raise InputError(where, "empty file (only whitespace)")
    return text


def _bounded_lines(readline: Callable[[int], bytes | str], limit: int
                   ) -> Iterator[bytes | str | None]:
    """Each line from ``readline``, or None for a line longer than ``limit`` (whose rest
    is skipped without holding it in memory)."""
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if len(line) <= limit:
            yield line
            continue
        end = line[-1:]
        while end not in ("\n", b"\n"):
            end = readline(limit)[-1:]
            if not end:
                break
        yield None


def _too_long(where: str, number: int, max_bytes: int) -> InputError:
    return InputError(where, f"line too long: it is over the limit of "
                      f"{human_size(max_bytes)}", line=number)


def _iter_utf16_lines(stream: BinaryIO, codec: str, where: str, *, max_bytes: int
                      ) -> Iterator[tuple[int, str | InputError]]:
    """Lines of a UTF-16/32 file; a line holding a lone surrogate is an error for that
    line alone, as a line of bad UTF-8 is."""
    text = io.TextIOWrapper(stream, encoding=codec, errors="surrogatepass", newline="\n")
    number = 0
    try:
        for number, line in enumerate(_bounded_lines(text.readline, max_bytes // 2),
                                      start=1):
            if line is None:
                yield number, _too_long(where, number, max_bytes)
            elif _SURROGATE.search(line):
                yield number, InputError(where, f"invalid {codec.upper()}: a lone "
                                         "surrogate; re-save the file as UTF-8", line=number)
            else:
                yield number, line.removeprefix("\ufeff") if number == 1 else line
    except UnicodeDecodeError as err:
        yield number + 1, InputError(where, f"invalid {codec.upper()}: {err.reason}; "
                                     "the rest of the file is not read", line=number + 1)
    finally:
        if not text.closed:  # leave the caller's stream open (and closing to the caller)
            text.detach()


def iter_lines(stream: BinaryIO, where: str, *, max_bytes: int
               ) -> Iterator[tuple[int, str | InputError]]:
    """Yield ``(line_number, text_or_error)`` for each line of a streamed file.

    A line that is not UTF-8, or longer than ``max_bytes``, becomes an InputError for
    that line alone (memory stays bounded by ``max_bytes`` whatever the line's length).
    A UTF-16/32 file (BOM, or sniffed) is decoded as such. A file whose start holds NUL
    bytes otherwise is refused as binary (one error).
    """
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    codec = _unicode_codec(head)
    if codec and _looks_binary(head.decode(codec, "replace")):
        yield 1, InputError(where, "binary file (mostly control characters); expected text")
        return
    if codec:
        yield from _iter_utf16_lines(stream, codec, where, max_bytes=max_bytes)
        return
    start = 0  # byte offset of the line's start, for messages
    for number, raw in enumerate(_bounded_lines(stream.readline, max_bytes), start=1):
        if raw is None:
            yield number, _too_long(where, number, max_bytes)
        else:
            yield number, _decode_line(raw, where, number, start)
            if number == 1 and b"\x00" in raw[:_SNIFF_BYTES]:
                return
        start = stream.tell()


def _decode_line(raw: bytes, where: str, number: int, start: int) -> str | InputError:
    if number == 1:
        if raw.startswith(codecs.BOM_UTF8):
            raw, start = raw[len(codecs.BOM_UTF8):], start + len(codecs.BOM_UTF8)
        if b"\x00" in raw[:_SNIFF_BYTES]:
            return InputError(where, "binary file (contains NUL bytes); expected UTF-8 text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return _utf8_error(raw, err, where, base_line=number, base_offset=start)
