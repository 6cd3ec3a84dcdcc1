"""Manage: re-analyse the store's articles (in the background) and see how it went."""
from __future__ import annotations

import streamlit as st

import dashboard_manage as manage
import dashboard_ui as ui

ui.require_router()

ui.sync_url(ui.current_view())
st.title("Manage")
manage.reanalysis_section()
st.subheader("Delete")
st.caption("Open an article on the Articles page and press “Delete this article”, or"
           " run `python -m geo delete ID...`.")
