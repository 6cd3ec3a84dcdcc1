"""Analysis in other processes: the per-article function that worker processes (local
ones, or a Dask cluster's: :mod:`geo.ingest_dask`) run, each with its own pipeline,
loaded once per process.

The parent (:mod:`geo.ingest`) keeps reading, deduplicating and storing: it sends
chunks of new articles to the workers, takes the analysed articles back as they are
finished, and stores them in the order it read them, so a parallel ingest stores
exactly what a one-process ingest stores (actors fold into the first spelling the store
holds, so the order matters). At most :data:`WINDOW_PER_WORKER` chunks per worker are
in flight, which bounds the memory of results waiting for an earlier one.

A worker's pipeline is built by a *builder*: a picklable callable with no arguments
(:class:`DefaultPipeline` is the usual one), called on the worker's first task, or
at its start (the pool's initializer, the Dask worker plugin). An error while building
or analysing comes back as a :class:`WorkerFault` and is raised again in the parent
with its class and message (an exception's own pickling can lose its arguments).
"""
from __future__ import annotations

import logging
import math
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from geo import errors
from geo.errors import GeoError

if TYPE_CHECKING:
    from geo.models import AnalyzedArticle, Article
    from geo.pipeline import Pipeline

log = logging.getLogger(__name__)

ARTICLES_PER_TASK = 4  # as Pipeline.articles_per_batch: spaCy's batches stay full
WINDOW_PER_WORKER = 4  # chunks in flight per worker
# a worker pays for its model load (~2-3 s of CPU) once it has this many articles
MIN_ARTICLES_PER_WORKER = 16
PARENT_CHECK_S = 0.5  # how often a local worker looks whether the ingest process is there

Builder = Callable[[], "Pipeline"]


@dataclass(frozen=True)
class DefaultPipeline:
    """Builds :func:`geo.pipeline.default_pipeline` in a worker: the gazetteer and
    model of this machine's settings; the online geocoder's answers (when the settings
    name one) cached in the store at ``store_url`` when the worker can open it; the
    sources' homes declared in ``sources`` (a file) and learned from that store and from
    the articles this worker analyses (each worker learns from its own share of a batch:
    docs/scale.md)."""

    store_url: str | None = None
    sources: str | None = None

    def __call__(self) -> "Pipeline":
        from geo.pipeline import default_pipeline
        from geo.settings import load

        settings = load()
        store = None
        if self.store_url:  # the geocoder's cache and the sources' stored places
            from geo.store import Store

            store = Store.open(self.store_url)  # kept open for the worker's life
        return default_pipeline(progress=False, settings=settings, store=store,
                                sources=self.sources)


@dataclass(frozen=True)
class WorkerFault:
    """An error raised in a worker, to be raised again in the parent."""

    kind: str  # the class's name in geo.errors, else the class's name
    message: str
    is_geo: bool

    @classmethod
    def of(cls, err: BaseException) -> "WorkerFault":
        return cls(type(err).__name__, str(err) or type(err).__name__,
                   isinstance(err, GeoError))

    def error(self) -> BaseException:
        known = getattr(errors, self.kind, None)
        if self.is_geo and isinstance(known, type) and issubclass(known, GeoError):
            try:
                return known(self.message)
            except TypeError:  # a class that wants more than a message
                return GeoError(self.message)
        if self.is_geo:
            return GeoError(self.message)
        return RuntimeError(f"an analysis worker failed ({self.kind}: {self.message})")


# -- in the worker process --------------------------------------------------------------

_lock = threading.Lock()  # a Dask worker may run tasks in threads: one pipeline, one user
_loaded: tuple[bytes, "Pipeline | WorkerFault"] | None = None


def _pipeline(builder: Builder) -> "Pipeline | WorkerFault":
    """This process's pipeline from ``builder``, built on first use (a build that
    failed is remembered, so every task says why)."""
    global _loaded
    key = pickle.dumps(builder)
    if _loaded is None or _loaded[0] != key:
        try:
            _loaded = (key, builder())
        except Exception as err:  # noqa: BLE001 - sent back to the parent, raised there
            log.warning("could not build the analysis pipeline: %s", err)
            _loaded = (key, WorkerFault.of(err))
    return _loaded[1]


