"""``python -m geo export --format html``: the map as one self-contained HTML file.

Leaflet, the cluster plugin, jQuery, the styles and the country outlines are inlined
as ``data:`` URLs, so the file opens offline, anywhere, with nothing else beside it.
Popup links point into a running dashboard (``dashboard_url``).
"""
from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass

from geo import maps
from geo.assets import AssetUrls, _sources
from geo.query import Filters, place_snippets, place_table
from geo.store import Store
from geo.urlstate import link_maker

DEFAULT_DASHBOARD_URL = "http://localhost:8501"
POPUPS_WITH_PASSAGES = 300


@dataclass(frozen=True)
class InlineAssets(AssetUrls):
    """Asset "URLs" that carry the files themselves (``data:`` URLs)."""

    def url(self, name: str) -> str:
        path = _sources()[name]
        mime = {".js": "text/javascript", ".geojson": "application/json"}.get(
            path.suffix, mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def standalone_map_html(store: Store, *, filters: Filters | None = None,
                        dashboard_url: str = DEFAULT_DASHBOARD_URL) -> tuple[str, int]:
    """The whole map page and how many places it shows."""
    f = filters or Filters()
    assets = InlineAssets(base="inline")
    places = place_table(store, f)
    top = list(places["place_id"].head(POPUPS_WITH_PASSAGES))
    snippets = place_snippets(store, f, top)
    m = maps.base_map(assets)
    for layer in maps.place_layers(
            places, snippets, assets=assets,
            reader_href=link_maker(dashboard_url, "articles", f, "article", "passage"),
            place_href=link_maker(dashboard_url, "places", f, "place")):
        layer.add_to(m)
    return m.get_root().render(), len(places)
