"""Corrections: what a user fixed in the geoparser's output, kept and re-applied.

A :class:`Correction` says, for a ``target`` (a place or an actor), what to do with the
mentions of a name (``action``, ``new_value``) within a ``scope``: one mention, every
mention of the name in one article, in every article from one source, or everywhere.
It is stored in its own table with what it replaced, its author and time, and is
applied at once to the stored mentions (one transaction), and again by
``Store._insert`` to every article stored later (:func:`apply_stored`), so it survives
re-ingest and re-analysis and a standing rule reaches new articles. For each mention
the most specific live correction wins (mention > article > source > everywhere), the
latest within a scope. :func:`undo` keeps the correction (``undone_at``) and gives its
mentions back what a less specific live correction says, or what the geoparser had.

Each target plugs in a :class:`TargetHandler` (:func:`register`): how to re-decide its
mentions, how to describe a correction, how to check one before it is recorded and
what of its new value identifies it. Places are handled here
(:mod:`geo.corrections_places`); actors by ``geo.corrections_actors`` when present.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Callable, Iterable

from geo.errors import CorrectionError, InputError
from geo.store import corrections as sql
from geo.store.corrections import Reach

if TYPE_CHECKING:
    from geo.store import Store

log = logging.getLogger(__name__)

# modules that register a target handler when imported (a missing one is skipped)
PLUGINS = ("geo.corrections_places", "geo.corrections_actors")


class Scope(StrEnum):
    """Where a correction applies, most specific first."""

    MENTION = "mention"        # this mention (article id + offsets)
    ARTICLE = "article"        # every mention of the name in this article
    SOURCE = "source"          # every mention of the name in articles from this source
    EVERYWHERE = "everywhere"  # every mention of the name, in every article


SCOPE_WORDS = {Scope.MENTION: "this mention", Scope.ARTICLE: "this article",
               Scope.SOURCE: "articles from {source}", Scope.EVERYWHERE: "everywhere"}


@dataclass(frozen=True)
class Correction:
    """One correction, as stored (``id`` None until recorded)."""

    target: str
    action: str
    scope: Scope
    name: str
    article_id: str | None = None
    start: int | None = None
    end: int | None = None
    source: str | None = None
    old_value: Any = None
    new_value: Any = None
    author: str | None = None
    created_at: str | None = None
    undone_at: str | None = None
    id: int | None = None

    @property
    def live(self) -> bool:
        return self.undone_at is None

    def where(self) -> str:
        """The scope in words: "this mention", "articles from CBC News"..."""
        return SCOPE_WORDS[Scope(self.scope)].format(source=self.source or "")

    def reach(self) -> Reach:
        """The stored mentions this correction may decide."""
        if self.scope in (Scope.MENTION, Scope.ARTICLE):
            return Reach(names=(self.name,), articles=(self.article_id or "",))
        if self.scope == Scope.SOURCE:
            return Reach(names=(self.name,), source=self.source or "")
        return Reach(names=(self.name,))

    def as_record(self) -> dict[str, Any]:
        """The correction as an export line (no id)."""
        out = asdict(self)
        out.pop("id")
        out["scope"] = str(self.scope)
        return out

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Correction":
        return cls(**{**row, "scope": Scope(row["scope"])})


@dataclass(frozen=True)
class TargetHandler:
    """What a target (``place``, ``actor``) plugs in.

    ``reapply(store, reach)``: inside the caller's transaction, re-decide the target's
    mentions in ``reach`` from the live corrections; returns how many changed.
    ``describe(correction)``: one line of plain text for lists.
    ``prepare(store, correction)``: check a correction before it is recorded (raise
    :class:`CorrectionError`) and complete it (e.g. give a new point its id); runs in
    the recording transaction.
    ``identity(correction)``: what of its new value makes two corrections the same
    (import matches on it).
    """

    target: str
    actions: tuple[str, ...]
    reapply: Callable[["Store", Reach], int]
    describe: Callable[[Correction], str]
    prepare: Callable[["Store", Correction], Correction] = lambda store, c: c
    identity: Callable[[Correction], Any] = lambda c: json.dumps(c.new_value, sort_keys=True)


TARGETS: dict[str, TargetHandler] = {}
_loaded = False


def register(handler: TargetHandler) -> None:
    """Add (or replace) the handler of ``handler.target``."""
    TARGETS[handler.target] = handler


def handlers() -> dict[str, TargetHandler]:
    """Every registered handler (the plugin modules imported on first use)."""
    global _loaded
    if not _loaded:
        for name in PLUGINS:
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name)
        _loaded = True
    return TARGETS


def handler(target: str) -> TargetHandler:
    try:
        return handlers()[target]
    except KeyError:
        raise CorrectionError(f"unknown correction target {target!r} (known: "
                              f"{', '.join(sorted(handlers()))})") from None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _check(c: Correction) -> Correction:
    """The generic checks every correction passes; its scope as a :class:`Scope`."""
    h = handler(c.target)
    if c.action not in h.actions:
        raise CorrectionError(f"a {c.target} correction cannot {c.action!r} (it can: "
                              f"{', '.join(h.actions)})")
    try:
        scope = Scope(c.scope)
    except ValueError:
        raise CorrectionError(f"unknown scope {c.scope!r} (one of: "
                              f"{', '.join(s.value for s in Scope)})") from None
    if not (c.name or "").strip():
        raise CorrectionError("a correction needs the name it applies to")
    if scope in (Scope.MENTION, Scope.ARTICLE) and not c.article_id:
        raise CorrectionError(f"a correction of {SCOPE_WORDS[scope]} needs its article")
    if scope == Scope.MENTION and (c.start is None or c.end is None):
        raise CorrectionError("a correction of one mention needs its offsets")
    if scope == Scope.SOURCE and not c.source:
        raise CorrectionError("a correction for a source needs the source's name")
    return replace(c, scope=scope)


# -- recording, undoing, re-applying --------------------------------------------------

def record(store: "Store", correction: Correction) -> Correction:
    """Store ``correction`` and apply it to the stored mentions, in one transaction;
    the recorded correction (with its id and time)."""
    c = _check(correction)
    with sql.transaction(store, doing="record a correction in") as conn:
        c = handler(c.target).prepare(store, c)
        c = replace(c, created_at=c.created_at or now(), undone_at=None, id=None)
        cid = sql.insert(conn, {k: v for k, v in asdict(c).items() if k != "id"})
        c = replace(c, id=cid)
        handler(c.target).reapply(store, c.reach())
    log.info("recorded correction %d: %s", cid, describe(c))
    return c


def undo(store: "Store", correction_id: int) -> Correction:
    """Undo a correction: it is kept (``undone_at``), its mentions get what a less
    specific live correction says, or what the geoparser had."""
    with sql.transaction(store, doing="undo a correction in") as conn:
        row = sql.row(conn, correction_id)
        if row is None:
            raise CorrectionError(f"no correction #{correction_id} in the store {store.path}")
        if row["undone_at"] is not None:
            raise CorrectionError(f"correction #{correction_id} was already undone on "
                                  f"{row['undone_at']}")
        when = now()
        sql.mark_undone(conn, correction_id, when)
        c = replace(Correction.from_row(row), undone_at=when)
        handler(c.target).reapply(store, c.reach())
    log.info("undid correction %d", correction_id)
    return c


def apply_stored(store: "Store", article_ids: Iterable[str]) -> int:
    """Apply the live corrections to the mentions of ``article_ids`` (just inserted);
    runs inside the caller's transaction (``Store._insert``). How many changed."""
    reach = Reach(articles=tuple(article_ids))
    return sum(h.reapply(store, reach) for h in handlers().values())