def warm(builder: Builder) -> None:
    """Build this process's pipeline now (a pool's initializer, a Dask plugin)."""
    with _lock:
        _pipeline(builder)


def start_pool_worker(builder: Builder, parent: int) -> None:
    """A local pool's initializer: leave when the ingest process is gone (killed, it
    cannot stop its workers), then build this process's pipeline."""
    threading.Thread(target=_exit_without, args=(parent,), name="parent-watch",
                     daemon=True).start()
    warm(builder)


def _exit_without(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)  # nothing of this process's is worth finishing: the results have no reader


def analyse_chunk(builder: Builder, articles: Sequence["Article"]
                  ) -> "list[AnalyzedArticle] | WorkerFault":
    """The per-article function: ``articles`` analysed by this process's pipeline, in
    order; a fault (the model cannot load, a bug) as a WorkerFault."""
    with _lock:
        pipe = _pipeline(builder)
        if isinstance(pipe, WorkerFault):
            return pipe
        try:
            return list(pipe.analyze_many(articles))
        except Exception as err:  # noqa: BLE001 - sent back to the parent, raised there
            log.exception("analysis failed")
            return WorkerFault.of(err)


# -- in the parent ----------------------------------------------------------------------

def chunks(articles: Sequence["Article"], size: int = ARTICLES_PER_TASK
           ) -> list[Sequence["Article"]]:
    return [articles[i:i + size] for i in range(0, len(articles), size)]


def workers_for(articles: int, wanted: int) -> int:
    """How many processes ``articles`` new articles are worth, at most ``wanted``."""
    return max(1, min(wanted, math.ceil(articles / MIN_ARTICLES_PER_WORKER)))


def unpack(result: "list[AnalyzedArticle] | WorkerFault") -> "list[AnalyzedArticle]":
    if isinstance(result, WorkerFault):
        raise result.error()
    return result


class Tasks(Protocol):
    """Where chunks run: a local process pool, a Dask cluster."""

    def submit(self, index: int) -> None:
        """Start chunk ``index``."""

    def finished(self) -> Iterable[tuple[int, object]]:
        """Wait until at least one started chunk is finished; ``(index, result)`` of
        each one finished since the last call."""


def in_order(tasks: Tasks, count: int, *, window: int) -> Iterator[object]:
    """The results of chunks ``0 .. count - 1``, in that order, each as soon as it and
    its predecessors are finished; at most ``window`` chunks are started and not yet
    given back (a slow chunk holds back at most that many results)."""
    waiting: dict[int, object] = {}
    started = given = 0
    while given < count:
        while started < count and started - given < window:
            tasks.submit(started)
            started += 1
        for index, value in tasks.finished():
            waiting[index] = value
        while given in waiting:
            yield waiting.pop(given)
            given += 1


def analyse_in_processes(articles: Sequence["Article"], *, workers: int,
                         builder: Builder) -> Iterator["AnalyzedArticle"]:
    """The analysed ``articles``, in order, analysed by ``workers`` new processes
    (started with ``spawn``: nothing of this process is shared but what is sent)."""
    parts = chunks(articles)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=start_pool_worker,
                             initargs=(builder, os.getpid())) as pool:
        tasks = _PoolTasks(pool, builder, parts)
        try:
            for result in in_order(tasks, len(parts), window=workers * WINDOW_PER_WORKER):
                yield from unpack(result)  # type: ignore[arg-type]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class _PoolTasks:
    def __init__(self, pool: ProcessPoolExecutor, builder: Builder,
                 parts: list[Sequence["Article"]]) -> None:
        self.pool, self.builder, self.parts = pool, builder, parts
        self.pending: dict[Future, int] = {}

    def submit(self, index: int) -> None:
        future = self.pool.submit(analyse_chunk, self.builder, self.parts[index])
        self.pending[future] = index

    def finished(self) -> Iterable[tuple[int, object]]:
        done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
        return [(self.pending.pop(f), f.result()) for f in done]
