"""The offline basemap on a folium map: land, water, borders, state lines, rivers and
labels from the files of :data:`geo.basemap.LAYERS`, each fetched only at its zooms.

:func:`add_basemap` adds one folium ``Layer`` per layer-control entry (the offline
basemap is a *base* layer, so the control switches between it and any tile servers;
state and province lines, rivers and labels are overlays) and the layer control. The
drawing is ``geo/data/basemap/basemap.js`` (``naBasemap``), inlined in the map's script:
one request less before the first markers.
"""
from __future__ import annotations

import functools
from typing import Iterable, Sequence

import folium
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from geo.assets import AssetUrls
from geo.basemap import BASEMAP_DIR, LAYERS, BasemapLayer

# entries of the layer control: group -> (name shown, overlay?)
GROUPS = {"base": ("Offline basemap", False), "admin1": ("State & province lines", True),
          "rivers": ("Rivers", True), "labels": ("Labels", True)}
# what the exported HTML file carries (inlined): no rivers, no small-town labels
EXPORT_LAYERS = tuple(x for x in LAYERS if x.file not in ("rivers.json", "labels-local.json"))
# the layer control's icon, drawn here: leaflet.css would fetch images/layers.png, which a
# page whose stylesheet is a data: URL (the HTML export) cannot resolve
LAYERS_ICON = ("data:image/svg+xml,%3Csvg xmlns='http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg' viewBox='0 0 26 26'%3E"
               "%3Cg fill='%23f3f1ea' stroke='%23555a62' stroke-width='1.4'"
               " stroke-linejoin='round'%3E%3Cpath d='M13 14.5 3 10l10-4.5L23 10z'/%3E"
               "%3Cpath d='M5.5 13.2 3 14.3l10 4.5 10-4.5-2.5-1.1' fill='none'/%3E"
               "%3Cpath d='M5.5 17.5 3 18.6l10 4.5 10-4.5-2.5-1.1' fill='none'/%3E"
               "%3C/g%3E%3C/svg%3E")
BASEMAP_CSS = """<style>
html .leaflet-container { background: #d3e3ee; }
.leaflet-container .leaflet-control-layers-toggle,
.leaflet-retina .leaflet-container .leaflet-control-layers-toggle {
  background-image: url("%s"); background-size: 26px 26px; }""" % LAYERS_ICON + """
.na-lbl { width: 0 !important; height: 0 !important; pointer-events: none; }
.na-lbl span { position: absolute; left: 0; top: 0; white-space: nowrap;
  transform: translate(-50%, -50%); font: 11px/1.2 "Helvetica Neue", Arial, sans-serif;
  color: #33373d; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 4px #fff; }
.na-lbl-country span { font-size: 12px; font-weight: 600; letter-spacing: .07em;
  text-transform: uppercase; color: #555a62; }
.na-lbl-state span { font-size: 10.5px; font-style: italic; letter-spacing: .05em;
  text-transform: uppercase; color: #80848b; }
.na-lbl-city span { transform: translate(6px, -50%); }
.na-lbl-city::before { content: ""; position: absolute; left: -2.5px; top: -2.5px;
  width: 5px; height: 5px; border-radius: 50%; background: #4a4f57; }
</style>"""


def basemap_files(assets: AssetUrls, layers: Sequence[BasemapLayer] = LAYERS) -> list[dict]:
    """``{url, group, min, max, bbox?}`` per file for ``naBasemap``; in each group, the last file
    is drawn up to zoom 18 (so a map without the detailed tier keeps the coarse one)."""
    files = [{"url": assets.basemap(x.file), "group": x.group, "min": x.min_zoom,
              "max": x.max_zoom, **({"bbox": list(x.bbox)} if x.bbox else {})}
             for x in layers]
    for group in {f["group"] for f in files}:
        last = max((f for f in files if f["group"] == group), key=lambda f: f["min"])
        last["max"] = 18
    return files


def layers_holding(points: Iterable[tuple[float, float]],
                   layers: Sequence[BasemapLayer] = EXPORT_LAYERS) -> tuple[BasemapLayer, ...]:
    """The ``layers`` a map of ``points`` ((lat, lon) pairs) needs: those without a
    bounding box, and those whose box holds one of the points (an exported file inlines
    only the first-level cells around its places)."""
    points = list(points)

    def holds(box: tuple[float, float, float, float]) -> bool:
        west, south, east, north = box
        return any(south <= lat <= north and west <= lon <= east for lat, lon in points)

    return tuple(x for x in layers if x.bbox is None or holds(x.bbox))


@functools.cache
def runtime_js() -> str:
    """``basemap.js``, which defines ``naBasemap`` (read once)."""
    return (BASEMAP_DIR / "basemap.js").read_text(encoding="utf-8")


class BasemapRuntime(MacroElement):
    """Defines ``naBasemap`` (inline) and calls it once; the groups below read its groups."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.js }}
        var {{ this.get_name() }} = naBasemap({{ this._parent.get_name() }},
                                              {{ this.files|tojson }});
        {% endmacro %}
    """)

    def __init__(self, files: list[dict]) -> None:
        super().__init__()
        self._name = "BasemapRuntime"
        self.files = files
        self.js = runtime_js()


class BasemapGroup(Layer):
    """One entry of the layer control: a group ``naBasemap`` fills at the right zooms."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.runtime.get_name() }}.groups[{{ this.group|tojson }}];
        {% endmacro %}
    """)

    def __init__(self, runtime: BasemapRuntime, group: str, *, show: bool = True) -> None:
        name, overlay = GROUPS[group]
        super().__init__(name=name, overlay=overlay, show=show)
        self._name = "BasemapGroup"
        self.runtime = runtime
        self.group = group


class BasemapControl(folium.LayerControl):
    """Leaflet's layer control over the layers added to the map *before* it: the basemap
    and the tile servers. Layers added later (the markers, which the page or the export
    switches itself) are left out, as their variables do not exist yet when it runs."""

    def render(self, **kwargs) -> None:
        self.reset()
        for item in self._parent._children.values():
            if item is self:
                break
            if isinstance(item, Layer) and item.control:
                target = self.overlays if item.overlay else self.base_layers
                target[item.layer_name] = item.get_name()
        MacroElement.render(self, **kwargs)


def add_basemap(m: folium.Map, assets: AssetUrls, *, tiles: Sequence[folium.TileLayer] = (),
                layers: Sequence[BasemapLayer] = LAYERS) -> None:
    """The offline basemap on ``m``, with the tile layers as other base layers and a layer
    control. With tiles, a tile layer is shown first and the overlays start switched off."""
    files = basemap_files(assets, layers)
    runtime = BasemapRuntime(files)
    m.add_child(runtime)
    for group in dict.fromkeys(f["group"] for f in files):
        m.add_child(BasemapGroup(runtime, group, show=not tiles))
    for i, tile in enumerate(tiles):
        tile.show = i == 0
        m.add_child(tile)
    BasemapControl(position="topright", collapsed=True).add_to(m)
    m.get_root().header.add_child(Element(BASEMAP_CSS), name="news_atlas_basemap_css")
