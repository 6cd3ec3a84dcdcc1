"""Local copies of the browser assets the maps need, so nothing loads from a CDN.

Leaflet, Leaflet.markercluster and jQuery come from the ``xstatic-*`` packages; the
heat-map plugin (leaflet-heat) from the copy folium ships in its package; the offline
basemap (its script and data files) from ``geo/data/basemap/``, under ``basemap/``. :func:`install_vendor` copies them into
the app's ``static/vendor/`` folder (gitignored), which Streamlit serves at
``<base>/app/static/vendor/...`` when ``server.enableStaticServing`` is on.
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from geo.basemap import BASEMAP_DIR
from geo.errors import GeoError

log = logging.getLogger(__name__)

APP_ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = APP_ROOT / "static"
VENDOR = "vendor"


class AssetError(GeoError, OSError):
    """A browser asset is missing from the installed packages or cannot be copied."""


def _sources() -> dict[str, Path]:
    """``{name inside static/vendor/: file to copy}`` for every asset the maps use."""
    import folium
    import xstatic.pkg.jquery as xjquery
    import xstatic.pkg.leaflet as xleaflet
    import xstatic.pkg.leaflet_markercluster as xcluster

    leaflet, cluster = Path(xleaflet.BASE_DIR), Path(xcluster.BASE_DIR)
    files = {
        "leaflet/leaflet.js": leaflet / "leaflet.js",
        "leaflet/leaflet.css": leaflet / "leaflet.css",
        "markercluster/leaflet.markercluster.js": cluster / "leaflet.markercluster.js",
        "markercluster/MarkerCluster.css": cluster / "MarkerCluster.css",
        "markercluster/MarkerCluster.Default.css": cluster / "MarkerCluster.Default.css",
        "jquery/jquery.min.js": Path(xjquery.BASE_DIR) / "jquery.min.js",
        "leaflet-heat/leaflet-heat.js":
            Path(folium.__file__).parent / "templates" / "leaflet_heat.min.js",
    }
    for path in sorted(BASEMAP_DIR.glob("*.js*")):  # basemap.js and the *.json layers
        files[f"basemap/{path.name}"] = path
    for image in (leaflet / "images").glob("*.png"):
        files[f"leaflet/images/{image.name}"] = image
    return files


def install_vendor(static_dir: Path = STATIC_DIR) -> Path:
    """Copy the assets into ``static_dir/vendor`` (only those missing or changed).

    Returns the vendor folder. Raises :class:`AssetError` when a package lacks a file.
    """
    target = static_dir / VENDOR
    for name, src in _sources().items():
        if not src.is_file():
            raise AssetError(f"browser asset {src} is missing: reinstall the package"
                             " that ships it (see requirements.txt)")
        dst = target / name
        try:
            if dst.is_file() and dst.stat().st_size == src.stat().st_size \
                    and dst.stat().st_mtime >= src.stat().st_mtime:
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        except OSError as err:
            raise AssetError(f"cannot copy {src} to {dst}: {err}") from err
        log.debug("copied %s", dst)
    return target


@dataclass(frozen=True)
class AssetUrls:
    """Where the browser finds each asset, under a base URL such as ``/app/static/vendor``."""

    base: str

    def url(self, name: str) -> str:
        return f"{self.base.rstrip('/')}/{name}"

    @property
    def leaflet_js(self) -> str:
        return self.url("leaflet/leaflet.js")

    @property
    def leaflet_css(self) -> str:
        return self.url("leaflet/leaflet.css")

    @property
    def jquery_js(self) -> str:
        return self.url("jquery/jquery.min.js")

    @property
    def cluster_js(self) -> str:
        return self.url("markercluster/leaflet.markercluster.js")

    @property
    def cluster_css(self) -> list[str]:
        return [self.url("markercluster/MarkerCluster.css"),
                self.url("markercluster/MarkerCluster.Default.css")]

    @property
    def heat_js(self) -> str:
        return self.url("leaflet-heat/leaflet-heat.js")

    def basemap(self, file: str) -> str:
        """A file of the offline basemap (``basemap.js``, ``world.json``, ...)."""
        return self.url(f"basemap/{file}")


def static_base_url(base_url_path: str = "") -> str:
    """The URL path of ``static/vendor`` for Streamlit's ``server.baseUrlPath``."""
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return f"{prefix}/app/static/{VENDOR}"
