"""`python -m geo ingest` against the store, as real subprocesses: store and gazetteer
faults, two ingests at once, duplicates, no model load when nothing is new, and the
progress and summary an ingest prints."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo.store import Store
from tests.test_store import filled_store, overwrite_middle

REPO = Path(__file__).resolve().parents[1]
GOOD = "Floods in Bulacan\n\nHeavy rain flooded towns in Bulacan, north of Manila, on Monday.\n"


def geo(*args: str, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, text=True,
                          capture_output=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def start_geo(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "geo", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def assert_clean_failure(run: subprocess.CompletedProcess, *needles: str) -> None:
    """Exit 2, an ``error: ...`` line saying each needle, no traceback."""
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith("error: ") or "\nerror: " in run.stderr, run.stderr
    for needle in needles:
        assert needle in run.stderr, run.stderr


# -- store faults ------------------------------------------------------------------------

def _truncated(tmp_path: Path) -> str:
    path = filled_store(tmp_path / "s.sqlite")
    os.truncate(path, Path(path).stat().st_size // 2)
    return path


def _overwritten(tmp_path: Path) -> str:
    path = filled_store(tmp_path / "s.sqlite")
    overwrite_middle(path)
    return path


def _text_file(tmp_path: Path) -> str:
    (tmp_path / "notes.sqlite").write_text("not a database\n" * 50)
    return str(tmp_path / "notes.sqlite")


def _folder(tmp_path: Path) -> str:
    (tmp_path / "d").mkdir()
    return str(tmp_path / "d")


def _read_only(tmp_path: Path) -> str:
    return f"sqlite:///{filled_store(tmp_path / 's.sqlite')}?mode=ro"


CLI_FAULTS = {
    "truncated": (_truncated, "restore it from a backup"),
    "overwritten mid-file": (_overwritten, "is damaged"),
    "not SQLite": (_text_file, "not an SQLite database"),
    "a folder": (_folder, "is a folder"),
    "under /dev/null": (lambda tmp_path: "/dev/null/x.sqlite", "/dev/null cannot be created"),
    "unsupported URL": (lambda tmp_path: "mysql://host/db", "unsupported store URL"),
    "read-only": (_read_only, "is read-only"),
}


@pytest.mark.parametrize("fault", list(CLI_FAULTS))
def test_ingest_into_a_faulty_store_says_why_and_exits_2(fault, tmp_path, good):
    make, needle = CLI_FAULTS[fault]
    run = geo("ingest", str(good), "--db", make(tmp_path))
    assert_clean_failure(run, needle)


@pytest.mark.parametrize("fault", ["overwritten mid-file", "a folder", "under /dev/null"])
def test_export_from_a_faulty_store_says_why_and_exits_2(fault, tmp_path):
    make, needle = CLI_FAULTS[fault]
    run = geo("export", "--format", "csv", "--db", make(tmp_path))
    assert_clean_failure(run, needle)


@pytest.fixture(scope="module")
def damaged_gazetteer(tmp_path_factory) -> Path:
    """A copy of the gazetteer in use, with bytes overwritten in the middle."""
    from geo.gazetteer import default_gazetteer_path

    source = default_gazetteer_path()
    if not source.is_file():
        pytest.skip(f"no gazetteer at {source}")
    copy = tmp_path_factory.mktemp("gaz") / "gazetteer.sqlite"
    shutil.copyfile(source, copy)
    overwrite_middle(copy, n=1 << 20)
    return copy


@pytest.mark.gazetteer
def test_ingest_with_a_damaged_gazetteer_says_rebuild_it_and_exits_2(damaged_gazetteer,
                                                                   tmp_path, good):
    run = geo("ingest", str(good), "--db", str(tmp_path / "s.sqlite"),
              env={"NEWS_ATLAS_GAZETTEER": str(damaged_gazetteer)})
    assert_clean_failure(run, "is damaged", "python -m geo gazetteer build")


@pytest.mark.gazetteer
def test_gazetteer_info_on_a_damaged_index_exits_2(damaged_gazetteer):
    run = geo("gazetteer", "info", "--path", str(damaged_gazetteer))
    assert_clean_failure(run, "is damaged", "python -m geo gazetteer build")


# -- nothing new, nothing loaded ---------------------------------------------------------

@pytest.mark.gazetteer
@pytest.mark.model
def test_reingesting_loads_neither_model_nor_gazetteer(tmp_path, good):
    db = str(tmp_path / "s.sqlite")
    assert geo("ingest", str(good), "--db", db).returncode == 0
    # a gazetteer that cannot open: any attempt to build the pipeline would exit 2
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a gazetteer")
    run = geo("ingest", str(good), "--db", db, env={"NEWS_ATLAS_GAZETTEER": str(junk)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ingested 0 article(s), 1 already stored, 0 failed"


# -- duplicates --------------------------------------------------------------------------

URL = "https://news.example/2024/05/floods"
FLOODS = "Heavy rain flooded towns in Bulacan, north of Manila, on Monday."
QUAKE = "An earthquake shook Davao City on Tuesday, officials in Mindanao said."


@pytest.mark.gazetteer
@pytest.mark.model
def test_different_texts_under_one_url_are_both_kept_with_a_warning(tmp_path):
    first = write_jsonl(tmp_path / "first.jsonl", [{"url": URL, "text": FLOODS}])
    second = write_jsonl(tmp_path / "second.jsonl", [{"url": URL, "text": QUAKE}])
    db = str(tmp_path / "s.sqlite")
    assert geo("ingest", str(first), "--db", db).returncode == 0
    run = geo("ingest", str(second), "--db", db)
    assert run.returncode == 0, run.stderr
    assert "ingested 1 article(s), 0 already stored, 0 failed" in run.stdout
    warning = [line for line in run.stderr.splitlines() if "same URL" in line]
    assert len(warning) == 1 and warning[0].startswith("warning: ")
    assert f"{second}:1" in warning[0] and f"{first}:1" in warning[0] and URL in warning[0]
    with Store.open(db) as store:
        texts = [r[0] for r in store.conn.execute("SELECT text FROM articles WHERE url = ?",
                                                   (URL,))]
        assert sorted(texts) == sorted([FLOODS, QUAKE])


@pytest.mark.gazetteer
@pytest.mark.model
def test_the_same_text_with_and_without_a_url_is_stored_once(tmp_path):
    with_url = write_jsonl(tmp_path / "a.jsonl", [{"url": URL, "text": FLOODS}])
    without = write_jsonl(tmp_path / "b.jsonl", [{"text": FLOODS + "\n"}])
    db = str(tmp_path / "s.sqlite")
    run = geo("ingest", str(with_url), str(without), "--db", db)
    assert run.returncode == 0, run.stderr
    assert "ingested 1 article(s), 1 already stored, 0 failed" in run.stdout
    other = str(tmp_path / "t.sqlite")  # the other way round, in two runs
    assert geo("ingest", str(without), "--db", other).returncode == 0
    run = geo("ingest", str(with_url), "--db", other)
    assert run.returncode == 0, run.stderr
    assert "ingested 0 article(s), 1 already stored, 0 failed" in run.stdout
    with Store.open(db) as store:
        assert store.article_count() == 1


# -- two ingests at once -----------------------------------------------------------------

def _records(n: int, start: int = 0) -> list[dict]:
    towns = ["Manila", "Cebu", "Davao City", "Iloilo", "Baguio", "Bacolod", "Tacloban"]
    return [{"url": f"https://news.example/{i}",
             "text": f"Story {i}: officials in {towns[i % len(towns)]} met on Monday "
                     f"after the storm, and Kim Santos spoke in {towns[(i + 3) % 7]}."}
            for i in range(start, start + n)]


def _ingest_together(db: str, *files: Path) -> list[tuple[int, str, str]]:
    procs = [start_geo("ingest", str(f), "--db", db) for f in files]
    return [(p.wait(timeout=600), *p.communicate()) for p in procs]


def _assert_all_stored(db: str, expected: list[dict]) -> None:
    with Store.open(db) as store:
        rows = store.conn.execute("SELECT url, count(*) FROM articles GROUP BY url").fetchall()
        assert {url: n for url, n in rows} == {r["url"]: 1 for r in expected}
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.gazetteer
@pytest.mark.model
def test_two_ingests_at_once_lose_nothing_and_report_no_false_errors(tmp_path):
    first, more = _records(6), _records(4, start=6)
    feed = write_jsonl(tmp_path / "feed.jsonl", first)
    bigger = write_jsonl(tmp_path / "bigger.jsonl", first + more)
    for round_ in range(5):
        db = str(tmp_path / f"s{round_}.sqlite")
        # on a new store: both migrate it, both analyse the same six articles
        results = _ingest_together(db, feed, feed)
        for rc, out, err in results:
            assert rc == 0 and "error" not in err, err
        summaries = sorted(out.strip() for _, out, _ in results)
        added = sum(int(s.split()[1]) for s in summaries)
        assert added == 6 and all(s.endswith("0 failed") for s in summaries), summaries
        _assert_all_stored(db, first)
        # on an existing store: four new articles, offered by both at once
        results = _ingest_together(db, bigger, bigger)
        for rc, out, err in results:
            assert rc == 0 and "error" not in err, err
        assert sum(int(out.split()[1]) for _, out, _ in results) == 4
        _assert_all_stored(db, first + more)


# -- progress and summary -----------------------------------------------------------------

def _story_feed(tmp_path: Path, n: int) -> Path:
    feed = write_jsonl(tmp_path / "feed.jsonl", [
        {"title": f"Story {i}", "text": rec["text"]} for i, rec in enumerate(_records(n))])
    with feed.open("a", encoding="utf-8") as f:
        f.write("{broken\n")
    return feed


@pytest.mark.gazetteer
@pytest.mark.model
def test_ingest_shows_progress_in_a_log_and_sums_up(tmp_path):
    feed = _story_feed(tmp_path, 12)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    db = str(tmp_path / "s.sqlite")
    run = geo("ingest", str(feed), str(tmp_path / "empty.txt"), "--db", db)
    assert run.returncode == 1, run.stderr
    err = run.stderr
    assert "ingest: analysing 12 new article(s) (0 already stored)" in err
    progress = [line for line in err.splitlines()
                if line.startswith("ingest: ") and "/12 (" in line]
    assert 4 <= len(progress) <= 12, err  # a line per tenth at most, not a bar
    assert "\r" not in err
    for line in progress:
        assert "articles/s, ETA " in line and ", last: Story " in line, line
    assert progress[-1].startswith("ingest: 12/12 (100%)")
    assert re.search(r"^ingest: 12 added, 0 already stored, 2 failed in \d+\.\d s$", err, re.M)
    reasons = err[err.index("\nfailed:\n"):].splitlines()[2:]
    assert reasons == [f"  {feed}:13: invalid JSON: Expecting property name enclosed in"
                       " double quotes (column 2)",
                       f"  {tmp_path / 'empty.txt'}: empty file"], err
    assert run.stdout == "ingested 12 article(s), 0 already stored, 2 failed\n"

    again = geo("ingest", str(feed), "--db", db)
    assert "ingest: 0 added, 12 already stored, 1 failed in " in again.stderr
    assert "/12 (" not in again.stderr  # nothing analysed, no progress


@pytest.mark.gazetteer
@pytest.mark.model
def test_ingest_on_a_terminal_draws_a_bar(tmp_path):
    import pty

    feed = _story_feed(tmp_path, 3)
    master, slave = pty.openpty()  # a terminal with no size set: the bar still draws
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(feed), "--db",
                             str(tmp_path / "s.sqlite")], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=slave, text=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=600) == 1
    err = b"".join(chunks).decode("utf-8", "replace")
    assert "\r" in err and "100%|" in err and "3/3 [" in err and "articles/s" in err, err
    assert "ingest: 3 added, 0 already stored, 1 failed in " in err


@pytest.mark.gazetteer
@pytest.mark.model
def test_two_ingests_of_two_workers_each_at_once_store_each_article_once(tmp_path):
    """Two writers that each take results from two analysis processes, on one new
    store, with half of their articles in common: nothing lost, doubled or locked."""
    from tests.news_batch import write_batch
    from tests.stored import stored_analysis

    a = write_batch(tmp_path, 40, broken=False, name="a.jsonl")
    b = write_batch(tmp_path, 40, broken=False, start=20, name="b.jsonl")
    db = str(tmp_path / "s.sqlite")
    procs = [start_geo("ingest", str(f), "--db", db, "--workers", "2") for f in (a, b)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    for rc, out, err in results:
        assert rc == 0, err
        assert "analysing in 2 processes" in err
        assert "error" not in err and "locked" not in err, err
    assert sum(int(out.split()[1]) for _, out, _ in results) == 60
    assert sum(int(out.split()[3]) for _, out, _ in results) == 20  # already stored
    with Store.open(db) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = [r[0] for r in store.conn.execute("SELECT title FROM articles")]
    assert sorted(titles) == sorted(f"Report {i}" for i in range(60))
    alone = str(tmp_path / "alone.sqlite")
    both = write_batch(tmp_path, 60, broken=False, name="both.jsonl")
    assert geo("ingest", str(both), "--db", alone, "--workers", "1").returncode == 0
    places = {aid: found[0] for aid, found in stored_analysis(db).items()}
    assert places == {aid: found[0] for aid, found in stored_analysis(alone).items()}
