"""The geopy geocoders: the offline one over a tiny gazetteer, the factory, and the
fallback from an online service (a real HTTP server on 127.0.0.1) to the offline one."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.geocoders import Nominatim
from geopy.location import Location

from geo.gazetteer import Gazetteer
from geo.gazetteer.geometry import haversine_km
from geo.geocoders import FallbackGeocoder, OfflineGeocoder, make_geocoder



@pytest.fixture
def tiny(tiny_gazetteer: Gazetteer) -> Gazetteer:
    return tiny_gazetteer


def test_geocode_returns_a_location_with_the_gazetteer_row(tiny: Gazetteer) -> None:
    loc = OfflineGeocoder(tiny).geocode("Vladivostok")
    assert isinstance(loc, Location)
    assert loc.address == "Vladivostok, Russia"
    assert (loc.latitude, loc.longitude) == pytest.approx((43.106, 131.874))
    assert loc.raw["id"] == "gn:2013348" and loc.raw["feature_class"] == "P"


def test_no_match_is_none_not_an_error(tiny: Gazetteer) -> None:
    assert OfflineGeocoder(tiny).geocode("Atlantis") is None
    assert OfflineGeocoder(tiny).geocode("") is None


def test_qualified_queries_prefer_the_place_inside_the_qualifier(tiny: Gazetteer) -> None:
    geo = OfflineGeocoder(tiny)
    assert geo.geocode("Khasan, India").raw["id"] == "gn:1270239"
    assert geo.geocode("Khasan, Russia").raw["id"] == "cur:khasan-ru"
    assert geo.geocode("Springfield, Illinois").raw["admin1"] == "IL"
    assert geo.geocode("Springfield, Missouri").raw["admin1"] == "MO"


def test_filters_and_lists(tiny: Gazetteer) -> None:
    geo = OfflineGeocoder(tiny)
    assert [l.raw["id"] for l in geo.geocode("Khasan", exactly_one=False)] == \
        ["cur:khasan-ru", "gn:1270239"]
    assert geo.geocode("Khasan", country_codes="in").raw["country_code"] == "IN"
    assert geo.geocode("Khasan", country_codes=["ZZ"]) is None
    assert geo.geocode("Springfield", exactly_one=False, limit=1)[0].raw["admin1"] == "MO"
    assert geo.geocode("Sea of Japan", kinds=["city"]) is None


def test_reverse_finds_the_nearest_entry(tiny: Gazetteer) -> None:
    geo = OfflineGeocoder(tiny)
    assert geo.reverse("43.12, 131.89").raw["id"] == "gn:2013348"
    assert geo.reverse((42.43, 130.64), exactly_one=False)[0].raw["id"] == "cur:khasan-ru"
    assert geo.reverse((-60.0, -30.0)) is None


def test_factory_defaults_to_offline(tiny: Gazetteer) -> None:
    geo = make_geocoder(gazetteer=tiny)
    assert isinstance(geo, OfflineGeocoder)
    assert geo.geocode("DPRK").raw["id"] == "cc:KP"


class _Nominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim's JSON API: one hit for "Ussuriysk", else []."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        hits = [{"place_id": 1, "lat": "43.797", "lon": "131.952",
                 "display_name": "Ussuriysk, Primorsky Krai, Russia"}] \
            if query == "Ussuriysk" else []
        body = json.dumps(hits).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def nominatim_port() -> int:
    server = HTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_online_geocoder_through_the_factory(tiny: Gazetteer, nominatim_port: int) -> None:
    geo = make_geocoder("nominatim", gazetteer=tiny, min_delay_seconds=0,
                        domain=f"127.0.0.1:{nominatim_port}", scheme="http",
                        user_agent="news-atlas-tests")
    assert isinstance(geo, FallbackGeocoder) and isinstance(geo.online, Nominatim)
    loc = geo.geocode("Ussuriysk")
    assert loc.address.startswith("Ussuriysk") and loc.raw["place_id"] == 1
    # the service knows nothing of it: the offline gazetteer answers
    assert geo.geocode("Khasan").raw["id"] == "cur:khasan-ru"


def test_unreachable_service_falls_back_to_offline(tiny: Gazetteer) -> None:
    geo = make_geocoder("nominatim", gazetteer=tiny, min_delay_seconds=0,
                        domain=f"127.0.0.1:{_dead_port()}", scheme="http",
                        user_agent="news-atlas-tests", timeout=2)
    loc = geo.geocode("Vladivostok")
    assert loc.raw["id"] == "gn:2013348"
    assert geo.geocode("Atlantis") is None


@pytest.mark.gazetteer
def test_full_index_geocodes_the_seed_article_places(full_gazetteer: Gazetteer) -> None:
    geo = OfflineGeocoder(full_gazetteer)
    khasan = geo.geocode("Khasan, Russia")
    assert haversine_km(khasan.latitude, khasan.longitude, 42.43, 130.64) < 10
    vlad = geo.geocode("Vladivostok")
    assert haversine_km(vlad.latitude, vlad.longitude, 43.12, 131.89) < 50
    assert geo.geocode("Springfield, Illinois").raw["admin1"] == "IL"
    assert geo.reverse("43.12, 131.89").raw["country_code"] == "RU"
