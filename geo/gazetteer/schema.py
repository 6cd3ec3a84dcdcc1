"""The gazetteer file's tables, and how prominent an entry is."""
from __future__ import annotations

import math

from geo.models import GazetteerEntry

SCHEMA_VERSION = "2"  # 2: names carry a language

SCHEMA = """
CREATE TABLE entries (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    kind TEXT NOT NULL,
    country_code TEXT,
    feature_class TEXT,
    feature_code TEXT,
    admin1 TEXT,
    population INTEGER NOT NULL DEFAULT 0,
    alt_names INTEGER NOT NULL DEFAULT 0,
    source TEXT,
    score REAL NOT NULL
);
CREATE TABLE names_stage (
    key TEXT NOT NULL,
    entry INTEGER NOT NULL,
    score REAL NOT NULL,
    tokens INTEGER NOT NULL,
    lang TEXT NOT NULL DEFAULT ''  -- '' for every language, else the one that reads it
);
CREATE TABLE demonyms (
    key TEXT PRIMARY KEY,
    word TEXT NOT NULL,
    country_code TEXT NOT NULL,
    weight REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""

# created after the bulk load (much faster than maintaining them row by row); names
# are staged unordered, then copied in key order into a table clustered on its key
INDEXES = """
CREATE TABLE names (
    key TEXT NOT NULL,
    score REAL NOT NULL,
    entry INTEGER NOT NULL,
    lang TEXT NOT NULL,  -- before tokens: SQLite 3.40's quick_check misreads a key
    tokens INTEGER NOT NULL,  -- column after a non-key one as NULL
    PRIMARY KEY (key, score DESC, entry, lang)
) WITHOUT ROWID;
INSERT OR IGNORE INTO names (key, score, entry, lang, tokens)
    SELECT key, score, entry, lang, tokens FROM names_stage
    ORDER BY key, score DESC, entry, lang;
DROP TABLE names_stage;
CREATE INDEX entries_latlon ON entries (lat, lon);
CREATE INDEX entries_country ON entries (country_code, kind);
"""

ENTRY_COLUMNS = ("id", "name", "lat", "lon", "kind", "country_code", "feature_class",
                 "feature_code", "admin1", "population", "alt_names", "source")

# How much a kind of place weighs before its population: a country or a continent is
# what a bare name usually means; a city ranks by its population alone.
KIND_BASE = {"continent": 9.0, "country": 8.0, "admin1": 5.0, "region": 5.0,
             "water": 4.5, "admin2": 3.0, "landmark": 3.0, "city": 0.0}
CAPITAL_BONUS = 1.5   # a national capital (PPLC)
CURATED_BONUS = 2.0   # someone put it in geo/data/ because news names it
PRIMARY_BONUS = 1.0   # the name is the entry's own name, not an alternate one
MAX_TOKEN_LEN_CAP = 8  # longer names exist, but are not worth an n-gram matcher's time


def prominence(entry: GazetteerEntry) -> float:
    """The score lookups order by: kind, population, number of alternate names."""
    pop = math.log10(entry.population + 1)
    alts = 0.3 * math.log10(entry.alt_names + 1)
    if entry.kind == "city":
        score = pop + alts
    else:
        score = KIND_BASE.get(entry.kind, 2.0) + 0.25 * pop + alts
    if entry.feature_code == "PPLC":
        score += CAPITAL_BONUS
    if entry.id.startswith("cur:"):
        score += CURATED_BONUS
    return round(score, 4)
