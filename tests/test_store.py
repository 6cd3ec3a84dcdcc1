"""The store: migrations, one transaction per article, idempotent saves (the tests that
take ``store_url`` run on SQLite and on PostgreSQL)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from geo.errors import StoreError, StoreFaultError
from geo.models import (
    ActorMention, AnalyzedArticle, Article, Candidate, GazetteerEntry, Passage, PlaceMention,
)
from geo.store import Store, sqlite_path
from geo.store.schema import MIGRATIONS, schema_version

KHASAN = GazetteerEntry(id="cur:khasan", name="Khasan", lat=42.43, lon=130.64, kind="city",
                        country_code="RU")
HASSAN = GazetteerEntry(id="gn:1270216", name="Hassan", lat=13.0, lon=76.1, kind="city",
                        country_code="IN", population=155000)


def analyzed(article_id: str = "a1", *, text: str = "Kim arrived in Khasan.") -> AnalyzedArticle:
    art = Article(id=article_id, text=text, title="T", published="2023-09-12")
    p = Passage(id=f"{article_id}-p0", article_id=article_id, index=0, start=0,
                end=len(text), text=text)
    place = PlaceMention(start=15, end=21, text="Khasan", passage_id=p.id, place=KHASAN,
                         score=0.9, rule="document country",
                         alternatives=[Candidate(HASSAN, 0.1)])
    actor = ActorMention(start=0, end=3, text="Kim", label="PERSON", passage_id=p.id,
                         canonical="Kim Jong-un")
    return AnalyzedArticle(article=art, passages=[p], places=[place], actors=[actor])


def test_save_then_resave_adds_nothing(store_url):
    with Store.open(store_url) as store:
        assert store.save(analyzed()) is True
        assert store.save(analyzed()) is False
        assert store.article_count() == 1
        counts = [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("passages", "place_mentions", "actor_mentions", "actors")]
        assert counts == [1, 1, 1, 1]
        # the rejected candidate is kept, so a user can see and pick it
        alts = store.conn.execute("SELECT alternatives FROM place_mentions").fetchone()[0]
        assert "gn:1270216" in alts


def test_same_actor_across_articles_is_one_row(store_url):
    with Store.open(store_url) as store:
        store.save(analyzed("a1"))
        store.save(analyzed("a2", text="Kim arrived in Khasan!"))
        assert store.conn.execute("SELECT count(*) FROM actors").fetchone()[0] == 1
        assert store.conn.execute("SELECT count(*) FROM actor_mentions").fetchone()[0] == 2


def test_failed_save_leaves_nothing_half_written(store_url):
    with Store.open(store_url) as store:
        store.save(analyzed("a1"))
        bad = analyzed("a2")
        bad.passages.append(bad.passages[0])  # duplicate passage id: the insert fails
        with pytest.raises(StoreError, match="a2"):
            store.save(bad)
        assert not store.has_article("a2")
        assert store.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 1
        assert store.has_article("a1")


def test_migrations_are_applied_once_and_recorded(tmp_path):
    path = str(tmp_path / "s.sqlite")
    Store.open(path).close()
    with Store.open(path) as store:
        assert schema_version(store.conn) == len(MIGRATIONS)
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_read_only_store_refuses_writes(tmp_path):
    path = str(tmp_path / "s.sqlite")
    with Store.open(path) as store:
        store.save(analyzed())
    with Store.open(path, read_only=True) as ro:
        assert ro.article_count() == 1
        with pytest.raises(sqlite3.OperationalError):
            ro.conn.execute("DELETE FROM articles")


def test_store_urls():
    assert sqlite_path("sqlite:///tmp/x.db") == "tmp/x.db"
    assert sqlite_path("sqlite:////tmp/x.db") == "/tmp/x.db"
    assert sqlite_path("x.db") == "x.db"
    with pytest.raises(StoreError, match="unsupported"):
        sqlite_path("mysql://host/db")


# -- store faults: a clear StoreError saying what is wrong and what to do ----------------

def filled_store(path) -> str:
    """A store file holding a few articles, closed (so its WAL is checkpointed)."""
    with Store.open(str(path)) as store:
        for i in range(40):
            store.save(analyzed(f"a{i}", text=f"Kim arrived in Khasan on day {i}. " * 40))
    return str(path)


def overwrite_middle(path, n: int = 16384) -> None:
    """Overwrite ``n`` bytes in the middle of a file, as a disk or a bad copy might."""
    size = Path(path).stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(bytes(range(256)) * (n // 256))


def _truncated(tmp_path) -> str:
    path = filled_store(tmp_path / "s.sqlite")
    with open(path, "r+b") as f:
        f.truncate(Path(path).stat().st_size // 2)
    return path


def _tiny_truncated(tmp_path) -> str:
    path = filled_store(tmp_path / "s.sqlite")
    with open(path, "r+b") as f:
        f.truncate(60)
    return path


def _overwritten(tmp_path) -> str:
    path = filled_store(tmp_path / "s.sqlite")
    overwrite_middle(path)
    return path


def _text_file(tmp_path) -> str:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 20)
    return str(path)


def _folder(tmp_path) -> str:
    (tmp_path / "stores").mkdir()
    return str(tmp_path / "stores")


STORE_FAULTS = {
    "truncated": (_truncated, "damaged|not a News Atlas store"),
    "truncated to its header": (_tiny_truncated, "damaged|not a News Atlas store"),
    "overwritten mid-file": (_overwritten, "damaged"),
    "not SQLite": (_text_file, "not a News Atlas store \\(not an SQLite database"),
    "a folder": (_folder, "is a folder, not a file: give a file path"),
    "under /dev/null": (lambda tmp_path: "/dev/null/x.sqlite",
                        "cannot create the store /dev/null/x.sqlite: its folder /dev/null"),
    "unsupported URL": (lambda tmp_path: "mysql://host/db", "unsupported store URL"),
}


@pytest.mark.parametrize("fault", list(STORE_FAULTS))
def test_store_faults_say_what_is_wrong_and_what_to_do(fault, tmp_path):
    make, message = STORE_FAULTS[fault]
    url = make(tmp_path)
    with pytest.raises(StoreError, match=message) as info:
        Store.open(url)
    text = str(info.value)
    if fault not in ("a folder", "unsupported URL", "under /dev/null"):
        assert "restore it from a backup" in text or "move it aside" in text


def test_damage_found_after_opening_is_a_store_fault(tmp_path, monkeypatch):
    from geo.errors import StoreFaultError
    from geo.store import connect

    path = filled_store(tmp_path / "s.sqlite")
    monkeypatch.setattr(connect, "QUICK_CHECK_MAX_BYTES", 0)  # as for a very large store
    overwrite_middle(path, n=len(Path(path).read_bytes()) // 2)
    with pytest.raises(StoreFaultError, match="damaged|not a News Atlas store"):
        with Store.open(path) as store:
            for i in range(40):
                store.is_stored(Article(id=f"x{i}", text="x", url="u"))
            store.save(analyzed("new"))
            store.article_count()


# -- read-only stores are served, never written -----------------------------------------

def _snapshot(path: str) -> tuple[bytes, int]:
    return Path(path).read_bytes(), Path(path).stat().st_mtime_ns


def test_a_read_only_url_serves_the_store_without_writing_it(tmp_path):
    from geo.errors import StoreFaultError

    path = filled_store(tmp_path / "s.sqlite")
    before = _snapshot(path)
    with Store.open(f"sqlite:///{path}?mode=ro") as store:
        assert store.read_only is True
        assert store.article_count() == 40
        with pytest.raises(StoreFaultError, match="read-only"):
            store.save(analyzed("new"))
    assert _snapshot(path) == before  # (a WAL reader may add -shm and -wal beside it)


def test_a_writable_store_says_so(tmp_path):
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        assert store.read_only is False


def test_a_missing_store_asked_read_only_is_not_created(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        Store.open(f"sqlite:///{tmp_path / 'nope.sqlite'}?mode=ro")
    assert not (tmp_path / "nope.sqlite").exists()


def test_an_old_read_only_store_cannot_be_upgraded_and_says_so(tmp_path):
    from geo.store.schema import statements

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    for statement in statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 1, older .*read-only.*writable"):
        Store.open(f"sqlite:///{path}?mode=ro")
    assert schema_version(sqlite3.connect(path)) == 1
    with Store.open(str(path)) as store:  # writable: upgraded
        assert schema_version(store.conn) == len(MIGRATIONS)


@pytest.fixture
def immutable_store(tmp_path):
    """A store file that even root cannot write (``chattr +i``), when the file system
    allows it."""
    import shutil
    import subprocess

    path = filled_store(tmp_path / "s.sqlite")
    if not shutil.which("chattr") or subprocess.run(
            ["chattr", "+i", path], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    yield path
    subprocess.run(["chattr", "-i", path], check=True)


def test_an_unwritable_store_file_opens_read_only(immutable_store):
    from geo.errors import StoreFaultError

    before = _snapshot(immutable_store)
    with Store.open(immutable_store) as store:
        assert store.read_only is True
        assert store.article_count() == 40
        with pytest.raises(StoreFaultError, match="read-only"):
            store.save(analyzed("new"))
    assert _snapshot(immutable_store) == before


def test_a_store_another_user_owns_is_served_read_only(tmp_path):
    """Run as ``nobody`` (tests run as root, for whom every file is writable): the
    process imports the store as root (this interpreter and its packages may live where
    nobody cannot read), then gives up root for good and opens the store."""
    import os
    import pwd
    import shutil
    import subprocess
    import sys
    import tempfile

    if os.geteuid() != 0:
        pytest.skip("needs root, to run as nobody")
    nobody = pwd.getpwnam("nobody")
    repo = Path(__file__).resolve().parents[1]
    become_nobody = (
        "import os, sys; sys.path.insert(0, sys.argv[1]); from geo.store import Store\n"
        "Store.open(':memory:').close()  # everything the store imports, imported as root\n"
        f"os.setgroups([]); os.setgid({nobody.pw_gid}); os.setuid({nobody.pw_uid})\n"
        "assert os.getuid() == os.geteuid() != 0\n")
    folder = Path(tempfile.mkdtemp(prefix="news-atlas-ro-"))
    try:
        folder.chmod(0o755)
        path = filled_store(folder / "s.sqlite")
        before = _snapshot(path)
        code = become_nobody + ("with Store.open(sys.argv[2]) as s:"
                                " print(s.read_only, s.article_count())")
        run = subprocess.run([sys.executable, "-c", code, str(repo), path],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout.split() == ["True", "40"]
        assert _snapshot(path) == before
        new = become_nobody + "try: Store.open(sys.argv[2])\nexcept Exception as e: print(e)"
        run = subprocess.run([sys.executable, "-c", new, str(repo),
                              str(folder / "new.sqlite")], capture_output=True, text=True,
                             timeout=60)
        assert "its folder is not writable" in run.stdout, run.stderr
    finally:
        shutil.rmtree(folder)


# -- concurrency: migrations and saves from several processes at once --------------------

def _at_once(code: str, args_per_process: list[list[str]]) -> list:
    """Run ``python -c code`` in several processes that start their work together."""
    import subprocess
    import sys
    import time

    repo = Path(__file__).resolve().parents[1]
    start = str(time.time() + 1.5)
    prelude = "import sys, time; time.sleep(max(0, float(sys.argv[1]) - time.time()))\n"
    procs = [subprocess.Popen([sys.executable, "-c", prelude + code, start, *args],
                              cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for args in args_per_process]
    return [(p.wait(timeout=120), *p.communicate()) for p in procs]


def test_processes_opening_a_new_store_together_migrate_it_once(tmp_path):
    code = ("from geo.store import Store\n"
            "with Store.open(sys.argv[2]) as s: print(s.article_count())")
    for round_ in range(6):
        path = str(tmp_path / f"new{round_}.sqlite")
        for rc, out, err in _at_once(code, [[path]] * 4):
            assert rc == 0 and out.strip() == "0", err
        with Store.open(path) as store:
            assert schema_version(store.conn) == len(MIGRATIONS)


def test_processes_saving_the_same_articles_store_each_once(tmp_path):
    code = ("from geo.store import Store\nfrom tests.test_store import analyzed\n"
            "with Store.open(sys.argv[2]) as s:\n"
            "    print(sum(s.save(analyzed(f'a{i}', text=f'Kim in Khasan, {i}.'))"
            " for i in range(60)))")
    for round_ in range(3):
        path = str(tmp_path / f"s{round_}.sqlite")
        results = _at_once(code, [[path]] * 3)
        assert [rc for rc, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
        assert sum(int(out) for _, out, _ in results) == 60
        with Store.open(path) as store:
            assert store.article_count() == 60
            assert store.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 60
            assert store.conn.execute("SELECT count(*) FROM actors").fetchone()[0] == 1
            assert store.conn.execute("SELECT count(*) FROM places").fetchone()[0] == 2


def test_processes_opening_a_new_postgresql_store_together_migrate_it_once(pg_cluster):
    code = ("from geo.store import Store\n"
            "with Store.open(sys.argv[2]) as s: print(s.article_count())")
    for _ in range(3):
        url = pg_cluster.new_database(template="template0")  # an empty database
        for rc, out, err in _at_once(code, [[url]] * 4):
            assert rc == 0 and out.strip() == "0", err
        with Store.open(url) as store:
            assert schema_version(store.conn) == len(MIGRATIONS)
        pg_cluster.drop(url)


def test_processes_saving_the_same_articles_in_postgresql_store_each_once(pg_url):
    code = ("from geo.store import Store\nfrom tests.test_store import analyzed\n"
            "with Store.open(sys.argv[2]) as s:\n"
            "    print(sum(s.save(analyzed(f'a{i}', text=f'Kim in Khasan, {i}.'))"
            " for i in range(60)))")
    results = _at_once(code, [[pg_url]] * 3)
    assert [rc for rc, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
    assert sum(int(out) for _, out, _ in results) == 60
    with Store.open(pg_url) as store:
        assert store.article_count() == 60
        counts = [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("passages", "actors", "places")]
        assert counts == [60, 1, 2]


# -- duplicates and odd strings ---------------------------------------------------------

def test_same_text_under_an_old_url_id_is_already_stored(store_url):
    from geo.models import article_id_for

    text = "Kim arrived in Khasan."
    with Store.open(store_url) as store:
        old = analyzed("0123456789abcdef", text=text)  # an id an older version gave it
        old.article.url = "http://news.example/kim"
        store.save(old)
        same = Article(id=article_id_for(text), text=" Kim  arrived in Khasan.\n",
                       url="http://news.example/kim", path="again.jsonl:1")
        other = Article(id=article_id_for("Kim left."), text="Kim left.",
                        url="http://news.example/kim", path="b.jsonl:1")
        assert store.is_stored(same) is True
        assert store.is_stored(other) is False
        assert store.url_twins(other) == ["0123456789abcdef"]


def test_unencodable_strings_are_stored_with_a_replacement_character(store_url):
    text = "Kim arrived in Khasan \ud800 today."
    art = analyzed("a1", text=text)
    art.article.path = "news/caf\udce9.txt"  # a file name with a non-UTF-8 byte
    art.article.title = "Title \udcff"
    art.actors[0].canonical = "Kim \ud83d"
    with Store.open(store_url) as store:
        assert store.save(art) is True
        row = store.conn.execute("SELECT path, title, text FROM articles").fetchone()
        assert row["path"] == "news/caf\ufffd.txt" and row["title"] == "Title \ufffd"
        assert len(row["text"]) == len(text)  # offsets into the text still hold
        assert store.conn.execute("SELECT name FROM actors").fetchone()[0] == "Kim \ufffd"
        assert store.conn.execute("SELECT text FROM passages").fetchone()[0] == row["text"]


def test_a_query_past_its_time_limit_is_stopped_and_the_connection_stays_usable(store_url,
                                                                               monkeypatch):
    import time

    from geo.errors import QueryTimeoutError
    from geo.store.connect import time_limit

    with Store.open(store_url) as store:
        slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                " WHERE i < 1000000000) SELECT count(*) FROM n")
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError, match="longer than 0.2 s"):
            with time_limit(store.conn, 0.2):
                store.conn.execute(slow).fetchone()
        assert time.monotonic() - started < 5
        with time_limit(store.conn, 5):  # a quick query under a limit runs
            assert store.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        with time_limit(store.conn, None):  # no limit: nothing installed
            assert store.conn.execute("SELECT 41 + 1").fetchone()[0] == 42
        assert store.article_count() == 0  # no handler left behind
        if store.conn.dialect == "postgresql":
            return  # (statement_timeout counts whole milliseconds: no tiny limit)
        # the store's own methods wrap SQLite's errors: the limit still says what it is
        import geo.store.connect

        monkeypatch.setattr(geo.store.connect, "PROGRESS_STEPS", 1)
        with pytest.raises(QueryTimeoutError):
            with time_limit(store.conn, 1e-9):
                store.article_count()


def _hold_write_lock(path: str, seconds: float):
    """Another process that takes the store's write lock and keeps it ``seconds``."""
    import subprocess
    import sys

    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True)\n"
            "time.sleep(float(sys.argv[2])); c.execute('COMMIT')\n")
    proc = subprocess.Popen([sys.executable, "-c", code, path, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_save_waits_through_a_lock_held_past_its_busy_timeout(tmp_path):
    path = str(tmp_path / "s.sqlite")
    with Store.open(path) as store:
        store.conn.execute("PRAGMA busy_timeout = 300")  # as 30 s is, scaled down
        holder = _hold_write_lock(path, 0.5)
        try:
            assert store.save(analyzed("a1", text="Kim in Khasan.")) is True
        finally:
            holder.wait(timeout=30)
        assert store.article_count() == 1


def test_a_lock_held_through_every_attempt_is_a_store_fault_that_says_so(tmp_path):
    path = str(tmp_path / "s.sqlite")
    with Store.open(path) as store:
        store.conn.execute("PRAGMA busy_timeout = 100")
        holder = _hold_write_lock(path, 3)
        try:
            with pytest.raises(StoreFaultError, match="stayed locked by another process"
                               " for over 90 s .*try again when it has finished"):
                store.save(analyzed("a1", text="Kim in Khasan."))
        finally:
            holder.wait(timeout=30)
        assert store.article_count() == 0
