"""Security: hostile article text, titles, sources, actor names, place names, editor names
and file names are inert everywhere (issue 12, section 5).

The store: a JSON Lines record and a text file named ``"><svg onload=alert(9)>.txt``,
both full of script and Markdown injection, go through the real ``python -m geo ingest``
(the pipeline keeps the title, source, URL and text as they are; the actor and place
names the model and gazetteer find are real ones, so a hostile actor and a hostile
place are stored directly, as the store stores any analysed article); then a place
correction with a hostile name, an actor renamed to a hostile name, both by an editor
with a hostile name. Real Chromium opens every page of ``streamlit run dashboard.py``
on it, its map popups and marker titles, and the Add page's job summary after an upload
of hostile file names; every export format is written to disk and opened (the HTML map
in Chromium, the rest parsed). No dialog fires, no injected element exists, in the page
or the map's frame, and the text shows as text.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.test_browser import _serve, browser, map_frame, page, wait_idle  # noqa: F401
from tests.test_export_html import _zoom_to

pytestmark = [pytest.mark.browser, pytest.mark.gazetteer, pytest.mark.model]

PAYLOADS = ['<script>alert("s")</script>', '<img src=x onerror=alert("i")>',
            '"><svg onload=alert("v")>', "[a](javascript:alert('m'))", "**x**",
            '<a href="javascript:alert(\'h\')">h</a>', "' onmouseover='alert(\"q\")' x='",
            "<iframe src=javascript:alert('f')></iframe>", ":red[red] $x$"]
H = " ".join(PAYLOADS)
TITLE = "Train " + H
SOURCE = "CBC " + H
RECORD = {"id": "hostile-rec-1", "title": TITLE, "date": "2023-09-12", "source": SOURCE,
          "url": " JaVa\tScRiPt:alert('u')",
          "text": "North Korea's leader Kim Jong-un arrived by armoured train in Khasan. "
                  f"{H} Then he went to Vladivostok, where Vladimir Putin met him. {H}"}
FILE_NAME = '"><svg onload=alert(9)>.txt'
FILE_TEXT = ("Storm <img src=x onerror=alert(8)> hits Cork\n\nA storm hit Cork, Ireland, and"
             " roads near Kinsale flooded. <script>alert(7)</script>\n")
PLACE_ID, PLACE_NAME, ACTOR = "test:hostile-town", "Town " + H, "Agent " + H
EDITOR, POINT = "Editor " + H, "Point " + H
# what must never be in a page: an element a payload would have made
INJECTED = """() => {
    const sel = 'svg[onload], img[onerror], [onmouseover], [onerror], [formaction]';
    const bad = [...document.querySelectorAll(sel)].map(e => e.outerHTML.slice(0, 160));
    const scheme = (u) => { try { return new URL(u, document.baseURI).protocol; }
                            catch (e) { return ""; } };  // as the browser reads it
    for (const e of document.querySelectorAll('[href], [src], form[action]')) {
        const u = e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action');
        if (scheme(u) === 'javascript:') bad.push(e.outerHTML.slice(0, 160));
    }
    for (const s of document.scripts) {
        if (/^alert\\(/.test(s.textContent.trim())) bad.push(s.outerHTML.slice(0, 160));
    }
    for (const e of document.querySelectorAll('[onload]')) {
        if (/alert/.test(e.getAttribute('onload'))) bad.push(e.outerHTML.slice(0, 160));
    }
    return bad;
}"""


def add_hostile_names(db: str) -> None:
    """A hostile place and actor (stored as analysed), a place correction with a hostile
    name and an actor renamed to one, by an editor whose name is hostile."""
    from geo import corrections_actors, corrections_places
    from geo.models import Article, GazetteerEntry
    from geo.store import Store
    from tests.data.dashboard.fixture_articles import _build

    place = GazetteerEntry(PLACE_ID, PLACE_NAME, 40.5, 128.5, "city", "KP")
    analyzed = _build(Article("hostilenames0001", "", TITLE, None, SOURCE, "2023-09-13"),
                      [f"People gathered in {PLACE_NAME} around {ACTOR}."],
                      [(0, PLACE_NAME, place, "place", None, None)],
                      [(0, ACTOR, ACTOR, "PERSON")])
    with Store.open(db) as store:
        store.save(analyzed)
        khasan = store.conn.execute(
            "SELECT id FROM place_mentions WHERE text = 'Khasan' LIMIT 1").fetchone()[0]
        corrections_places.correct_mention(
            store, khasan, "point", author=EDITOR,
            place=corrections_places.point_place(POINT, 42.5, 130.7, country_code="RU"))
        corrections_actors.rename_actor(store, ("Vladimir Putin", "PERSON"), "Putin " + H,
                                        author=EDITOR)


@pytest.fixture(scope="module")
def store(tmp_path_factory, full_gazetteer) -> str:
    from tests.data.dashboard.mixed_store import ingest

    folder = tmp_path_factory.mktemp("hostile")
    inbox = folder / "input"
    inbox.mkdir()
    (inbox / "feed.jsonl").write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    (inbox / FILE_NAME).write_text(FILE_TEXT, encoding="utf-8")
    db = str(folder / "store" / "hostile.sqlite")
    Path(db).parent.mkdir()
    done = ingest([inbox], db)
    assert done.returncode == 0, done.stdout + done.stderr
    add_hostile_names(db)
    return db


@pytest.fixture(scope="module")
def server(store):
    yield from _serve(store)  # a local workspace: the editing pages are there too


def _ids(store: str) -> dict[str, str]:
    from geo.store import Store

    with Store.open(store, read_only=True) as s:
        one = lambda sql: s.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"article": one("SELECT id FROM articles WHERE source LIKE 'CBC <script>%'"
                               " ORDER BY published LIMIT 1"),
                "file": one("SELECT id FROM articles WHERE title LIKE 'Storm%'"),
                "mention": str(one(f"SELECT id FROM place_mentions WHERE place_id ="
                                   f" '{PLACE_ID}'")),
                "passage": one("SELECT passage_id FROM place_mentions WHERE text = 'Khasan'"
                               " ORDER BY id LIMIT 1"),
                "vladivostok": one("SELECT place_id FROM place_mentions"
                                   " WHERE text = 'Vladivostok' LIMIT 1")}


def assert_inert(tab, where: str) -> None:
    """No dialog fired, no injected element in the page or any of its frames."""
    assert tab.dialogs == [], (where, tab.dialogs)
    for frame in tab.frames:
        try:
            bad = frame.evaluate(INJECTED)
        except Exception:  # noqa: BLE001 - a frame being replaced
            continue
        assert bad == [], (where, frame.url[:80], bad)


def _settle(tab) -> None:
    wait_idle(tab)
    tab.wait_for_timeout(500)


def test_every_page_shows_hostile_values_as_text(server, store, page):  # noqa: F811
    ids = _ids(store)
    views = {
        "/": None, f"/?place={quote(PLACE_ID)}": PLACE_NAME,
        "/places": None, f"/places?place={quote(PLACE_ID)}": PLACE_NAME,
        f"/places?place={quote(ids['vladivostok'])}": TITLE,
        "/articles": None, f"/articles?article={ids['article']}&passage={ids['passage']}":
        TITLE, f"/articles?article=hostilenames0001": ACTOR,
        f"/articles?article={ids['file']}": "Storm <img src=x onerror=alert(8)> hits Cork",
        "/actors": None, "/corrections": EDITOR, "/manage": None,
        f"/fix?mention={ids['mention']}": PLACE_NAME, "/add": None,
    }
    for path, shown in views.items():
        page.goto(server + path)
        _settle(page)
        if path.startswith("/?") or path == "/":
            map_frame(page).locator(".na-marker, .marker-cluster").first.wait_for(
                timeout=15000)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "Traceback" not in main and "could not be shown" not in main, (path, main)
        if shown:  # the hostile text, character for character (Markdown not applied)
            assert " ".join(shown.split()) in " ".join(main.split()), (path, main[:600])
        assert_inert(page, path)
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.external == []
    # the checks see an injection when there is one: plant one as a payload would
    page.evaluate("() => { const d = document.createElement('div');"
                  " d.innerHTML = '<img src=x onerror=alert(\"planted\")>';"
                  " document.body.append(d); }")
    page.wait_for_timeout(500)
    assert page.dialogs == ["planted"] and len(page.evaluate(INJECTED)) == 1


def test_popups_and_marker_titles_show_hostile_values_as_text(server, store, page):  # noqa: F811
    page.goto(f"{server}/?place={quote(PLACE_ID)}")
    frame = map_frame(page)
    marker = frame.locator(".na-marker").filter(has_text="")
    frame.locator(".na-marker, .marker-cluster").first.wait_for(timeout=15000)
    titles = frame.evaluate("() => [...document.querySelectorAll('.na-marker')]"
                            ".map(m => m.getAttribute('title'))")
    assert PLACE_NAME in titles, titles  # the tooltip: the name as an attribute's text
    marker = frame.locator(".na-marker").nth(titles.index(PLACE_NAME))
    marker.dispatch_event("mouseover")
    marker.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    text = " ".join(popup.inner_text().split())
    assert " ".join(PLACE_NAME.split()) in text and " ".join(ACTOR.split())[:40] in text
    page.wait_for_timeout(500)
    assert_inert(page, "the hostile place's popup")
    # Vladivostok's popup: the hostile article's title, source and passage in its snippets
    page.goto(f"{server}/?place={quote(_ids(store)['vladivostok'])}")
    frame = map_frame(page)
    vladivostok = frame.locator('.na-marker[title="Vladivostok"]')
    vladivostok.wait_for(timeout=15000)
    vladivostok.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "<img src=x onerror=alert(\"i\")>" in popup.inner_text()
    page.wait_for_timeout(500)
    assert_inert(page, "Vladivostok's popup")


EXPORTS = ("csv", "geojson", "geojson-mentions", "jsonl", "html")


def test_every_export_carries_hostile_values_as_data(store, tmp_path):
    """Each format written to disk and read back: the values are there, unchanged, as
    data (a CSV cell, a JSON string), never as markup or a formula."""
    from geo.export import FORMATS, export_bytes
    from geo.store import Store

    assert set(FORMATS) == set(EXPORTS)  # a new format gets a check here
    with Store.open(store, read_only=True) as s:
        files = {fmt: tmp_path / f"export.{fmt}" for fmt in EXPORTS}
        for fmt, path in files.items():
            path.write_bytes(export_bytes(s, fmt))
    rows = list(csv.DictReader(files["csv"].open(encoding="utf-8", newline="")))
    assert any(r.get("title") == TITLE and r.get("source") == SOURCE for r in rows), rows[:2]
    assert any(r.get("place_name", r.get("name")) == PLACE_NAME for r in rows), rows[0].keys()
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values() if v)
    places = json.loads(files["geojson"].read_text(encoding="utf-8"))
    assert PLACE_NAME in [f["properties"].get("name") for f in places["features"]]
    mentions = json.loads(files["geojson-mentions"].read_text(encoding="utf-8"))
    props = [f["properties"] for f in mentions["features"]]
    assert any(p.get("title") == TITLE for p in props), props[0]
    articles = [json.loads(line) for line in files["jsonl"].read_text().splitlines()]
    assert TITLE in [a["title"] for a in articles] and SOURCE in [a["source"] for a in articles]
    assert any(PAYLOADS[0] in text for text in _strings(articles))  # a passage, as it was


def _strings(value) -> list[str]:  # noqa: ANN001 - parsed JSON
    """Every string in a parsed JSON value."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(
        value, list) else []
    return [s for item in items for s in _strings(item)]


