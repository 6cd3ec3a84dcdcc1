"""geo.uploads: the upload limit on declared sizes (before reading), safe file names in
the job's folder, pasted text and fetched articles as files ingest reads."""
from __future__ import annotations

import io
import json

import pytest

from geo.errors import InputError
from geo.models import Article
from geo.readers import read_articles
from geo.uploads import (
    check_upload_size, safe_name, save_fetched, save_pasted, save_upload, upload_limit_bytes,
)


def test_the_limit_comes_from_the_setting():
    from geo.settings import load

    assert upload_limit_bytes(load({}).upload_limit_mb) == 200 * 1024 * 1024
    limit_mb = load({"NEWS_ATLAS_UPLOAD_LIMIT_MB": "2"}).upload_limit_mb
    assert upload_limit_bytes(limit_mb) == 2 * 1024 * 1024


def test_an_upload_over_the_limit_is_refused_on_its_declared_sizes():
    check_upload_size([("a.txt", 600), ("b.zip", 400)], limit=1000)
    with pytest.raises(InputError) as refused:
        check_upload_size([("a.txt", 600), ("b.zip", 401)], limit=1000)
    assert str(refused.value) == ("2 file(s): refused before reading: 1001 bytes in all, over"
                                  " the limit of 1000 bytes (the largest is a.txt); upload"
                                  " fewer files at a time")


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"), ("C:\\Users\\x\\news.json", "news.json"),
    (".hidden.txt", "hidden.txt"), ("..", "upload"), ("a\x00b\nc.txt", "a_b_c.txt"),
    ("notes.md", "notes.md"),
])
def test_names_stay_inside_the_folder(name, expected):
    assert safe_name(name, set()) == expected


def test_two_files_of_one_name_both_stay(tmp_path):
    taken: set[str] = set()
    first = save_upload(io.BytesIO(b"one"), "a.txt", tmp_path, taken)
    second = save_upload(io.BytesIO(b"two"), "A.txt", tmp_path, taken)
    assert (first.name, second.name) == ("a.txt", "A (2).txt")
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"


def test_pasted_text_is_an_article_with_its_fields(tmp_path):
    path = save_pasted(tmp_path, text="Storm in Cork, Ireland.", title=" Storm ",
                       source="RTÉ", url="https://rte.example/1", published="2024-01-02")
    [article] = read_articles([path]).articles
    assert (article.title, article.source, article.url, article.published) == (
        "Storm", "RTÉ", "https://rte.example/1", "2024-01-02")
    with pytest.raises(InputError, match="pasted text: empty"):
        save_pasted(tmp_path, text="  \n")


def test_fetched_articles_are_a_jsonl_file(tmp_path):
    found = [Article(id="x", text="Rain in Oslo.", title="Rain", url="https://e.example/r"),
             Article(id="y", text="Snow in Bergen.")]
    path = save_fetched(tmp_path, found)
    assert [json.loads(line)["text"] for line in path.read_text().splitlines()] == [
        "Rain in Oslo.", "Snow in Bergen."]
    assert [a.url for a in read_articles([path]).articles] == ["https://e.example/r", None]
