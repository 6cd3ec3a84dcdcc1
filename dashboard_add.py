"""The Add page's UI: upload, paste or fetch articles, start an ingest job, and show it
live until its summary.

The work runs in a detached ``python -m geo ingest --job ID`` process (geo.jobs): this
module only saves what the visitor gave (geo.uploads), starts the job and reads its row,
so the dashboard never loads spaCy. Titles, file names and reasons are shown escaped
(``ui.caption``) or in dataframes, never as Markdown.
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

import dashboard_ui as ui
from geo import jobs, uploads
from geo.errors import GeoError, InputError
from geo.ingest import IngestSummary
from geo.readers import EXTENSIONS

log = logging.getLogger(__name__)

UPLOAD_TYPES = [ext.lstrip(".") for ext in EXTENSIONS]
POLL_S = 1.0  # how often a running job's row is read
JOB_KEY = "add_job"


def _store():
    return ui.get_store(ui.db_url())


def _locked(fn, *args, **kwargs):
    """``fn(store, ...)`` on the dashboard's shared connection."""
    return ui._run(ui.db_url(), fn, *args, **kwargs)  # noqa: SLF001 - the UI's one lock


# -- starting a job ---------------------------------------------------------------------

def _start(save) -> None:  # noqa: ANN001 - save(folder) -> list[Path]
    """Create a job, let ``save`` put its inputs in the job's folder, start the worker
    and rerun the page (which then follows the job). A failure to save is shown, and
    the job is marked failed."""
    job_id, folder = _locked(jobs.new_upload)
    try:
        paths = save(folder)
    except OSError as err:
        log.error("job %s: cannot save the upload: %s", job_id, err)
        _locked(jobs.fail_job, job_id, "could not save the upload on the server")
        st.error("Could not save the upload on the server.", icon=":material/error:")
        return
    _locked(jobs.launch_ingest, job_id, paths, env=ui.worker_env(),
            workers=ui.settings().add_workers)
    st.session_state[JOB_KEY] = job_id
    st.rerun()


def upload_tab() -> None:
    limit = uploads.upload_limit_bytes(ui.settings().upload_limit_mb)
    st.caption(f"Text, Markdown, HTML, JSON, JSON Lines, CSV, RSS/Atom, or a .zip of them;"
               f" up to {limit // (1024 * 1024)} MB per upload.")
    round_ = st.session_state.setdefault("add_round", 0)
    files = st.file_uploader("Files", type=UPLOAD_TYPES, accept_multiple_files=True,
                             key=f"add_files_{round_}")
    if not st.button("Add these files", key="add_upload", disabled=not files, type="primary"):
        return
    try:  # the declared sizes, before anything is read
        uploads.check_upload_size([(f.name, f.size) for f in files], limit=limit)
    except InputError as err:
        st.error("This upload is too large.", icon=":material/error:")
        ui.caption(err)  # it names a file: shown as text
        return

    def save(folder: Path) -> list[Path]:
        taken: set[str] = set()
        return [uploads.save_upload(f, f.name, folder, taken) for f in files]

    st.session_state["add_round"] = round_ + 1  # a new, empty uploader next time
    _start(save)


def paste_tab() -> None:
    title = st.text_input("Title", key="add_title")
    left, middle, right = st.columns([2, 3, 2])
    source = left.text_input("Source", key="add_source", placeholder="CBC News")
    url = middle.text_input("URL", key="add_url", placeholder="https://...")
    published = right.date_input("Date", value=None, key="add_date")
    text = st.text_area("Text", key="add_text", height=240)
    if not st.button("Add this article", key="add_paste", type="primary"):
        return
    if not text.strip():
        st.error("Paste the article's text first.", icon=":material/error:")
        return
    _start(lambda folder: [uploads.save_pasted(
        folder, text=text, title=title, source=source, url=url,
        published=published.isoformat() if isinstance(published, date) else "")])


def _fetch_options() -> dict:
    """allow_private, timeout and max_bytes, from the settings (NEWS_ATLAS_FETCH_*)."""
    from geo.fetch import FetchSettings

    f = FetchSettings.from_settings(ui.settings())
    return {"allow_private": f.allow_private, "timeout": f.timeout, "max_bytes": f.max_bytes}