def test_the_standalone_html_map_is_inert_in_chromium(store, tmp_path, browser):  # noqa: F811
    """The HTML export from disk, in a Chromium tab that may load only file: and data:."""
    from geo.export import export_bytes
    from geo.store import Store

    out = tmp_path / "map.html"
    with Store.open(store, read_only=True) as s:
        out.write_bytes(export_bytes(s, "html"))
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    tab = context.new_page()
    tab.blocked, tab.dialogs = [], []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("file:", "data:")) else (tab.blocked.append(route.request.url), route.abort()))
    tab.goto(out.as_uri())
    tab.wait_for_selector(".na-marker, .marker-cluster", timeout=15000)
    # zoom in on the place (again, if the page's own first framing came after: it fits
    # the view to the places once the map is laid out) until its own marker is drawn
    drawn = "name => [...document.querySelectorAll('.na-marker')]" \
            ".some(m => m.getAttribute('title') === name)"
    for _ in range(20):
        _zoom_to(tab, 40.5, 128.5)
        if tab.evaluate(drawn, PLACE_NAME):
            break
        tab.wait_for_timeout(500)
    titles = tab.evaluate("() => [...document.querySelectorAll('.na-marker')]"
                          ".map(m => m.getAttribute('title'))")
    assert PLACE_NAME in titles, titles
    marker = tab.locator(".na-marker").nth(titles.index(PLACE_NAME))
    marker.dispatch_event("click")
    popup = tab.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert " ".join(PLACE_NAME.split()) in " ".join(popup.inner_text().split())
    popup.locator(".na-snip a").first.click()  # the passage, in the file's reader
    current = tab.locator("#na-reader .na-passage.na-current")
    current.wait_for(timeout=5000)
    assert " ".join(ACTOR.split()) in " ".join(current.inner_text().split())
    assert TITLE in tab.locator("#na-reader .na-article:visible h2").inner_text()
    body = " ".join(tab.locator("body").inner_text().split())
    assert "**x**" in body
    tab.wait_for_timeout(300)
    assert tab.dialogs == [] and tab.evaluate(INJECTED) == []
    assert tab.blocked == []
    context.close()


