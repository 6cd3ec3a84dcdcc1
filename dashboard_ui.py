"""What every dashboard page shares: the store, cached queries, the filters, URL state.

UI glue only (Streamlit lives here and in ``pages/``); everything computed comes from
``geo/``. The filters are drawn once, by ``dashboard.py`` before the page runs, so they
keep their values across pages and are never copied into a page.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Iterator

import pandas as pd
import streamlit as st

from geo import query
from geo.assets import AssetUrls, install_vendor, static_base_url
from geo.errors import GeoError, QueryTimeoutError
from geo.query import MAX_SEARCH_CHARS, FilterOptions, Filters
from geo.auth import TryLimiter, sign_in
from geo.settings import Settings, SettingsError
from geo.settings import load as load_settings
from geo.store import Store
from geo.store.connect import read_only_url, time_limit
from geo.store import queries as store_queries
from geo.urlstate import (
    ViewState, search_notice, url_notices, view_from_params, view_to_params,
)

if TYPE_CHECKING:
    from geo.mention_index import MentionIndex, Selection

log = logging.getLogger(__name__)

DATE_FIELDS = {"published": "Publication date", "passage": "Date the passage speaks of"}
_LOCK = threading.Lock()  # one SQLite connection shared by the sessions' threads


# -- resources and cached queries (cache keys: db url, store revision, filters) ---------

@st.cache_resource(show_spinner=False)
def get_store(db_url: str) -> Store:
    """Open the store once per server; load the built-in sample into the default store
    when it is empty and writable (never into a store the user named, nor a read-only
    one). StoreError when it cannot be opened."""
    from geo.store import is_default_store

    store = Store.open(db_url)
    if is_default_store(db_url) and not store.read_only:
        try:
            from geo.sample import ensure_sample

            if ensure_sample(store):
                log.info("loaded the built-in sample into %s", db_url)
        except (OSError, GeoError, ValueError) as err:
            log.warning("could not load the built-in sample: %s", err)
    return store


TOO_SLOW_NOTICE = ("This view took too long to compute and was stopped, so that other"
                   " visitors are not kept waiting. Narrow it: fewer dates, an actor, a"
                   " source or a country, or a shorter search.")
READ_ONLY_NOTICE = ("This store is read-only: it is shown as it is, and nothing is added "
                    "to it or upgraded.")
# the notices are fixed texts (no stored value in them, so nothing to escape); {named}
# is NAMED_STORE_HINT for a store named by NEWS_ATLAS_DB, else empty
SAMPLE_NOTICE = ("Showing the built-in sample, a CBC News report of 12 September 2023."
                 " Add your own articles with `python -m geo ingest PATH...`; remove the"
                 " sample with `python -m geo sample --remove`{named}.")
SAMPLE_AMONG_NOTICE = ("This store also holds the built-in sample article (a CBC News"
                       " report); remove it with `python -m geo sample --remove`{named}.")
NAMED_STORE_HINT = " (with `--db` naming this store, or the same `NEWS_ATLAS_DB`)"
EMPTY_NOTICE = ("**This store has no articles yet.** Add yours with `python -m geo ingest"
                " PATH...` (text, HTML, JSON, JSON Lines, CSV or RSS/Atom files, or"
                " folders of them; run it with the same `NEWS_ATLAS_DB` or `--db` naming"
                " this store), then reload this page. To look around first, load the"
                " built-in sample with `python -m geo sample --load`.")


def open_store() -> Store:
    """The store for this page run: on a store fault, its message (what is wrong and
    what to do, without the server's folders) and the page stops; on any other error,
    :data:`PAGE_ERROR` (the traceback goes to the log); a read-only store gets a short
    notice."""
    try:
        url = db_url()
    except (SettingsError, GeoError) as err:
        log.error("cannot read the settings: %s", err)
        st.error(str(err))
        st.stop()
    try:
        store = get_store(url)
    except GeoError as err:
        log.error("cannot open the store %s: %s", url, err)
        st.error(_without_folders(str(err), url))
        st.stop()
    if store.read_only:
        st.sidebar.info(READ_ONLY_NOTICE, icon=":material/lock:")
    try:
        _contents_notice(url)
    except QueryTimeoutError as err:  # the page itself will say so, with what to do
        log.warning("the store's contents notice: %s", err)
    except Exception:  # noqa: BLE001 - before the page guard: the same short message
        log.exception("cannot read the store %s", url)
        st.error(PAGE_ERROR, icon=":material/error:")
        st.stop()
    return store


@st.cache_data(show_spinner=False, max_entries=64)
def contents(url: str, rev: str) -> tuple[int, int]:
    """(articles, of which the built-in sample's) in the store at ``url``."""
    from geo.store.sample import sample_count

    return _run(url, lambda store: (store.article_count(), sample_count(store)))


def _contents_notice(url: str) -> None:
    """Say when the store is empty (how to add articles) or shows the built-in sample
    (and how to remove it)."""
    from geo.store import is_default_store

    total, sample = contents(url, revision())
    named = "" if is_default_store(url) else NAMED_STORE_HINT
    if not total:
        st.info(EMPTY_NOTICE, icon=":material/inbox:")
    elif sample == total:
        st.sidebar.info(SAMPLE_NOTICE.format(named=named), icon=":material/science:")
    elif sample:
        st.sidebar.caption(SAMPLE_AMONG_NOTICE.format(named=named))


def _without_folders(message: str, url: str) -> str:
    """``message`` with the store's folder left out of its path (visitors see it)."""
    from pathlib import Path

    from geo.store import sqlite_path

    try:
        path = Path(sqlite_path(url))
    except GeoError:
        return message
    folder = str(path.parent)
    return message.replace(folder + "/", "") if folder not in ("", ".", "/") else message


@st.cache_resource(show_spinner=False)
def vendor_assets() -> str:
    """Copy Leaflet & co into ./static/vendor once per server; return their base URL."""
    install_vendor()
    return static_base_url(st.get_option("server.baseUrlPath") or "")


def _secrets() -> dict:
    """The ``[news_atlas]`` table of Streamlit's secrets (empty without a secrets file)."""
    try:
        return dict(st.secrets.get("news_atlas", {}))
    except FileNotFoundError:  # no secrets file: StreamlitSecretNotFoundError
        return {}


def settings() -> Settings:
    """The settings: environment variables, then the ``[news_atlas]`` table of Streamlit's
    secrets (read here; ``geo`` gets plain values). SettingsError names a bad one."""
    return load_settings(secrets=_secrets())


def worker_env() -> dict[str, str]:
    """The settings from the secrets as ``NEWS_ATLAS_*`` variables, for the ingest and
    re-analysis workers the dashboard starts (they read the environment only)."""
    from geo.settings import secrets_env

    return secrets_env(_secrets())


def db_url() -> str:
    """The store's URL; with the read-only setting, opened read-only unless this session's
    editor signed in (a visitor's store refuses every write, whatever the request)."""
    from geo.store import DEFAULT_DB

    s = settings()
    url = s.db_url or str(DEFAULT_DB)
    return read_only_url(url) if s.read_only and not editor() else url


# -- editors' sign-in (read-only mode with a password hash in the settings) -------------

_TRIES = TryLimiter()  # failed tries, per session and for the whole server
EDITOR_KEY = "na_editor"  # session state: the signed-in editor's name (never a password)
NAME_KEY, PASSWORD_KEY = "na_sign_in_name", "na_sign_in_password"  # the form's fields
REFUSED_KEY = "na_sign_in_refused"  # why the last try was refused, shown once


def editor() -> str | None:
    """The name the signed-in editor gave, or None."""
    s = settings()
    if not (s.read_only and s.editor_password_hash):
        return None
    return st.session_state.get(EDITOR_KEY)


def can_edit() -> bool:
    """Whether this session may change the store: a local workspace (read-only off), or
    an editor who signed in."""
    return not settings().read_only or editor() is not None


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "-"


def sign_in_offered() -> bool:
    """Whether editors can sign in here: read-only mode with a password hash set."""
    s = settings()
    return s.read_only and bool(s.editor_password_hash)


def signed_in_caption() -> None:
    """In the sidebar: who is signed in (nothing for visitors)."""
    name = editor()
    if name:
        with st.sidebar:
            caption(f"Signed in as {name}", "you can edit")


def sign_in_page() -> None:
    """The Sign-in page: a form (the password is cleared once submitted, never kept), or
    who is signed in with a sign-out button."""
    s = settings()
    st.title("Editor sign-in")
    if not sign_in_offered():
        st.info("Editing needs no sign-in here." if not s.read_only else
                "Editing is not available on this dashboard.")
        return
    name = editor()
    if name:
        caption(f"Signed in as {name}")
        if st.button("Sign out", key="na_sign_out"):
            st.session_state.pop(EDITOR_KEY, None)
            st.rerun()
        return
    st.write("Visitors can read this dashboard; editors sign in to add and correct.")
    with st.form("na_sign_in", border=True):
        st.text_input("Your name", max_chars=60, key=NAME_KEY)
        st.text_input("Password", type="password", max_chars=200, key=PASSWORD_KEY)
        st.form_submit_button("Sign in", on_click=_try_sign_in)
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        st.error(refused)


def _try_sign_in() -> None:
    """The form's callback, run before the page: checks the password and blanks it at
    once (it stays in no state, log or URL); signs the editor in, or says why not."""
    ss = st.session_state
    password, ss[PASSWORD_KEY] = ss.get(PASSWORD_KEY) or "", ""
    s = settings()
    try:
        ok, message = sign_in(_TRIES, _session_id(), s.editor_password_hash, password)
    except GeoError as err:
        log.error("editor sign-in: %s", err)
        ok, message = False, "Editing is not available: the editors' password hash in " \
                             "the settings is not usable."
    if ok:
        ss[EDITOR_KEY] = " ".join(str(ss.get(NAME_KEY) or "").split()) or "editor"
        log.info("editor %r signed in", ss[EDITOR_KEY])
    else:
        ss[REFUSED_KEY] = message


REVISION_KEY = "_na_revision"  # session state: the store's revision, read once per run


def start_run() -> None:
    """First thing in every script run: forget the last run's store revision."""
    st.session_state[REVISION_KEY] = None


def revision() -> str:
    """The store's revision (part of every cache key), read once per script run."""
    rev = st.session_state.get(REVISION_KEY)
    if rev is None:
        with _LOCK:
            rev = store_queries.revision(get_store(db_url()).conn)
        st.session_state[REVISION_KEY] = rev
    return rev


def _run(url: str, fn, *args, **kwargs):
    """``fn(store, ...)`` under the shared connection's lock and the query time limit."""
    limit = settings().query_time_limit
    with _LOCK:
        store = get_store(url)
        with time_limit(store.conn, limit):
            return fn(store, *args, **kwargs)


def with_store(fn, *args, **kwargs):
    """``fn(store, *args, **kwargs)`` on this page's store, holding the shared lock."""
    return _run(db_url(), fn, *args, **kwargs)


def fix_href(url: str, base: str, f: Filters):
    """``mention_id -> link`` to the page that corrects a place mention (keeping the
    filters), or None when the store at ``url`` is read-only (no correcting there)."""
    from geo.urlstate import link_maker

    return None if get_store(url).read_only else link_maker(base, "fix", f, "mention")


@st.cache_data(show_spinner=False, max_entries=64)
def options(url: str, rev: str) -> FilterOptions:
    return _run(url, query.filter_options)


@st.cache_resource(show_spinner=False, max_entries=2)
def mention_index(url: str, rev: str) -> "MentionIndex":
    """The store's mentions as arrays, built once per store revision (the previous
    revision's stays while a session may still show it)."""
    from geo.mention_index import MentionIndex

    with _LOCK:  # no query time limit: it is built once, for every visitor
        return MentionIndex.build(get_store(url).conn)


@st.cache_resource(show_spinner=False, max_entries=32)
def selection(url: str, rev: str, f: Filters) -> "Selection":
    """The mentions passing ``f`` (a boolean per mention: 1 MB per million), computed
    once per filter value for the place table, the snippets and the timeline."""
    index = mention_index(url, rev)
    return _run(url, lambda store: index.select(store.conn, f))


# the place frames (up to ``limit`` rows per filter) are kept for the 16 latest values
@st.cache_data(show_spinner=False, max_entries=16)
def places(url: str, rev: str, f: Filters, limit: int) -> pd.DataFrame:
    """The ``limit`` most mentioned places under ``f`` (see :func:`place_summary` for
    how many pass)."""
    sel = selection(url, rev, f)
    return _run(url, query.place_table, f, selection=sel, limit=limit)


@st.cache_data(show_spinner=False, max_entries=64)
def place_summary(url: str, rev: str, f: Filters) -> query.PlaceSummary:
    """How many places and mentions pass ``f``, their countries and their frame."""
    sel = selection(url, rev, f)
    return _run(url, query.place_summary, f, selection=sel)


@st.cache_data(show_spinner=False, max_entries=8)
def places_in_view(url: str, rev: str, f: Filters, bounds: dict | None,
                   limit: int) -> tuple[pd.DataFrame, int]:
    """The ``limit`` most mentioned places under ``f`` inside the map's ``bounds``,
    and how many places there are inside them."""
    sel = selection(url, rev, f)
    table = _run(url, query.place_table, f, selection=sel, limit=limit, bounds=bounds)
    inside = _run(url, query.place_summary, f, selection=sel, bounds=bounds)
    return table, inside.places


@st.cache_data(show_spinner=False, max_entries=64)
def snippets(url: str, rev: str, f: Filters, place_ids: tuple[str, ...],
             per_place: int = 3) -> pd.DataFrame:
    sel = selection(url, rev, f)
    return _run(url, query.place_snippets, f, list(place_ids), per_place=per_place,
                selection=sel)


POPUPS_WITH_PASSAGES = 300  # the most mentioned places carry snippets in their popup
MAP_TABLE_ROWS = 500  # the table under the map lists the most mentioned places


def map_table(url: str, rev: str, f: Filters) -> pd.DataFrame:
    """The :data:`MAP_TABLE_ROWS` most mentioned places under ``f``: the head of the
    frame the map draws from (one aggregation per filter change, not two)."""
    cap = settings().map_markers
    return places(url, rev, f, max(cap, MAP_TABLE_ROWS)).head(MAP_TABLE_ROWS)


@st.cache_data(show_spinner=False, max_entries=16)
def map_view(url: str, rev: str, f: Filters, base: str, cap: int) -> dict:
    """What the map draws under ``f``, computed once per filter value: the ``cap`` most
    mentioned places (``drawn``), how many pass (``total``), and their marker columns
    (with the top places' snippets and every link)."""
    from geo.maps import drawn_places, marker_layers_data
    from geo.urlstate import link_maker

    drawn = drawn_places(places(url, rev, f, max(cap, MAP_TABLE_ROWS)), cap)
    top = tuple(drawn["place_id"].head(POPUPS_WITH_PASSAGES))
    snips = snippets(url, rev, f, top)
    data = marker_layers_data(drawn, snips,
                              reader_href=link_maker(base, "articles", f, "article", "passage",
                                                    "place"),
                              place_href=link_maker(base, "places", f, "place"),
                              fix_href=fix_href(url, base, f))
    return {"drawn": drawn, "total": place_summary(url, rev, f).places, "markers": data}


def capped_map_notice(drawn: int, total: int) -> None:
    """Say that the map draws only the most mentioned places, when more pass."""
    if total > drawn:
        st.caption(f"The map draws the {drawn:,} most mentioned of {total:,} places;"
                   " narrow the filters to see the others (the table lists them all).",
                   help="NEWS_ATLAS_MAP_MARKERS sets how many places the map draws.")


@st.cache_data(show_spinner=False, max_entries=64)
def timeline(url: str, rev: str, f: Filters, by: str) -> pd.DataFrame:
    sel = selection(url, rev, f)
    return _run(url, query.timeline, f, by=by, selection=sel)


def row_cap() -> int:
    """The most rows a table lists (``NEWS_ATLAS_ROW_CAP``)."""
    return settings().row_cap


def actors(url: str, rev: str, f: Filters) -> pd.DataFrame:
    """The most mentioned actors under ``f``: one more than the row cap, so that the
    table can tell the cap was reached."""
    return _actors(url, rev, f, row_cap() + 1)


@st.cache_data(show_spinner=False, max_entries=64)
def _actors(url: str, rev: str, f: Filters, limit: int) -> pd.DataFrame:
    return _run(url, query.actor_table, f, limit=limit)


def articles(url: str, rev: str, f: Filters) -> pd.DataFrame:
    """The newest articles under ``f``: one more than the row cap (see :func:`actors`)."""
    return _articles(url, rev, f, row_cap() + 1)


@st.cache_data(show_spinner=False, max_entries=64)
def _articles(url: str, rev: str, f: Filters, limit: int) -> pd.DataFrame:
    return _run(url, query.article_table, f, limit=limit)


def place_passages(place_id: str, f: Filters) -> pd.DataFrame:
    """A place's passages under ``f``, the latest first: one more than the row cap."""
    return snippets(db_url(), revision(), f, (place_id,), per_place=row_cap() + 1)


def capped(df: pd.DataFrame, what: str, *, cap: int | None = None) -> pd.DataFrame:
    """The first ``cap`` (default: the row cap) rows of ``df``; when ``df`` has more, a
    notice says the list stops there and how to see the others."""
    cap = row_cap() if cap is None else cap
    if len(df) <= cap:
        return df
    st.info(f"Only the first {cap:,} {what} are listed: more pass these filters. Narrow"
            " them (dates, source, actors, country or a search) to see the others.")
    return df.head(cap)


def place_details(place_id: str) -> dict | None:
    return _run(db_url(), query.place_details, place_id)


def article_view(article_id: str, **links):
    return _run(db_url(), query.article_view, article_id, **links)


def record_run_time(page: str, started: float) -> None:
    """Log how long this script run took; with ``$NEWS_ATLAS_TIMING`` set to a file path,
    also append it there as a JSON line (the benchmark reads it)."""
    import json
    import os
    import time

    ms = 1000 * (time.perf_counter() - started)
    log.debug("page %s ran in %.0f ms", page, ms)
    path = os.environ.get("NEWS_ATLAS_TIMING")
    if path:
        params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"page": page, "ms": round(ms, 1), "params": params}) + "\n")


