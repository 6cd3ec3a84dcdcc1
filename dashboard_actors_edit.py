"""Correcting actors on the Actors page: merge, rename, not an actor, split.

UI glue over :mod:`geo.corrections_actors` (every change is one transaction there and is
kept as a correction, listed and undone on the Corrections page). Hidden when the store
is read-only. Actor names and passages come from articles: they are shown in widgets,
dataframes or escaped ``st.html``, never as Markdown.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

import dashboard_ui as ui
from geo import corrections_actors as ca
from geo.errors import GeoError
from geo.render import esc
from geo.store.actors import mentions_of
from geo.store.queries import all_actors

Actor = ca.ActorRef  # (name, kind)
DONE_KEY = "ae_done"  # the last change, in plain words, shown once after the rerun
ROUND_KEY = "ae_round"  # bumped by each change: the widgets' keys change, so every
# choice starts afresh with the new names and counts (a kept widget would show its
# old label)
CHOOSE = "Choose an actor"
MENTIONS_LISTED = 500  # the split lists at most this many mentions
SNIPPET = 90  # characters of passage shown on each side of a mention


def _run(fn: Callable, *args, **kwargs):
    """``fn(store, ...)`` under the lock that guards the shared connection."""
    return ui._run(ui.db_url(), fn, *args, **kwargs)  # noqa: SLF001 - the store's lock


def _k(name: str) -> str:
    """The key of the widget ``name`` in this round of changes."""
    return f"ae_{name}_{st.session_state.get(ROUND_KEY, 0)}"


def _labeller(counts: dict[Actor, int]) -> Callable[[Actor], str]:
    def label(actor: Actor) -> str:
        name, kind = actor
        return f"{name} ({ca.KIND_WORDS.get(kind, kind)}, {counts.get(actor, 0)} mentions)"
    return label


def _do(what: str, fn: Callable, *keys: str) -> None:
    """Make one correction (a button's callback) with the values of the widgets
    ``keys`` as they are now; its description or its error is shown once on the next
    run."""
    ss = st.session_state
    values = [ss.get(_k(k)) for k in keys]
    if any(v is None for v in values):
        ss[DONE_KEY] = ("error", f"Could not {what}: choose the actor first")
        return
    try:
        ids = _run(fn, *values, author=ui.editor())  # the signed-in editor, if any
    except (GeoError, ValueError) as err:
        ss[DONE_KEY] = ("error", f"Could not {what}: {err}")
        return
    first = ids[0] if isinstance(ids, list) else ids
    row = _run(lambda s: ca.correction(s.conn, first))
    more = f" (and {len(ids) - 1} more mentions)" if isinstance(ids, list) and len(ids) > 1 \
        else ""
    ss[DONE_KEY] = ("done", ca.describe_actor_correction(row) + more)
    ss[ROUND_KEY] = ss.get(ROUND_KEY, 0) + 1


def _notice() -> None:
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        colour = "#e6f4ea" if done[0] == "done" else "#fde2e2"
        ui.html(f'<p class="na-edit-{done[0]}" style="background:{colour};'
                f'padding:.5rem .8rem;border-radius:.4rem">{esc(done[1])}</p>')


def actor_editor() -> None:
    """The "Correct actors" section: nothing when the store is read-only."""
    if ui.get_store(ui.db_url()).read_only:
        return
    counts = {(r["name"], r["kind"]): r["mentions"]
              for r in _run(lambda s: all_actors(s.conn)) if r["mentions"]}
    actors, label = list(counts), _labeller(counts)
    st.subheader("Correct actors")
    _notice()
    if not actors:
        st.caption("No actors to correct.")
        return
    merge, rename, not_actor, split = st.tabs(["Merge", "Rename", "Not an actor", "Split"])
    with merge:
        _merge(actors, label)
    with rename:
        _rename(actors, label)
    with not_actor:
        _not_actor(actors, label)
    with split:
        _split(actors, label)


def _merge(actors: list[Actor], label: Callable[[Actor], str]) -> None:
    st.caption("Two names for one actor: the first one's mentions go to the second, in "
               "every article, later ones too.")
    st.selectbox("Merge this actor", actors, index=None, format_func=label,
                 placeholder=CHOOSE, key=_k("merge_from"))
    st.selectbox("into", actors, index=None, format_func=label, placeholder=CHOOSE,
                 key=_k("merge_into"))
    st.button("Merge", key=_k("merge_go"), on_click=_do,
              args=("merge", ca.merge_actors, "merge_from", "merge_into"))


def _rename(actors: list[Actor], label: Callable[[Actor], str]) -> None:
    st.selectbox("Actor", actors, index=None, format_func=label, placeholder=CHOOSE,
                 key=_k("rename_actor"))
    st.text_input("New name", key=_k("rename_to"), max_chars=200)
    st.button("Rename", key=_k("rename_go"), on_click=_do,
              args=("rename", ca.rename_actor, "rename_actor", "rename_to"))


def _not_actor(actors: list[Actor], label: Callable[[Actor], str]) -> None:
    st.caption("A name the analysis took for an actor by mistake (a headline, a place): "
               "its mentions leave the actors lists and filters.")
    st.selectbox("Actor", actors, index=None, format_func=label, placeholder=CHOOSE,
                 key=_k("not_actor"))
    st.button("Not an actor", key=_k("not_actor_go"), on_click=_do,
              args=("mark it", ca.mark_not_actor, "not_actor"))


def _snippet(m) -> str:
    passage, s, e = m["passage"] or m["text"], m["rel_start"] or 0, m["rel_end"] or 0
    if not m["passage"]:
        s, e = 0, len(passage)
    before = passage[max(0, s - SNIPPET):s]
    after = passage[e:e + SNIPPET]
    return f"…{before}[{passage[s:e]}]{after}…"


def _split(actors: list[Actor], label: Callable[[Actor], str]) -> None:
    st.caption("Mentions wrongly folded into one actor: choose them and name the actor "
               "they belong to (a new name, or one already listed).")
    a = st.selectbox("Actor", actors, index=None, format_func=label, placeholder=CHOOSE,
                     key=_k("split_actor"))
    if a is None:
        return
    found = _run(lambda s: mentions_of(s.conn, a[0], a[1], limit=MENTIONS_LISTED))
    table = pd.DataFrame([{"article": m["title"] or m["article_id"], "mention": m["text"],
                           "passage": _snippet(m)} for m in found])
    st.dataframe(table, hide_index=True, width="stretch", height=ui.table_height(len(table)))
    if len(found) >= MENTIONS_LISTED:
        st.caption(f"The {MENTIONS_LISTED} mentions in the newest articles.")
    keys = [(m["article_id"], m["start"], m["end"]) for m in found]
    labels = {k: f"{i + 1}. {table.iloc[i]['article']}: {table.iloc[i]['passage']}"
              for i, k in enumerate(keys)}
    rows, kind = f"split_rows_{actors.index(a)}", f"split_kind_{actors.index(a)}"  # per actor
    st.multiselect("Mentions to move out", keys, format_func=labels.get, key=_k(rows))
    st.text_input("Move them to the actor named", key=_k("split_to"), max_chars=200)
    st.selectbox("Kind", list(ca.KINDS), index=list(ca.KINDS).index(a[1]),
                 format_func=ca.KIND_WORDS.get, key=_k(kind))
    st.button("Split", key=_k("split_go"), on_click=_split_then_do, args=(rows, kind))


def _split_then_do(rows: str, kind: str) -> None:
    """Split with the target named by its two widgets, as (name, kind)."""
    ss = st.session_state
    ss[_k("split_into")] = (ss.get(_k("split_to")) or "", ss.get(_k(kind)) or "PERSON")
    _do("split", ca.split_actor, "split_actor", rows, "split_into")
