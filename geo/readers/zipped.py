"""``.zip`` archives of articles: each member is read by the reader of its extension.

Safety (stdlib :mod:`zipfile`, nothing is extracted under a member's own name):

- the whole archive is refused when its members would unpack to more than
  ``max_total`` bytes (default :data:`ZIP_MAX_TOTAL_BYTES`) or number more than
  :data:`ZIP_MAX_MEMBERS` (zip bombs by size);
- a member compressed more than ``max_ratio`` to 1 (default :data:`ZIP_MAX_RATIO`) is
  refused (zip bombs by ratio); members under :data:`ZIP_RATIO_MIN_BYTES` unpacked are
  not checked, a small file cannot be a bomb;
- a member whose name is absolute or climbs out with ``..`` is refused and reported;
- a zip inside the zip is reported, not opened (no recursion);
- an encrypted or damaged member (bad CRC, unknown compression) is refused alone.

Each member is copied (at most its declared size, which :mod:`zipfile` also enforces)
into a private temporary file and read from there, then deleted. Messages name the
archive and the member: ``batch.zip:notes/a.json:3: invalid JSON: ...``. Hidden
members (``.name``, ``__MACOSX/``) and folders are skipped; a member of a type no
reader knows is skipped with a warning.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from geo.errors import InputError
from geo.models import Article
from geo.readers._article import display_path
from geo.readers._decode import human_size, open_regular

ZIP_MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # 1 GB unpacked
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_RATIO = 100
ZIP_RATIO_MIN_BYTES = 1024 * 1024

ReadMember = Callable[..., Iterator[Article | InputError]]


def _unsafe(name: str) -> bool:
    """Whether a member's name is absolute or climbs out of the archive."""
    posix = name.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    drive = len(posix) > 1 and posix[1] == ":"  # C:/...
    return posix.startswith("/") or drive or ".." in parts


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX"
               for part in PurePosixPath(name.replace("\\", "/")).parts)


def _check_archive(archive: zipfile.ZipFile, where: str, max_total: int) -> None:
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        raise InputError(where, f"refused: {len(members)} members, over the limit of "
                         f"{ZIP_MAX_MEMBERS}")
    total = sum(info.file_size for info in members)
    if total > max_total:
        raise InputError(where, f"refused: it would unpack to {human_size(total)}, over "
                         f"the limit of {human_size(max_total)} (a zip bomb?); split it")


def _member_problem(info: zipfile.ZipInfo, *, max_ratio: float,
                    extensions: tuple[str, ...]) -> str | None:
    """Why a member is refused, or None."""
    if _unsafe(info.filename):
        return "refused: its path is absolute or leads outside the archive ('..')"
    suffix = PurePosixPath(info.filename).suffix.lower()
    if suffix == ".zip":
        return "a zip inside a zip is not opened; unpack it and add it on its own"
    if suffix not in extensions:
        return None
    if info.flag_bits & 0x1:
        return "refused: the member is encrypted"
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= ZIP_RATIO_MIN_BYTES and ratio > max_ratio:
        return (f"refused: compressed {ratio:.0f} to 1, over the limit of {max_ratio:.0f}"
                " to 1 (a zip bomb?)")
    return None


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path,
             where: str) -> None:
    """Copy one member into ``target`` (bounded by its declared size)."""
    try:
        with archive.open(info) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError, ValueError) as err:
        raise InputError(where, f"damaged member: {err}") from err
    except OSError as err:
        raise InputError(where, f"cannot unpack: {err.strerror or err}") from err


def read_zip_file(path: Path, where: str, *, max_bytes: int, keep_ids: bool,
                  warn: Callable[[str], None], read_member: ReadMember,
                  extensions: tuple[str, ...], max_total: int | None = None,
                  max_ratio: float | None = None) -> Iterator[Article | InputError]:
    """Every article in the archive at ``path``; ``read_member(file, where, ...)`` reads
    one unpacked member (geo.readers' per-file reader). The limits default to this
    module's constants (read at each call)."""
    max_total = ZIP_MAX_TOTAL_BYTES if max_total is None else max_total
    max_ratio = ZIP_MAX_RATIO if max_ratio is None else max_ratio
    with open_regular(path, where) as stream:  # InputError: reported by the caller
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError,
                NotImplementedError) as err:
            raise InputError(where, f"not a readable zip file: {err}") from err
        with archive, tempfile.TemporaryDirectory(prefix="news-atlas-zip-") as tmp:
            _check_archive(archive, where, max_total)
            found = False
            for number, info in enumerate(archive.infolist()):
                if info.is_dir() or (_hidden(info.filename) and not _unsafe(info.filename)):
                    continue
                member = f"{where}:{display_path(info.filename)}"
                problem = _member_problem(info, max_ratio=max_ratio, extensions=extensions)
                if problem:
                    found = True
                    yield InputError(member, problem)
                    continue
                suffix = PurePosixPath(info.filename).suffix.lower()
                if suffix not in extensions:
                    warn(f"{member}: not read: unknown file type "
                         f"'{display_path(suffix) or '(no extension)'}'")
                    continue
                found = True
                target = Path(tmp) / f"member-{number}{suffix}"
                try:
                    _extract(archive, info, target, member)
                except InputError as err:
                    yield err
                    continue
                yield from read_member(target, member, max_bytes=max_bytes,
                                       keep_ids=keep_ids, warn=warn)
                target.unlink(missing_ok=True)
    if not found:
        yield InputError(where, "no readable files in this zip (expected "
                         f"{', '.join(extensions)})")
