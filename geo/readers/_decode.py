"""Bytes to text, refusing what is not text: too large, empty, binary, not UTF-8.

Encoding policy: input must be UTF-8. A UTF-8 byte-order mark is accepted and dropped;
so is UTF-16 with a BOM (what some Windows tools save as "Unicode"). Anything else that
does not decode as UTF-8 is an error naming the byte offset and line of the first bad
byte; we do not guess a legacy encoding silently, because a wrong guess turns place names
into mojibake that the gazetteer cannot match. The message suggests re-saving as UTF-8.
"""
from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from geo.errors import InputError

_SNIFF_BYTES = 8192
_MAX_CONTROL_FRACTION = 0.05
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def human_size(size: int) -> str:
    """``52428800`` -> ``"50.0 MB"``."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"  # unreachable


def check_size(path: Path, where: str, *, max_bytes: int) -> int:
    """The file's size; InputError if it is over ``max_bytes`` or empty."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(where, f"cannot read file: {err.strerror or err}") from err
    if size > max_bytes:
        raise InputError(
            where,
            f"file too large: {human_size(size)} ({size} bytes) is over the limit of "
            f"{human_size(max_bytes)} ({max_bytes} bytes); split it, or pass a larger "
            "max_bytes",
        )
    if size == 0:
        raise InputError(where, "empty file")
    return size


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ch < " " and ch not in _ALLOWED_CONTROLS)
    return controls / len(sample) > _MAX_CONTROL_FRACTION


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


def decode_bytes(data: bytes, where: str, *, base_line: int = 1, base_offset: int = 0) -> str:
    """Decode one file's (or one record's) bytes, or raise InputError saying why not."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(where, f"invalid UTF-16 at byte {err.start}") from err
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(where, "binary file (contains NUL bytes); expected UTF-8 text")
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
    """The whole file, after the size check, or InputError."""
    check_size(path, where, max_bytes=max_bytes)
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(where, f"cannot read file: {err.strerror or err}") from err


def read_text(path: Path, where: str, *, max_bytes: int) -> str:
    """The whole file as text (newlines normalised), or InputError."""
    data = read_bytes(path, where, max_bytes=max_bytes)
    text = normalise_newlines(decode_bytes(data, where))
    if not text.strip():
        raise InputError(where, "empty file (only whitespace)")
    return text


def iter_lines(stream: BinaryIO, where: str, *, max_bytes: int
               ) -> Iterator[tuple[int, str | InputError]]:
    """Yield ``(line_number, text_or_error)`` for each line of a streamed file.

    A line that is not UTF-8, or longer than ``max_bytes``, becomes an InputError for
    that line alone. A file whose start holds NUL bytes is refused as binary (one error).
    """
    offset = 0
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            if raw.startswith(codecs.BOM_UTF8):
                raw, offset = raw[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
            if b"\x00" in raw[:_SNIFF_BYTES]:
                yield number, InputError(where, "binary file (contains NUL bytes); "
                                         "expected UTF-8 text")
                return
        if len(raw) > max_bytes:
            yield number, InputError(where, f"line too long: {human_size(len(raw))} is over "
                                     f"the limit of {human_size(max_bytes)}", line=number)
        else:
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield number, _utf8_error(raw, err, where, base_line=number,
                                          base_offset=offset)
        offset += len(raw)
