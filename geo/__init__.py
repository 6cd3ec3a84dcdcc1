"""News Atlas geoparsing library: articles in, resolved places and actors out.

Nothing heavy happens at import time: the spaCy model and the gazetteer are loaded
by the functions that need them (see :mod:`geo.pipeline`).
"""
from __future__ import annotations

__version__ = "0.1.0"
