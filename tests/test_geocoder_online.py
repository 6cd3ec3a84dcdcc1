"""The online geocoder that adds candidates (geo.geocoders.CandidateSource): geopy's real
Nominatim and RateLimiter against a real HTTP server on 127.0.0.1 that answers like
Nominatim's /search (its errors too), with its answers cached in a real store."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from geo.gazetteer import Gazetteer
from geo.geocoders import (
    CandidateSource, FAILURE_PAUSE_S, candidate_source, from_online, nominatim_entry,
    query_key,
)
from geo.models import AnalyzedArticle, Article, GazetteerEntry, Passage, PlaceMention
from geo.resolve import Resolver
from geo.settings import load
from geo.store import Store
from geo.store.schema import MIGRATIONS

REPO = Path(__file__).resolve().parents[1]

# what the server knows: Nominatim's format=json results (address with addressdetails=1)
WETWANG = {"place_id": 1217, "osm_type": "node", "osm_id": 29380515, "lat": "54.0180",
           "lon": "-0.5787", "display_name": "Wetwang, East Riding of Yorkshire, England, "
           "United Kingdom", "class": "place", "type": "village", "importance": 0.3512,
           "address": {"village": "Wetwang", "state": "England", "country": "United Kingdom",
                       "country_code": "gb"}}
KNOWN = {
    "wetwang": [WETWANG],
    "little snoring": [{
        "place_id": 88, "osm_type": "relation", "osm_id": 1443, "lat": "52.86",
        "lon": "0.91", "display_name": "Little Snoring, Norfolk, England, United Kingdom",
        "class": "boundary", "type": "administrative", "addresstype": "village",
        "place_rank": 19, "importance": 0.42,
        "address": {"village": "Little Snoring", "country_code": "gb"}}],
}


class _Nominatim(BaseHTTPRequestHandler):
    """/search?format=json&q=...&limit=... like Nominatim; the server's ``script`` is a
    list of faults for the next requests: 429, 503, "slow", "broken"."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        args = {k: v[0] for k, v in parse_qs(url.query).items()}
        server = self.server
        server.requests.append((time.monotonic(), args.get("q"), args, self.headers["User-Agent"]))
        fault = server.script.pop(0) if server.script else None
        if fault == 429:
            return self._send(429, b'{"error": "rate limited"}', {"Retry-After": "1"})
        if fault == 503:
            return self._send(503, b"<html>Service Unavailable</html>")
        if fault == "slow":
            time.sleep(1.5)
        if url.path != "/search" or args.get("format") != "json":
            return self._send(400, b'{"error": "bad request"}')
        hits = [dict(h) for h in KNOWN.get(args.get("q", "").casefold(), [])]
        if args.get("addressdetails") != "1":
            for h in hits:
                h.pop("address", None)
        body = b'[{"place_id": 1, "lat": "5' if fault == "broken" else \
            json.dumps(hits[:int(args.get("limit", 10))]).encode()
        self._send(200, body)

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (the slow answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    httpd.requests, httpd.script = [], []
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _env(server, **more: str) -> dict[str, str]:
    return {"NEWS_ATLAS_GEOCODER": "nominatim", "NEWS_ATLAS_GEOCODER_URL": server.url,
            "NEWS_ATLAS_GEOCODER_USER_AGENT": "news-atlas-tests (tests@example.org)",
            "NEWS_ATLAS_GEOCODER_MIN_DELAY": "0.05", "NEWS_ATLAS_GEOCODER_TIMEOUT": "0.5",
            **more}


def _source(server, gazetteer: Gazetteer, store: Store | None = None, **more: str
            ) -> CandidateSource:
    return candidate_source(gazetteer, load(_env(server, **more)), store=store)


def _article(text: str, names: list[str]) -> tuple[Article, list[PlaceMention]]:
    article = Article(id="a1", text=text, path="a1.txt")
    mentions = [PlaceMention(start=text.index(n), end=text.index(n) + len(n), text=n,
                             passage_id="a1-p0", kind="place", label="GPE") for n in names]
    return article, mentions


TEXT = "Floods reached Wetwang on Monday; Vladivostok was spared."


def test_a_name_the_gazetteer_lacks_is_resolved_from_the_server_and_stored(
        server, tiny_gazetteer: Gazetteer, store_url: str) -> None:
    with Store.open(store_url) as store:
        source = _source(server, tiny_gazetteer, store)
        article, mentions = _article(TEXT, ["Wetwang", "Vladivostok"])
        Resolver(tiny_gazetteer, source=source).resolve(mentions, TEXT)
        wetwang, vladivostok = mentions
        # only the name the gazetteer lacks was asked, with the details geopy asks for
        assert [q for _, q, _, _ in server.requests] == ["Wetwang"]
        _, _, args, agent = server.requests[0]
        assert args["addressdetails"] == "1" and args["limit"] == "10"
        assert agent == "news-atlas-tests (tests@example.org)"
        assert wetwang.place.id == "osm:N29380515" and wetwang.place.kind == "city"
        assert wetwang.place.country_code == "GB" and from_online(wetwang.place) == "Nominatim"
        assert vladivostok.place.id == "gn:2013348" and from_online(vladivostok.place) is None
        passage = Passage("a1-p0", "a1", 0, 0, len(TEXT), TEXT)
        assert store.save(AnalyzedArticle(article, [passage], mentions))
        row = store.conn.execute("SELECT p.name, p.lat, p.source FROM place_mentions m JOIN"
                                 " places p ON p.id = m.place_id WHERE m.text = 'Wetwang'"
                                 ).fetchone()
        assert tuple(row) == ("Wetwang", 54.018, "nominatim: " + WETWANG["display_name"])
        cached = store.conn.execute("SELECT geocoder, query, answer FROM geocoder_cache"
                                    ).fetchall()
        assert [(g, q, json.loads(a)[0]["osm_id"]) for g, q, a in cached] == \
            [(f"nominatim {server.url}", "wetwang", 29380515)]

    # a second run (a new process's source on the same store) asks the server nothing
    with Store.open(store_url) as store:
        source = _source(server, tiny_gazetteer, store)
        _, again = _article(TEXT, ["Wetwang", "Vladivostok"])
        Resolver(tiny_gazetteer, source=source).resolve(again, TEXT)
        assert again[0].place.id == "osm:N29380515"
        assert len(server.requests) == 1


def test_the_map_popup_says_a_place_came_from_nominatim(server, tiny_gazetteer) -> None:
    from geo import query
    from geo.maps import marker_layers_data
    from geo.query import Filters

    with Store.open(":memory:") as store:
        article, mentions = _article(TEXT, ["Wetwang", "Vladivostok"])
        Resolver(tiny_gazetteer, source=_source(server, tiny_gazetteer)).resolve(mentions, TEXT)
        store.save(AnalyzedArticle(article, [Passage("a1-p0", "a1", 0, 0, len(TEXT), TEXT)],
                                   mentions))
        places = query.place_table(store, Filters())
        data = marker_layers_data(places, query.place_snippets(
            store, Filters(), list(places["place_id"])), reader_href=lambda *a: "#",
            place_href=lambda p: f"#{p}")["specific"]
    why = {name: data["whys"][code] if code >= 0 else "" for name, code
           in zip(data["name"], data["why"])}
    assert why["Wetwang"].endswith("From Nominatim (OpenStreetMap data).")
    assert "Nominatim" not in why["Vladivostok"]


def test_the_geopy_shaped_call_gives_locations_whose_raw_is_a_gazetteer_row(
        server, tiny_gazetteer: Gazetteer) -> None:
    source = _source(server, tiny_gazetteer)
    found = source.geocode("Khasan", exactly_one=False, limit=5)
    assert [loc.raw["id"] for loc in found] == ["cur:khasan-ru", "gn:1270239"]
    online = source.geocode("Little Snoring")
    assert online.raw["id"] == "osm:R1443" and online.raw["kind"] == "city"
    assert (online.latitude, online.longitude) == (52.86, 0.91)
    assert source.geocode("Atlantis") is None
    # the typed view is the same answer
    for name in ("Khasan", "Little Snoring", "Atlantis"):
        assert source.candidates(name) == [GazetteerEntry(**loc.raw) for loc in
                                           source.geocode(name, exactly_one=False) or ()]
    # each name once per run: Khasan is the gazetteer's, Atlantis asked once
    source.geocode("atlantis ")
    assert [q for _, q, _, _ in server.requests] == ["Little Snoring", "Atlantis"]


def test_nothing_found_is_cached_until_it_expires(server, tiny_gazetteer, store_url) -> None:
    db = store_url
    with Store.open(db) as store:
        assert _source(server, tiny_gazetteer, store).candidates("Atlantis") == []
        assert store.conn.execute("SELECT answer FROM geocoder_cache").fetchone()[0] == "[]"
        assert _source(server, tiny_gazetteer, store).candidates("ATLANTIS") == []
        assert len(server.requests) == 1  # the second source read the cache
        store.conn.execute("UPDATE geocoder_cache SET fetched_at = '2000-01-01T00:00:00+00:00'")
        store.conn.commit()
        _source(server, tiny_gazetteer, store).candidates("Atlantis")
        assert len(server.requests) == 2  # an expired "nothing" is asked again


def test_a_read_only_store_reads_the_cache_and_writes_nothing(server, tiny_gazetteer,
                                                              tmp_path) -> None:
    db = tmp_path / "s.sqlite"
    with Store.open(str(db)) as store:
        _source(server, tiny_gazetteer, store).candidates("Wetwang")
    before = db.read_bytes()
    with Store.open(f"sqlite:///{db}?mode=ro") as store:
        assert store.read_only
        source = _source(server, tiny_gazetteer, store)
        assert source.candidates("Wetwang")[0].id == "osm:N29380515"  # from the cache
        assert source.candidates("Little Snoring")[0].id == "osm:R1443"  # asked, not kept
    assert [q for _, q, _, _ in server.requests] == ["Wetwang", "Little Snoring"]
    assert db.read_bytes() == before


@pytest.mark.parametrize("fault, requests", [
    (503, 2), ("slow", 2), ("broken", 2),  # retried once by geopy's RateLimiter
    (429, 1),  # not retried at once: the server said when (Retry-After)
])
def test_a_failing_service_falls_back_to_offline_logged_once(
        server, tiny_gazetteer, tmp_path, caplog, fault, requests) -> None:
    server.script = [fault] * 2
    with Store.open(str(tmp_path / "s.sqlite")) as store, \
            caplog.at_level(logging.DEBUG, logger="geo.geocoders"):
        source = _source(server, tiny_gazetteer, store)
        article, mentions = _article(TEXT, ["Wetwang", "Vladivostok"])
        Resolver(tiny_gazetteer, source=source).resolve(mentions, TEXT)
        assert mentions[0].place is None and mentions[0].rule == "no candidate"
        assert mentions[1].place.id == "gn:2013348"  # the gazetteer still answers
        assert source.candidates("Little Snoring") == []  # resting: not asked
        passage = Passage("a1-p0", "a1", 0, 0, len(TEXT), TEXT)
        assert store.save(AnalyzedArticle(article, [passage], mentions))
        assert store.conn.execute("SELECT count(*) FROM geocoder_cache").fetchone()[0] == 0
    assert len(server.requests) == requests
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "using the offline gazetteer only" in warnings[0].message


def test_after_a_429_the_service_is_asked_again_once_retry_after_has_passed(
        server, tiny_gazetteer) -> None:
    server.script = [429]
    source = _source(server, tiny_gazetteer)
    assert source.candidates("Wetwang") == []
    assert source.candidates("Little Snoring") == []  # within Retry-After: 1 s
    assert len(server.requests) == 1
    time.sleep(1.1)
    assert source.candidates("Wetwang")[0].id == "osm:N29380515"
    assert [q for _, q, _, _ in server.requests] == ["Wetwang", "Wetwang"]
    assert FAILURE_PAUSE_S >= 60  # a failure without Retry-After rests a minute


def test_the_rate_limiter_spaces_requests(server, tiny_gazetteer) -> None:
    source = _source(server, tiny_gazetteer, NEWS_ATLAS_GEOCODER_MIN_DELAY="0.5")
    for name in ("Wetwang", "Little Snoring", "Atlantis", "Lyonesse"):
        source.candidates(name)
    times = [t for t, _, _, _ in server.requests]
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:])]
    # (the limiter spaces the calls' starts; on a loaded machine a request may reach the
    # server up to ~0.1 s late, so its gap to the next one shows shorter; unlimited, the
    # gaps are a few milliseconds)
    assert min(gaps) >= 0.35 and sum(gaps) >= 3 * 0.45, gaps


