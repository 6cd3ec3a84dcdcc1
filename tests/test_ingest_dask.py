"""geo.ingest_dask: an ingest analysed on a Dask cluster (a LocalCluster of two worker
processes here) stores, article for article, what a one-process ingest stores: places,
spans, coordinates, actors."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo.ingest import ingest
from geo.ingest_workers import DefaultPipeline
from tests.news_batch import write_batch
from tests.stored import stored_analysis

pytestmark = [pytest.mark.gazetteer, pytest.mark.model]


@dataclass(frozen=True)
class _CountedPipeline:
    """The default pipeline, each build noted (the process's id) in ``log``."""

    log: str

    def __call__(self):
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return DefaultPipeline()()


def test_a_dask_cluster_stores_what_one_process_stores(tmp_path, pipeline):
    from distributed import LocalCluster

    batch = write_batch(tmp_path / "in", 24)
    one, on_dask = str(tmp_path / "one.sqlite"), str(tmp_path / "dask.sqlite")
    builds = tmp_path / "builds.txt"
    alone = ingest([batch], one, pipeline=lambda: pipeline)
    messages: list[str] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        spread = ingest([batch], on_dask, dask=cluster.scheduler_address,
                        on_message=messages.append, pipeline=_CountedPipeline(str(builds)))
    assert f"ingest: analysing on the Dask cluster at {cluster.scheduler_address}" \
        " (2 worker(s))" in messages
    assert spread.added == alone.added == 24
    assert [str(p) for p in spread.failed] == [str(p) for p in alone.failed]
    assert stored_analysis(on_dask) == stored_analysis(one)
    pids = Path(builds).read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2  # once in each worker, for 6 chunks
