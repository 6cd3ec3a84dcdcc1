"""geo.readers on .zip archives (geo.readers.zipped): members read by their own reader
and named ``batch.zip:member:line``; bombs (ratio, total), ``../`` and absolute paths,
nested zips and damaged members refused and reported, the rest still read. Every
archive is a real zip file written by the test."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.readers import read_articles
from geo.readers.zipped import ZIP_RATIO_MIN_BYTES, read_zip_file

GOOD = "Floods in Derna\n\nDams collapsed in Derna, Libya, on Sunday night.\n"


def make_zip(path: Path, members: dict[str, bytes | str], *,
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def _messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def test_members_are_read_and_named_with_their_line(tmp_path):
    jsonl = json.dumps({"title": "Rain", "text": "Rain in Oslo."}) + "\n{broken\n"
    batch = make_zip(tmp_path / "batch.zip", {"notes/a.jsonl": jsonl, "b.txt": GOOD,
                                             "notes/": b"", ".hidden.txt": GOOD})
    result = read_articles([batch])
    assert sorted(a.path for a in result.articles) == [
        f"{batch}:b.txt", f"{batch}:notes/a.jsonl:1"]
    assert _messages(result) == [f"{batch}:notes/a.jsonl:2: invalid JSON: Expecting "
                                 "property name enclosed in double quotes (column 2)"]


def test_a_zip_in_a_folder_is_read_too(tmp_path):
    make_zip(tmp_path / "batch.zip", {"b.txt": GOOD})
    (tmp_path / "c.txt").write_text("Snow in Bergen\n\nSnow fell in Bergen, Norway.\n")
    assert len(read_articles([tmp_path]).articles) == 2


def test_traversal_absolute_and_nested_members_are_refused_and_the_rest_read(tmp_path):
    inner = make_zip(tmp_path / "inner.zip", {"x.txt": GOOD}).read_bytes()
    batch = make_zip(tmp_path / "batch.zip", {
        "../evil.txt": GOOD, "a/../../evil2.txt": GOOD, "/etc/passwd.txt": GOOD,
        "C:/Windows/x.txt": GOOD, "inner.zip": inner, "ok.txt": GOOD,
        "picture.png": b"\x89PNG"})
    result = read_articles([batch])
    warnings = result.warnings
    assert [a.path for a in result.articles] == [f"{batch}:ok.txt"]
    messages = _messages(result)
    outside = "refused: its path is absolute or leads outside the archive ('..')"
    for name in ("../evil.txt", "a/../../evil2.txt", "/etc/passwd.txt", "C:/Windows/x.txt"):
        assert f"{batch}:{name}: {outside}" in messages
    assert f"{batch}:inner.zip: a zip inside a zip is not opened; unpack it and add it " \
           "on its own" in messages
    assert warnings == [f"{batch}:picture.png: not read: unknown file type '.png'"]
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_bomb_by_ratio_is_refused_member_by_member(tmp_path):
    bomb = "a " * ZIP_RATIO_MIN_BYTES  # 2 MB of one pattern: ~1000 to 1
    batch = make_zip(tmp_path / "batch.zip", {"bomb.txt": bomb, "ok.txt": GOOD})
    result = read_articles([batch])
    assert [a.path for a in result.articles] == [f"{batch}:ok.txt"]
    [message] = _messages(result)
    assert message.startswith(f"{batch}:bomb.txt: refused: compressed ")
    assert "over the limit of 100 to 1 (a zip bomb?)" in message


def test_a_bomb_by_total_size_refuses_the_whole_archive_before_unpacking(tmp_path):
    batch = make_zip(tmp_path / "batch.zip", {f"part{i}.txt": GOOD * 400 for i in range(5)})
    read = []
    with pytest.raises(InputError) as refused:
        list(read_zip_file(batch, "batch.zip", max_bytes=10**6, keep_ids=False,
                           warn=print, read_member=lambda *a, **k: read.append(a) or iter(()),
                           extensions=(".txt",), max_total=50_000))
    assert str(refused.value).startswith("batch.zip: refused: it would unpack to 128.9 KB,"
                                         " over the limit of 48.8 KB (a zip bomb?)")
    assert read == []  # nothing was unpacked


def test_a_bomb_by_total_size_is_reported_and_the_next_file_read(tmp_path, monkeypatch):
    from geo.readers import zipped

    monkeypatch.setattr(zipped, "ZIP_MAX_TOTAL_BYTES", 50_000)
    batch = make_zip(tmp_path / "batch.zip", {f"part{i}.txt": GOOD * 400 for i in range(5)})
    small = make_zip(tmp_path / "small.zip", {"ok.txt": GOOD})
    result = read_articles([batch, small])
    assert [a.path for a in result.articles] == [f"{small}:ok.txt"]
    assert _messages(result) == [f"{batch}: refused: it would unpack to 128.9 KB, over the"
                                 " limit of 48.8 KB (a zip bomb?); split it"]


def test_a_damaged_member_is_refused_alone(tmp_path):
    batch = make_zip(tmp_path / "batch.zip", {"bad.txt": GOOD * 3, "ok.txt": GOOD},
                     compression=zipfile.ZIP_STORED)
    data = bytearray(batch.read_bytes())
    at = data.index(b"Floods in Derna")  # the first member's data: flip a byte
    data[at] ^= 0xFF
    batch.write_bytes(bytes(data))
    result = read_articles([batch])
    assert [a.path for a in result.articles] == [f"{batch}:ok.txt"]
    [message] = _messages(result)
    assert message.startswith(f"{batch}:bad.txt: damaged member: Bad CRC-32")


@pytest.mark.parametrize("data, reason", [
    (b"PK\x03\x04 not really a zip", "not a readable zip file"),
    (b"", "not a readable zip file"),
])
def test_a_file_that_is_not_a_zip_is_refused(tmp_path, data, reason):
    path = tmp_path / "batch.zip"
    path.write_bytes(data)
    [error] = read_articles([path]).errors
    assert str(error).startswith(f"{path}: {reason}")


def test_an_empty_zip_says_so(tmp_path):
    batch = make_zip(tmp_path / "batch.zip", {"notes.bin": b"x"})
    assert _messages(read_articles([batch]))[0].startswith(
        f"{batch}: no readable files in this zip")
