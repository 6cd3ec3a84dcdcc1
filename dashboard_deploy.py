"""Hosting glue for the dashboard: on a fresh host (Streamlit Community Cloud runs
``streamlit run dashboard.py`` on a checkout without a gazetteer), build the gazetteer
in the background once per server, when it may be used (geo.gazetteer.background)."""
from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

import dashboard_ui as ui
from geo.errors import GeoError

log = logging.getLogger(__name__)


def start_gazetteer_build() -> int | None:
    """Start building a missing gazetteer when someone may use it; the builder's pid,
    or None when nothing was started (it exists, is being built, or is not needed)."""
    from geo.gazetteer.background import needs_gazetteer

    try:
        settings = ui.settings()
    except GeoError as err:  # the page itself says what is wrong with the settings
        log.warning("no gazetteer build: %s", err)
        return None
    return _start_build(str(settings.gazetteer)) if needs_gazetteer(settings) else None


@st.cache_resource(show_spinner=False)
def _start_build(path: str) -> int | None:
    """Once per server and index path."""
    from geo.gazetteer.background import start_build

    proc = start_build(Path(path))
    return proc.pid if proc else None
