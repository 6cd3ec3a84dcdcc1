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
