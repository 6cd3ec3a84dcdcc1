"""The user's corrections to actors: merge, split, rename, not an actor.

Each correction is a row of the ``corrections`` table (target ``actor``) and a rule:

- ``merge`` (scope everywhere): the mentions of actor ``name`` go to another actor
  ("Obama" into "Barack Obama"), in every article, later ones too;
- ``rename`` (everywhere): the same, to a new name;
- ``not_actor`` (everywhere): the mentions of ``name`` leave the actors ("Medvedev
  Approves Treaties");
- ``split`` (scope mention): the mention at ``article_id``/``start``/``end`` goes to
  another actor (one row per mention moved out of a wrong merge).

A rule on a name applies to every spelling the store folds into it
(:func:`geo.actors.same_person`). An article's visible actor mentions are rebuilt from
what the analysis found (``actor_mentions_auto``): folded across articles, then every
live rule in the order they were made (:func:`apply_actor_corrections`, which
``Store._insert`` calls, so rules survive re-analysis and apply to later articles).
Undo marks the row undone and rebuilds the articles any rule could have touched, so
the store is as if the correction had never been made.

Functions taking a connection run inside the caller's transaction; those taking a
:class:`~geo.store.Store` hold one ``BEGIN IMMEDIATE`` transaction and refuse a
read-only store with :class:`~geo.errors.StoreFaultError`.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from geo.actors import fold_key, same_person
from geo.errors import InputError, StoreError
from geo.store.actors import (
    actor_id, articles_showing, articles_with_keys, drop_orphans, found_mentions,
    replace_mentions,
)
from geo.store.db import Db, Record

if TYPE_CHECKING:
    from geo.corrections import Correction, Reach
    from geo.store import Store

ActorRef = tuple[str, str]  # (name, kind) of a stored actor
T = TypeVar("T")

KINDS = ("PERSON", "ORG", "NORP")
KIND_WORDS = {"PERSON": "person", "ORG": "organisation", "NORP": "group"}


class ActorAction(StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    NOT_ACTOR = "not_actor"


@dataclass(frozen=True)
class ActorRule:
    """One live actor correction, as :func:`apply_actor_corrections` uses it."""

    id: int
    action: ActorAction
    name: str  # the actor it was made on
    kind: str
    article_id: str | None = None  # split: the mention moved
    start: int | None = None
    end: int | None = None
    new_name: str | None = None  # merge / rename / split: where the mentions go
    new_kind: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "ActorRule":
        old = _loads(row["old_value"]) or {}
        new = _loads(row["new_value"]) or {}
        return cls(id=row.get("id") or 0, action=ActorAction(row["action"]), name=row["name"],
                   kind=old.get("kind", "PERSON"), article_id=row["article_id"],
                   start=row["start"], end=row["end"], new_name=new.get("name"),
                   new_kind=new.get("kind") or old.get("kind", "PERSON"))

    def matches(self, article_id: str, start: int, end: int, name: str, kind: str) -> bool:
        """Whether this rule applies to a mention now on actor ``name`` (``kind``)."""
        if self.action is ActorAction.SPLIT:
            return (article_id, start, end) == (self.article_id, self.start, self.end)
        return kind == self.kind and same_person(name, self.name)


def _loads(value: Any) -> Any:
    """A JSON column's value (an export record's is already an object)."""
    if isinstance(value, (str, bytes)):
        return json.loads(value) if value else None
    return value


def live_rules(conn: Db) -> list[ActorRule]:
    rows = conn.execute("SELECT * FROM corrections WHERE target = 'actor'"
                        " AND undone_at IS NULL ORDER BY id").fetchall()
    return [ActorRule.from_row(_mapping(conn, r)) for r in rows]


def correction(conn: Db, ident: int) -> Mapping[str, Any] | None:
    """The corrections row ``ident``, or None."""
    row = conn.execute("SELECT * FROM corrections WHERE id = ?", (ident,)).fetchone()
    return None if row is None else _mapping(conn, row)


def _mapping(conn: Db, row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if isinstance(row, (Record, Record)):
        return {k: row[k] for k in row.keys()}
    cols = [d[1] for d in conn.execute("PRAGMA table_info(corrections)")]
    return dict(zip(cols, row))


# -- applying -------------------------------------------------------------------------

def apply_actor_corrections(conn: Db, article_id: str,
                            rules: Sequence[ActorRule] | None = None) -> None:
    """Rebuild the visible actor mentions of ``article_id`` from what the analysis found:
    each folded into its stored spelling variant, then every live rule in order."""
    rules = live_rules(conn) if rules is None else rules
    folded: dict[tuple[str, str], tuple[int, str]] = {}  # found name -> its actor
    exact: dict[tuple[str, str], int] = {}  # a rule's target -> its actor
    kept = []
    for m in found_mentions(conn, article_id):
        if (m.name, m.kind) not in folded:
            folded[m.name, m.kind] = actor_id(conn, m.name, m.kind)
        ident, name = folded[m.name, m.kind]
        kind, hidden = m.kind, False
        for r in rules:
            if r.matches(article_id, m.start, m.end, name, kind):
                if r.action is ActorAction.NOT_ACTOR:
                    hidden = True
                    break
                name, kind = r.new_name or name, r.new_kind or kind
        if hidden:
            continue
        if (name, kind) != (folded[m.name, m.kind][1], m.kind):
            if (name, kind) not in exact:
                exact[name, kind] = actor_id(conn, name, kind, fold=False)[0]
            ident = exact[name, kind]
        kept.append((m, ident))
    replace_mentions(conn, article_id, kept)
    drop_orphans(conn, {i for i, _ in folded.values()})


def _reapply(conn: Db, articles: set[str]) -> None:
    rules = live_rules(conn)
    for article_id in sorted(articles):
        apply_actor_corrections(conn, article_id, rules)


def _reach(conn: Db, rules: Sequence[ActorRule]) -> set[str]:
    """Every article where one of ``rules`` may have moved a mention (a superset)."""
    keys = {fold_key(r.name) for r in rules if r.action is not ActorAction.SPLIT}
    return articles_with_keys(conn, keys) | {
        r.article_id for r in rules if r.action is ActorAction.SPLIT and r.article_id}


# -- making and undoing ---------------------------------------------------------------

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _insert(conn: Db, action: ActorAction, actor: ActorRef, *,
            new: ActorRef | None, author: str | None, mention: tuple[str, int, int] | None
            = None, text: str | None = None, created_at: str | None = None) -> int:
    old: dict[str, Any] = {"name": actor[0], "kind": actor[1]}
    if text is not None:
        old["text"] = text
    article_id, start, end = mention or (None, None, None)
    cur = conn.execute(
        "INSERT INTO corrections (target, action, scope, name, article_id, start, \"end\","
        " old_value, new_value, author, created_at) VALUES ('actor',?,?,?,?,?,?,?,?,?,?)"
        " RETURNING id",
        (action.value, "mention" if mention else "everywhere", actor[0], article_id, start,
         end, json.dumps(old, ensure_ascii=False),
         json.dumps({"name": new[0], "kind": new[1]}, ensure_ascii=False) if new else None,
         author, created_at or _now()))
    return int(cur.fetchone()[0])


def _apply_new(conn: Db, ident: int) -> None:
    rule = ActorRule.from_row(correction(conn, ident) or {})
    if rule.action is ActorAction.SPLIT:
        _reapply(conn, {rule.article_id} if rule.article_id else set())
    else:
        _reapply(conn, articles_showing(conn, fold_key(rule.name), rule.kind))


def _check_name(name: str, what: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValueError(f"{what}: the name is empty")
    return name


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown actor kind {kind!r}: expected one of {', '.join(KINDS)}")
    return kind


def _write(store: "Store", doing: str, work: Callable[[Db], T]) -> T:
    """``work(conn)`` in one ``BEGIN IMMEDIATE`` transaction."""
    from geo.store.connect import transaction

    with transaction(store, doing=doing + " in") as conn:
        return work(conn)


def merge_actors(store: "Store", actor: ActorRef, into: ActorRef, *,
                 author: str | None = None) -> int:
    """Fold ``actor`` into ``into`` everywhere ("Obama" into "Barack Obama"); the id of
    the correction."""
    actor, into = (actor[0], _check_kind(actor[1])), (into[0], _check_kind(into[1]))
    if actor[1] == into[1] and same_person(actor[0], into[0]):
        raise ValueError(f"cannot merge {actor[0]!r} into itself")
    return _write(store, f"merge the actor {actor[0]!r}", lambda c: _made(
        c, _insert(c, ActorAction.MERGE, actor, new=into, author=author)))


def rename_actor(store: "Store", actor: ActorRef, new_name: str, *,
                 author: str | None = None) -> int:
    """Call ``actor`` ``new_name`` everywhere (a name already taken merges into it)."""
    new_name = _check_name(new_name, f"rename {actor[0]!r}")
    if new_name == actor[0]:
        raise ValueError(f"{actor[0]!r} already has that name")
    return _write(store, f"rename the actor {actor[0]!r}", lambda c: _made(
        c, _insert(c, ActorAction.RENAME, actor, new=(new_name, actor[1]), author=author)))


def mark_not_actor(store: "Store", actor: ActorRef, *, author: str | None = None) -> int:
    """Take ``actor``'s mentions out of the actors, everywhere."""
    return _write(store, f"mark {actor[0]!r} as not an actor", lambda c: _made(
        c, _insert(c, ActorAction.NOT_ACTOR, actor, new=None, author=author)))


