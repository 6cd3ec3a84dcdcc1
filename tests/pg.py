"""A throwaway PostgreSQL 15 cluster for the tests: Debian's binaries
(``/usr/lib/postgresql/15/bin``), a data folder in a temporary folder, its own port and
socket folder, trust authentication on 127.0.0.1 only, no fsync (nothing here must
survive a crash). One cluster per test session; each test gets a fresh database, copied
from a template that already holds the migrated schema (``CREATE DATABASE ... TEMPLATE``
takes a few hundredths of a second).

The binaries refuse to run as root: as root, the cluster runs as the user ``postgres``.
Without the binaries the tests that need the cluster skip, unless the environment
variable ``CI`` is set: there they fail, so CI really tests PostgreSQL.
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("NEWS_ATLAS_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "news_atlas_template"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A running cluster; :meth:`new_database` gives a fresh store URL."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="news-atlas-pg-"))
        self.root.chmod(0o755)  # the postgres user reaches its folders through it
        self.data, self.sockets = self.root / "data", self.root / "sockets"
        self.log = self.sockets / "server.log"
        self.port = _free_port()
        self._names = itertools.count(1)
        for folder in (self.data, self.sockets):
            folder.mkdir()
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                   " -c max_connections=200")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.log,
                  "-w", "-t", "60", "start")

    def _run(self, program: str, *args: object) -> None:
        command = [str(PG_BIN / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        run = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            raise RuntimeError(f"{program} failed: {run.stderr or run.stdout}"
                               + (self.log.read_text() if self.log.exists() else ""))

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def make_template(self) -> None:
        """The template every test database is copied from: the store's schema."""
        from geo.store import Store

        self.admin(f"CREATE DATABASE {TEMPLATE}")
        Store.open(self.url(TEMPLATE)).close()

    def new_database(self, *, template: str = TEMPLATE) -> str:
        """A fresh, migrated, empty store (``template="template0"``: an empty database,
        no schema); its URL."""
        name = f"t{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def drop(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """Start the cluster, or skip (fail under ``CI``) when the binaries are missing."""
    if not (PG_BIN / "initdb").exists():
        message = (f"PostgreSQL 15 is not installed ({PG_BIN / 'initdb'} is missing): "
                   "apt-get install postgresql")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster()
    try:
        cluster.make_template()
    except BaseException:
        cluster.stop()
        raise
    return cluster
