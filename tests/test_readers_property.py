"""geo.readers under random and malformed input (hypothesis): every reader, through the
public ``read_articles``, gives articles or InputErrors and never raises anything else,
within a deadline and a bound on the memory Python allocates."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import tracemalloc
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import InputError
from geo.models import Article
from geo.readers import EXTENSIONS, ReadResult, read_articles

pytest.importorskip("trafilatura")  # imported once here, so no example pays for it
import feedparser  # noqa: E402,F401  (same reason)
import trafilatura  # noqa: E402,F401

MAX_PEAK_BYTES = 64 * 1024 * 1024
READERS = [".txt", ".md", ".html", ".json", ".jsonl", ".csv", ".rss", ".atom", ".xml",
           ".zip"]
FIELDS = ["text", "content", "body", "title", "headline", "url", "link", "source",
          "publisher", "date", "published", "pubDate", "id", "Text", " TITLE "]
PROPERTY = settings(max_examples=60, deadline=timedelta(seconds=5), derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# any character, lone surrogates included (hypothesis leaves them out by default), and
# pieces that broke readers before, mixed in often enough to be met in a short run
HOSTILE = ["\ud800", "\udfff", "\x00", "\ufeff", "\r", "\n", "&a9;", "<p>", "]]>", '"',
           ",", "2009-03-20 12:24:52.002364-05", "Floods in Derna, Libya."]
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=60),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=5)), max_size=8
             ).map("".join))
NUMBERS = st.one_of(st.integers(min_value=-(10**30), max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([1694476800000, 1694476800, 1e20, -1e15, 1e300]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ANY_TEXT)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                     st.dictionaries(ANY_TEXT, inner, max_size=4)),
    max_leaves=12)
RECORDS = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=8),
    st.fixed_dictionaries(  # an article, with hostile values in any of its fields
        {"text": ANY_TEXT.map(lambda t: t + " Rain in Oslo.")},
        optional={name: JSON_VALUES for name in ("title", "url", "source", "id")}
        | {"date": st.one_of(NUMBERS, JSON_VALUES)}))


def _check(result: ReadResult) -> None:
    """What every reader promises: articles and InputErrors, all of it storable text."""
    assert isinstance(result, ReadResult)
    for article in result.articles:
        assert isinstance(article, Article) and isinstance(article.text, str)
        assert article.text.strip()
        for value in (article.id, article.text, article.title, article.url,
                      article.source, article.published, article.path):
            assert value is None or isinstance(value, str)
            if value is not None:
                value.encode("utf-8")  # no lone surrogate reaches the store or a hash
    for error in result.errors:
        assert isinstance(error, InputError) and error.reason
        str(error).encode("utf-8")
    for warning in result.warnings:
        warning.encode("utf-8")


def _read(data: bytes, suffix: str, *, name: bytes = b"input") -> ReadResult:
    """Write ``data`` to a fresh file and read it (the file, then its folder), checking
    the promises and the peak of Python's allocations."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(os.fsencode(folder), name + os.fsencode(suffix))
        with open(path, "wb") as handle:
            handle.write(data)
        tracemalloc.start()
        try:
            result = read_articles([os.fsdecode(path)])
            whole = read_articles([folder])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    _check(result)
    _check(whole)
    assert peak < MAX_PEAK_BYTES
    assert len(whole.articles) == len(result.articles)
    return result


def _as_csv(records: list[dict]) -> str:
    out = io.StringIO()
    names = sorted({str(key) for record in records for key in record}) or ["text"]
    writer = csv.writer(out)
    writer.writerow(names)
    for record in records:
        writer.writerow([json.dumps(record.get(n)) if not isinstance(record.get(n), str)
                         else record[n] for n in names])
    return out.getvalue()


@PROPERTY
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(READERS))
def test_random_bytes(data, suffix):
    _read(data, suffix)


@PROPERTY
@given(records=st.lists(st.one_of(RECORDS, JSON_VALUES), max_size=5),
       shape=st.sampled_from(["json-list", "json-one", "jsonl", "csv"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]))
def test_json_values_and_records_of_every_type(records, shape, encoding):
    if shape == "json-list":
        text, suffix = json.dumps(records), ".json"
    elif shape == "json-one":
        text, suffix = json.dumps(records[0] if records else None), ".json"
    elif shape == "jsonl":
        text, suffix = "\n".join(json.dumps(r) for r in records), ".jsonl"
    else:
        text, suffix = _as_csv([r for r in records if isinstance(r, dict)]), ".csv"
    _read(text.encode(encoding, "surrogatepass"), suffix)