def test_with_the_setting_off_no_request_is_made(server, tiny_gazetteer) -> None:
    # the address is set, the geocoder is not: offline only
    settings = load({"NEWS_ATLAS_GEOCODER_URL": server.url})
    source = candidate_source(tiny_gazetteer, settings)
    assert source.online is None
    article, mentions = _article(TEXT, ["Wetwang", "Vladivostok"])
    Resolver(tiny_gazetteer, source=source).resolve(mentions, TEXT)
    assert mentions[0].place is None and mentions[1].place.id == "gn:2013348"
    assert server.requests == []


def test_nominatim_results_become_rankable_gazetteer_rows() -> None:
    village = nominatim_entry(WETWANG)
    assert (village.kind, village.feature_class, village.feature_code) == ("city", "P", "PPL")
    assert village.population == round(10 ** (8 * 0.3512)) and village.country_code == "GB"
    state = nominatim_entry({"place_id": 5, "lat": "40", "lon": "-89", "class": "boundary",
                             "type": "administrative", "place_rank": 8, "importance": 0.7,
                             "display_name": "Illinois, United States"})
    assert (state.id, state.name, state.kind) == ("osm:place5", "Illinois", "admin1")
    assert state.country_code is None  # no address asked: no country
    river = nominatim_entry({"place_id": 6, "osm_type": "way", "osm_id": 9, "lat": "1",
                             "lon": "2", "class": "waterway", "type": "river",
                             "name": "Razdolnaya", "display_name": "Razdolnaya, Russia"})
    assert (river.id, river.kind, river.feature_class, river.population) == \
        ("osm:W9", "water", "H", 0)
    shop = nominatim_entry({"place_id": 7, "lat": "1", "lon": "2", "class": "shop",
                            "type": "bakery", "display_name": "Titan, Main Street"})
    assert shop.kind == "landmark" and shop.feature_class == "S"
    with pytest.raises(ValueError):
        nominatim_entry({"place_id": 8, "lat": "95", "lon": "2", "display_name": "X"})
    assert query_key("  São\u0303  PAULO ") == query_key("são\u0303 paulo")


