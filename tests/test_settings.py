"""Settings in one place (geo.settings): environment, then secrets, then defaults."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.settings import SETTINGS, Settings, SettingsError, TileServer, load

REPO = Path(__file__).resolve().parents[1]


def test_defaults_are_a_local_offline_workspace():
    s = load({})
    assert s == Settings()
    assert s.db_url is None and not s.db_named  # the default store
    assert s.gazetteer.name == "gazetteer.sqlite" and s.tiles == ()
    assert not s.read_only
    assert s.upload_limit_mb == 200 and s.fetch_allowed and not s.fetch_allow_private


def test_the_environment_wins_over_secrets_and_secrets_over_defaults():
    secrets = {"db_url": "/srv/from-secrets.sqlite", "read_only": True,
               "upload_limit_mb": 50, "tiles": [{"name": "Ours", "url":
                                                 "https://t.example/{z}/{x}/{y}.png"}]}
    s = load({"NEWS_ATLAS_DB": "/srv/from-env.sqlite"}, secrets)
    assert s.db_url == "/srv/from-env.sqlite" and s.db_named
    assert s.read_only is True and s.upload_limit_mb == 50
    assert s.tiles == (TileServer("Ours", "https://t.example/{z}/{x}/{y}.png",
                                  "https://t.example/{z}/{x}/{y}.png"),)
    assert load({"NEWS_ATLAS_READ_ONLY": "0"}, {"read_only": True}).read_only is False


@pytest.mark.parametrize("env, value", [
    ({"NEWS_ATLAS_TILES": "none"}, ()),
    ({"NEWS_ATLAS_TILES": ""}, ()),
    ({"NEWS_ATLAS_TILES": "osm"}, (TileServer(
        "Tiles: OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        "contributors"),)),
    ({"NEWS_ATLAS_TILES": "http://tiles.local/{z}/{x}/{y}.png",
      "NEWS_ATLAS_TILES_ATTRIBUTION": "Our tiles"},
     (TileServer("Tiles: tiles.local", "http://tiles.local/{z}/{x}/{y}.png", "Our tiles"),)),
    ({"NEWS_ATLAS_TILES": '[{"name": "A", "url": "https://a/{z}/{x}/{y}.png", '
                          '"attribution": "(c) A"}, {"url": "https://b/{z}/{x}/{y}.png"}]'},
     (TileServer("A", "https://a/{z}/{x}/{y}.png", "(c) A"),
      TileServer("Tiles 2", "https://b/{z}/{x}/{y}.png", "https://b/{z}/{x}/{y}.png"))),
])
def test_tile_servers(env, value):
    assert load(env).tiles == value


@pytest.mark.parametrize("env, secrets, message", [
    ({"NEWS_ATLAS_READ_ONLY": "maybe"}, {},
     "setting NEWS_ATLAS_READ_ONLY: 'maybe' is not a yes/no value"),
    ({"NEWS_ATLAS_UPLOAD_LIMIT_MB": "lots"}, {},
     "setting NEWS_ATLAS_UPLOAD_LIMIT_MB: 'lots' is not a whole number"),
    ({}, {"upload_limit_mb": 0}, "setting secrets [news_atlas] upload_limit_mb: 0 is not positive"),
    ({"NEWS_ATLAS_TILES": "not a template"}, {},
     "setting NEWS_ATLAS_TILES: 'not a template' is not an http(s) {z}/{x}/{y} tile template"),
    ({"NEWS_ATLAS_TILES": "javascript:alert(1)//{z}{x}{y}"}, {}, "is not an http(s)"),
    ({"NEWS_ATLAS_TILES": "[1, 2"}, {}, "not a JSON list of tile servers"),
    ({}, {"read_onyl": True}, "unknown setting 'read_onyl'"),
    ({"NEWS_ATLAS_GEOCODER": "google"}, {},
     "setting NEWS_ATLAS_GEOCODER: 'google' is not an online geocoder News Atlas knows"),
    ({"NEWS_ATLAS_GEOCODER": "nominatim"}, {},
     "setting NEWS_ATLAS_GEOCODER_USER_AGENT: the online geocoder needs a user agent"),
    ({"NEWS_ATLAS_GEOCODER_URL": "ftp://x"}, {},
     "setting NEWS_ATLAS_GEOCODER_URL: 'ftp://x' is not an http(s) address"),
    ({"NEWS_ATLAS_GEOCODER": "nominatim", "NEWS_ATLAS_GEOCODER_USER_AGENT": "us",
      "NEWS_ATLAS_GEOCODER_MIN_DELAY": "0.2"}, {},
     "setting NEWS_ATLAS_GEOCODER_MIN_DELAY: 0.2 is below 1 second, the most "
     "nominatim.openstreetmap.org allows"),
])
def test_a_bad_value_names_the_setting_and_the_reason(env, secrets, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load(env, secrets)


def test_the_online_geocoder_is_off_unless_named():
    assert load({}).geocoder == "" and load({"NEWS_ATLAS_GEOCODER": "none"}).geocoder == ""
    s = load({"NEWS_ATLAS_GEOCODER_MIN_DELAY": "0.2"},  # own server: any delay
             {"geocoder": "Nominatim", "geocoder_user_agent": "newsroom (a@b.org)",
              "geocoder_url": "http://127.0.0.1:8080/nominatim/", "geocoder_timeout": 3})
    assert (s.geocoder, s.geocoder_url, s.geocoder_user_agent, s.geocoder_timeout,
            s.geocoder_min_delay) == ("nominatim", "http://127.0.0.1:8080/nominatim",
                                      "newsroom (a@b.org)", 3.0, 0.2)
    assert Settings().geocoder_url == "https://nominatim.openstreetmap.org"
    assert Settings().geocoder_min_delay == 1.0


def test_every_setting_is_in_the_readme_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in
            re.finditer(r"^\| `(NEWS_ATLAS_[A-Z_]+)` \| `([a-z_]+)` \|", readme, re.M)}
    assert {s.env: s.field for s in SETTINGS} == \
        {env: key for env, key in rows.items() if env in {s.env for s in SETTINGS}}
    assert set(rows) - {s.env for s in SETTINGS} <= {"NEWS_ATLAS_TILES_ATTRIBUTION"}


def test_streamlit_config_keeps_safe_server_defaults_in_step_with_the_settings():
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] == Settings().upload_limit_mb
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def test_read_only_url_opens_a_writable_store_read_only(tmp_path):
    from geo.store import Store
    from geo.store.connect import read_only_url

    path = tmp_path / "s.sqlite"
    Store.open(str(path)).close()
    for url in (str(path), f"sqlite:///{path}"):
        assert read_only_url(url) == f"sqlite:///{path}?mode=ro"
        with Store.open(read_only_url(url)) as store:
            assert store.read_only
    assert read_only_url(":memory:") == ":memory:"


def test_the_command_line_names_a_bad_setting(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "NEWS_ATLAS_DB": str(tmp_path / "s.sqlite"),
           "NEWS_ATLAS_TILES": "ftp://tiles/{z}/{x}/{y}"}
    done = subprocess.run([sys.executable, "-m", "geo", "export", "--format", "csv"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: setting NEWS_ATLAS_TILES: 'ftp://tiles/{z}/{x}/{y}'"
                                   " is not an http(s) {z}/{x}/{y} tile template")
    assert not (tmp_path / "s.sqlite").exists()
