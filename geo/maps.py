"""Folium maps from DataFrames: pure functions, no Streamlit (see STYLE.md, 6).

- :func:`base_map`: one Leaflet map whose JS/CSS come from our own static URLs (no CDN),
  with the offline basemap (:mod:`geo.map_basemap`) and optional tiles.
- :func:`place_layers`: the filtered content, as feature groups the UI hands to
  ``st_folium(..., feature_group_to_add=...)``: one marker per place (clustered, sized
  and labelled by mention count, with an escaped popup linking to the reader), the
  country-level / demonym layer clustered apart, and an optional heat layer.

Markers are drawn in the browser from one compact JSON array, not one folium object per
place, so thousands of places stay small on the wire.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Sequence

import folium
import pandas as pd
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.plugins import HeatMap
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.assets import AssetUrls
from geo.basemap import LAYERS, BasemapLayer
from geo.geocoders import origin_note
from geo.map_basemap import add_basemap
from geo.query import data_bounds  # noqa: F401 - framing, also for the export
from geo.render import esc, resolution_sentence, text
from geo.settings import TileServer

log = logging.getLogger(__name__)

MAP_CSS = """<style>
.leaflet-container { background: #dbe6ef; }
.na-marker { border-radius: 50%; background: rgba(200, 60, 40, .82); color: #fff;
  border: 2px solid #fff; box-shadow: 0 0 3px rgba(0,0,0,.45); display: flex;
  align-items: center; justify-content: center; font: bold 11px/1 sans-serif; }
.na-marker.na-broad { background: rgba(60, 90, 160, .35); border: 2px dashed #3c5aa0;
  color: #1d2f5c; }
.marker-cluster.na-broad-cluster, .marker-cluster.na-broad-cluster div {
  background: rgba(60, 90, 160, .35); color: #1d2f5c; }
.marker-cluster.na-broad-cluster div { border: 2px dashed #3c5aa0; }
.leaflet-popup-content { max-width: calc(100vw - 64px); }
.na-pop { font: 13px/1.35 sans-serif; }
.na-pop .na-meta { color: #555; margin: 2px 0 4px; }
.na-pop .na-all { font-weight: bold; margin: 0 0 4px; }
.na-pop .na-why { color: #333; font-size: 12px; margin: 0 0 4px; }
.na-pop .na-snips { max-height: min(240px, 40vh); overflow-y: auto; }
.na-pop .na-snip { border-top: 1px solid #ddd; padding: 4px 0; }
.na-pop .na-src { color: #666; font-size: 11px; }
.na-pop mark { background: #ffe066; padding: 0 1px; }
</style>"""


class _RawScript(Element):
    """Text that goes into the page as it is (already-rendered JavaScript)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class PlaceMarkers(JSCSSMixin, MacroElement):
    """Markers drawn in the browser from the columns :func:`marker_data` builds (every
    string already escaped). Popups and tooltips are built only when opened."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var d = {{ this.data|tojson }};
            var group = {{ "L.markerClusterGroup(" ~ (this.cluster_options|tojson) ~ ")"
                           if this.cluster else "L.featureGroup()" }};
            if (group.options && group.addLayers) {  // a cluster shows its places' mentions
                group.options.iconCreateFunction = function (cluster) {
                    var n = 0;
                    cluster.getAllChildMarkers().forEach(function (m) { n += m.options.mentions; });
                    var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
                    return L.divIcon({html: "<div><span>" + n + "</span></div>",
                                      className: "marker-cluster marker-cluster-" + size
                                          + (d.broad ? " na-broad-cluster" : ""),
                                      iconSize: [40, 40]});
                };
            }
            function meta(i) {
                var parts = [d.kinds[d.kind[i]], d.ccs[d.cc[i]]];
                if (d.score[i] !== null) { parts.push("score " + d.score[i].toFixed(2)); }
                return parts.join(" \u00b7 ");
            }
            function popup(i) {  // the link first: it never scrolls out of sight
                var dem = d.dem[i] ? " (" + d.dem[i] + " by demonym)" : "";
                return '<div class="na-pop"><b>' + d.name[i] + '</b><div class="na-meta">'
                    + meta(i) + '</div><div class="na-all"><a href="'
                    + d.href[0] + encodeURIComponent(d.id[i]) + d.href[1]
                    + '" target="_blank" rel="noopener">All ' + d.n[i]
                    + ' mentions &rarr;</a>' + dem + '</div>'
                    + (d.why[i] >= 0 ? '<div class="na-why">' + d.whys[d.why[i]] + '</div>' : "")
                    + '<div class="na-snips">' + (d.snips[i] || "") + '</div></div>';
            }
            var popupWidth = Math.max(160, Math.min(380, window.innerWidth - 64));
            var cls = d.broad ? "na-marker na-broad" : "na-marker", markers = [];
            d.lat.forEach(function (lat, i) {
                var n = d.n[i], size = Math.min(48, Math.round(18 + 6 * Math.log2(n)));
                var marker = L.marker([lat, d.lon[i]], {
                    icon: L.divIcon({className: cls, html: String(n), iconSize: [size, size]}),
                    title: d.raw[i] || d.name[i], riseOnHover: true, mentions: n,
                    placeId: d.id[i],
                    zIndexOffset: d.broad ? -1000 : 0});
                marker.bindTooltip(function () { return d.name[i] + " (" + n + ")"; });
                marker.bindPopup(function () { return popup(i); },
                                {maxWidth: popupWidth, autoPanPadding: [8, 8]});
                markers.push(marker);
            });
            if (group.addLayers) { group.addLayers(markers); }  // clusters: in bulk, fast
            else { markers.forEach(function (m) { group.addLayer(m); }); }
            group.addTo({{ this._parent.get_name() }});
            return group;
        })();
        {% endmacro %}
    """)

    def render(self, **kwargs) -> None:
        """Like ``JSCSSMixin.render``, but hands the (large) script to the figure as plain
        text: folium would otherwise re-parse it as a Jinja template (~50 ms per 1 MB)."""
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_RawScript(script(self, kwargs)), name=self.get_name())

    def __init__(self, data: dict, *, assets: AssetUrls, cluster: bool = True) -> None:
        super().__init__()
        self._name = "PlaceMarkers"
        self.data = data
        self.cluster = cluster
        self.cluster_options = {"maxClusterRadius": 40, "showCoverageOnHover": False}
        # folium and st_folium collect these links: local files only, never a CDN
        self.default_js = [("markercluster", assets.cluster_js)] if cluster else []
        self.default_css = ([(f"markercluster_{i}", u) for i, u in enumerate(assets.cluster_css)]
                            if cluster else [])


class HeatLayer(HeatMap):
    """folium's heat layer, with its plugin (leaflet-heat) from ``plugin_url`` (local).

    ``st_folium`` loads the page's scripts only when it first draws the map, so a heat
    layer switched on later would find no ``L.heatLayer``. The layer is therefore a
    group that fills itself once the plugin is there, loading the script first when
    the page lacks it (once per page, whichever layer asks first)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        (function (group, src) {
            function draw() {
                group.addLayer(L.heatLayer({{ this.data|tojson }},
                                           {{ this.options|tojavascript }}));
            }
            if (typeof L.heatLayer === "function") { draw(); return; }
            var loading = window.__naScripts = window.__naScripts || {};
            loading[src] = loading[src] || new Promise(function (ok, fail) {
                var s = document.createElement("script");
                s.src = src; s.onload = ok;
                s.onerror = function () { fail(new Error("cannot load " + src)); };
                document.head.appendChild(s);
            });
            loading[src].then(draw, function (err) {
                console.error("heat map: the leaflet-heat plugin did not load:", err);
            });
        })({{ this.get_name() }}, {{ this.plugin_url|tojson }});
        {% endmacro %}
    """)

    def __init__(self, data: list, *, plugin_url: str, **options) -> None:
        super().__init__(data, **options)
        self._name = "HeatLayer"
        self.plugin_url = plugin_url
        self.default_js = [("leaflet-heat.js", plugin_url)]


def base_map(assets: AssetUrls, *, tiles: Sequence[TileServer] = (),
             location: tuple[float, float] = (35.0, 60.0), zoom: int = 2,
             basemap: Sequence[BasemapLayer] = LAYERS) -> folium.Map:
    """The one base map: local Leaflet, the offline basemap (``basemap``: its files, see
    :mod:`geo.map_basemap`), and the configured tile servers (``tiles``, from
    :mod:`geo.settings`), with a layer control to switch between them."""
    m = folium.Map(location=list(location), zoom_start=zoom, tiles=None,
                   control_scale=True, world_copy_jump=True)
    # Without a tile layer Leaflet has no zoom limits, and markercluster needs one.
    m.options.update(minZoom=1, maxZoom=18)
    # No jQuery: none of our layers uses it, and st_folium loads each script in turn.
    m.default_js = [("leaflet", assets.leaflet_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css)]
    layers = [folium.TileLayer(tiles=t.url, attr=t.attribution or t.url, name=t.name,
                               max_zoom=18) for t in tiles]
    m.get_root().header.add_child(Element(MAP_CSS), name="news_atlas_css")
    add_basemap(m, assets, tiles=layers, layers=basemap)  # its CSS after ours: it wins
    return m


def marker_size(count: int) -> int:
    """The marker's diameter in pixels for ``count`` mentions (the JS uses the same)."""
    return min(48, round(18 + 6 * math.log2(max(1, count))))


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts (column lists zipped: much faster than ``DataFrame.to_dict``)."""
    if not len(df):
        return []
    cols = list(df.columns)
    return [dict(zip(cols, values)) for values in zip(*(df[c].tolist() for c in cols))]


def _snippets_html(snips: list[dict], reader_href, fix_href=None) -> str:
    """Each passage with a link into the reader and, with ``fix_href(mention_id)``, a
    link to correct the mention's place."""
    out = []
    for s in snips:
        src = " · ".join(x for x in (text(s["source"]), text(s["published"])[:10]) if x)
        fix = (f' · <a class="na-fix" href="{esc(fix_href(s["mention_id"]))}" target="_blank"'
               ' rel="noopener" title="Correct the place of this mention">correct</a>'
               if fix_href is not None and text(s.get("mention_id")) != "" else "")
        out.append(
            f'<div class="na-snip">{s["snippet_html"]} <a href="'
            f'{esc(reader_href(s["article_id"], s["passage_id"], s["place_id"]))}"'
            ' target="_blank"'
            f' rel="noopener">open passage</a>{fix}<div class="na-src">{esc(s["title"])}'
            f"{' — ' + esc(src) if src else ''}</div></div>")
    return "".join(out)


def _codes(values: pd.Series, missing: str | None) -> tuple[list[int], list[str]]:
    """Each value as an index into a table of distinct escaped values (-1: none)."""
    if missing is not None:
        values = values.fillna(missing)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.tolist(), [esc(str(u)) for u in uniques]


def _reasons(places: pd.DataFrame) -> pd.Series:
    """Each place's :func:`geo.render.resolution_sentence`, and "From Nominatim" for a
    place an online geocoder gave (None when there is nothing to say)."""
    n = len(places)
    rules = places["rules"].tolist() if "rules" in places else [None] * n
    others = places["others"].fillna(0).astype(int).tolist() if "others" in places else [0] * n
    ccs = places["country_code"].tolist() if "country_code" in places else [None] * n
    regions = places["region"].tolist() if "region" in places else [None] * n
    ids = places["place_id"].tolist() if "place_id" in places else [""] * n
    return pd.Series([" ".join(filter(None, (
        resolution_sentence(r, others=o, country_code=c, region=g), origin_note(i)))) or None
        for r, o, c, g, i in zip(rules, others, ccs, regions, ids)],
        dtype=object, index=places.index)


def _href_parts(place_href) -> tuple[str, str]:
    """``place_href`` split around the place id, so the browser builds each link."""
    marker = "NAPLACEIDNA"
    href = place_href(marker)
    if marker not in href:
        raise ValueError("place_href must put the place id in the URL")
    head, tail = href.split(marker, 1)
    return esc(head), esc(tail)


def marker_data(places: pd.DataFrame, snippets: pd.DataFrame, *, reader_href, place_href,
                broad: bool = False, fix_href=None) -> dict:
    """The compact columns :class:`PlaceMarkers` draws: rounded coordinates, counts,
    escaped names, kind/country/rule tables with per-place codes, and the snippets of
    the places that have some (``snips``: row -> HTML).

    ``reader_href(article_id, passage_id, place_id)`` (the passage, and the place whose
    popup links to it) and ``place_href(place_id)`` build the links; with
    ``fix_href(mention_id)`` each passage also links to correcting its mention.
    """
    names = places["name"].astype(str).tolist()
    name_html = [esc(x) for x in names]
    kind, kinds = _codes(places["kind"], "—")
    cc, ccs = _codes(places["country_code"], "—")
    why, whys = _codes(_reasons(places), None)
    score = places["score"].astype(float).round(2)
    by_place: dict[str, list[dict]] = {}
    for snip in _records(snippets):
        by_place.setdefault(snip["place_id"], []).append(snip)
    ids = places["place_id"].astype(str).tolist()
    return {
        "lat": places["lat"].astype(float).round(5).tolist(),
        "lon": places["lon"].astype(float).round(5).tolist(),
        "n": places["mentions"].astype(int).tolist(), "id": ids, "name": name_html,
        "raw": {i: n for i, (n, h) in enumerate(zip(names, name_html)) if n != h},
        "kind": kind, "kinds": kinds, "cc": cc, "ccs": ccs, "why": why, "whys": whys,
        "dem": (places["demonym_mentions"].astype(int).tolist() if "demonym_mentions" in places
                else [0] * len(places)),
        "score": [None if v != v else v for v in score.tolist()],
        "href": list(_href_parts(place_href)), "broad": 1 if broad else 0,
        "snips": {i: _snippets_html(by_place[p], reader_href, fix_href)
                  for i, p in enumerate(ids) if p in by_place},
    }


def marker_layers_data(places: pd.DataFrame, snippets: pd.DataFrame, *, reader_href,
                       place_href, fix_href=None) -> dict[str, dict]:
    """:func:`marker_data` for the specific places (``"specific"``) and for the
    country-level places and demonyms (``"broad"``): plain data, cheap to cache."""
    specific, broad = places[~places["broad"]], places[places["broad"]]
    return {"specific": marker_data(specific, snippets, reader_href=reader_href,
                                    place_href=place_href, fix_href=fix_href),
            "broad": marker_data(broad, snippets, reader_href=reader_href,
                                 place_href=place_href, broad=True, fix_href=fix_href)}


def drawn_places(places: pd.DataFrame, cap: int) -> pd.DataFrame:
    """The places the map draws: the ``cap`` most mentioned of ``places`` (a place table,
    most mentioned first). Each filter change sends these, so ``cap`` bounds its size
    (about 100 bytes a place) and the browser's drawing time."""
    return places.head(cap)


def layers_from_data(data: dict[str, dict], places: pd.DataFrame, *, assets: AssetUrls,
                     heat: bool = False) -> list[folium.FeatureGroup]:
    """Feature groups for ``st_folium(feature_group_to_add=...)``: specific places
    (clustered), country-level places and demonyms (clustered apart, dashed), heat (from
    ``places``' specific rows)."""
    groups = []
    fg = folium.FeatureGroup(name="Places")
    PlaceMarkers(data["specific"], assets=assets).add_to(fg)
    groups.append(fg)
    fg_broad = folium.FeatureGroup(name="Countries & demonyms")
    if data["broad"]["n"]:
        PlaceMarkers(data["broad"], assets=assets).add_to(fg_broad)
    groups.append(fg_broad)
    specific = places[~places["broad"]]
    if heat and len(specific):
        fg_heat = folium.FeatureGroup(name="Heat map")
        top = float(specific["mentions"].max())
        weight = (specific["mentions"].astype(float) / top) ** 0.5
        HeatLayer(list(zip(specific["lat"].astype(float).tolist(),
                           specific["lon"].astype(float).tolist(),
                           weight.round(3).tolist())),
                  plugin_url=assets.heat_js, radius=18, blur=14, min_opacity=0.3,
                  ).add_to(fg_heat)
        groups.append(fg_heat)
    return groups


def place_layers(places: pd.DataFrame, snippets: pd.DataFrame, *, assets: AssetUrls,
                 reader_href, place_href, heat: bool = False, fix_href=None
                 ) -> list[folium.FeatureGroup]:
    """Feature groups for ``st_folium(feature_group_to_add=...)`` straight from the place
    table and snippets (see :func:`marker_layers_data` and :func:`layers_from_data`)."""
    data = marker_layers_data(places, snippets, reader_href=reader_href,
                              place_href=place_href, fix_href=fix_href)
    return layers_from_data(data, places, assets=assets, heat=heat)


# -- framing the data, the focused place, the legend (dashboard and export) ----------

class FrameView(MacroElement):
    """Frames the map on ``bounds`` (what the filters show), or centres it on ``focus``
    (``{"id", "lat", "lon"}``: the ``?place=`` place, ringed, its marker out of its
    cluster; the popup stays closed, so one click opens it).

    Its script runs each time ``st_folium`` redraws the layers (the filters changed),
    and does nothing once the user has moved the map: their view wins until reload.
    Moves made here are not the user's (``window.__naFraming`` while they run).

    ``send_bounds``: whether the map sends its bounds back on each pan and zoom.
    ``st_folium`` reads ``returned_objects`` only when it first draws the map, so a
    later change is made here, in the map already drawn (its view kept), and the
    current bounds are sent at once."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (group, bounds, focus, send) {
            var map = group._map || window.map;
            if (!map) { return; }
            var state = window.__GLOBAL_DATA__;  // streamlit-folium's (0.27)
            if (state && (state.returned_objects || []).join() !== send.join()) {
                state.returned_objects = send;
                if (send.length) { setTimeout(function () { map.fire("moveend"); }, 0); }
            }
            if (!map.__naWatch) {  // once per map: remember when the user moves it
                map.__naWatch = true;
                map.on("movestart", function () {
                    if (!window.__naFraming) { window.__naUserMoved = true; }
                });
            }
            if (window.__naUserMoved) { return; }
            function find(layer, id) {  // the marker of place ``id``, in any group
                if (layer.options && layer.options.placeId === id) { return layer; }
                var found = null;
                if (layer.getLayers) {
                    layer.getLayers().some(function (l) { return (found = find(l, id)); });
                }
                return found;
            }
            window.__naFraming = true;
            try {
                if (focus) {
                    map.setView([focus.lat, focus.lon], Math.max(map.getZoom(), 7),
                                {animate: false});
                    L.circleMarker([focus.lat, focus.lon], {
                        radius: 30, color: "#ff8c00", weight: 4, fill: false,
                        interactive: false, className: "na-focus"}).addTo(group);
                    var marker = null;
                    map.eachLayer(function (l) { marker = marker || find(l, focus.id); });
                    var parent = marker && marker.__parent && marker.__parent._group;
                    if (parent && parent.zoomToShowLayer) {  // out of its cluster
                        parent.zoomToShowLayer(marker, function () {});
                    }
                } else if (bounds) {
                    map.fitBounds(bounds, {padding: [30, 30], maxZoom: 8, animate: false});
                }
            } finally { window.__naFraming = false; }
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }}, {{ this.focus|tojson }},
           {{ this.send|tojson }});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]] | None, focus: dict | None = None, *,
                 send_bounds: bool = False) -> None:
        super().__init__()
        self._name = "FrameView"
        self.bounds = bounds
        self.focus = focus
        self.send = ["bounds"] if send_bounds else []


def frame_layer(places: pd.DataFrame | None, focus: dict | None = None, *,
                bounds: list[list[float]] | None = None,
                send_bounds: bool = False) -> folium.FeatureGroup:
    """A feature group (hand it to ``st_folium`` after the marker groups) that frames
    the map on ``places`` (or, with ``places`` None, on ``bounds``: ``data_bounds`` of
    them, computed elsewhere) or centres it on ``focus`` (a dict with ``id``, ``lat``,
    ``lon``), and with ``send_bounds`` has the map send its bounds back on each pan and
    zoom (see :class:`FrameView`)."""
    fg = folium.FeatureGroup(name="Focus", control=False)
    if focus is not None and (text(focus.get("lat")) == "" or text(focus.get("lon")) == ""):
        focus = None
    if focus is not None:
        focus = {"id": str(focus["id"]), "lat": float(focus["lat"]), "lon": float(focus["lon"])}
    box = data_bounds(places) if places is not None else bounds
    FrameView(box, focus, send_bounds=send_bounds).add_to(fg)
    return fg


LEGEND_CSS = """<style>
.na-legend { background: rgba(255, 255, 255, .95); border-radius: 6px; padding: 8px 10px;
  box-shadow: 0 1px 5px rgba(0, 0, 0, .4); font: 12px/1.3 sans-serif; max-width: 290px; }
.leaflet-control .na-legend { margin: 0; }
.na-legend summary { font-weight: bold; cursor: pointer; }
.na-legend .na-row { display: flex; align-items: center; gap: 6px; margin: 5px 0; }
.na-legend .na-key { position: static; flex: 0 0 auto; display: flex; align-items: center;
  justify-content: center; box-sizing: border-box; }
.na-legend .marker-cluster { width: 40px; height: 40px; }
.na-legend .marker-cluster div { margin: 5px; }
.na-legend .na-layers { flex-wrap: wrap; gap: 2px 10px; }
.na-legend .na-src { color: #666; font-size: 11px; }
</style>"""


def legend_html(heat_toggle: str | None = None, *, layer_switches: bool = True) -> str:
    """What the markers mean (colours, sizes, dashed countries/demonyms, clusters), and
    with ``layer_switches`` checkboxes for the layers (``heat_toggle``: the id of the
    heat layer's checkbox, or None when there is no heat layer). The one legend of the
    dashboard map and of the exported page."""
    small, big = marker_size(1), marker_size(100)
    heat = (f'<label><input type="checkbox" id="{heat_toggle}" data-layer="heat"> Heat map'
            ' (where mentions concentrate)</label>' if heat_toggle else "")
    switches = (f"""<div class="na-row na-layers"><label><input type="checkbox"
data-layer="places" checked> Places</label> <label><input type="checkbox" data-layer="broad"
checked> Countries &amp; demonyms</label> {heat}</div>""" if layer_switches else "")
    return f"""<details class="na-legend" open><summary>Legend</summary>
<div class="na-row"><span class="na-key na-marker" style="width:{small}px;height:{small}px">1</span>
<span class="na-key na-marker" style="width:{big}px;height:{big}px">100</span>
<span>A place (town, region, river, site): the number is how often it is mentioned;
the bigger the circle, the more mentions.</span></div>
<div class="na-row"><span class="na-key na-marker na-broad" style="width:26px;height:26px">9</span>
<span>Dashed: a whole country, or a demonym (“Russian” counts for Russia).</span></div>
<div class="na-row"><span class="na-key marker-cluster marker-cluster-small"><div><span>12</span></div></span>
<span>A cluster of nearby places: the number adds up their mentions; click or
zoom in to split it (green &lt; 10, yellow &lt; 100, orange more).</span></div>
{switches}<div class="na-src">A count is the mentions of a place in the articles that pass
the filters; click a marker for its passages.</div>
</details>"""


class Legend(MacroElement):
    """:func:`legend_html` as a Leaflet control in the map's corner (the dashboard's
    layers are switched by its own controls, so no switches here)."""

    _template = Template("""
        {% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "leaflet-control na-legend-control");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "Legend"
        self.css = LEGEND_CSS
        self.html = legend_html(layer_switches=False)


def add_legend(m: folium.Map) -> folium.Map:
    """Put the legend (:class:`Legend`) on the map ``m``; returns ``m``."""
    Legend().add_to(m)
    return m
