"""geo.readers: every format in, bad inputs reported by file, line and reason."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.models import article_id_for
from geo.readers import iter_articles, read_articles

DATA = Path(__file__).resolve().parent / "data" / "readers"


def _read(*names: str, **options):
    return read_articles([DATA / name for name in names], **options)


def _one_error(result) -> InputError:
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


# --- the real sample -------------------------------------------------------------------

@pytest.mark.shared
def test_seed_article_title_date_and_full_text(seed_article_path):
    result = read_articles([seed_article_path])
    assert result.errors == [] and result.warnings == []
    (article,) = result.articles
    assert article.title.startswith("North Korea's Kim Jong-un arrives in Russia")
    assert article.published == "2023-09-12"
    assert article.source is None and article.path == str(seed_article_path)
    raw = seed_article_path.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert article.text == raw  # kept whole: offsets are into the file as received
    assert article.id == article_id_for(raw, title=article.title)


# --- text and markdown -------------------------------------------------------------------

def test_markdown_title_is_stripped_of_marks_and_labelled_date_is_read():
    (article,) = _read("report.md").articles
    assert article.title == "Aid convoy reaches Kherson after bridge repairs"
    assert article.published == "2023-06-14"
    assert article.text.startswith("# Aid convoy")


def test_unparseable_date_line_is_a_warning_and_the_article_is_kept(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Storm hits Crete\nPublished: Blursday\n\nGales closed Heraklion port.\n")
    result = read_articles([path])
    assert len(result.articles) == 1 and result.articles[0].published is None
    assert result.warnings == [f"{path}:2: unparseable date 'Published: Blursday' "
                               "(kept without a date)"]


def test_same_text_gives_same_id_and_crlf_is_normalised(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Floods in Derna\r\n\r\nDams collapsed.\r\n")
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbfFloods in Derna\n\nDams collapsed.\n")
    first, second = read_articles([tmp_path]).articles
    assert first.text == second.text == "Floods in Derna\n\nDams collapsed.\n"
    assert first.id == second.id


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Grindavík evacuated\n\nLava reached Grindavík.".encode("utf-16"))
    (article,) = read_articles([path]).articles
    assert article.title == "Grindavík evacuated"


# --- records -------------------------------------------------------------------------------

def test_jsonl_broken_line_and_missing_text_do_not_stop_the_file():
    result = _read("articles.jsonl", keep_ids=True)
    assert [a.id for a in result.articles] == ["a1", "a2", "5"]
    assert [a.path for a in result.articles] == [
        f"{DATA / 'articles.jsonl'}:{n}" for n in (1, 2, 6)]
    broken, no_text = result.errors
    assert broken.line == 3 and "invalid JSON" in broken.reason
    assert str(broken).startswith(f"{DATA / 'articles.jsonl'}:3: ")
    assert no_text.line == 5 and "no text" in no_text.reason
    assert result.warnings == [f"{DATA / 'articles.jsonl'}:2: unparseable date 'Blursday' "
                               "(kept without a date)"]


def test_jsonl_fields_and_aliases():
    beira, izmir, patras = _read("articles.jsonl", keep_ids=True).articles
    assert (beira.title, beira.url, beira.source, beira.published) == (
        "Cholera cases rise in Beira", "https://news.example/beira-cholera",
        "Example Wire", "2019-03-30")
    assert izmir.text.startswith("A magnitude 5.1 earthquake")  # from "content"
    assert izmir.published is None
    assert patras.text.startswith("Wildfires near Patras")  # from "body"
    assert patras.source == "Example Times"  # from {"name": ...}


def test_without_keep_ids_the_id_is_the_content_hash():
    beira = _read("articles.jsonl").articles[0]
    assert beira.id == article_id_for(beira.text, url=beira.url, title=beira.title)


@pytest.mark.shared
def test_geovirus_ids_are_kept(shared_dir):
    path = shared_dir / "eval" / "geovirus.jsonl"
    if not path.exists():
        pytest.skip("geovirus.jsonl is absent")
    result = read_articles([path], keep_ids=True)
    gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert result.errors == []
    assert [(a.id, a.text) for a in result.articles] == [(g["id"], g["text"]) for g in gold]


def test_json_list_with_a_record_without_text():
    result = _read("articles.json", keep_ids=True)
    (article,) = result.articles
    assert article.id == "j1" and article.published == "2021-12-04T07:15:00+01:00"
    assert article.path == f"{DATA / 'articles.json'}#1"
    assert "record #2" in _one_error(result).reason


def test_invalid_json_file_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"text": "Floods in Derna",\n "title": }\n')
    error = _one_error(read_articles([path]))
    assert error.line == 2 and "invalid JSON" in error.reason


def test_csv_rows_multiline_text_and_row_line_numbers():
    result = _read("articles.csv")
    lampedusa, derna = result.articles
    assert lampedusa.text.endswith("Officials in Agrigento welcomed the news.")
    assert lampedusa.published == "2023-09-20" and lampedusa.source == "Example Wire"
    assert derna.published == "2023-09-12" and derna.path.endswith("articles.csv:6")
    error = _one_error(result)
    assert error.line == 5 and "no text" in error.reason


def test_csv_without_a_text_column(tmp_path):
    path = tmp_path / "no-text.csv"
    path.write_text("title,url\nA,https://x.example\n")
    error = _one_error(read_articles([path]))
    assert "no text column" in error.reason and "title, url" in error.reason


def test_csv_row_with_invalid_utf8_is_an_error_for_that_row_only(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"title,text\nA,Floods in Derna.\nB,Caf\xe9 in Li\xe8ge.\nC,Snow in Oslo.\n")
    result = read_articles([path])
    assert [a.title for a in result.articles] == ["A", "C"]
    error = _one_error(result)
    assert error.line == 3 and "invalid UTF-8" in error.reason


# --- web formats -------------------------------------------------------------------------

def test_html_main_text_without_navigation_or_scripts():
    (article,) = _read("article.html").articles
    assert article.title == "Flooding cuts roads around Porto Alegre"
    assert article.source == "Example Herald"
    assert article.url == "https://herald.example/world/porto-alegre-floods"
    assert article.published == "2024-05-06"
    assert "Guaíba River" in article.text and "Lagoa dos Patos" in article.text
    for junk in ("tracker-in-script", "injected-by-script", "Weather in Lisbon",
                 "All rights reserved", "font-family"):
        assert junk not in article.text


def test_html_with_only_scripts_has_no_text():
    error = _one_error(_read("scripts-only.html"))
    assert "no article text" in error.reason


def test_html_declaring_latin1_is_decoded_with_its_charset(tmp_path):
    body = "".join(f"<p>Paragraph {i}: the mayor of Liège met officials from Namur and "
                   "Charleroi to discuss flood defences along the Meuse.</p>" for i in range(4))
    page = ('<html><head><meta charset="iso-8859-1"><title>Liège floods</title></head>'
            f"<body><article><h1>Liège floods</h1>{body}</article></body></html>")
    path = tmp_path / "latin1.html"
    path.write_bytes(page.encode("latin-1"))
    (article,) = read_articles([path]).articles
    assert "Liège" in article.text


def test_rss_entries_with_html_stripped_and_dates():
    result = _read("feed.rss")
    odesa, crete = result.articles
    assert odesa.title == "Port of Odesa reopens grain terminal"
    assert odesa.text == "The grain terminal in Odesa reopened on Monday.\n\n" \
                         "Ships left for Istanbul & Constanța."
    assert odesa.published == "2023-09-12T10:00:00+03:00"
    assert odesa.source == "Example Wire: World" and odesa.url.endswith("odesa-grain")
    assert crete.published is None and "sometime soon" in result.warnings[0]
    assert "entry #3" in _one_error(result).reason


def test_atom_entry():
    (article,) = _read("feed.atom").articles
    assert article.title == "Volcano erupts near Grindavík"
    assert article.published == "2024-02-08T06:02:00+00:00"
    assert article.text.endswith("The Blue Lagoon was evacuated.")


def test_xml_that_is_not_a_feed(tmp_path):
    path = tmp_path / "data.xml"
    path.write_text("<?xml version='1.0'?><inventory><item>bolts</item></inventory>")
    assert "not an RSS/Atom feed" in _one_error(read_articles([path])).reason


# --- bad inputs ------------------------------------------------------------------------------

def test_empty_and_whitespace_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n\t\n")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    result = read_articles(sorted(tmp_path.iterdir()))
    assert result.articles == []
    assert len(result.errors) == 3 and all("empty" in e.reason for e in result.errors)


def test_binary_file(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert "binary file" in _one_error(read_articles([path])).reason


def test_control_character_soup_is_binary(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 100)
    assert "binary file" in _one_error(read_articles([path])).reason


def test_invalid_utf8_names_byte_offset_and_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Floods in Belgium\n\nThe mayor of Li\xe8ge spoke.\n")
    error = _one_error(read_articles([path]))
    assert error.line == 3
    assert "invalid UTF-8 at byte 34 (line 3)" in error.reason
    assert "re-save the file as UTF-8" in error.reason


def test_too_large_file_names_size_and_limit(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    error = _one_error(read_articles([path]))
    assert "too large" in error.reason
    assert "50.0 MB" in error.reason and "20.0 MB" in error.reason


def test_jsonl_line_over_the_limit_is_an_error_for_that_line_only(tmp_path):
    path = tmp_path / "big.jsonl"
    lines = [{"text": "Snow in Oslo."}, {"text": "x" * 5000}, {"text": "Rain in Bergen."}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = read_articles([path], max_bytes=1000)
    assert [a.text for a in result.articles] == ["Snow in Oslo.", "Rain in Bergen."]
    error = _one_error(result)
    assert error.line == 2 and "too long" in error.reason


def test_unknown_extension_and_missing_path(tmp_path):
    doc = tmp_path / "notes.docx"
    doc.write_bytes(b"PK\x03\x04")
    result = read_articles([doc, tmp_path / "nope.txt", DATA / "report.md"])
    assert len(result.articles) == 1
    unknown, missing = result.errors
    assert "unknown file type '.docx'" in unknown.reason
    assert "no such file" in missing.reason


def test_directory_is_walked_in_sorted_order_and_batch_goes_on(tmp_path):
    (tmp_path / "b.txt").write_text("Second story\n\nQuake in Izmir.\n")
    (tmp_path / "a.md").write_text("First story\n\nFloods in Derna.\n")
    (tmp_path / "c.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "ignored.docx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nNot read.\n")
    result = read_articles([tmp_path])
    assert [a.title for a in result.articles] == ["First story", "Second story"]
    assert [Path(e.path).name for e in result.errors] == ["c.txt"]


def test_iter_articles_streams_articles_and_errors():
    items = list(iter_articles(DATA / "articles.jsonl", keep_ids=True))
    kinds = ["E" if isinstance(item, InputError) else "A" for item in items]
    assert kinds == ["A", "A", "E", "E", "A"]


# --- issue 9: no input aborts a batch ------------------------------------------------------

def _jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _finishes(function, seconds: float = 10.0):
    """Run ``function`` in a daemon thread; fail (instead of hanging) if it blocks."""
    import threading

    box: list = []
    thread = threading.Thread(target=lambda: box.append(function()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert box, f"still running after {seconds} s"
    return box[0]


def test_numeric_dates_are_unix_seconds_or_millis_and_the_rest_is_refused(tmp_path):
    path = _jsonl(tmp_path / "dates.jsonl",
                  '{"text": "Millis in Derna.", "date": 1694476800000}',
                  '{"text": "Seconds in Oslo.", "date": 1694476800}',
                  '{"text": "Far future.", "date": 1e20}',
                  '{"text": "Far past.", "date": -1e15}',
                  '{"text": "Not a number.", "date": NaN}',
                  '{"text": "Infinite.", "date": Infinity}',
                  '{"text": "Huge.", "date": 1e300}',
                  '{"text": "Boolean.", "date": true}',
                  '{"text": "List.", "published": [2023, 9, 12]}',
                  '{"text": "Last good one in Bergen.", "date": "2023-09-12"}')
    result = read_articles([path])
    assert [(a.text, a.published) for a in result.articles] == [
        ("Millis in Derna.", "2023-09-12T00:00:00+00:00"),
        ("Seconds in Oslo.", "2023-09-12T00:00:00+00:00"),
        ("Last good one in Bergen.", "2023-09-12")]
    assert [(e.line, e.reason) for e in result.errors] == [
        (3, "date 1e+20 is not a Unix time in seconds or milliseconds"),
        (4, "date -1000000000000000.0 is not a Unix time in seconds or milliseconds"),
        (5, "date NaN is not a date (expected a string or a Unix time)"),
        (6, "date Infinity is not a date (expected a string or a Unix time)"),
        (7, "date 1e+300 is not a Unix time in seconds or milliseconds"),
        (8, "date true is not a date (expected a string or a Unix time)"),
        (9, "date is a list, expected a string or a Unix time")]


def test_date_string_with_an_hour_only_utc_offset(tmp_path):
    path = _jsonl(tmp_path / "pg.jsonl",
                  '{"text": "Floods in Derna.", "date": "2009-03-20 12:24:52.002364-05"}')
    (article,) = read_articles([path]).articles
    assert article.published == "2009-03-20T12:24:52.002364-05:00"


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_deeply_nested_json_is_refused_for_its_file_or_line(tmp_path, name):
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / name
    if name.endswith(".jsonl"):
        _jsonl(path, '{"text": "Floods in Derna."}', deep, '{"text": "Rain in Oslo."}')
    else:
        path.write_text(deep)
    result = read_articles([path])
    assert [a.text for a in result.articles] == (
        ["Floods in Derna.", "Rain in Oslo."] if name.endswith(".jsonl") else [])
    error = _one_error(result)
    assert "nested too deeply" in error.reason
    assert error.line == (2 if name.endswith(".jsonl") else None)


def test_lone_surrogates_become_replacement_characters_with_a_warning(tmp_path):
    path = _jsonl(tmp_path / "surrogate.jsonl",
                  '{"id": "s\\udc80", "text": "Floods in \\ud800Derna.", "title": "\\udfff",'
                  ' "url": "https://x.example/\\ud800", "source": {"name": "W\\ud800"}}')
    result = read_articles([path], keep_ids=True)
    (article,) = result.articles
    assert article.text == "Floods in \ufffdDerna." and article.title == "\ufffd"
    assert article.id == "s\ufffd" and article.source == "W\ufffd"
    for value in (article.id, article.text, article.title, article.url, article.source):
        value.encode("utf-8")  # storable: no lone surrogate is left anywhere
    assert f"{path}:1: text: 1 lone surrogate(s) replaced with U+FFFD" in result.warnings
    assert result.errors == []


def test_article_id_for_never_raises_on_a_lone_surrogate():
    assert len(article_id_for("Floods in \ud800Derna.")) == 16


def test_file_name_that_is_not_utf8_is_read_and_named_with_escapes(tmp_path):
    import os

    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(raw, "wb") as handle:
        handle.write(b"Cafe news\n\nA cafe opened in Paris.\n")
    result = read_articles([tmp_path])
    (article,) = result.articles
    assert article.path == f"{tmp_path}/caf\\xe9.txt"
    article.path.encode("utf-8")  # storable
    assert article.text.startswith("Cafe news")
    # a file name the file system cannot hold is an error, not an exception
    bad = _one_error(read_articles([str(tmp_path / "x\ud800.txt")]))
    assert "invalid file name" in bad.reason and "\\ud800" in bad.path


def test_fifo_socket_and_device_are_refused_without_blocking(tmp_path):
    import os
    import socket

    os.mkfifo(tmp_path / "pipe.jsonl")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.csv"))
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    (tmp_path / "good.txt").write_text("Floods in Derna\n\nDams collapsed.\n")
    try:
        direct = _finishes(lambda: read_articles([tmp_path / "pipe.jsonl"]))
        walked = _finishes(lambda: read_articles([tmp_path]))
    finally:
        server.close()
    assert "not a regular file (a named pipe)" in _one_error(direct).reason
    assert [a.title for a in walked.articles] == ["Floods in Derna"]
    assert sorted((Path(e.path).name, e.reason.split(";")[0]) for e in walked.errors) == [
        ("pipe.jsonl", "not a regular file (a named pipe)"),
        ("sock.csv", "not a regular file (a socket)"),
        ("zero.txt", "not a regular file (a character device)")]


def test_broken_links_and_link_loops_are_reported_and_links_to_folders_not_followed(tmp_path):
    import os

    (tmp_path / "good.txt").write_text("Floods in Derna\n\nDams collapsed.\n")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "dangling.txt")
    os.symlink("loop.jsonl", tmp_path / "loop.jsonl")
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "up")  # a folder loop
    result = _finishes(lambda: read_articles([tmp_path]))
    assert [a.title for a in result.articles] == ["Floods in Derna"]
    assert [(Path(e.path).name, e.reason) for e in result.errors] == [
        ("dangling.txt", "broken symbolic link: No such file or directory"),
        ("loop.jsonl", "cannot read: Too many levels of symbolic links")]
    assert result.warnings == [f"{tmp_path}/sub/up: a symbolic link to a folder, not "
                               "followed (name the folder itself to read it)"]
    loop = _one_error(read_articles([tmp_path / "loop.jsonl"]))
    assert "symbolic link loop" in loop.reason


_LIST_FOLDER = """
import sys
from geo.readers import read_articles
result = read_articles([sys.argv[1]])
print(len(result.articles))
for error in result.errors:
    print(error)
