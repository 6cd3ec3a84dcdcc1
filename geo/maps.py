"""Folium maps from DataFrames: pure functions, no Streamlit (see STYLE.md, 6).

- :func:`base_map`: one Leaflet map whose JS/CSS come from our own static URLs (no CDN),
  with the country outlines as an offline basemap and optional tiles.
- :func:`place_layers`: the filtered content, as feature groups the UI hands to
  ``st_folium(..., feature_group_to_add=...)``: one marker per place (clustered, sized
  and labelled by mention count, with an escaped popup linking to the reader), the
  country-level / demonym layer apart, and an optional heat layer.

Markers are drawn in the browser from one compact JSON array, not one folium object per
place, so thousands of places stay small on the wire.
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass

import folium
import pandas as pd
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.plugins import HeatMap
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.assets import AssetUrls
from geo.render import esc

log = logging.getLogger(__name__)

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"
MAP_CSS = """<style>
.leaflet-container { background: #dbe6ef; }
.na-marker { border-radius: 50%; background: rgba(200, 60, 40, .82); color: #fff;
  border: 2px solid #fff; box-shadow: 0 0 3px rgba(0,0,0,.45); display: flex;
  align-items: center; justify-content: center; font: bold 11px/1 sans-serif; }
.na-marker.na-broad { background: rgba(60, 90, 160, .35); border: 2px dashed #3c5aa0;
  color: #1d2f5c; }
.na-pop { font: 13px/1.35 sans-serif; max-height: 320px; overflow-y: auto; }
.na-pop .na-meta { color: #555; margin: 2px 0 6px; }
.na-pop .na-snip { border-top: 1px solid #ddd; padding: 4px 0; }
.na-pop .na-src { color: #666; font-size: 11px; }
.na-pop mark { background: #ffe066; padding: 0 1px; }
</style>"""


@dataclass(frozen=True)
class TileSource:
    """Where map tiles come from: ``url`` None means the offline outline basemap only."""

    url: str | None = None
    attribution: str = ""


def tile_source(setting: str | None = None) -> TileSource:
    """Tiles from ``setting`` or ``$NEWS_ATLAS_TILES``: ``none`` (default: offline),
    ``osm`` (OpenStreetMap), or a tile URL template such as
    ``http://tiles.internal/{z}/{x}/{y}.png`` (``$NEWS_ATLAS_TILES_ATTRIBUTION`` credits it)."""
    value = (setting if setting is not None else os.environ.get("NEWS_ATLAS_TILES", "")).strip()
    if value.lower() in ("", "none", "offline"):
        return TileSource()
    if value.lower() in ("osm", "openstreetmap"):
        return TileSource(OSM_TILES, OSM_ATTRIBUTION)
    if "{z}" not in value or "{x}" not in value or "{y}" not in value:
        log.warning("NEWS_ATLAS_TILES=%r is not a {z}/{x}/{y} template: using no tiles", value)
        return TileSource()
    return TileSource(value, os.environ.get("NEWS_ATLAS_TILES_ATTRIBUTION", "") or value)


class OutlineLayer(MacroElement):
    """Country outlines fetched from a local GeoJSON URL and drawn under everything."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            fetch({{ this.url|tojson }}).then(function (r) { return r.json(); })
              .then(function (data) {
                var layer = L.geoJSON(data, {style: {{ this.style|tojson }},
                                             interactive: false});
                layer.addTo(map); layer.bringToBack();
              }).catch(function (err) { console.warn("basemap not loaded", err); });
        })();
        {% endmacro %}
    """)

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "OutlineLayer"
        self.url = url
        self.style = {"color": "#8a8f98", "weight": 0.7, "fillColor": "#f6f4ee",
                      "fillOpacity": 1.0}


class _RawScript(Element):
    """Text that goes into the page as it is (already-rendered JavaScript)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class PlaceMarkers(JSCSSMixin, MacroElement):
    """Markers drawn in the browser from rows ``[lat, lon, count, name_html, meta_html,
    more_href, snippets_html, broad, title]`` (every string already escaped)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var rows = {{ this.rows|tojson }};
            var group = {{ "L.markerClusterGroup(" ~ (this.cluster_options|tojson) ~ ")"
                           if this.cluster else "L.featureGroup()" }};
            if (group.options && group.addLayers) {  // a cluster shows its places' mentions
                group.options.iconCreateFunction = function (cluster) {
                    var n = 0;
                    cluster.getAllChildMarkers().forEach(function (m) { n += m.options.mentions; });
                    var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
                    return L.divIcon({html: "<div><span>" + n + "</span></div>",
                                      className: "marker-cluster marker-cluster-" + size,
                                      iconSize: [40, 40]});
                };
            }
            var markers = rows.map(function (r) {
                var size = Math.min(48, Math.round(18 + 6 * Math.log2(r[2])));
                var icon = L.divIcon({className: "na-marker" + (r[7] ? " na-broad" : ""),
                                      html: String(r[2]), iconSize: [size, size]});
                var marker = L.marker([r[0], r[1]], {icon: icon, title: r[8],
                                                     riseOnHover: true, mentions: r[2],
                                                     zIndexOffset: r[7] ? -1000 : 0});
                marker.bindTooltip(r[3] + " (" + r[2] + ")");
                marker.bindPopup('<div class="na-pop"><b>' + r[3] + '</b><div class="na-meta">'
                    + r[4] + '</div>' + r[6] + '<div><a href="' + r[5] + '" target="_blank"'
                    + ' rel="noopener">All ' + r[2] + ' mentions &rarr;</a></div></div>',
                    {maxWidth: 380});
                return marker;
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

    def __init__(self, rows: list[list], *, assets: AssetUrls, cluster: bool = True) -> None:
        super().__init__()
        self._name = "PlaceMarkers"
        self.rows = rows
        self.cluster = cluster
        self.cluster_options = {"maxClusterRadius": 40, "showCoverageOnHover": False}
        # folium and st_folium collect these links: local files only, never a CDN
        self.default_js = [("markercluster", assets.cluster_js)] if cluster else []
        self.default_css = ([(f"markercluster_{i}", u) for i, u in enumerate(assets.cluster_css)]
                            if cluster else [])


def base_map(assets: AssetUrls, *, tiles: TileSource | None = None,
             location: tuple[float, float] = (35.0, 60.0), zoom: int = 2) -> folium.Map:
    """The one base map: local Leaflet/jQuery, outline basemap, optional tile layer."""
    m = folium.Map(location=list(location), zoom_start=zoom, tiles=None,
                   control_scale=True, world_copy_jump=True)
    # Without a tile layer Leaflet has no zoom limits, and markercluster needs one.
    m.options.update(minZoom=1, maxZoom=18)
    m.default_js = [("leaflet", assets.leaflet_js), ("jquery", assets.jquery_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css)]
    OutlineLayer(assets.countries).add_to(m)
    tiles = tiles or TileSource()
    if tiles.url:
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution or tiles.url,
                         name="tiles", opacity=0.9).add_to(m)
    m.get_root().header.add_child(Element(MAP_CSS), name="news_atlas_css")
    return m


def marker_size(count: int) -> int:
    """The marker's diameter in pixels for ``count`` mentions (the JS uses the same)."""
    return min(48, round(18 + 6 * math.log2(max(1, count))))


def _meta(row: dict) -> str:
    parts = [row["kind"], row["country_code"] or "—", f"score {row['score']:.2f}"]
    if row.get("rules"):
        parts.append(f"rule: {row['rules']}")
    return esc(" · ".join(str(p) for p in parts))


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts (column lists zipped: much faster than ``DataFrame.to_dict``)."""
    if not len(df):
        return []
    cols = list(df.columns)
    return [dict(zip(cols, values)) for values in zip(*(df[c].tolist() for c in cols))]


def _snippets_html(snips: list[dict], reader_href) -> str:
    out = []
    for s in snips:
        src = " · ".join(str(x) for x in (s["source"], (s["published"] or "")[:10]) if x)
        out.append(
            f'<div class="na-snip">{s["snippet_html"]} <a href="'
            f'{esc(reader_href(s["article_id"], s["passage_id"]))}" target="_blank"'
            f' rel="noopener">open passage</a><div class="na-src">{esc(s["title"] or "")}'
            f"{' — ' + esc(src) if src else ''}</div></div>")
    return "".join(out)


def marker_rows(places: pd.DataFrame, snippets: pd.DataFrame, *, reader_href,
                place_href) -> list[list]:
    """The compact rows :class:`PlaceMarkers` draws (escaped strings, rounded coords).

    ``reader_href(article_id, passage_id)`` and ``place_href(place_id)`` build the links.
    """
    by_place: dict[str, list[dict]] = {}
    for snip in _records(snippets):
        by_place.setdefault(snip["place_id"], []).append(snip)
    rows = []
    for r in _records(places):
        snips = by_place.get(r["place_id"])
        rows.append([
            round(float(r["lat"]), 5), round(float(r["lon"]), 5), int(r["mentions"]),
            esc(r["name"]), _meta(r), esc(place_href(r["place_id"])),
            _snippets_html(snips, reader_href) if snips else "",
            1 if r["broad"] else 0, str(r["name"]),
        ])
    return rows


def place_layers(places: pd.DataFrame, snippets: pd.DataFrame, *, assets: AssetUrls,
                 reader_href, place_href, heat: bool = False) -> list[folium.FeatureGroup]:
    """Feature groups for ``st_folium(feature_group_to_add=...)``: specific places
    (clustered), country-level places and demonyms (unclustered, dashed), heat."""
    specific, broad = places[~places["broad"]], places[places["broad"]]
    groups = []
    fg = folium.FeatureGroup(name="Places")
    PlaceMarkers(marker_rows(specific, snippets, reader_href=reader_href,
                             place_href=place_href), assets=assets).add_to(fg)
    groups.append(fg)
    fg_broad = folium.FeatureGroup(name="Countries & demonyms")
    if len(broad):
        PlaceMarkers(marker_rows(broad, snippets, reader_href=reader_href,
                                 place_href=place_href), assets=assets,
                     cluster=False).add_to(fg_broad)
    groups.append(fg_broad)
    if heat and len(specific):
        fg_heat = folium.FeatureGroup(name="Heat map")
        top = float(specific["mentions"].max())
        layer = HeatMap([[float(a), float(b), round(math.sqrt(float(c) / top), 3)]
                         for a, b, c in specific[["lat", "lon", "mentions"]]
                         .itertuples(index=False)],
                        radius=18, blur=14, min_opacity=0.3)
        layer.default_js = [("leaflet-heat.js", assets.heat_js)]
        layer.add_to(fg_heat)
        groups.append(fg_heat)
    return groups