def split_actor(store: "Store", actor: ActorRef, mentions: Sequence[tuple[str, int, int]],
                into: ActorRef, *, author: str | None = None) -> list[int]:
    """Move ``mentions`` ((article_id, start, end) of mentions of ``actor``) to ``into``
    (made when new); one correction per mention, all in one transaction."""
    into = (_check_name(into[0], f"split {actor[0]!r}"), _check_kind(into[1]))
    if not mentions:
        raise ValueError(f"split {actor[0]!r}: choose at least one mention to move")

    def work(c: Db) -> list[int]:
        ids = []
        for article_id, start, end in mentions:
            text = c.execute('SELECT text FROM actor_mentions_auto WHERE article_id = ?'
                             ' AND start = ? AND "end" = ?', (article_id, start, end)).fetchone()
            ids.append(_insert(c, ActorAction.SPLIT, actor, new=into, author=author,
                               mention=(article_id, start, end),
                               text=text[0] if text else None))
        _reapply(c, {m[0] for m in mentions})
        return ids

    return _write(store, f"split the actor {actor[0]!r}", work)


def _made(conn: Db, ident: int) -> int:
    _apply_new(conn, ident)
    return ident


def undo_actor_correction(conn: Db, row: Mapping[str, Any] | Record
                          ) -> None:
    """Mark the actor correction ``row`` undone and rebuild every article a rule may have
    touched, so the store is as if it had never been made (the others still apply)."""
    row = _mapping(conn, row)
    if row["target"] != "actor":
        raise ValueError(f"correction {row['id']} is not an actor correction")
    rule = ActorRule.from_row(row)
    conn.execute("UPDATE corrections SET undone_at = ? WHERE id = ? AND undone_at IS NULL",
                 (_now(), row["id"]))
    _reapply(conn, _reach(conn, [*live_rules(conn), rule]))


