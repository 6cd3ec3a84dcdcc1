"""The toponym engine, layered bottom-up (each module imports only those above it):

* :mod:`~geo.toponyms.lexicon`: a language's words, read from ``geo/data/lexicon/<lang>.txt``;
* :mod:`~geo.toponyms.names`: comparing a mention's text with an entry's name;
* :mod:`~geo.toponyms.cues`: what the words right around a mention say, read once;
* :mod:`~geo.toponyms.document`: what the article says about itself, read once;
* :mod:`~geo.toponyms.features`: one function per named piece of evidence;
* :mod:`~geo.toponyms.rank`: weights from ``geo/data/rank/weights.json``, the deciding
  feature, one sense per document;
* :mod:`~geo.toponyms.rules`: why a mention got its place, typed, stored as text, in words.

:class:`geo.resolve.Resolver` puts them together.
"""
