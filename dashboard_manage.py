"""Managing the store from the dashboard: delete an article (with a confirmation step),
re-analyse every article in a background process, and download what the filters show.

UI glue only: the work is ``Store.delete_articles``, :mod:`geo.reanalyse` and
:mod:`geo.export`. Writing controls are hidden when the store is read-only.
"""
from __future__ import annotations

import functools
import logging
import subprocess
import threading
from pathlib import Path

import streamlit as st

import dashboard_ui as ui
from geo.errors import GeoError
from geo.export import DOWNLOADS, export_bytes
from geo.query import Filters
from geo.render import esc
from geo.store import Store, sqlite_path

log = logging.getLogger(__name__)

CONFIRM_KEY = "_confirm_delete"  # session state: the article whose deletion is asked
FLASH_KEY = "_manage_flash"      # session state: (kind, HTML) to show on the next run
MAP_DOWNLOADS = ("csv", "geojson-mentions", "geojson", "html")


def writable() -> bool:
    """Whether this dashboard may write its store."""
    return not ui.get_store(ui.db_url()).read_only


def flash() -> None:
    """Show (once) what the last management action did."""
    kind, fragment = st.session_state.pop(FLASH_KEY, (None, None))
    if fragment:
        colour = "#e7f6ec" if kind == "ok" else "#fdecea"
        ui.html(f'<div class="na-notice" role="status" style="background:{colour};'
                f'padding:.5rem .8rem;margin-bottom:.5rem">{fragment}</div>')


# -- delete ------------------------------------------------------------------------------

def delete_controls(article_id: str, title: str | None, passages: int) -> None:
    """A "Delete this article" button; pressed, a confirmation with what goes."""
    if not writable():
        return
    if st.session_state.get(CONFIRM_KEY) != article_id:
        st.button("Delete this article", key="m_delete", icon=":material/delete:",
                  on_click=_ask, args=(article_id,))
        return
    box = st.container(border=True, key="m_delete_confirm")
    with box:
        ui.html(f"<p><b>Delete “{esc(title or 'Untitled article')}”?</b> Its {passages}"
                " passage(s) and every place and actor mention in them go with it; places"
                " and actors no other article mentions leave the map. This cannot be"
                " undone (ingest the file again to bring it back).</p>")
        yes, no = st.columns([1, 4])
        yes.button("Delete", type="primary", key="m_delete_yes", on_click=_delete,
                   args=(article_id, title))
        no.button("Cancel", key="m_delete_no", on_click=_cancel)


def _ask(article_id: str) -> None:
    st.session_state[CONFIRM_KEY] = article_id


def _cancel() -> None:
    st.session_state.pop(CONFIRM_KEY, None)


def _delete(article_id: str, title: str | None) -> None:
    """Delete the article; back to the list, with a note saying what went."""
    st.session_state.pop(CONFIRM_KEY, None)
    url = ui.db_url()
    try:
        deletion = ui._run(url, lambda store: store.delete_articles([article_id]))
    except GeoError as err:
        log.error("cannot delete article %s: %s", article_id, err)
        st.session_state[FLASH_KEY] = ("error", esc(ui._without_folders(str(err), url)))
        return
    name = esc(title or "Untitled article")
    st.session_state[FLASH_KEY] = ("ok", f"Deleted “{name}”: {esc(deletion.removed.describe())}."
                                   if deletion.deleted else f"“{name}” was already deleted.")
    for key in ("article", "passage", "place"):
        if key in st.query_params:
            del st.query_params[key]


# -- downloads ---------------------------------------------------------------------------

def download_buttons(f: Filters, formats: tuple[str, ...] = MAP_DOWNLOADS) -> None:
    """A download button per format, each exporting what ``f`` shows; the file is made
    only when its button is pressed (the same functions as ``python -m geo export``)."""
    url = ui.db_url()
    store = ui.get_store(url)
    st.caption("Download what these filters show:")
    for col, fmt in zip(st.columns(len(formats)), formats):
        d = DOWNLOADS[fmt]
        col.download_button(d.label, data=functools.partial(_export, store, url, fmt, f),
                            file_name=d.file_name, mime=d.mime, on_click="ignore",
                            key=f"m_download_{fmt}", icon=":material/download:")


