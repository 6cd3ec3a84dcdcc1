"""``python -m geo corrections list|export|import`` as real processes between two stores
holding the built-in sample: a team shares its fixes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from geo import corrections_places as P
from geo.store import Store

REPO = Path(__file__).resolve().parents[1]


def geo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, env=os.environ,
                          capture_output=True, text=True, timeout=300)


def _khasan_places(db: str) -> list[tuple]:
    with Store.open(db) as store:
        return [tuple(r) for r in store.conn.execute(
            "SELECT pm.text, pl.id, pl.name, pl.lat, pl.lon FROM place_mentions pm"
            " LEFT JOIN places pl ON pl.id = pm.place_id"
            " WHERE pm.text IN ('Khasan', 'Far East') ORDER BY pm.start")]


def test_list_export_import_between_two_stores(tmp_path):
    a, b = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    for db in (a, b):
        assert geo("sample", "--load", "--db", db).returncode == 0
    with Store.open(a) as store:
        ids = dict(store.conn.execute("SELECT text, min(id) FROM place_mentions"
                                      " WHERE text IN ('Khasan', 'Far East') GROUP BY text"))
        P.correct_mention(store, ids["Khasan"], "choose", scope="everywhere",
                          place=P.stored_place(store, "gn:1270239"))
        P.correct_mention(store, ids["Far East"], "point", scope="article",
                          place=P.point_place("Russian Far East", 60.0, 140.0, kind="region"))
        undone = P.correct_mention(store, ids["Khasan"], "not_place", scope="mention")
        from geo.corrections import undo

        undo(store, undone.id)

    listed = geo("corrections", "list", "--db", a)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3 and lines[0].startswith("#3\t")  # newest first
    assert "undone" in lines[0] and "“Khasan” is not a place" in lines[0]
    assert "Hassan (city, India)" in lines[2] and "everywhere" in lines[2]
    assert "3 correction(s), 2 live" in listed.stderr

    shared = tmp_path / "fixes.jsonl"
    out = geo("corrections", "export", str(shared), "--db", a)
    assert out.returncode == 0, out.stderr
    records = [json.loads(x) for x in shared.read_text().splitlines()]
    assert [r["action"] for r in records] == ["choose", "point"]  # live ones, oldest first
    assert records[1]["new_value"]["place"]["lat"] == 60.0

    first = geo("corrections", "import", str(shared), "--db", b)
    assert first.returncode == 0, first.stderr
    assert "imported 2 correction(s), 0 already present" in first.stdout
    assert _khasan_places(b) == _khasan_places(a)
    assert ("Far East", "user:1", "Russian Far East", 60.0, 140.0) in _khasan_places(b)
    again = geo("corrections", "import", str(shared), "--db", b)
    assert "imported 0 correction(s), 2 already present" in again.stdout
    assert len(geo("corrections", "list", "--db", b).stdout.splitlines()) == 2

    # a bad line is named with its file and line, the others still go in
    bad = tmp_path / "bad.jsonl"
    bad.write_text(shared.read_text().splitlines()[0].replace("everywhere", "article")
                   .replace('"article_id": null', '"article_id": "x"') + "\n{oops\n"
                   + json.dumps({"target": "place", "action": "fly", "scope": "everywhere",
                                 "name": "Paris"}) + "\n")
    mixed = geo("corrections", "import", str(bad), "--db", b)
    assert mixed.returncode == 1
    assert f"error: {bad}:2: invalid JSON" in mixed.stderr
    assert f"error: {bad}:3: a place correction cannot 'fly'" in mixed.stderr
    assert "imported 1 correction(s)" in mixed.stdout


def test_import_of_a_missing_file_names_it(tmp_path):
    db = str(tmp_path / "c.sqlite")
    missing = tmp_path / "nope.jsonl"
    run = geo("corrections", "import", str(missing), "--db", db)
    assert run.returncode == 2
    assert f"error: {missing}: cannot read" in run.stderr
