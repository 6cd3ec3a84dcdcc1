"""Actors: people, organisations and groups named next to the places under the filters,
and their corrections (merge, rename, not an actor, split) when the store is writable."""
from __future__ import annotations

import streamlit as st

import dashboard_actors_edit
import dashboard_ui as ui

ui.require_router()

f = ui.current_filters()
ui.sync_url(ui.current_view())
st.title("Actors")
ui.actor_table(ui.actors(ui.db_url(), ui.revision(), f), f)
dashboard_actors_edit.actor_editor()
