"""Analysis on a Dask cluster (``python -m geo ingest --dask ADDRESS``; docs/scale.md).

The same per-article function as local worker processes
(:func:`geo.ingest_workers.analyse_chunk`) runs on ``dask.distributed`` workers. Each
worker builds its pipeline (model and gazetteer) once, when it joins: a
:class:`PipelinePlugin` registered with the client. The results come back as they are
finished (``as_completed``) and the ingest process stores them, in the order it read
the articles, so the store holds what a one-process ingest stores.

``ADDRESS`` is a scheduler's (``tcp://host:8786``), or ``local`` for a new
``LocalCluster`` of worker processes on this machine, one thread each.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from geo.errors import DaskError
from geo.ingest_workers import (
    WINDOW_PER_WORKER, Builder, analyse_chunk, chunks, in_order, unpack, warm,
)

if TYPE_CHECKING:
    from geo.models import AnalyzedArticle, Article

log = logging.getLogger(__name__)

PLUGIN_NAME = "news-atlas-pipeline"
CONNECT_TIMEOUT = "20s"


def _plugin_class() -> type:
    from distributed.diagnostics.plugin import WorkerPlugin

    class PipelinePlugin(WorkerPlugin):
        """Builds the analysis pipeline once in each worker, as it joins."""

        def __init__(self, builder: Builder) -> None:
            self.builder = builder

        async def setup(self, worker: Any) -> None:  # noqa: ARG002 - Dask's signature
            # in a thread: the worker keeps answering the scheduler while it loads
            await asyncio.get_running_loop().run_in_executor(None, warm, self.builder)

    return PipelinePlugin


def analyse_on_dask(articles: Sequence["Article"], *, address: str, builder: Builder,
                    workers: int = 2, on_message: Callable[[str], None] = log.info
                    ) -> Iterator["AnalyzedArticle"]:
    """The analysed ``articles``, in order, analysed on the cluster at ``address``
    (``local``: a new local cluster of ``workers`` processes)."""
    from distributed import Client, LocalCluster

    with ExitStack() as stack:
        try:
            if address == "local":
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=":0"))
                target: Any = cluster
            else:
                target = address
            client = stack.enter_context(Client(target, timeout=CONNECT_TIMEOUT))
        except OSError as err:
            raise DaskError(f"cannot reach the Dask scheduler at {address} ({err}): start "
                            "one (`dask scheduler`, docs/scale.md) or use --dask local"
                            ) from err
        client.register_plugin(_plugin_class()(builder), name=PLUGIN_NAME)
        count = len(client.scheduler_info().get("workers", {}))
        on_message(f"ingest: analysing on the Dask cluster at {client.scheduler.address}"
                   f" ({count} worker(s))")
        parts = chunks(articles)
        tasks = _DaskTasks(client, builder, parts)
        window = max(1, count) * WINDOW_PER_WORKER
        for result in in_order(tasks, len(parts), window=window):
            yield from unpack(result)  # type: ignore[arg-type]


class _DaskTasks:
    """Chunks submitted to the cluster; finished ones taken back as they complete."""

    def __init__(self, client: Any, builder: Builder,
                 parts: list[Sequence["Article"]]) -> None:
        from distributed import as_completed

        self.client, self.builder, self.parts = client, builder, parts
        self.index: dict[str, int] = {}
        self.completed = as_completed()

    def submit(self, index: int) -> None:
        future = self.client.submit(analyse_chunk, self.builder, list(self.parts[index]),
                                    pure=False)
        self.index[future.key] = index
        self.completed.add(future)

    def finished(self) -> Iterable[tuple[int, object]]:
        out = []
        for future in self.completed.next_batch(block=True):
            try:
                result = future.result()
            except Exception as err:  # noqa: BLE001 - a worker died, the cluster went
                raise DaskError(f"the Dask cluster could not analyse a chunk of articles"
                                f" ({type(err).__name__}: {err})") from err
            out.append((self.index.pop(future.key), result))
        return out
