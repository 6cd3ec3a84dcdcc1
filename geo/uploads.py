"""What the Add page gives an ingest job: uploaded files, pasted text and fetched
articles, saved into the job's folder (``uploads/<job>/`` beside the store).

The upload limit (the setting ``NEWS_ATLAS_UPLOAD_LIMIT_MB``, 200 MB for one upload, all its
files together) is checked on the sizes the browser declared, before a byte is read
or saved; Streamlit's ``server.maxUploadSize`` (``.streamlit/config.toml``) refuses a
bigger single file at the door. File names are reduced to a safe base name: a name
cannot climb out of the folder or hide itself, and two files of one name both stay.
"""
from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from geo.errors import InputError
from geo.models import Article
from geo.readers._decode import human_size

PASTED_NAME = "pasted.json"
FETCHED_NAME = "fetched.jsonl"
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f/\\:]")


def upload_limit_bytes(limit_mb: float) -> int:
    """The most one upload may hold, in bytes, for a limit in MB (the settings'
    ``upload_limit_mb``, :mod:`geo.settings`)."""
    return int(limit_mb * 1024 * 1024)


def check_upload_size(sizes: Iterable[tuple[str, int]], *, limit: int) -> None:
    """InputError when the files' declared sizes add up to more than ``limit``."""
    sizes = list(sizes)
    total = sum(size for _, size in sizes)
    if total > limit:
        biggest = max(sizes, key=lambda item: item[1])[0] if sizes else ""
        raise InputError(f"{len(sizes)} file(s)", f"refused before reading: "
                         f"{human_size(total)} in all, over the limit of "
                         f"{human_size(limit)} (the largest is {biggest}); upload fewer "
                         "files at a time")


def safe_name(name: str, taken: set[str]) -> str:
    """A base name for ``name`` inside a folder: no path, no control characters, not
    hidden, and not one already ``taken`` (``a.txt`` then ``a (2).txt``)."""
    base = _UNSAFE_CHARS.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = base.lstrip(".").strip() or "upload"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    candidate, number = base[:200], 2
    while candidate.lower() in taken:
        candidate = f"{stem[:190]} ({number}){dot}{suffix}"
        number += 1
    taken.add(candidate.lower())
    return candidate


def save_upload(stream: BinaryIO, name: str, folder: Path, taken: set[str]) -> Path:
    """Copy one uploaded file into ``folder`` under a safe name; its path."""
    target = folder / safe_name(name, taken)
    with open(target, "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    return target


def _record(article: Article) -> dict:
    return {"title": article.title, "url": article.url, "source": article.source,
            "published": article.published, "text": article.text}


def save_pasted(folder: Path, *, text: str, title: str = "", source: str = "",
                url: str = "", published: str = "") -> Path:
    """Pasted text (with its title, source, URL and date) as a JSON article file;
    InputError when the text is empty."""
    if not text.strip():
        raise InputError("pasted text", "empty: paste the article's text")
    record = {"title": title.strip() or None, "source": source.strip() or None,
              "url": url.strip() or None, "published": published.strip() or None,
              "text": text}
    target = folder / PASTED_NAME
    target.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return target


def save_fetched(folder: Path, articles: list[Article]) -> Path:
    """Fetched articles as a JSON Lines file (one line each)."""
    target = folder / FETCHED_NAME
    with open(target, "w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(_record(article), ensure_ascii=False) + "\n")
    return target
