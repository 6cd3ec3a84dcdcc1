"""Add articles: upload files (or a .zip), paste text, or fetch a URL; the analysis runs
as a background job whose progress and summary this page shows."""
from __future__ import annotations

import streamlit as st

import dashboard_add as add
import dashboard_ui as ui

ui.require_router()

st.title("Add articles")
if ui.get_store(ui.db_url()).read_only:
    st.info(ui.READ_ONLY_NOTICE, icon=":material/lock:")
    st.stop()

job_id = add.current_job()
if job_id is not None:
    add.job_panel(job_id)

upload, paste, fetch = st.tabs(["Upload files", "Paste text", "Fetch by URL"])
with upload:
    add.upload_tab()
with paste:
    add.paste_tab()
with fetch:
    add.fetch_tab()
add.recent_jobs()
