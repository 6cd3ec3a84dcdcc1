"""geo.assets: the map's JS/CSS are copied locally and served under /app/static."""
from __future__ import annotations

from geo.assets import AssetUrls, install_vendor, static_base_url


def test_install_vendor_copies_every_asset(tmp_path):
    vendor = install_vendor(tmp_path)
    urls = AssetUrls("/app/static/vendor")
    for url in [urls.leaflet_js, urls.leaflet_css, urls.jquery_js, urls.cluster_js,
                *urls.cluster_css, urls.heat_js, urls.basemap("basemap.js"),
                urls.basemap("world.json"), urls.basemap("admin1.json")]:
        path = vendor / url.removeprefix("/app/static/vendor/")
        assert path.is_file() and path.stat().st_size > 500, path
    assert "L.heatLayer" in (vendor / "leaflet-heat/leaflet-heat.js").read_text()
    assert (vendor / "leaflet/images/marker-icon.png").is_file()
    again = install_vendor(tmp_path)  # idempotent
    assert again == vendor


def test_static_base_url_follows_the_server_base_path():
    assert static_base_url("") == "/app/static/vendor"
    assert static_base_url("/atlas/") == "/atlas/app/static/vendor"
