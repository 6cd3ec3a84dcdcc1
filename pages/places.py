"""Places: every place under the filters, or one place with all its passages."""
from __future__ import annotations

import streamlit as st

import dashboard_manage as manage
import dashboard_ui as ui
from geo.render import coordinates
from geo.urlstate import map_url

ui.require_router()

view = ui.url_view()
f = ui.current_filters()
ui.sync_url(ui.current_view(place=view.place))
db, rev = ui.db_url(), ui.revision()

place = ui.place_details(view.place) if view.place else None
if place:
    ui.heading(place["name"])
    ui.caption(place["kind"], place["country_code"] or "—", place["id"],
               coordinates(place["lat"], place["lon"]))
    st.link_button("Show on the map", map_url(ui.base_path(), place=place["id"], filters=f))
    ui.passage_list(ui.place_passages(place["id"], f), f, cap=ui.row_cap())
else:
    st.title("Places")
    if view.place:
        st.info("That place is not in the store: here are all the places.")
    ui.place_table(ui.places(db, rev, f, ui.row_cap() + 1), f)  # one more: capped
    manage.download_buttons(f, ("geojson", "csv"))
