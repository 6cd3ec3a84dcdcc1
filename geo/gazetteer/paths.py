"""Where the gazetteer index lives."""
from __future__ import annotations

from pathlib import Path


def default_gazetteer_path() -> Path:
    """``$NEWS_ATLAS_GAZETTEER`` if set, else ``data/gazetteer.sqlite`` in the checkout
    (:mod:`geo.settings`)."""
    from geo.settings import load

    return load().gazetteer
