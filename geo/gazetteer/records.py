"""What a gazetteer source yields: places, aliases of places, demonyms, capitals."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Union

from geo.models import GazetteerEntry

KINDS = ("country", "admin1", "admin2", "city", "water", "region", "landmark", "continent")


@dataclass
class PlaceRecord:
    """A place and the names it is known by. ``names[:primary]`` are its own names
    (they rank a little higher than alternate names on a tie)."""

    entry: GazetteerEntry
    names: list[str] = field(default_factory=list)
    primary: int = 1


@dataclass
class AliasRecord:
    """More names for a place that another record defines (by its id)."""

    target_id: str
    names: list[str]
    origin: str = ""  # where the alias was declared, for error messages
    display: bool = False  # the first name becomes the name the entry is shown by
    lang: str = ""  # the language whose articles read these names ("" for all)


@dataclass
class DemonymRecord:
    """A word naming a country's people or adjective ("Russian", "Russians")."""

    word: str
    country_code: str
    weight: float = 0.0  # when two countries claim a word, the heavier one wins


@dataclass
class CapitalRecord:
    """Marks an already-yielded city as its country's capital (feature code PPLC)."""

    entry_id: str


Record = Union[PlaceRecord, AliasRecord, DemonymRecord, CapitalRecord]
Source = Callable[[], Iterable[Record]]

# GeoNames feature class for the feature codes this project uses.
_CLASS_BY_CODE = {
    "PCLI": "A", "PCLD": "A", "PCLS": "A", "PCLIX": "A", "TERR": "A", "ADM1": "A",
    "ADM2": "A", "ADMD": "A", "ZN": "A", "STM": "H", "BAY": "H", "GULF": "H", "SEA": "H",
    "STRT": "H", "OCN": "H", "LK": "H", "CNL": "H", "CHN": "H", "SD": "H", "INLT": "H",
    "RGN": "L", "AREA": "L", "CONT": "L", "PRK": "L", "RES": "L", "PEN": "T", "ISL": "T",
    "ISLS": "T", "MTS": "T", "MT": "T", "PLAT": "T", "DSRT": "T", "VAL": "T", "PLN": "T",
}
_CLASS_BY_KIND = {
    "country": "A", "admin1": "A", "admin2": "A", "city": "P", "water": "H",
    "region": "L", "landmark": "S", "continent": "L",
}


def feature_class_for(feature_code: str | None, kind: str) -> str:
    """The GeoNames feature class of a feature code (P for PPL*, ...), else by kind."""
    code = (feature_code or "").upper()
    if code.startswith("PPL"):
        return "P"
    return _CLASS_BY_CODE.get(code) or _CLASS_BY_KIND.get(kind, "L")