def test_the_cache_is_one_migration_at_the_end() -> None:
    assert "CREATE TABLE geocoder_cache" in MIGRATIONS[-1]


@pytest.mark.gazetteer
@pytest.mark.model
def test_ingest_and_reanalyse_on_the_command_line_use_the_server_then_the_cache(
        server, tmp_path) -> None:
    """`python -m geo ingest` as a user runs it, with the settings in the environment:
    the name the gazetteer lacks comes from the server and is stored; re-analysis asks
    the cache; with the server failing, the batch is still ingested, offline."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "flood.txt").write_text(
        "Flood in Norfolk\n\nThe river burst its banks in Little Snoring, a village in "
        "Norfolk, on Monday. Residents of Little Snoring were moved to a school in "
        "Fakenham.\n", encoding="utf-8")
    env = {**os.environ, **_env(server, NEWS_ATLAS_GEOCODER_TIMEOUT="2")}
    env.setdefault("NEWS_ATLAS_GAZETTEER", str(REPO / "data" / "gazetteer.sqlite"))

    def geo(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=600)

    db = tmp_path / "s.sqlite"
    run = geo("ingest", str(folder), "--db", str(db))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    asked = [q for _, q, _, _ in server.requests]
    assert "Little Snoring" in asked and "Norfolk" not in asked  # the gazetteer has Norfolk
    with Store.open(str(db)) as store:
        rows = store.conn.execute("SELECT m.place_id, p.source FROM place_mentions m JOIN"
                                  " places p ON p.id = m.place_id WHERE m.text = ?",
                                  ("Little Snoring",)).fetchall()
        article_id = store.conn.execute("SELECT id FROM articles").fetchone()[0]
    assert rows and {tuple(r) for r in rows} == {
        ("osm:R1443", "nominatim: Little Snoring, Norfolk, England, United Kingdom")}
    run = geo("reanalyse", article_id, "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert len(server.requests) == len(asked)  # the cache answered every name

    server.script = [503] * 10
    db2 = tmp_path / "s2.sqlite"
    run = geo("ingest", str(folder), "--db", str(db2))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.count("using the offline gazetteer only") == 1, run.stderr
    with Store.open(str(db2)) as store:
        assert store.article_count() == 1
        assert store.conn.execute("SELECT count(*) FROM place_mentions WHERE place_id"
                                  " LIKE 'osm:%'").fetchone()[0] == 0


def test_settings_given_only_as_secrets_reach_the_dashboards_ingest_worker(
        server, tmp_path, monkeypatch) -> None:
    """The Add page's worker is a process of its own that reads the environment: the
    dashboard hands it the settings it has from Streamlit's secrets
    (``secrets_env``), so a geocoder set only there is used by the worker too."""
    from geo import jobs
    from geo.settings import secrets_env
    from tests.test_jobs import wait_for

    for name in _env(server):
        monkeypatch.delenv(name, raising=False)
    secrets = {key.removeprefix("NEWS_ATLAS_").lower(): value
               for key, value in _env(server, NEWS_ATLAS_GEOCODER_TIMEOUT="2").items()}
    env = secrets_env(secrets)
    assert env["NEWS_ATLAS_GEOCODER_URL"] == server.url
    monkeypatch.setenv("NEWS_ATLAS_GAZETTEER",
                       os.environ.get("NEWS_ATLAS_GAZETTEER",
                                      str(REPO / "data" / "gazetteer.sqlite")))
    story = tmp_path / "flood.txt"
    story.write_text("Flood in Norfolk\n\nThe river burst its banks in Little Snoring, a"
                     " village in Norfolk, on Monday.\n", encoding="utf-8")
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        job_id, _ = jobs.new_upload(store)
        jobs.launch_ingest(store, job_id, [story], env=env)
        job = wait_for(lambda: (j := jobs.job_status(store, job_id)).finished and j)
        assert job.summary["added"] == 1, job
        assert "Little Snoring" in [q for _, q, _, _ in server.requests]
        assert store.conn.execute("SELECT count(*) FROM place_mentions WHERE place_id"
                                  " = 'osm:R1443'").fetchone()[0] == 1


def test_secrets_become_variables_the_environment_does_not_already_set() -> None:
    from geo.settings import load, secrets_env

    tiles = [{"name": "T", "url": "https://t.example.org/{z}/{x}/{y}.png",
              "attribution": "T"}]
    env = secrets_env({"read_only": True, "row_cap": 50, "tiles": tiles,
                       "fetch_allowed": False, "db_url": "/srv/a.sqlite"},
                      {"NEWS_ATLAS_DB": "/srv/b.sqlite"})
    assert env == {"NEWS_ATLAS_READ_ONLY": "1", "NEWS_ATLAS_ROW_CAP": "50",
                   "NEWS_ATLAS_TILES": json.dumps(tiles), "NEWS_ATLAS_FETCH_ALLOWED": "0"}
    s = load(env)  # what the worker reads back
    assert s.read_only and s.row_cap == 50 and not s.fetch_allowed
    assert [t.url for t in s.tiles] == [tiles[0]["url"]]