def test_the_add_page_shows_hostile_file_names_as_text(server, store, page):  # noqa: F811
    """Last in the module (it adds to the store): an upload of files whose names are
    hostile (one of them bad JSON, so its name is in the summary's Failed table, and one
    with ``../`` in it) becomes a job whose summary is inert; its files stay in the job's
    folder."""
    folder = Path(store).parent
    before = {p for p in folder.rglob("*") if "uploads" not in p.parts}
    page.goto(server + "/add")
    _settle(page)
    files = [{"name": '"><svg onload=alert(10)>.json', "mimeType": "application/json",
              "buffer": b"{not json"},
             {"name": "../../<img src=x onerror=alert(11)>.txt", "mimeType": "text/plain",
              "buffer": FILE_TEXT.replace("Cork", "Galway").encode()}]
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    button = page.get_by_role("button", name="Add these files")
    button.wait_for(timeout=15000)
    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.innerText.includes('Add these files') && !b.disabled)",
                           timeout=15000)
    button.click()
    page.get_by_text("Done.").or_(page.get_by_text("stopped before it finished")).wait_for(
        timeout=300000)
    _settle(page)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in main
    assert_inert(page, "the Add page's summary")
    failed = page.locator("[data-testid='stMetric']").filter(has_text="Failed")
    assert failed.locator("[data-testid='stMetricValue']").inner_text() == "1"
    page.goto(server + "/articles")  # the new article's title, in the list
    _settle(page)
    assert_inert(page, "the articles list after the upload")
    after = {p for p in folder.rglob("*") if "uploads" not in p.parts}
    assert {p.name for p in after - before} <= {"hostile.sqlite-wal", "hostile.sqlite-shm"}
    uploaded = [p for p in (folder / "uploads").rglob("*") if p.is_file()]
    assert len(uploaded) >= 2 and all("/" not in p.name for p in uploaded)
    assert not list(folder.parent.glob("*onerror*"))  # nothing climbed out with ../
