"""One PostgreSQL store shared by several processes at once: two `python -m geo ingest
--db postgresql://...` runs and several reading processes (the dashboard's read path,
geo.query), with nothing lost, doubled or seen half-written. Also what a PostgreSQL URL
says when something is wrong."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.errors import StoreError
from geo.store import Store
from tests.test_cli_store import REPO, _records, start_geo, write_jsonl

# A reader, as a dashboard process reads: it opens the store read-only, again and again
# until told to stop, and checks that every article it sees is whole (its passages and
# place mentions are there) and that the count never goes back. Prints: reads, the
# largest article count seen, and the number of distinct counts seen.
READER = """
import os, sys, time
from geo.errors import StoreError
from geo.query import Filters, article_table, place_table
from geo.store import Store
url, stop = sys.argv[1], sys.argv[2]
seen, reads = [], 0
while True:
    last = os.path.exists(stop)
    try:
        store = Store.open(url, read_only=True)
    except StoreError:  # not migrated yet
        time.sleep(0.05)
        continue
    with store:
        n = store.article_count()
        bare = store.conn.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM passages p"
            " WHERE p.article_id = a.id) OR NOT EXISTS (SELECT 1 FROM place_mentions m"
            " WHERE m.article_id = a.id)").fetchone()[0]
        assert bare == 0, f"{bare} article(s) seen without passages or mentions"
        places = place_table(store, Filters(text="officials"))  # full-text search
        articles = article_table(store, Filters())
        assert n == 0 or (len(places) > 0 and len(articles) > 0)
    assert not seen or n >= seen[-1], (seen[-1], n)
    seen.append(n)
    reads += 1
    if last:
        break
    time.sleep(0.02)
print(reads, max(seen), len(set(seen)))
"""


def _reader(url: str, stop: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", READER, url, str(stop)], cwd=REPO,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.gazetteer
@pytest.mark.model
def test_two_ingests_and_three_readers_share_one_postgresql_store(pg_cluster, tmp_path):
    url = pg_cluster.new_database(template="template0")  # empty: the ingests migrate it
    first, more = _records(6), _records(6, start=6)
    feed = write_jsonl(tmp_path / "feed.jsonl", first)
    bigger = write_jsonl(tmp_path / "bigger.jsonl", first + more)
    stop = tmp_path / "stop"
    readers = [_reader(url, stop) for _ in range(3)]
    # both analyse the same six articles, then the same twelve (six of them new)
    outputs = []
    for files in ((feed, feed), (bigger, bigger)):
        ingests = [start_geo("ingest", str(f), "--db", url, "--workers", "1") for f in files]
        for proc in ingests:
            out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0 and "error" not in err, err
            outputs.append(out.strip())
    stop.touch()
    results = [(p.wait(timeout=120), *p.communicate()) for p in readers]
    assert [rc for rc, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
    added = [int(line.split()[1]) for line in outputs]
    assert sum(added[:2]) == 6 and sum(added[2:]) == 6, outputs
    with Store.open(url) as store:
        rows = store.conn.execute("SELECT url, count(*) FROM articles GROUP BY url").fetchall()
        assert {u: n for u, n in rows} == {r["url"]: 1 for r in first + more}
        passages = store.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        assert passages == 12  # one passage each, none doubled
    counts = [tuple(map(int, out.split())) for _, out, _ in results]
    assert all(reads >= 2 and largest == 12 for reads, largest, _ in counts), counts
    assert max(distinct for _, _, distinct in counts) >= 2, counts  # read while written


def test_a_postgresql_store_that_cannot_be_reached_says_what_to_do(pg_cluster):
    from tests.pg import _free_port

    with pytest.raises(StoreError, match="cannot be reached.*PostgreSQL server is running"):
        Store.open(f"postgresql://postgres@127.0.0.1:{_free_port()}/nothing")
    with pytest.raises(StoreError, match="does not exist") as err:
        Store.open(pg_cluster.url("missing_database").replace("postgres@",
                                                              "postgres:s3cret@"))
    assert "s3cret" not in str(err.value) and "postgres:***@" in str(err.value)


def test_a_read_only_postgresql_url_refuses_writes(pg_url):
    from tests.test_store import analyzed

    with Store.open(pg_url) as store:
        store.save(analyzed("a1"))
    with Store.open(f"{pg_url}?mode=ro") as store:
        assert store.read_only and store.article_count() == 1
        with pytest.raises(StoreError, match="read-only"):
            store.save(analyzed("a2"))
    started = time.monotonic()
    with Store.open(pg_url) as store:  # nothing half-written, no lock left behind
        assert store.save(analyzed("a2")) is True
    assert time.monotonic() - started < 10