def _export(store: Store, url: str, fmt: str, f: Filters) -> bytes:
    """The file (runs in Streamlit's download thread, outside the script run)."""
    options = {"store_name": Path(sqlite_path(url)).name} if fmt == "html" else None
    with ui._LOCK:
        return export_bytes(store, fmt, filters=f, html_options=options)


# -- re-analysis -------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _launched() -> dict[str, subprocess.Popen]:
    """The re-analysis processes this server started, by store URL."""
    return {}


_LAUNCH_LOCK = threading.Lock()


def reanalysis_section() -> None:
    """The status of the latest re-analysis, and a button to start one."""
    st.subheader("Re-analyse")
    st.caption("Analyse every stored article again with the current gazetteer and model"
               " (after an upgrade). Your corrections are applied again; the work runs in"
               " the background and goes on if you leave this page.")
    if not writable():
        st.info("This store is read-only: it cannot be re-analysed here.")
        return
    url = ui.db_url()
    running = _running(url)
    _status_fragment(url, running)
    st.button("Re-analyse everything", key="m_reanalyse", disabled=running,
              icon=":material/refresh:", on_click=_start, args=(url,))


def _running(url: str) -> bool:
    """Whether a re-analysis of ``url`` runs (started here, or by anyone on this
    machine)."""
    from geo.reanalyse import read_status

    process = _launched().get(url)
    launched = process is not None and process.poll() is None  # (poll reaps it)
    status = ui._run(url, read_status)
    if status and status.is_alive():
        return True
    # one started here runs until it exits or its own status says it ended
    return launched and not (status and status.pid == process.pid
                             and status.state != "running")


def _status_fragment(url: str, running: bool) -> None:
    """The status, refreshed every 2 s while a re-analysis runs."""
    @st.fragment(run_every=2 if running else None)
    def draw() -> None:
        from geo.reanalyse import read_status

        now_running = _running(url)
        status = ui._run(url, read_status)
        if now_running and status and status.state == "running" and status.is_alive():
            st.progress(status.done / max(status.total, 1),
                        text=f"Re-analysis running: {status.done} of {status.total}"
                             " articles")
        elif now_running:
            st.info("Re-analysis starting…", icon=":material/hourglass_top:")
        else:
            _last_run(url, status)
        if running and not now_running:
            st.rerun()  # it ended: redraw the page (its button, no more refreshing)

    draw()


def _last_run(url: str, status) -> None:  # noqa: ANN001 (geo.reanalyse.Status | None)
    """What the last re-analysis did (or how it ended)."""
    process = _launched().get(url)
    if process is not None and process.returncode and (status is None
                                                        or status.state == "running"):
        st.error(f"The re-analysis stopped (exit status {process.returncode}); see the"
                 " server's log.")
    elif status is None:
        st.caption("No re-analysis has run on this store yet.")
    elif status.state == "finished":
        st.success(f"The last re-analysis finished at {status.updated_at}:"
                   f" {status.replaced} of {status.total} articles re-analysed,"
                   f" {status.failed} failed.", icon=":material/check_circle:")
    elif status.state == "failed":
        ui.html(f"<p>The last re-analysis stopped at {esc(status.updated_at)}:"
                f" {esc(ui._without_folders(status.error or '', url))}</p>")
    else:
        st.warning(f"The last re-analysis stopped after {status.done} of {status.total}"
                   " articles (its process is gone); start it again to finish.")


def _start(url: str) -> None:
    """Start ``python -m geo reanalyse`` on ``url`` (once at a time per store)."""
    from geo.reanalyse import start_in_background

    with _LAUNCH_LOCK:
        process = _launched().get(url)
        if process is not None and process.poll() is None:
            return
        _launched()[url] = start_in_background(url, env=ui.worker_env())
        log.info("started a re-analysis of %s (pid %d)", url, _launched()[url].pid)
