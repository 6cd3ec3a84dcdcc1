"""Every error News Atlas raises, in one place.

Like geopy's exceptions, each one also inherits the built-in it resembles, so callers
can catch either ``GeoError`` or the familiar ``ValueError`` / ``OSError``.
"""
from __future__ import annotations


class GeoError(Exception):
    """Root of all News Atlas errors."""


class InputError(GeoError, ValueError):
    """An input file (or one line/record of it) cannot be read as an article.

    The message always names the file, the line (when there is one) and the reason.
    """

    def __init__(self, path: str, reason: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class WeightsError(GeoError, ValueError):
    """The ranking weights file (``geo/data/rank/weights.json`` or one given) is
    unreadable, names an unknown feature or parameter, or lacks a feature's weight."""


class LexiconError(GeoError, ValueError):
    """A language's lexicon file (``geo/data/lexicon/<lang>.txt``) is missing or has a
    malformed line; the message names the file and the line."""


class GazetteerError(GeoError, RuntimeError):
    """The gazetteer index is missing, unreadable or cannot be built."""


class StoreError(GeoError, RuntimeError):
    """The store cannot be opened, migrated or written."""


class ModelError(GeoError, RuntimeError):
    """The spaCy model is not installed or cannot be loaded."""


class DaskError(GeoError, ConnectionError):
    """The Dask cluster an ingest was given cannot be reached, or lost its workers."""


class StoreFaultError(StoreError):
    """The store itself cannot be used (damaged, not a database, read-only, full, locked
    too long): nothing more can be written, so a batch stops here."""


class QueryTimeoutError(StoreError):
    """A read query ran past its time limit and was stopped (the store is unharmed)."""


class CorrectionError(GeoError, ValueError):
    """A correction cannot be made, undone or read (an unknown mention, scope or place,
    coordinates out of range, a correction already undone)."""


class OutputError(GeoError, OSError):
    """An output file (``--out``, ``--errors``) cannot be written; the message names it."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