def undo(store: "Store", correction_id: int) -> None:
    """Undo the actor correction ``correction_id`` in one transaction."""
    def work(c: Db) -> None:
        row = correction(c, correction_id)
        if row is None:
            raise StoreError(f"no correction {correction_id} in {store.path}")
        undo_actor_correction(c, row)

    _write(store, f"undo correction {correction_id}", work)


# -- words and JSON -------------------------------------------------------------------

def _who(name: str | None, kind: str | None) -> str:
    return f'"{name}" ({KIND_WORDS.get(kind or "", kind or "actor")})'


def describe_actor_correction(row: Mapping[str, Any] | Record) -> str:
    """The correction in plain words ('Merged "Obama" (person) into "Barack Obama"
    (person), in every article')."""
    rule = ActorRule.from_row(row if isinstance(row, Mapping) else
                              {k: row[k] for k in row.keys()})
    src, dst = _who(rule.name, rule.kind), _who(rule.new_name, rule.new_kind)
    if rule.action is ActorAction.MERGE:
        return f"Merged {src} into {dst}, in every article"
    if rule.action is ActorAction.RENAME:
        return f'Renamed {src} to "{rule.new_name}", in every article'
    if rule.action is ActorAction.NOT_ACTOR:
        return f"Marked {src} as not an actor, in every article"
    text = (_loads(row["old_value"]) or {}).get("text") or rule.name
    return (f'Moved the mention "{text}" (characters {rule.start}-{rule.end} of article '
            f"{rule.article_id}) out of {src} into {dst}")


JSON_FIELDS = ("target", "action", "scope", "name", "article_id", "start", "end", "source",
               "old_value", "new_value", "author", "created_at", "undone_at")


