"""Sources kept as CSV files in the repository (geo/data/): curated places, aliases,
demonyms and country points. Tests use the same readers on tiny fixture files.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from geo.errors import GazetteerError
from geo.gazetteer.normalize import name_key
from geo.gazetteer.records import (
    KINDS, AliasRecord, DemonymRecord, PlaceRecord, Record, feature_class_for,
)
from geo.models import GazetteerEntry

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CURATED_PLACES = DATA_DIR / "curated_places.csv"
CURATED_ALIASES = DATA_DIR / "curated_aliases.csv"
CURATED_DEMONYMS = DATA_DIR / "curated_demonyms.csv"
COUNTRY_POINTS = DATA_DIR / "country_points.csv"
STATE_ABBREVIATIONS = DATA_DIR / "state_abbreviations.csv"


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; comment lines start with '#'."""
    try:
        fh = Path(path).open(newline="", encoding="utf-8")
    except OSError as err:
        raise GazetteerError(f"{path}: cannot read ({err.strerror})") from err
    with fh:
        lines = (line for line in fh if not line.startswith("#"))
        reader = csv.DictReader(lines)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise GazetteerError(f"{path}: missing column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _slug(text: str) -> str:
    return re.sub(r"\s+", "-", name_key(text)) or "unnamed"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _place(path: Path, line: int, row: dict[str, str]) -> PlaceRecord:
    where = f"{path}:{line}"
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
        population = int(float(row.get("population") or 0))
    except ValueError as err:
        raise GazetteerError(f"{where}: bad number ({err})") from err
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GazetteerError(f"{where}: coordinates out of range ({lat}, {lon})")
    kind = row["kind"]
    if kind not in KINDS:
        raise GazetteerError(f"{where}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if not row["name"]:
        raise GazetteerError(f"{where}: empty name")
    code = row.get("feature_code") or None
    cc = (row.get("country_code") or "").upper() or None
    entry_id = row.get("id") or f"cur:{_slug(row['name'])}" + (f"-{cc.lower()}" if cc else "")
    alternates = _split(row.get("alternate_names", ""))
    entry = GazetteerEntry(
        id=entry_id, name=row["name"], lat=lat, lon=lon, kind=kind, country_code=cc,
        feature_class=feature_class_for(code, kind), feature_code=code,
        admin1=row.get("admin1") or None, population=population,
        alt_names=len(alternates), source=row.get("source") or f"curated: {path.name}",
    )
    return PlaceRecord(entry, [row["name"], *alternates])


def places_csv(path: Path | str) -> Iterator[Record]:
    """Places from a curated CSV: name, alternate_names (|-separated), lat, lon, kind,
    and optionally id, feature_code, country_code, admin1, population, demonyms, source.
    A ``demonyms`` cell (|-separated) on a country row also yields demonym records."""
    path = Path(path)
    for line, row in _rows(path, ("name", "lat", "lon", "kind")):
        record = _place(path, line, row)
        yield record
        for word in _split(row.get("demonyms", "")):
            if not record.entry.country_code:
                raise GazetteerError(f"{path}:{line}: demonyms need a country_code")
            yield DemonymRecord(word, record.entry.country_code, 1.0)


def aliases_csv(path: Path | str = CURATED_ALIASES) -> Iterator[Record]:
    """Aliases of places defined elsewhere: columns alias, target_id, display (yes:
    show the entry by this name)."""
    path = Path(path)
    for line, row in _rows(path, ("alias", "target_id")):
        if row["alias"] and row["target_id"]:
            yield AliasRecord(row["target_id"], [row["alias"]], origin=f"{path}:{line}",
                              display=row.get("display", "").lower() in ("yes", "true", "1"))


def demonyms_csv(path: Path | str = CURATED_DEMONYMS) -> Iterator[Record]:
    """Curated demonyms: columns word, country_code. They outrank package demonyms."""
    path = Path(path)
    for _line, row in _rows(path, ("word", "country_code")):
        if row["word"] and row["country_code"]:
            yield DemonymRecord(row["word"], row["country_code"].upper(), 1e12)


def country_points(path: Path | str = COUNTRY_POINTS) -> dict[str, tuple[float, float, str]]:
    """ISO alpha-2 code -> (lat, lon, source) for countries whose point is curated."""
    path = Path(path)
    points: dict[str, tuple[float, float, str]] = {}
    for line, row in _rows(path, ("country_code", "lat", "lon")):
        try:
            points[row["country_code"].upper()] = (
                float(row["lat"]), float(row["lon"]), row.get("source", ""))
        except ValueError as err:
            raise GazetteerError(f"{path}:{line}: bad number ({err})") from err
    return points


def state_abbreviations(path: Path | str = STATE_ABBREVIATIONS) -> dict[str, str]:
    """Exact abbreviation ("Calif.") -> gazetteer id of the state or province it names."""
    return {row["abbreviation"]: row["target_id"]
            for _, row in _rows(Path(path), ("abbreviation", "target_id"))
            if row["abbreviation"] and row["target_id"]}


def curated_source() -> Iterator[Record]:
    """Everything curated in geo/data/: places, then aliases, then demonyms."""
    yield from places_csv(CURATED_PLACES)
    yield from aliases_csv(CURATED_ALIASES)
    yield from demonyms_csv(CURATED_DEMONYMS)
