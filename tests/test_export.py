"""`python -m geo export --format html`: one self-contained, offline map file."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.store import Store

BACKENDS = ("sqlite", "postgresql")  # dashboard_db, sample_db (tests/conftest.py)

REPO = Path(__file__).resolve().parents[1]
MANY = 400  # more places than the old export gave passages to (300)


def build_many_store(path: Path) -> str:
    """A store of ``MANY`` small articles, each naming its own town and the one hub."""
    from geo.models import Article, GazetteerEntry
    from tests.data.dashboard.fixture_articles import _build

    hub = GazetteerEntry("test:hub", "Hub City", 50.0, 10.0, "city", "DE", "P", "PPLA")
    with Store.open(str(path)) as store:
        for i in range(MANY):
            town = GazetteerEntry(f"test:town{i}", f"Town{i}", 40 + (i % 20) * 0.5,
                                  -5 + (i // 20) * 0.7, "city", "FR", "P", "PPL")
            art = Article(f"many{i:05d}", "", f"Council meets in Town{i}",
                          f"https://example.org/news/{i}", "Example Post",
                          f"2024-01-{1 + i % 28:02d}")
            store.save(_build(art, [f"Officials in Town{i} met on Monday.",
                                    f"Later they travelled to Hub City, story {i}."],
                              [(0, f"Town{i}", town, "place", "population", 0.9),
                               (1, "Hub City", hub, "place", "population", 0.95)], []))
    return str(path)


@pytest.fixture(scope="module")
def many_db(tmp_path_factory) -> str:
    return build_many_store(tmp_path_factory.mktemp("many") / "many.sqlite")


@pytest.fixture
def exported(sample_db, tmp_path) -> Path:
    out = tmp_path / "map.html"
    assert main(["export", "--format", "html", "--db", sample_db, "--out", str(out)]) == 0
    return out


def test_html_export_loads_nothing_from_the_network(exported):
    html = exported.read_text(encoding="utf-8")
    assert not re.findall(r"""(?:src|href)=["']https?://""", html)
    assert "L.markerClusterGroup" in html and "Khasan" in html
    assert "data:text/javascript;base64," in html


def test_geojson_export_of_the_sample(sample_db, tmp_path):
    import json

    out = tmp_path / "p.geojson"
    main(["export", "--format", "geojson", "--db", sample_db, "--out", str(out)])
    features = {f["properties"]["name"]: f for f in json.loads(out.read_text())["features"]}
    lon, lat = features["Khasan"]["geometry"]["coordinates"]
    assert abs(lat - 42.43) < 0.2 and abs(lon - 130.64) < 0.2
    assert features["Russia"]["properties"]["mentions"] > features["Khasan"]["properties"]["mentions"]


@pytest.mark.browser
def test_html_export_draws_markers_offline_in_chromium(exported):
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(exported.as_uri())
        page.wait_for_selector(".na-marker, .marker-cluster", timeout=10_000)
        # the country outlines (the offline basemap) come from an inlined GeoJSON
        page.wait_for_function("document.querySelectorAll('svg path').length > 100",
                               timeout=10_000)
        assert page.locator(".na-marker, .marker-cluster").count() > 3
        browser.close()
    assert not errors
    assert not [u for u in requests if u.startswith(("http:", "https:"))]


def test_export_into_a_closed_pipe_exits_quietly(many_db):
    """`python -m geo export ... | head -1`: the reader stops after one line; the export
    (far more than a pipe's 64 KiB buffer, line by line) stops quietly."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "export", "--format", "jsonl", "--db", many_db],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert json.loads(first)["id"]
    assert "Traceback" not in err and "BrokenPipe" not in err, err