PAGE_ERROR = ("Sorry, this page could not be shown. The error has been logged on the"
              " server; try another filter or page.")


def require_router() -> None:
    """First line of every page. On a cold server whose first request is for a page
    (``/places``), Streamlit 1.67 runs ``pages/places.py`` by itself, with no router,
    filters or page guard, until ``st.navigation`` has been called once
    (``PagesManager.uses_pages_directory``). Such a run turns that off and reruns, so
    the router runs the page."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@contextmanager
def page_guard(page: str) -> Iterator[None]:
    """Run a page (``with page_guard(name): page.run()``): any error is logged with its
    traceback on the server, and the visitor sees :data:`PAGE_ERROR` instead (no
    traceback, no path). ``st.stop()`` and reruns pass through (they are not Exceptions)."""
    try:
        yield
    except QueryTimeoutError as err:
        log.warning("the %s page: %s (URL parameters: %d)", page, err, len(st.query_params))
        st.warning(TOO_SLOW_NOTICE, icon=":material/hourglass_disabled:")
    except Exception:  # noqa: BLE001 - the last line of defence of every page
        log.exception("the %s page failed (URL parameters: %d)", page, len(st.query_params))
        st.error(PAGE_ERROR, icon=":material/error:")


# -- URLs ---------------------------------------------------------------------------

def base_path() -> str:
    return "/" + (st.get_option("server.baseUrlPath") or "").strip("/")


def assets() -> AssetUrls:
    return AssetUrls(vendor_assets())


def url_view() -> ViewState:
    """The view the URL asks for (filters, place, article, passage)."""
    return view_from_params({k: st.query_params.get_all(k) for k in st.query_params.keys()})


def sync_url(view: ViewState) -> None:
    """Write ``view`` into the address bar (only when it changed), so it can be shared."""
    wanted = view_to_params(view)
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    norm = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if norm != current:
        st.query_params.from_dict(wanted)


# -- the shared filters ---------------------------------------------------------------

def _init_from_url(opts: FilterOptions) -> None:
    """Seed the widgets from the URL once per session (a shared link's filters)."""
    if st.session_state.get("_filters_seeded"):
        return
    st.session_state["_filters_seeded"] = True
    view = url_view()
    f = view.filters
    ss = st.session_state
    stale = query.stale_values(f, opts)
    if view.place and place_details(view.place) is None:
        stale["place"] = [view.place]
    ss["_stale_link"] = stale
    ss["_url_notes"] = url_notices({k: st.query_params.get_all(k)
                                    for k in st.query_params.keys()})
    ss["f_actors"] = [a for a in f.actors if a in opts.actors]
    ss["f_sources"] = [s for s in f.sources if s in opts.sources]
    ss["f_countries"] = [c for c in f.countries if c in opts.countries]
    ss["f_kinds"] = [k for k in f.kinds if k in opts.kinds]
    ss["f_text"] = f.text
    ss["f_broad"] = f.include_broad
    ss["f_datefield"] = f.date_field
    ss["f_date_choice"] = (f.date_from, f.date_to)  # a link's dates are a user's choice


def _dates_picked(lo: date, hi: date) -> None:
    """The user changed the date range: remember what they chose (an end at the store's
    first or last day is no choice, so the range keeps following the store)."""
    picked = st.session_state.get("f_dates")
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        return  # half-way through picking a range
    start, end = sorted(picked)
    st.session_state["f_date_choice"] = (start.isoformat() if start != lo else None,
                                         end.isoformat() if end != hi else None)


def _date_filters(opts: FilterOptions) -> tuple[str | None, str | None]:
    """Draw the date range; return the dates the user chose (None: no bound).

    Only a choice is returned, and so written into the URL: an untouched widget shows
    the store's whole range, and follows it when new articles arrive.
    """
    ss = st.session_state
    choice = ss.get("f_date_choice") or (None, None)
    if not (opts.date_min and opts.date_max):
        return choice
    lo, hi = date.fromisoformat(opts.date_min), date.fromisoformat(opts.date_max)
    want = tuple(sorted((date.fromisoformat(choice[0]) if choice[0] else lo,
                         date.fromisoformat(choice[1]) if choice[1] else hi)))
    shown = ss.get("f_dates")
    if not (isinstance(shown, (tuple, list)) and len(shown) == 1) and (
            tuple(shown or ()) != want):  # (one date shown: the user is picking a range)
        ss["f_dates"] = want
    st.date_input("Date range", key="f_dates", format="YYYY-MM-DD",
                  min_value=min(lo, *want), max_value=max(hi, *want),
                  on_change=_dates_picked, args=(lo, hi))
    return choice


def sidebar_filters() -> Filters:
    """Draw the filters in the sidebar (once, from dashboard.py); return them."""
    opts = options(db_url(), revision())
    _init_from_url(opts)
    with st.sidebar:
        st.header("Filters")
        date_from, date_to = _date_filters(opts)
        date_field = st.radio("Dates apply to", list(DATE_FIELDS), key="f_datefield",
                              format_func=DATE_FIELDS.get)
        sel_actors = st.multiselect("Actors", opts.actors, key="f_actors",
                                    help="A place is shown when a passage that mentions"
                                         " it also mentions one of these actors.")
        text = st.text_input("Search passages", key="f_text", max_chars=MAX_SEARCH_CHARS,
                             help="Passages with all these words (or words starting so).")
        sources = st.multiselect("Source", opts.sources, key="f_sources")
        ss = st.session_state  # the widgets below this one: their values of this run
        others = Filters(date_from=date_from, date_to=date_to,
                         date_field=date_field or "published", actors=tuple(sel_actors),
                         sources=tuple(sources), kinds=tuple(ss.get("f_kinds", ())),
                         text=text or "", include_broad=bool(ss.get("f_broad", True)))
        countries = st.multiselect(
            "Country", country_choices(others), key="f_countries", format_func=country_label,
            help="The countries of the places that pass the other filters.")
        kinds = st.multiselect("Place type", opts.kinds, key="f_kinds")
        broad = st.checkbox("Countries & demonyms", key="f_broad",
                            help="Country-level places and demonyms (\"Russian\"),"
                                 " drawn as a separate, dashed layer.")
    f = Filters(date_from=date_from, date_to=date_to, date_field=date_field or "published",
                actors=tuple(sel_actors), sources=tuple(sources),
                countries=tuple(countries), kinds=tuple(kinds), text=text or "",
                include_broad=bool(broad))
    st.session_state["filters"] = f
    stale_link_notice(st.session_state.get("_stale_link") or {})
    value_notice([*st.session_state.get("_url_notes", ()), search_notice(text or "")])
    return f


def country_choices(others: Filters) -> list[str]:
    """The country codes of the places passing ``others`` (plus any already chosen, so
    a choice never vanishes), by country name."""
    from geo.render import country_name

    codes = set(place_summary(db_url(), revision(), others).countries)
    codes |= set(st.session_state.get("f_countries") or ())
    return sorted(codes, key=lambda c: (country_name(c).casefold(), c))


def country_label(code: str) -> str:
    from geo.render import country_label as label

    return label(code)


def stale_link_notice(stale: dict[str, list[str]]) -> None:
    """Name the values a shared link asked for that the store does not hold (they are
    left out of the filters), above the page."""
    if not stale:
        return
    from geo.render import esc

    parts = "; ".join(f"{esc(kind)} " + ", ".join(f"“{esc(v)}”" for v in values)
                      for kind, values in stale.items())
    html(f'<div class="na-notice" role="status" style="background:#fff4e5;'
         f'border-left:4px solid #e08a00;padding:.5rem .8rem;margin-bottom:.5rem">'
         f"This link asks for values the store does not hold, so they were left out: "
         f"{parts}.</div>")


def value_notice(notes: list[str | None]) -> None:
    """Say which values of the link or the search box were cut or ignored (too long, too
    many, not a date), above the page."""
    from geo.render import esc

    notes = list(dict.fromkeys(n for n in notes if n))
    if notes:
        html('<div class="na-notice na-cut" role="status" style="background:#fff4e5;'
             'border-left:4px solid #e08a00;padding:.5rem .8rem;margin-bottom:.5rem">'
             + " ".join(esc(n) for n in notes) + "</div>")


def current_filters() -> Filters:
    return st.session_state.get("filters") or Filters()


def current_view(**selection: str | None) -> ViewState:
    """The current filters with a page's own selection (place / article / passage)."""
    return replace(ViewState(filters=current_filters()), **selection)


# -- drawing data: never as Markdown -------------------------------------------------
#
# Streamlit's Markdown (st.markdown, st.title, st.header, st.subheader, st.caption,
# st.write, labels) interprets links, images, HTML, $LaTeX$, :color[...], :material/...:
# icons and emoji shortcodes, and no escaping reaches all of them (the icon and emoji
# plugins read the text after escapes are undone). So nothing that comes from an article,
# a place or an actor goes there: it is escaped by geo.render and drawn with ``st.html``,
# which interprets no Markdown and runs no script (DOMPurify).

READER_CSS = """<style>
.na-passage { padding: .4rem .7rem; margin: .3rem 0; border-left: 4px solid transparent; }
.na-passage.na-current { background: #fff4cc; border-left-color: #e0a800; }
.na-passage mark.place, .na-passage a.place { background: #dbeafe; padding: 0 2px;
  border-radius: 3px; text-decoration: none; }
.na-passage a.place.demonym { background: #e5e7eb; }
.na-passage.na-current a.place.pointed { background: #ffb000; color: #000;
  font-weight: bold; outline: 2px solid #b36b00; }
.na-passage a.actor { background: #fde2e2; padding: 0 2px; border-radius: 3px;
  text-decoration: none; }
.na-date { color: #777; font-size: .8em; margin-left: .5em; }
.na-meta, .na-caption { color: #555; }
.na-caption { font-size: .875rem; margin: 0; }
.na-snippet { margin: .4rem 0; }
.na-passage mark.place.notplace { background: none; text-decoration: line-through dotted #999; }
.na-passage a.na-fix { font-size: .7em; color: #888; text-decoration: none;
  vertical-align: super; margin-left: 1px; }
.na-passage a.na-fix:hover { color: #c0392b; }
</style>"""


def html(fragment: str) -> None:
    """Draw ``fragment``: HTML from geo.render, every piece of data in it escaped."""
    st.html(f'<div class="na-html">{fragment}</div>')


def heading(value: object, *, level: int = 1, css: str = "na-heading") -> None:
    """A heading whose text is shown exactly as it is (a place's or an article's name)."""
    from geo.render import esc

    html(f'<h{level} class="{esc(css)}">{esc(value)}</h{level}>')


def caption(*parts: object) -> None:
    """A caption of ``parts`` joined by " · " (missing parts left out), shown as text."""
    from geo.render import esc, text

    html(f'<p class="na-caption">{esc(" · ".join(t for t in map(text, parts) if t))}</p>')


def passage_list(snips: pd.DataFrame, f: Filters, *, cap: int | None = None) -> None:
    """Snippets (escaped HTML from geo.query) with links into the reader; with ``cap``,
    the first ``cap`` and a notice when there are more."""
    from geo.render import esc, text
    from geo.urlstate import reader_url

    if cap is not None:
        snips = capped(snips, "passages", cap=cap)
    base = base_path()
    fix = fix_href(db_url(), base, f)
    st.html(READER_CSS)
    items = []
    for s in snips.itertuples(index=False):
        href = reader_url(base, s.article_id, s.passage_id, filters=f)
        meta = " · ".join(esc(x) for x in (text(s.title), text(s.source),
                                           text(s.published)[:10]) if x)
        correct = (f' · <a class="na-fix-link" href="{esc(fix(s.mention_id))}">correct</a>'
                   if fix is not None else "")
        items.append(f'<p class="na-snippet">{s.snippet_html} <a href="{esc(href)}">open'
                     f" passage</a>{correct}<br><small>{meta}</small></p>")
    if items:  # one element for all of them: a long list draws at once
        html("".join(items))


def place_table(df: pd.DataFrame, f: Filters, *, limit: int | None = None,
                total: int | None = None) -> None:
    """The places as a table with links; with ``limit``, only the most mentioned ones
    (the rows are already in that order), and a note linking to the full list, which
    stops at the row cap. ``total``: how many places there are when ``df`` holds only
    the first of them (default: its length)."""
    total = len(df) if total is None else total
    from urllib.parse import quote

    from geo.urlstate import link_maker, page_url

    if limit is None:
        df = capped(df, "places (the most mentioned)")
    elif total > limit:
        from geo.render import link

        html(f'<p class="na-caption">The {limit} most mentioned of {total} places. '
             + link(page_url(base_path(), "places", ViewState(filters=f)),
                    "All of them on the Places page") + "</p>")
        df = df.head(limit)
    if df.empty:
        empty_notice(f)
        return
    slot = "NAPLACEIDNA"  # where each row's place id goes in the link
    map_head, map_tail = link_maker(base_path(), "", f, "place")(slot).split(slot, 1)
    place_head, place_tail = link_maker(base_path(), "places", f, "place")(slot).split(slot, 1)
    table = df[["name", "kind", "country_code", "mentions", "demonym_mentions", "articles",
                "score"]].copy()
    ids = [quote(str(p), safe="") for p in df["place_id"].tolist()]
    table["map"] = [f"{map_head}{p}{map_tail}" for p in ids]
    table["passages"] = [f"{place_head}{p}{place_tail}" for p in ids]
    st.dataframe(table, hide_index=True, width="stretch", height=table_height(len(table)),
                 column_config={
        "map": st.column_config.LinkColumn("Map", display_text="centre"),
        "passages": st.column_config.LinkColumn("Passages", display_text="open"),
        "score": st.column_config.NumberColumn("Score", format="%.2f"),
        "mentions": st.column_config.NumberColumn("Mentions", help=query.COUNT_HELP),
        "demonym_mentions": st.column_config.NumberColumn(
            "of which demonyms", help="The mentions that are a demonym (\"Russian\")."),
    })
    st.caption("Mentions count a place's name and the demonyms resolved to it.",
               help=query.COUNT_HELP)


ROW_PX, HEADER_PX = 35, 38  # st.dataframe's row and header heights
TABLE_ROWS_SHOWN = 25        # a longer table scrolls inside this many rows' height


def table_height(rows: int, *, max_rows: int = TABLE_ROWS_SHOWN) -> int:
    """The pixel height that shows ``rows`` rows (up to ``max_rows``) with no blank space
    below them and no inner scroll bar for a short table."""
    return HEADER_PX + ROW_PX * max(1, min(rows, max_rows))


def empty_notice(f: Filters) -> None:
    """Nothing passes ``f``: say so, with the dates the store has articles for (an empty
    store has its own notice)."""
    url, rev = db_url(), revision()
    if contents(url, rev)[0] == 0:
        return
    if place_summary(url, rev, f).places:  # the filters pass places, none shown here
        st.info("None of the places under these filters is in this part of the map.")
        return
    st.info(query.empty_message(f, options(url, rev)))


def timeline_chart(series: pd.DataFrame) -> None:
    """Mentions per day as bars; brushing over them sets the date range (the sidebar's
    dates follow). A Vega-Lite spec, not Altair: no Altair import (0.3 s)."""
    event = st.vega_lite_chart(series, {
        "params": [{"name": "brush", "select": {"type": "interval", "encodings": ["x"]}}],
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {"x": {"field": "day", "type": "temporal", "title": None},
                     "y": {"field": "mentions", "type": "quantitative"}},
    }, width="stretch", height=200, key="m_timeline", on_select="rerun",
        selection_mode="brush")
    st.caption("Drag across the bars to set the date range.")
    picked = query.brushed_dates((event or {}).get("selection", {}).get("brush"))
    ss = st.session_state
    if picked and picked != ss.get("_brush_applied"):  # a new brush, not the last one
        ss["_brush_applied"] = picked
        ss["f_date_choice"] = picked
        st.rerun()


def article_table(df: pd.DataFrame, f: Filters) -> None:
    """The articles (newest first, up to the row cap) with links into the reader."""
    from geo.urlstate import reader_url

    df = capped(df, "articles (the newest)")
    table = df[["title", "source", "published", "mentions"]].copy()
    table["read"] = [reader_url(base_path(), a, filters=f) for a in df["id"]]
    if df.empty:
        empty_notice(f)
        return
    st.dataframe(table, hide_index=True, width="stretch", height=table_height(len(table)),
                 column_config={
        "read": st.column_config.LinkColumn("Reader", display_text="read")})


def actor_table(df: pd.DataFrame, f: Filters) -> None:
    """The actors (most mentioned first, up to the row cap) with links to the map."""
    from geo.urlstate import map_url

    table = capped(df, "actors (the most mentioned)").copy()
    table["map"] = [map_url(base_path(), filters=replace(f, actors=(a,)))
                    for a in table["name"]]
    st.dataframe(table, hide_index=True, width="stretch", height=table_height(len(table)),
                 column_config={
        "map": st.column_config.LinkColumn("Map", display_text="places with this actor")})


def scroll_to(element_id: str) -> None:
    """Scroll the page to the element with ``element_id`` once it is drawn."""
    import json

    import streamlit.components.v1 as components

    # the id as a JS string that cannot close the <script> (json.dumps keeps "<" and "/")
    quoted = json.dumps(element_id).replace("<", "\\u003c").replace(">", "\\u003e")
    components.html(
        "<script>(function(){var n=0;var t=setInterval(function(){"
        f"var e=window.parent.document.getElementById({quoted});"
        "if(e){e.scrollIntoView({block:'center'});clearInterval(t);}"
        "if(++n>50)clearInterval(t);},100);})();</script>", height=0)
