"""News Atlas dashboard: ``streamlit run dashboard.py``.

The entry point and router: opens the store (loading the built-in sample into an empty
default store, or saying how to add articles to an empty named one), copies the map
assets for offline use, draws the shared filters, runs the page.
"""
from __future__ import annotations

import time

_started = time.perf_counter()

import streamlit as st  # noqa: E402

import dashboard_deploy as deploy  # noqa: E402
import dashboard_ui as ui  # noqa: E402

st.set_page_config(page_title="News Atlas", page_icon="🗺️", layout="wide")
ui.start_run()
deploy.start_gazetteer_build()  # a fresh host has none: built in the background, once

store = ui.open_store()
ui.signed_in_caption()
ui.vendor_assets()

pages = [
    st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
    st.Page("pages/articles.py", title="Articles", icon=":material/article:",
            url_path="articles"),
    st.Page("pages/places.py", title="Places", icon=":material/location_on:",
            url_path="places"),
    st.Page("pages/actors.py", title="Actors", icon=":material/group:", url_path="actors"),
]
if ui.can_edit() and not store.read_only:  # the pages that change the store: a local
    pages += [                                 # workspace, or a signed-in editor
        st.Page("pages/add.py", title="Add articles", icon=":material/add_circle:",
                url_path="add"),
        st.Page("pages/manage.py", title="Manage", icon=":material/settings:",
                url_path="manage"),
        st.Page("pages/fix.py", title="Correct a place",
                icon=":material/edit_location_alt:", url_path="fix"),
    ]
# who corrected what: listed for every visitor; undo and import only for who can edit
pages.append(st.Page("pages/corrections.py", title="Corrections", icon=":material/history:",
                     url_path="corrections"))
if ui.sign_in_offered():
    pages.append(st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:",
                         url_path="sign-in"))
page = st.navigation(pages)
with ui.page_guard(page.url_path or "map"):  # logs an error, shows a short message
    ui.sidebar_filters()
    page.run()
ui.record_run_time(page.url_path or "map", _started)
