"""Building the gazetteer index: stream every source into a fresh SQLite file, then
swap it into place atomically (a failed or interrupted build leaves no half index)."""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Union

from geo.errors import GazetteerError
from geo.gazetteer import admin, curated, packages
from geo.gazetteer.countries import countries
from geo.gazetteer.fingerprint import inputs_fingerprint
from geo.gazetteer.normalize import name_key, token_count
from geo.gazetteer.paths import default_gazetteer_path
from geo.gazetteer.records import (
    AliasRecord, CapitalRecord, DemonymRecord, PlaceRecord, Record, Source,
)
from geo.gazetteer.schema import (
    CAPITAL_BONUS, ENTRY_COLUMNS, INDEXES, MAX_TOKEN_LEN_CAP, PRIMARY_BONUS, SCHEMA,
    SCHEMA_VERSION, prominence,
)

logger = logging.getLogger(__name__)

# Every real source, in build order (curated last: its aliases point at the others).
DEFAULT_SOURCES: dict[str, Source] = {
    "continents": packages.geonames_continents,
    "countries": countries,
    "subdivisions": admin.subdivisions,
    "marine": packages.marine_areas,
    "cities": packages.geonames_cities,
    "names": packages.cldr_names,
    "curated": curated.curated_source,
}
SourceSpec = Union[str, os.PathLike, Source]
_BATCH = 5000


def _resolve(sources: Sequence[SourceSpec] | None) -> list[tuple[str, Source]]:
    """Names of built-in sources, paths of curated-format CSV files, or callables."""
    out: list[tuple[str, Source]] = []
    for spec in sources if sources is not None else list(DEFAULT_SOURCES):
        if isinstance(spec, str) and spec in DEFAULT_SOURCES:
            out.append((spec, DEFAULT_SOURCES[spec]))
        elif isinstance(spec, (str, os.PathLike)):
            path = Path(spec)
            if not path.is_file():
                raise GazetteerError(f"{path}: no such gazetteer source (a built-in name "
                                     f"{sorted(DEFAULT_SOURCES)} or a CSV file)")
            out.append((path.name, lambda p=path: curated.places_csv(p)))
        elif callable(spec):
            out.append((getattr(spec, "__name__", "source"), spec))
        else:
            raise GazetteerError(f"not a gazetteer source: {spec!r}")
    return out


