"""News Atlas's settings, in one place.

Each setting is read, in this order, from its environment variable ``NEWS_ATLAS_*``, then
from the ``secrets`` mapping the caller passes (the dashboard passes the ``[news_atlas]``
table of Streamlit's secrets; ``geo`` never imports Streamlit), then its default.

    >>> s = load({"NEWS_ATLAS_READ_ONLY": "1"}, {"upload_limit_mb": 50})
    >>> s.read_only, s.upload_limit_mb
    (True, 50)

A value that cannot be read is a :class:`SettingsError` naming the variable (or secret)
and the reason; :data:`SETTINGS` documents every setting (the README's table is checked
against it by a test).
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.errors import GeoError

REPO_ROOT = Path(__file__).resolve().parents[1]
NOMINATIM_URL = "https://nominatim.openstreetmap.org"
GEOCODERS = ("nominatim",)  # online geocoders that can add candidates ("": none)
OSM = ("Tiles: OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
       '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')


class SettingsError(GeoError, ValueError):
    """A setting's value cannot be read; the message names the setting and the reason."""


@dataclass(frozen=True)
class TileServer:
    """A tile server the map's layer control offers beside the offline basemap."""

    name: str
    url: str  # a {z}/{x}/{y} template
    attribution: str


@dataclass(frozen=True)
class Settings:
    """Every setting, read by :func:`load` (defaults: a full local workspace, offline)."""

    db_url: str | None = None  # None: the default store, data/news_atlas.sqlite
    gazetteer: Path = REPO_ROOT / "data" / "gazetteer.sqlite"
    tiles: tuple[TileServer, ...] = ()
    read_only: bool = False
    editor_password_hash: str | None = None
    upload_limit_mb: int = 200
    fetch_allowed: bool = True
    fetch_allow_private: bool = False
    fetch_timeout: float = 10.0  # seconds, per connect or read
    fetch_max_bytes: int = 5_000_000
    query_time_limit: float = 10.0  # seconds a dashboard query may run
    row_cap: int = 1000  # rows a dashboard table lists at most
    map_markers: int = 5000  # places the map draws at most (the most mentioned)
    geocoder: str = ""  # "": the offline gazetteer only; "nominatim": it adds candidates
    geocoder_url: str = NOMINATIM_URL
    geocoder_user_agent: str | None = None  # required with an online geocoder
    geocoder_timeout: float = 10.0  # seconds per request
    geocoder_min_delay: float = 1.0  # seconds between requests (Nominatim's policy: 1)
    sources: str | None = None  # a sources file: each source's home region
    add_workers: int = 1  # processes the Add page's background ingest analyses in

    @property
    def db_named(self) -> bool:
        """Whether the store was named (the built-in sample goes only into the default)."""
        return self.db_url is not None


# -- parsing ---------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a yes/no value (use 1 or 0, true or false)")