"""


def test_unreadable_sub_folder_is_reported(tmp_path):
    """chmod 000 stops everyone but root; as root the reader runs in a user namespace
    (``unshare --user``), where the folder's owner is unmapped and root's override
    does not apply, so the folder really cannot be listed."""
    import os
    import shutil
    import subprocess
    import sys

    (tmp_path / "a.txt").write_text("Floods in Derna\n\nDams collapsed.\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text("Rain in Oslo\n\nStreets flooded.\n")
    locked.chmod(0)
    try:
        command = [sys.executable, "-c", _LIST_FOLDER, str(tmp_path)]
        if os.geteuid() == 0:
            if not shutil.which("unshare"):
                pytest.skip("running as root without unshare: chmod 000 cannot deny root")
            command = ["unshare", "--user", *command]
        run = subprocess.run(command, capture_output=True, text=True, timeout=60,
                             cwd=Path(__file__).resolve().parents[1])
        if run.returncode and "unshare" in run.stderr:
            pytest.skip(f"user namespaces unavailable: {run.stderr.strip()}")
    finally:
        locked.chmod(0o755)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "1", f"{locked}: cannot read folder: Permission denied"]


def test_csv_row_with_a_nul_is_kept_whole_with_a_warning(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"title,text\nA,Floods\x00 in Derna.\nB,Rain in Oslo.\n")
    result = read_articles([path])
    assert [a.text for a in result.articles] == ["Floods\ufffd in Derna.", "Rain in Oslo."]
    assert result.warnings == [f"{path}:2: text: 1 NUL character(s) replaced with U+FFFD"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read(tmp_path, codec):
    text = "Grindavík evacuated\n\nLava reached Grindavík near Reykjavík."
    (tmp_path / "story.txt").write_bytes(text.encode(codec))
    rows = 'title,text\nA,"Snow in Tromsø."\n'
    (tmp_path / "rows.csv").write_bytes(rows.encode(codec))
    lines = '{"text": "Ash over Vík."}\n{"text": "Roads shut near Höfn."}\n'
    (tmp_path / "lines.jsonl").write_bytes(lines.encode(codec))
    result = read_articles([tmp_path])
    assert result.errors == []
    assert [a.text for a in result.articles] == [
        "Ash over Vík.", "Roads shut near Höfn.", "Snow in Tromsø.", text]


def test_utf16_with_a_bom_is_read_line_by_line_too(tmp_path):
    path = tmp_path / "lines.jsonl"
    path.write_bytes('{"text": "Ash over Vík."}\n{"text": "\\ud800 Höfn."}\n'.encode("utf-16"))
    result = read_articles([path])
    assert [a.text for a in result.articles] == ["Ash over Vík.", "\ufffd Höfn."]
    assert [a.path for a in result.articles] == [f"{path}:1", f"{path}:2"]
    # a lone surrogate in the UTF-16 bytes themselves is an error for its line only
    path.write_bytes("\ufeff".encode("utf-16-le") + b"\n\x00\x00\xd8\n\x00"
                     + '{"text": "Ash."}\n'.encode("utf-16-le"))
    result = read_articles([path])
    assert [a.text for a in result.articles] == ["Ash."]
    error = _one_error(result)
    assert error.line == 2 and "lone surrogate" in error.reason


def test_binary_with_a_utf16_like_nul_pattern_is_still_binary(tmp_path):
    samples = bytes(b for n in range(2000) for b in (n % 31 + 1, 0))  # small 16-bit ints
    for name in ("samples.jsonl", "samples.csv", "samples.txt"):
        (tmp_path / name).write_bytes(samples)
    result = read_articles([tmp_path])
    assert result.articles == []
    assert [e.reason for e in result.errors] == [
        "binary file (mostly control characters); expected text"] * 3


def test_a_file_at_the_20_mb_limit_is_read_and_one_byte_more_is_refused(tmp_path):
    size = 20 * 1024 * 1024
    sentence = b"Heavy rain flooded streets in Porto Alegre. "
    head = b"Floods in Porto Alegre\n\n"
    body = head + sentence * ((size - len(head)) // len(sentence))
    path = tmp_path / "big.txt"
    path.write_bytes(body + b"." * (size - len(body)))
    (article,) = read_articles([path]).articles
    assert len(article.text) == size
    with path.open("ab") as handle:
        handle.write(b".")
    error = _one_error(read_articles([path]))
    assert "over the limit of 20.0 MB (20971520 bytes)" in error.reason


def test_an_overlong_line_is_skipped_without_holding_it_in_memory(tmp_path):
    import tracemalloc

    path = tmp_path / "long.jsonl"
    with path.open("w") as handle:
        handle.write('{"text": "Snow in Oslo."}\n{"text": "' + "x" * (30 * 1024 * 1024))
        handle.write('"}\n{"text": "Rain in Bergen."}\n')
    tracemalloc.start()
    try:
        result = read_articles([path], max_bytes=1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [a.text for a in result.articles] == ["Snow in Oslo.", "Rain in Bergen."]
    assert _one_error(result).line == 2
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes"


@pytest.mark.parametrize("document, reason", [
    ("42", "expected a JSON object or list, got a number"),
    ('"Floods in Derna"', "expected a JSON object or list, got a string"),
    ("null", "expected a JSON object or list, got null"),
    pytest.param("1" * 5000, "invalid JSON: Exceeds the limit (4300 digits)",
                 id="5000-digit-number"),
])
def test_json_top_level_that_is_not_an_object_or_list(tmp_path, document, reason):
    path = tmp_path / "top.json"
    path.write_text(document)
    assert _one_error(read_articles([path])).reason.startswith(reason)


def test_fields_of_the_wrong_type(tmp_path):
    path = _jsonl(tmp_path / "types.jsonl",
                  '{"text": ["Floods in Derna."]}',
                  '{"text": {"body": "x"}}',
                  '{"content": 42}',
                  '{"id": {"a": 1}, "text": "Rain in Oslo.", "title": {"a": 1}, '
                  '"url": ["u"], "source": 7, "headline": "ignored"}',
                  '{"id": 12, "text": "Snow in Tromsø.", "title": 2024, "source": true}')
    result = read_articles([path], keep_ids=True)
    assert [(e.line, e.reason) for e in result.errors] == [
        (1, "'text' is a list, expected the article's text as a string"),
        (2, "'text' is an object, expected the article's text as a string"),
        (3, "'content' is a number, expected the article's text as a string")]
    oslo, tromso = result.articles
    assert (oslo.title, oslo.url, oslo.source) == (None, None, "7")
    assert oslo.id == article_id_for("Rain in Oslo.")
    assert (tromso.id, tromso.title, tromso.source) == ("12", "2024", None)
    where = f"{path}:4"
    assert result.warnings == [
        f"{where}: title is an object without a 'name', not text (ignored)",
        f"{where}: url is a list, not text (ignored)",
        f"{where}: record has an 'id' that is an object; using the content hash {oslo.id}",
        f"{path}:5: source is a boolean, not text (ignored)"]


def test_csv_row_over_the_limit_is_an_error_for_that_row(tmp_path):
    path = tmp_path / "huge.csv"
    field = "x" * 400 + "\n"
    path.write_text('title,text\nA,Snow in Oslo.\nB,"' + field * 10 + '"\nC,Rain in Bergen.\n')
    result = read_articles([path], max_bytes=1000)
    assert [a.title for a in result.articles] == ["A", "C"]
    error = _one_error(result)
    assert error.line == 3 and "row too long: over the limit of 1000 bytes" in error.reason


def test_csv_header_over_the_field_limit(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text('"' + ("t" * 400 + "\n") * 10 + '",text\nA,Snow.\n')
    error = _one_error(read_articles([path], max_bytes=1000))
    assert error.line == 1 and "CSV header too long" in error.reason


_BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a0 "lol">\n'
         + "".join(f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">\n' for i in range(1, 10))
         + ']>\n<rss version="2.0"><channel><title>T</title><item><title>x</title>'
         "<description>&a9;</description></item></channel></rss>\n")
_XXE = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<rss version="2.0"><channel><title>T</title><item><title>x</title>'
        "<description>News &x; here</description></item></channel></rss>\n")


@pytest.mark.parametrize("kind", ["bomb", "external", "bomb declaring utf-16"])
def test_feed_declaring_entities_is_refused(tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    path = tmp_path / "feed.rss"
    feed = _XXE.replace("{secret}", str(secret)) if kind == "external" else _BOMB
    if kind.endswith("utf-16"):  # a lying declaration must not get it past the check
        feed = feed.replace('version="1.0"?>', 'version="1.0" encoding="utf-16"?>')
    path.write_text(feed)
    result = read_articles([path])
    assert result.articles == []
    assert "declares XML entities or external references" in _one_error(result).reason


@pytest.mark.parametrize("charset", ["unicode_escape", "undefined", "punycode", "utf-16",
                                     "utf-7", "no-such-charset"])
def test_html_declaring_a_charset_that_is_not_one_is_an_error(tmp_path, charset):
    page = (f'<html><head><meta charset="{charset}"><title>Liège</title></head><body>'
            "<article><p>The mayor of Liège met officials in Namur.</p></article></body>"
            "</html>")
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("latin-1"))
    assert "invalid UTF-8" in _one_error(read_articles([path])).reason


def test_html_declaring_utf8_then_its_real_charset_is_read(tmp_path):
    page = ('<html><head><meta charset="utf-8"><meta http-equiv="Content-Type" '
            'content="text/html; charset=windows-1252"><title>Liège</title></head><body>'
            "<article><p>The mayor of Liège met officials from Namur about the floods "
            "along the Meuse river this week.</p></article></body></html>")
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp1252"))
    (article,) = read_articles([path]).articles
    assert "Liège" in article.text


def test_at_most_100_errors_per_file_then_a_count(tmp_path):
    path = _jsonl(tmp_path / "many.jsonl", *(["{broken"] * 150), '{"text": "Snow in Oslo."}')
    result = read_articles([path])
    assert [a.text for a in result.articles] == ["Snow in Oslo."]
    assert len(result.errors) == 101
    assert result.errors[-1].reason == "50 more error(s) in this file not shown"
