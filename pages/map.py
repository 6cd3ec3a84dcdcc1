"""Map: one marker per place (clustered), popups with passages, heat layer, timeline."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

import dashboard_manage as manage
import dashboard_ui as ui
from geo import maps

ui.require_router()

f = ui.current_filters()
place_id = ui.url_view().place
ui.sync_url(ui.current_view(place=place_id))
db, rev, base = ui.db_url(), ui.revision(), ui.base_path()

summary = ui.place_summary(db, rev, f)  # every place passing f: counted, not listed
view = ui.map_view(db, rev, f, base, ui.settings().map_markers)
selected = ui.place_details(place_id) if place_id else None

st.title("Map")
left, right, info = st.columns([1, 1, 2])
heat = left.toggle("Heat map", key="m_heat")
follow = right.toggle("Table follows the map", key="m_follow",
                      help="List only the places in view (the page reruns when you pan).")
info.caption(f"{summary.places} places, {summary.mentions} mentions")

ui.capped_map_notice(len(view["drawn"]), view["total"])
layers = maps.layers_from_data(view["markers"], view["drawn"], assets=ui.assets(), heat=heat)
# last: frames what the filters show, or centres on the ?place= place (in the browser,
# no round trip; once the user moves the map, their view stays)
# st_folium reads ``returned_objects`` only when it first draws the map: the frame
# layer switches the drawn map to sending its bounds on each (debounced, 250 ms) pan and
# zoom, keeping the user's view; with "follows" off, panning sends nothing (no rerun).
layers.append(maps.frame_layer(None, bounds=summary.bounds, focus=selected and {
    "id": selected["id"], "lat": selected["lat"], "lon": selected["lon"]},
    send_bounds=follow))
state = st_folium(
    maps.add_legend(maps.base_map(ui.assets(), tiles=ui.settings().tiles)), key="map",
    feature_group_to_add=layers, returned_objects=["bounds"] if follow else [],
    height=540, use_container_width=True)

if selected:
    ui.heading(selected["name"], level=3)
    ui.caption(selected["kind"], selected["country_code"] or "—", selected["id"])
    ui.passage_list(ui.snippets(db, rev, f, (selected["id"],), per_place=20), f)

st.subheader("Mentions over time")
by = "passage" if f.date_field == "passage" else "published"
series = ui.timeline(db, rev, f, by)
if len(series):
    ui.timeline_chart(series)
else:
    st.caption("No dated mentions under these filters.")

st.subheader("Places in view" if follow else "Places")
if follow:
    shown, total = ui.places_in_view(db, rev, f, (state or {}).get("bounds"),
                                     ui.MAP_TABLE_ROWS)
    st.caption(f"{total} of {summary.places} places in view")
else:
    shown, total = ui.map_table(db, rev, f), summary.places
ui.place_table(shown, f, limit=ui.MAP_TABLE_ROWS, total=total)
manage.download_buttons(f)