@PROPERTY
@given(depth=st.integers(min_value=1, max_value=20_000),
       opener=st.sampled_from(["[", '{"text": ', '{"a": [']),
       suffix=st.sampled_from([".json", ".jsonl"]))
def test_nested_json(depth, opener, suffix):
    closer = {"[": "]", '{"text": ': "}", '{"a": [': "]}"}[opener]
    line = opener * depth + "1" + closer * depth
    result = _read(('{"text": "Floods in Derna."}\n' + line + "\n").encode(), suffix)
    if suffix == ".jsonl":
        assert [a.text for a in result.articles][:1] == ["Floods in Derna."]


TEMPLATES = {
    ".html": "<html><head><meta charset='{v}'><title>{v}</title></head><body><article>"
             "<h1>{v}</h1><p>{v} Floods in Derna, Libya. {v}</p></article></body></html>",
    ".rss": "<?xml version='1.0' encoding='{v}'?><rss version='2.0'><channel><title>{v}"
            "</title><item><title>{v}</title><pubDate>{v}</pubDate><description>{v} Rain"
            "</description></item></channel></rss>",
    ".atom": "<feed xmlns='http://www.w3.org/2005/Atom'><title>{v}</title><entry><title>"
             "{v}</title><updated>{v}</updated><content type='html'>{v}</content></entry>"
             "</feed>",
    ".txt": "{v}\nPublished: {v}\n\n{v} Snow in Oslo.",
    ".md": "# {v}\n\n{v}",
    ".csv": "title,text,date\n{v},{v} Rain,{v}\n",
}


@PROPERTY
@given(suffix=st.sampled_from(sorted(TEMPLATES)), value=ANY_TEXT,
       encoding=st.sampled_from(["utf-8", "latin-1", "utf-16-le", "utf-16"]),
       cut=st.integers(min_value=0, max_value=400), junk=st.binary(max_size=8))
def test_malformed_documents(suffix, value, encoding, cut, junk):
    """Each format's shape with hostile values, odd encodings, truncation and junk."""
    data = TEMPLATES[suffix].replace("{v}", value).encode(encoding, "replace")
    _read(data[:len(data) - cut] + junk, suffix)


@PROPERTY
@given(name=st.one_of(st.binary(min_size=1, max_size=100),
                      st.text(st.characters(exclude_categories=()), min_size=1,
                              max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       suffix=st.sampled_from(READERS))
def test_file_names(name, suffix):
    name = name.replace(b"/", b"_").replace(b"\x00", b"_").lstrip(b".") or b"x"
    result = _read(b"Floods in Derna\n\nDams collapsed in Derna, Libya.\n", suffix,
                   name=name[:200])
    for item in [*result.articles, *result.errors]:
        assert item.path.startswith(tempfile.gettempdir())


MEMBER_NAMES = st.one_of(
    st.sampled_from(["a.txt", "../a.txt", "/abs.json", "d/e.jsonl", "x.zip", "n.csv",
                     ".h.md", "dir/", "C:/x.txt", "a\\..\\b.txt", "__MACOSX/._a.txt",
                     "f.rss", "p.html", "no-extension"]),
    st.tuples(st.text(min_size=1, max_size=12),
              st.sampled_from([s for s in READERS if s != ".zip"] + [".zip", ".bin", ""])
              ).map("".join))
MEMBER_DATA = st.one_of(
    st.binary(max_size=600),
    st.sampled_from(sorted(TEMPLATES)).map(lambda k: TEMPLATES[k].replace("{v}", "Rain in Oslo")
                                           .encode()),
    st.lists(RECORDS, max_size=3).map(lambda rs: "\n".join(map(json.dumps, rs)).encode()))


def _zip_bytes(members: list[tuple[str, bytes]], compression: int) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in members:
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


@PROPERTY
@given(members=st.lists(st.tuples(MEMBER_NAMES, MEMBER_DATA), max_size=5),
       compression=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
       cut=st.one_of(st.just(0), st.integers(min_value=1, max_value=200)),
       junk=st.binary(max_size=8))
def test_zip_archives(members, compression, cut, junk):
    """Real zips of hostile member names (``../``, absolute, nested zips, hidden,
    unknown types) and contents, whole, truncated or with junk after them."""
    data = _zip_bytes(members, compression)
    result = _read(data[:len(data) - cut] + junk, ".zip")
    for item in [*result.articles, *result.errors]:
        assert ".zip" in item.path


def test_every_reader_is_covered():
    assert set(READERS) <= set(EXTENSIONS)