def fetch_tab() -> None:
    from geo.fetch import fetch_articles

    if not ui.settings().fetch_allowed:
        st.info("Fetching by URL is turned off on this dashboard.",
                icon=":material/cloud_off:")
        return
    url = st.text_input("Address of an article page or an RSS/Atom feed", key="add_fetch_url")
    if not st.button("Fetch and add", key="add_fetch", type="primary"):
        return
    if not url.strip():
        st.error("Type the address of a page or a feed first.")
        return
    try:
        with st.spinner("Fetching…"):
            found = fetch_articles(url.strip(), **_fetch_options())
    except (GeoError, OSError, ValueError) as err:
        st.error("Could not fetch it.", icon=":material/error:")
        ui.caption(err)  # it may hold the address: shown as text
        return
    if not found:
        st.warning("No article found at that address.")
        return
    _start(lambda folder: [uploads.save_fetched(folder, found)])


# -- following a job -------------------------------------------------------------------

def current_job() -> int | None:
    """The job this visitor started, else one still running (another visitor's)."""
    mine = st.session_state.get(JOB_KEY)
    if mine is not None:
        return mine
    running = [j for j in _locked(jobs.recent_jobs, kind="ingest", limit=5) if not j.finished]
    return running[0].id if running else None


def job_panel(job_id: int) -> None:
    """The job's progress, polled while it runs; its summary once it has finished."""
    job = _locked(jobs.job_status, job_id)
    if job is None:
        return
    if job.finished:
        summary(job)
    else:
        _live(job_id)


@st.fragment(run_every=POLL_S)
def _live(job_id: int) -> None:
    job = _locked(jobs.job_status, job_id)
    if job is None or job.finished:
        st.rerun()  # the whole page: the summary, and the map's caches see new articles
    st.subheader("Adding articles")
    if not job.total:
        st.progress(0.0)
        ui.caption("Reading the files…" if job.state is jobs.JobState.RUNNING
                   else "Starting…")
        return
    st.progress(min(job.done / job.total, 1.0))
    rate = job.rate()
    ui.caption(f"article {min(job.done + 1, job.total)} of {job.total}",
               f"{rate:.1f} articles/s" if rate else None,
               f"{job.added} added, {job.skipped} already present, {job.failed} failed")
    if job.current:
        ui.caption("now:", job.current)


def summary(job: jobs.Job) -> None:
    """Added, already present, failed (each with its reason)."""
    result = IngestSummary.from_dict(job.summary) if job.summary else None
    if job.state is jobs.JobState.FAILED:
        st.error("This job stopped before it finished.", icon=":material/error:")
        ui.caption(job.error or "")
        if job.sources and st.button("Run it again", key=f"add_rerun_{job.id}"):
            st.session_state[JOB_KEY] = _locked(jobs.rerun, job, env=ui.worker_env(),
                                                workers=ui.settings().add_workers)
            st.rerun()
    else:
        st.success("Done.", icon=":material/check_circle:")
    added = result.added if result else job.added
    present = result.present if result else []
    failed = result.failed if result else []
    a, b, c = st.columns(3)
    a.metric("Added", added)
    b.metric("Already present", len(present) if result else job.skipped)
    c.metric("Failed", len(failed) if result else job.failed)
    if failed:
        st.dataframe(_problems(failed), hide_index=True, width="stretch")
    if present:
        with st.expander(f"Already present ({len(present)})"):
            st.dataframe(_problems(present), hide_index=True, width="stretch")
    if result and result.warnings:
        with st.expander(f"Warnings ({len(result.warnings) + result.warnings_dropped})"):
            st.dataframe(pd.DataFrame({"warning": result.warnings}), hide_index=True,
                         width="stretch")
    if added:
        st.page_link("pages/map.py", label="Open the map", icon=":material/map:")


def _problems(problems) -> pd.DataFrame:  # noqa: ANN001 - list[geo.ingest.Problem]
    return pd.DataFrame({"file": [p.path for p in problems],
                         "line": [p.line if p.line is not None else "" for p in problems],
                         "reason": [p.reason for p in problems]}).astype(str)


def recent_jobs() -> None:
    """The store's latest ingest jobs (any visitor's), newest first."""
    rows = _locked(jobs.recent_jobs, kind="ingest", limit=10)
    if not rows:
        return
    with st.expander("Recent jobs"):
        st.dataframe(pd.DataFrame({
            "job": [j.id for j in rows], "state": [j.state.value for j in rows],
            "added": [j.added for j in rows], "already present": [j.skipped for j in rows],
            "failed": [j.failed for j in rows], "started": [j.created_at for j in rows],
        }), hide_index=True, width="stretch")