def actor_correction_json(row: Mapping[str, Any] | Record) -> dict[str, Any]:
    """The export record of a correction: its columns, ``old_value``/``new_value``
    as JSON objects (null for not_actor's new value)."""
    row = row if isinstance(row, Mapping) else {k: row[k] for k in row.keys()}
    rec = {k: row.get(k) for k in JSON_FIELDS}
    rec["old_value"], rec["new_value"] = _loads(row["old_value"]), _loads(row["new_value"])
    return rec


def add_actor_correction(conn: Db, rec: Mapping[str, Any], *,
                         where: str = "<record>", line: int | None = None) -> int | None:
    """Import one exported record (:func:`actor_correction_json`) and apply it; None when
    it was undone (kept out) or the store already holds the same live correction.
    :class:`InputError` naming ``where`` and ``line`` when the record is malformed."""
    def bad(reason: str) -> InputError:
        return InputError(where, f"actor correction: {reason}", line=line)

    try:
        action = ActorAction(rec.get("action"))
    except ValueError:
        raise bad(f"unknown action {rec.get('action')!r}") from None
    old, new = rec.get("old_value") or {}, rec.get("new_value") or {}
    name = rec.get("name") or old.get("name")
    if not isinstance(name, str) or not name.strip() or not isinstance(old, Mapping):
        raise bad("no actor name")
    kind = old.get("kind") or "PERSON"
    if kind not in KINDS or (new and new.get("kind", kind) not in KINDS):
        raise bad(f"unknown kind {kind!r}")
    if action is not ActorAction.NOT_ACTOR and not (isinstance(new, Mapping)
                                                    and str(new.get("name") or "").strip()):
        raise bad(f"{action.value} without a new name")
    mention = None
    if action is ActorAction.SPLIT:
        try:
            mention = (str(rec["article_id"]), int(rec["start"]), int(rec["end"]))
        except (KeyError, TypeError, ValueError):
            raise bad("split without article_id, start and end") from None
    if rec.get("undone_at"):
        return None
    target = (new["name"], new.get("kind") or kind) if new else None
    for r in live_rules(conn):
        if (r.action, r.name, r.kind, r.new_name, r.new_kind) == (
                action, name, kind, *(target or (None, kind))) and \
                (r.article_id, r.start, r.end) == (mention or (None, None, None)):
            return None
    return _made(conn, _insert(conn, action, (name, kind), new=target,
                               author=rec.get("author"), mention=mention,
                               text=old.get("text"), created_at=rec.get("created_at")))


# -- the shared corrections library (geo.corrections): list, undo, export, import -------

def _reapply_reach(store: "Store", reach: "Reach") -> int:
    """Rebuild the actor mentions of the articles ``reach`` names (else of those showing
    an actor of one of its names, else of all); inside the caller's transaction."""
    conn = store.conn
    if reach.articles is not None:  # these articles (a superset of what the names reach)
        articles = set(reach.articles)
    elif reach.names is not None:
        articles = articles_with_keys(conn, {fold_key(n) for n in reach.names})
    else:
        articles = {r[0] for r in conn.execute("SELECT id FROM articles")}
    _reapply(conn, articles)
    return len(articles)


def _describe(c: "Correction") -> str:
    from dataclasses import asdict

    return describe_actor_correction({**asdict(c), "scope": str(c.scope)})


def _prepare(store: "Store", c: "Correction") -> "Correction":
    from geo.errors import CorrectionError

    try:
        action = ActorAction(c.action)
    except ValueError:
        raise CorrectionError(f"unknown actor correction {c.action!r}") from None
    old = _loads(c.old_value) or {}
    new = _loads(c.new_value)
    if not isinstance(old, Mapping) or old.get("kind", "PERSON") not in KINDS:
        raise CorrectionError(f"actor correction of {c.name!r}: no actor kind")
    if action is not ActorAction.NOT_ACTOR and not (isinstance(new, Mapping)
                                                    and str(new.get("name") or "").strip()):
        raise CorrectionError(f"{action.value} of {c.name!r} without a new name")
    if action is ActorAction.SPLIT and (c.article_id is None or c.start is None):
        raise CorrectionError(f"split of {c.name!r} without its mention")
    return c


def _register() -> None:
    from geo.corrections import TargetHandler, register

    register(TargetHandler(target="actor", actions=tuple(a.value for a in ActorAction),
                           reapply=_reapply_reach, describe=_describe, prepare=_prepare))


_register()
