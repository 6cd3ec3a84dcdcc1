"""The toponym engine, layered bottom-up; :mod:`geo.toponyms.lexicon` is its base: a
language's words, read from ``geo/data/lexicon/<lang>.txt``."""
