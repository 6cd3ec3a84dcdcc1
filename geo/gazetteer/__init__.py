"""The offline gazetteer: an SQLite index of place names built from data that PyPI
packages ship (GeoNames cities, countries, ISO 3166-2 subdivisions carrying GeoNames
admin1 codes, GeoNames second-level areas ``l2:`` placed at their cities' centroid,
Natural Earth marine areas) plus the curated lists in ``geo/data/``.

    gaz = ensure_gazetteer()          # builds data/gazetteer.sqlite on first use
    gaz.lookup("Khasan")              # -> [GazetteerEntry, ...], most prominent first
    gaz.demonym("North Koreans")      # -> "KP"
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.gazetteer.index import Gazetteer, ensure_gazetteer
from geo.gazetteer.normalize import name_key
from geo.gazetteer.paths import default_gazetteer_path

if TYPE_CHECKING:
    from geo.gazetteer.build import build_gazetteer

__all__ = ["Gazetteer", "build_gazetteer", "default_gazetteer_path", "ensure_gazetteer",
           "name_key"]


def __getattr__(name: str) -> Any:
    # the builder pulls in tqdm and the source readers: import it only when asked
    if name == "build_gazetteer":
        from geo.gazetteer.build import build_gazetteer

        return build_gazetteer
    raise AttributeError(name)