def corrections(store: "Store", *, target: str | None = None, live: bool = False
                ) -> list[Correction]:
    """The store's corrections, newest first."""
    return [Correction.from_row(r) for r in sql.rows(store.conn, target=target, live=live)]


def get(store: "Store", correction_id: int) -> Correction | None:
    row = sql.row(store.conn, correction_id)
    return Correction.from_row(row) if row else None


def describe(c: Correction) -> str:
    """One line of plain text: what the correction does, and where."""
    try:
        what = handler(c.target).describe(c)
    except CorrectionError:
        what = f"{c.action} “{c.name}”"
    return f"{what} ({c.where()})"


# -- moving corrections between stores (JSON lines) ----------------------------------

@dataclass
class ImportReport:
    """What an import did: the corrections added, those already present, the bad lines."""

    added: list[Correction] = field(default_factory=list)
    present: int = 0
    errors: list[str] = field(default_factory=list)


def export_lines(store: "Store") -> Iterable[str]:
    """The live corrections, oldest first, one JSON object a line."""
    for c in reversed(corrections(store, live=True)):
        yield json.dumps(c.as_record(), ensure_ascii=False, sort_keys=True)


def _identity(c: Correction) -> tuple:
    return (c.target, c.action, str(c.scope), c.name.casefold(), c.article_id, c.start,
            c.end, c.source, handler(c.target).identity(c))


def _parse_line(path: str, number: int, line: str) -> Correction:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(path, f"invalid JSON: {err.msg}", line=number) from err
    if not isinstance(record, dict):
        raise InputError(path, "a correction must be a JSON object", line=number)
    known = {f for f in Correction.__dataclass_fields__ if f != "id"}
    missing = [k for k in ("target", "action", "scope", "name") if not record.get(k)]
    if missing:
        raise InputError(path, f"missing {', '.join(missing)}", line=number)
    try:
        return _check(Correction(**{k: v for k, v in record.items() if k in known}))
    except (CorrectionError, TypeError) as err:
        raise InputError(path, str(err), line=number) from err


def import_lines(store: "Store", lines: Iterable[str], *, path: str) -> ImportReport:
    """Add the corrections of a JSON-lines file that the store lacks (a live one with
    the same target, action, scope, name, place and new value counts as present), each
    applied at once. A bad line is reported (file, line, reason) and skipped."""
    report = ImportReport()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            c = _parse_line(path, number, line)
        except InputError as err:
            report.errors.append(str(err))
            continue
        if _already_present(store, c):
            report.present += 1
            continue
        try:
            report.added.append(record(store, replace(c, undone_at=None)))
        except CorrectionError as err:
            report.errors.append(str(InputError(path, str(err), line=number)))
    return report


def _already_present(store: "Store", c: Correction) -> bool:
    key = _identity(c)
    return any(_identity(other) == key for other in corrections(store, target=c.target,
                                                                 live=True))
