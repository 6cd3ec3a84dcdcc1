"""geo.gazetteer.countries: a point for every country the packages can place, and no
warning a user cannot act on while the gazetteer is built."""
from __future__ import annotations

import logging

from geo.gazetteer.countries import countries, country_point
from geo.gazetteer.records import PlaceRecord


def test_building_the_countries_warns_about_nothing(caplog):
    with caplog.at_level(logging.DEBUG, logger="geo.gazetteer"):
        entries = {r.entry.id: r.entry for r in countries() if isinstance(r, PlaceRecord)}
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    bq = entries["cc:BQ"]  # drawn by Natural Earth as part of the Netherlands
    assert (round(bq.lat, 2), round(bq.lon, 2)) == (12.14, -68.27)  # Kralendijk, Bonaire
    assert bq.name.startswith("Bonaire") and "capital_latlng" in bq.source
    assert "cc:BV" not in entries
    assert any("BV (Bouvet Island)" in r.getMessage() for r in caplog.records
               if r.levelno == logging.DEBUG)
    assert len(entries) > 240


def test_a_country_with_several_capitals_gets_the_first():
    info = {"capital_latlng": [[12.144444, -68.265556], [17.483333, -62.983333]]}
    assert country_point("BQ", info, {}, {}) == (12.144444, -68.265556,
                                                 "countryinfo capital_latlng")
    assert country_point("XX", {"capital_latlng": None}, {}, {}) is None
    assert country_point("XX", {"latlng": [1, 2]}, {}, {}) == (1.0, 2.0, "countryinfo latlng")