class _Writer:
    """Accumulates records into the new index, in batches."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.entries: list[tuple] = []
        self.names: list[tuple] = []
        self.ids: set[str] = set()
        self.aliases: list[AliasRecord] = []
        self.capitals: list[str] = []
        self.demonyms: dict[str, tuple[str, str, float]] = {}
        self.rowid = 0
        self.counts: Counter = Counter()

    def add(self, record: Record, label: str) -> None:
        if isinstance(record, PlaceRecord):
            self._place(record, label)
        elif isinstance(record, AliasRecord):
            self.aliases.append(record)
        elif isinstance(record, DemonymRecord):
            key = name_key(record.word)
            if key and record.weight >= self.demonyms.get(key, ("", "", -1.0))[2]:
                self.demonyms[key] = (record.word, record.country_code.upper(), record.weight)
        elif isinstance(record, CapitalRecord):
            self.capitals.append(record.entry_id)
        if len(self.entries) >= _BATCH or len(self.names) >= 4 * _BATCH:
            self.flush()

    def _place(self, record: PlaceRecord, label: str) -> None:
        entry = record.entry
        if entry.id in self.ids:
            logger.warning("duplicate gazetteer id %s from %s: kept the first", entry.id, label)
            return
        self.ids.add(entry.id)
        self.rowid += 1
        score = prominence(entry)
        self.entries.append((self.rowid, *(getattr(entry, c) for c in ENTRY_COLUMNS), score))
        primary = {name_key(n) for n in record.names[:record.primary]}
        for key in {name_key(n) for n in record.names}:
            if key:
                bonus = PRIMARY_BONUS if key in primary else 0.0
                self.names.append((key, self.rowid, score + bonus, token_count(key)))
        self.counts[f"{label}:{entry.kind}"] += 1

    def flush(self) -> None:
        marks = ", ".join("?" * (len(ENTRY_COLUMNS) + 2))
        self.conn.executemany(f"INSERT INTO entries (rowid, {', '.join(ENTRY_COLUMNS)}, score)"
                              f" VALUES ({marks})", self.entries)
        self.conn.executemany("INSERT INTO names_stage (key, entry, score, tokens)"
                              " VALUES (?, ?, ?, ?)", self.names)
        self.entries.clear()
        self.names.clear()

    def finish(self) -> None:
        self.flush()
        self._apply_capitals()
        self._apply_aliases()
        self.conn.executemany("INSERT INTO demonyms VALUES (?, ?, ?, ?)",
                              [(k, *v) for k, v in self.demonyms.items()])
        self.conn.executescript(INDEXES)
        self.conn.execute("ANALYZE")

    def _apply_capitals(self) -> None:
        if not self.capitals:
            return
        self.conn.execute("CREATE TEMP TABLE capitals (id TEXT PRIMARY KEY)")
        self.conn.executemany("INSERT OR IGNORE INTO capitals VALUES (?)",
                              [(c,) for c in self.capitals])
        self.conn.execute("UPDATE names_stage SET score = score + ? WHERE entry IN (SELECT rowid "
                          "FROM entries WHERE id IN capitals)", (CAPITAL_BONUS,))
        self.conn.execute("UPDATE entries SET feature_code = 'PPLC', score = score + ? "
                          "WHERE id IN capitals", (CAPITAL_BONUS,))
        self.counts["capitals"] = len(self.capitals)

    def _apply_aliases(self) -> None:
        rows = []
        for alias in self.aliases:
            found = self.conn.execute("SELECT rowid, score FROM entries WHERE id = ?",
                                      (alias.target_id,)).fetchone()
            if found is None:
                logger.warning("%s: alias target %s is not in the index: skipped",
                               alias.origin or "alias", alias.target_id)
                continue
            bonus = PRIMARY_BONUS if alias.display else 0.0
            for key in {name_key(n) for n in alias.names} - {""}:
                rows.append((key, found[0], found[1] + bonus, token_count(key), alias.lang))
            if alias.display:
                self.conn.execute("UPDATE entries SET name = ? WHERE rowid = ?",
                                  (alias.names[0], found[0]))
        self.conn.executemany("INSERT INTO names_stage VALUES (?, ?, ?, ?, ?)", rows)
        self.counts["aliases"] = len(rows)


def _write_meta(conn: sqlite3.Connection, stats: dict) -> None:
    longest = conn.execute("SELECT MAX(tokens) FROM names").fetchone()[0] or 1
    meta = {"schema_version": SCHEMA_VERSION, "built_at": stats["built_at"],
            "max_token_len": str(min(longest, MAX_TOKEN_LEN_CAP)),
            "sources": json.dumps(stats["sources"]), "counts": json.dumps(stats["counts"]),
            "inputs": stats["inputs"]}
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())


def _load(conn: sqlite3.Connection, sources: list[tuple[str, Source]], progress: bool) -> Counter:
    from tqdm import tqdm

    writer = _Writer(conn)
    for label, source in sources:
        records: Iterable[Record] = source()
        bar = tqdm(records, desc=f"gazetteer: {label}", unit=" rec", file=sys.stderr,
                   disable=not progress, mininterval=0.5)
        for record in bar:
            writer.add(record, label)
    writer.finish()
    if any(source is admin.subdivisions for _label, source in sources):
        writer.counts.update({f"subdivisions: {k}": v for k, v in admin.last_stats().items()})
    return writer.counts


def build_gazetteer(path: str | os.PathLike | None = None, *, progress: bool = True,
                    sources: Sequence[SourceSpec] | None = None) -> dict:
    """Build the index at ``path`` (default: :func:`default_gazetteer_path`) and return
    stats: entries per source and kind, name keys, demonyms, seconds, file size."""
    target = Path(path) if path is not None else default_gazetteer_path()
    resolved = _resolve(sources)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.building")
    started = time.perf_counter()
    try:
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        try:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
            counts = _load(conn, resolved, progress)
            stats = {"path": str(target), "sources": [label for label, _ in resolved],
                     "counts": dict(sorted(counts.items())),
                     # only a default build can be compared with the code it came from
                     "inputs": inputs_fingerprint() if sources is None else "custom",
                     "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            _write_meta(conn, stats)
            conn.commit()
            conn.execute("VACUUM")
            stats["entries"] = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
            stats["name_keys"] = conn.execute(
                "SELECT COUNT(DISTINCT key) FROM names").fetchone()[0]
            stats["demonyms"] = conn.execute("SELECT COUNT(*) FROM demonyms").fetchone()[0]
        finally:
            conn.close()
        os.replace(tmp, target)
    except sqlite3.Error as err:
        raise GazetteerError(f"{target}: cannot build the gazetteer ({err})") from err
    finally:
        tmp.unlink(missing_ok=True)
    stats["bytes"] = target.stat().st_size
    stats["seconds"] = round(time.perf_counter() - started, 2)
    logger.info("built gazetteer %s: %d entries in %.1f s", target, stats["entries"],
                stats["seconds"])
    return stats