def _positive_int(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if number <= 0:
        raise ValueError(f"{number} is not positive")
    return number


def _positive_float(value: Any) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not 0 < number < float("inf"):
        raise ValueError(f"{value!r} is not a positive number")
    return number


def _text(value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise ValueError("it is empty")
    return text


def _optional_text(value: Any) -> str | None:
    return str(value).strip() or None


def _path(value: Any) -> Path:
    return Path(_text(value)).expanduser()


def _geocoder(value: Any) -> str:
    name = str(value).strip().lower()
    if name in ("", "none", "offline"):
        return ""
    if name not in GEOCODERS:
        raise ValueError(f"{value!r} is not an online geocoder News Atlas knows (use "
                         + " or ".join(GEOCODERS) + ", or leave it empty for none)")
    return name


def _service_url(value: Any) -> str:
    url = _text(value).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ValueError(f"{value!r} is not an http(s) address like {NOMINATIM_URL}")
    return url


def _template(url: str) -> str:
    if not url.startswith(("http://", "https://")) or \
            not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ValueError(f"{url!r} is not an http(s) {{z}}/{{x}}/{{y}} tile template")
    return url


def _tiles(value: Any) -> tuple[TileServer, ...]:
    """``none``; ``osm``; a ``{z}/{x}/{y}`` URL; or a list (a JSON text in the
    environment, a TOML array of tables in secrets) of ``{name, url, attribution}``."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "none", "offline"):
            return ()
        if text.lower() in ("osm", "openstreetmap"):
            return (TileServer(*OSM),)
        if not text.startswith("["):
            return (TileServer("Tiles: " + urlsplit(_template(text)).netloc, text, text),)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"not a JSON list of tile servers: {err}") from None
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected none, osm, a {z}/{x}/{y} URL or a list of tile servers")
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, Mapping) or "url" not in item:
            raise ValueError(f"tile server {i} needs at least a url")
        url = _template(str(item["url"]).strip())
        out.append(TileServer(str(item.get("name") or f"Tiles {i}").strip(), url,
                              str(item.get("attribution") or url).strip()))
    return tuple(out)


@dataclass(frozen=True)
class Setting:
    """One setting: its field, environment variable, secret key, parser and meaning."""

    field: str
    env: str
    parse: Callable[[Any], Any]
    meaning: str

    @property
    def secret(self) -> str:
        return self.field


SETTINGS: tuple[Setting, ...] = (
    Setting("db_url", "NEWS_ATLAS_DB", _text,
            "the store: an SQLite path or `sqlite:///path` (add `?mode=ro` to serve it "
            "read-only)"),
    Setting("gazetteer", "NEWS_ATLAS_GAZETTEER", _path,
            "the gazetteer index file (built on first use when missing)"),
    Setting("tiles", "NEWS_ATLAS_TILES", _tiles,
            "map tiles besides the offline basemap: `none`, `osm`, a `{z}/{x}/{y}` URL, or "
            "a list of `{name, url, attribution}` (JSON in the environment)"),
    Setting("read_only", "NEWS_ATLAS_READ_ONLY", _bool,
            "`1`: visitors only read (the store is opened read-only for them, so every "
            "write is refused); an editor who signs in may change it"),
    Setting("editor_password_hash", "NEWS_ATLAS_EDITOR_PASSWORD_HASH", _optional_text,
            "the argon2 hash of the editors' password (`python -m geo hash-password` "
            "makes it): with read-only on, an editor who signs in on the Sign in page may "
            "change the store; unset, no one can"),
    Setting("upload_limit_mb", "NEWS_ATLAS_UPLOAD_LIMIT_MB", _positive_int,
            "the largest upload, in MB (keep `server.maxUploadSize` in "
            "`.streamlit/config.toml` in step)"),
    Setting("fetch_allowed", "NEWS_ATLAS_FETCH_ALLOWED", _bool,
            "`0`: the Add page cannot fetch articles by URL"),
    Setting("fetch_allow_private", "NEWS_ATLAS_FETCH_ALLOW_PRIVATE", _bool,
            "`1`: fetching may reach private, loopback and link-local addresses (off, so "
            "a hosted dashboard cannot probe its own network)"),
    Setting("fetch_timeout", "NEWS_ATLAS_FETCH_TIMEOUT", _positive_float,
            "seconds a fetch may wait to connect or for data (the whole fetch: 6 times "
            "that)"),
    Setting("fetch_max_bytes", "NEWS_ATLAS_FETCH_MAX_BYTES", _positive_int,
            "the largest page or feed fetched, in bytes (unpacked)"),
    Setting("query_time_limit", "NEWS_ATLAS_QUERY_TIME_LIMIT", _positive_float,
            "seconds one dashboard query may run before it is stopped and the visitor "
            "asked to narrow the filters (no visitor can hold the server)"),
    Setting("row_cap", "NEWS_ATLAS_ROW_CAP", _positive_int,
            "the most rows a dashboard table (articles, actors, places, passages) lists; "
            "past it, the table says so and asks to narrow the filters"),
    Setting("map_markers", "NEWS_ATLAS_MAP_MARKERS", _positive_int,
            "the most places the map draws (the most mentioned ones; the map says so "
            "when more pass the filters): bounds what each filter change sends"),
    Setting("geocoder", "NEWS_ATLAS_GEOCODER", _geocoder,
            "`nominatim`: an online geocoder adds candidates for the names the gazetteer "
            "lacks (answers cached in the store); empty (the default): offline only"),
    Setting("geocoder_url", "NEWS_ATLAS_GEOCODER_URL", _service_url,
            f"the online geocoder's address (default `{NOMINATIM_URL}`; your own "
            "Nominatim server if you have one)"),
    Setting("geocoder_user_agent", "NEWS_ATLAS_GEOCODER_USER_AGENT", _optional_text,
            "the user agent sent to the geocoder, naming your application and a contact "
            "(Nominatim's usage policy; required with `NEWS_ATLAS_GEOCODER`)"),
    Setting("geocoder_timeout", "NEWS_ATLAS_GEOCODER_TIMEOUT", _positive_float,
            "seconds the geocoder may take to answer before the offline gazetteer is used"),
    Setting("geocoder_min_delay", "NEWS_ATLAS_GEOCODER_MIN_DELAY", _positive_float,
            "seconds between two requests to the geocoder (at least 1 for "
            "nominatim.openstreetmap.org, its usage policy)"),
    Setting("sources", "NEWS_ATLAS_SOURCES", _optional_text,
            "a sources file (CSV `source,country,region`) declaring each source's home "
            "region, which resolves its ambiguous names; `--sources` overrides it"),
    Setting("add_workers", "NEWS_ATLAS_ADD_WORKERS", _positive_int,
            "processes the Add page's background ingest analyses in (default 1: each "
            "loads the model, about 210 MB, beside the dashboard; raise it on a larger "
            "host)"),
)


def secrets_env(secrets: Mapping[str, Any],
                env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``NEWS_ATLAS_*`` variables that carry ``secrets`` to a process started from
    the dashboard (an ingest or re-analysis worker reads the environment only): one per
    secret whose variable ``env`` (default: ``os.environ``) does not already set; lists
    and tables as JSON, yes/no as ``1``/``0``."""
    env = os.environ if env is None else env
    out = {}
    for s in SETTINGS:
        if s.secret not in secrets or s.env in env:
            continue
        value = secrets[s.secret]
        if isinstance(value, bool):
            out[s.env] = "1" if value else "0"
        elif isinstance(value, (list, tuple, Mapping)):
            out[s.env] = json.dumps(value)
        else:
            out[s.env] = str(value)
    return out


def load(env: Mapping[str, str] | None = None,
         secrets: Mapping[str, Any] | None = None) -> Settings:
    """The settings from ``env`` (default: ``os.environ``), then ``secrets``, then the
    defaults. :class:`SettingsError` names the first setting that cannot be read."""
    env = os.environ if env is None else env
    secrets = secrets or {}
    values: dict[str, Any] = {}
    for s in SETTINGS:
        if s.env in env and (env[s.env].strip() or s.field == "tiles"):
            where, raw = s.env, env[s.env]
        elif s.secret in secrets:
            where, raw = f"secrets [news_atlas] {s.secret}", secrets[s.secret]
        else:
            continue
        try:
            values[s.field] = s.parse(raw)
        except ValueError as err:
            raise SettingsError(f"setting {where}: {err}") from None
    if env.get("NEWS_ATLAS_TILES_ATTRIBUTION") and len(values.get("tiles", ())) == 1:
        (only,) = values["tiles"]
        values["tiles"] = (TileServer(only.name, only.url, env["NEWS_ATLAS_TILES_ATTRIBUTION"]),)
    _check_geocoder(values)
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(secrets) - known)
    if unknown:
        raise SettingsError(f"secrets [news_atlas]: unknown setting {unknown[0]!r}; known: "
                            + ", ".join(s.field for s in SETTINGS))
    return Settings(**values)


def _check_geocoder(values: dict[str, Any]) -> None:
    """An online geocoder needs a user agent; the public Nominatim, a 1 s delay."""
    if not values.get("geocoder"):
        return
    if not values.get("geocoder_user_agent"):
        raise SettingsError(
            "setting NEWS_ATLAS_GEOCODER_USER_AGENT: the online geocoder needs a user agent "
            "naming your application and a contact, e.g. 'news-atlas (you@example.org)' "
            "(Nominatim's usage policy)")
    public = urlsplit(values.get("geocoder_url", NOMINATIM_URL)).netloc == \
        urlsplit(NOMINATIM_URL).netloc
    if public and values.get("geocoder_min_delay", 1.0) < 1.0:
        raise SettingsError("setting NEWS_ATLAS_GEOCODER_MIN_DELAY: "
                            f"{values['geocoder_min_delay']:g} is below 1 second, the most "
                            "nominatim.openstreetmap.org allows (its usage policy)")
