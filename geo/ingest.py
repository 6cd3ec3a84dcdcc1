"""The one ingest path: read files, skip what is already present, analyse, store.

``python -m geo ingest`` and the dashboard's Add page (through a background job, see
:mod:`geo.jobs`) both call :func:`ingest`. Articles already present are recognised
before anything heavy is loaded: the spaCy model and the gazetteer load only when at
least one article is new. An article is "already present" when the store holds it (same
text, or an older store's same URL and text), or when the same batch gave it before:
the same text, or the same URL with another text (the first is kept; across batches, a
different text under a stored URL is kept, with a warning, as an updated article).

Progress goes to ``on_progress`` and, with ``job``, into the store's ``jobs`` row
(at most every :data:`JOB_UPDATE_S` seconds, and at the start and end); messages
(``warning: ...``, ``error: ...``) to ``on_message``.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from geo.errors import GeoError, InputError, StoreFaultError

if TYPE_CHECKING:
    from geo.models import AnalyzedArticle, Article
    from geo.pipeline import Pipeline
    from geo.readers import ReadResult
    from geo.store import Store

log = logging.getLogger(__name__)

JOB_UPDATE_S = 0.2
WARNINGS_KEPT = 200  # in a summary; the rest are counted


@dataclass(frozen=True)
class Problem:
    """Why an input or an article was not added: where (a file, ``file:line``,
    ``batch.zip:member``) and the reason."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"

    @classmethod
    def of(cls, err: InputError) -> "Problem":
        return cls(err.path, err.reason, err.line)


@dataclass
class IngestSummary:
    """What an ingest did: added, already present (each with why), failed (each with
    its reason), warnings, and the seconds it took."""

    added: int = 0
    present: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warnings_dropped: int = 0
    seconds: float = 0.0
    store_seconds: float = 0.0  # of them, storing the analysed articles

    @property
    def skipped(self) -> int:
        return len(self.present)

    def warn(self, message: str) -> None:
        if len(self.warnings) < WARNINGS_KEPT:
            self.warnings.append(message)
        else:
            self.warnings_dropped += 1

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "IngestSummary":
        return cls(added=data.get("added", 0),
                   present=[Problem(**p) for p in data.get("present", [])],
                   failed=[Problem(**p) for p in data.get("failed", [])],
                   warnings=list(data.get("warnings", [])),
                   warnings_dropped=data.get("warnings_dropped", 0),
                   seconds=data.get("seconds", 0.0),
                   store_seconds=data.get("store_seconds", 0.0))


@dataclass(frozen=True)
class IngestProgress:
    """Where a running ingest is: ``done`` of ``total`` new articles analysed; ``last``
    the title of the one just stored, ``current`` of the one being analysed."""

    total: int
    done: int = 0
    added: int = 0
    present: int = 0
    failed: int = 0
    last: str | None = None
    current: str | None = None


ProgressFn = Callable[[IngestProgress], None]
MessageFn = Callable[[str], None]


def title_of(article: Article) -> str:
    return article.title or article.path or article.id


def ingest(sources: Iterable[str | os.PathLike], store_url: str | None = None, *,
           job: int | None = None, on_progress: ProgressFn | None = None,
           on_message: MessageFn | None = None,
           pipeline: Callable[[], Pipeline] | None = None,
           reader: Callable[[list], ReadResult] | None = None,
           workers: int = 1, dask: str | None = None,
           sources_file: str | None = None) -> IngestSummary:
    """Read ``sources`` (files, folders, zips), store what is new in the store at
    ``store_url``; ``job`` is the ``jobs`` row to keep up to date. ``pipeline`` builds
    the analysis pipeline (default: :func:`geo.pipeline.default_pipeline`), called only
    when something is new; ``reader`` turns the sources into a ReadResult (default:
    :func:`geo.readers.read_articles`; the CLI's also fetches URLs); ``sources_file``
    declares sources' home regions (geo.toponyms.home; a bad line is a failure). A fault of the
    store, gazetteer or model raises (the job is then ``failed`` with that reason); a
    bad file or article is a failure in the summary and never stops the rest.

    ``workers``: analyse in that many processes (fewer when there are few new
    articles, :func:`geo.ingest_workers.workers_for`); ``dask``: on the Dask cluster
    whose scheduler is at that address (``local``: a new local cluster of ``workers``
    processes). Either way this process stores the results, in the order it read them.
    With either, ``pipeline`` must be picklable (a module-level function, or
    :class:`geo.ingest_workers.DefaultPipeline`, the default), since each worker
    process builds its own."""
    from geo.store import Store

    started = time.monotonic()
    with Store.open(store_url) as store:
        run = _Run(store, job, on_progress, on_message or log.info)
        run.workers, run.dask = max(1, workers), dask
        run.sources_file = sources_file
        try:
            summary = run.all(list(sources), pipeline, reader)
        except BaseException as err:
            if job is not None and not store.read_only:
                reason = str(err) if isinstance(err, GeoError) else \
                    f"stopped ({type(err).__name__}: {err})" if str(err) else \
                    f"stopped ({type(err).__name__})"
                _safely(lambda: _jobs().fail_job(store, job, reason))
            raise
        summary.seconds = round(time.monotonic() - started, 3)
        summary.store_seconds = round(summary.store_seconds, 3)
        if job is not None:
            _jobs().finish_job(store, job, summary.to_dict())
    return summary


def _jobs():  # noqa: ANN202 - the store's job SQL, imported when a job is given
    from geo.store import jobs

    return jobs


def _online_geocoder() -> bool:
    from geo.settings import load

    return bool(load().geocoder)


def _safely(action: Callable[[], None]) -> None:
    try:
        action()
    except GeoError as err:  # the store itself failed: the original error matters more
        log.warning("could not record the job's failure: %s", err)


class _Run:
    """One ingest's state: the summary so far, and where to report progress."""

    def __init__(self, store: Store, job: int | None, on_progress: ProgressFn | None,
                 on_message: MessageFn) -> None:
        self.store, self.job = store, job
        self.on_progress, self.say = on_progress, on_message
        self.summary = IngestSummary()
        self.progress = IngestProgress(total=0)
        self.last_write = 0.0
        self.workers, self.dask = 1, None
        self.sources_file: str | None = None

    def all(self, sources: list, pipeline: Callable[[], Pipeline] | None,
            reader: Callable[[list], ReadResult] | None) -> IngestSummary:
        from geo.readers import read_articles

        if self.job is not None:
            _jobs().start_job(self.store, self.job, os.getpid())
        result = (reader or read_articles)(sources)
        for warning in result.warnings:
            self._warn(warning)
        for error in result.errors:
            self.say(f"error: {error}")
            self.summary.failed.append(Problem.of(error))
        fresh = self._new_articles(result.articles)
        if fresh:
            self.say(f"ingest: analysing {len(fresh)} new article(s)"
                     f" ({self.summary.skipped} already stored)")
        self._report(IngestProgress(total=len(fresh), present=self.summary.skipped,
                                    failed=len(self.summary.failed),
                                    current=title_of(fresh[0]) if fresh else None),
                     force=True)
        if fresh:  # the model and gazetteer load only when there is something to analyse
            self._analyse_and_save(fresh, self._analysed(fresh, pipeline))
        return self.summary

    def _analysed(self, fresh: list[Article], pipeline: Callable[[], Pipeline] | None
                  ) -> Iterator[AnalyzedArticle]:
        """``fresh`` analysed, in order: here, in worker processes or on Dask."""
        from geo import ingest_workers as pool

        workers = pool.workers_for(len(fresh), self.workers)
        if workers > 1 and self.dask is None and pipeline is None and _online_geocoder():
            self.say("ingest: analysing in one process: an online geocoder is set, and its"
                     " rate limit holds within one process")
            workers = 1
        if pipeline is None and (self.dask is None or self.sources_file):
            self._open_gazetteer()
        if self.dask is None and workers == 1:
            from geo.pipeline import default_pipeline

            # the store keeps the online geocoder's answers, when one is set
            build = pipeline or (lambda: default_pipeline(store=self.store,
                                                          sources=self.sources_file))
            return build().analyze_many(fresh)
        builder = pipeline or pool.DefaultPipeline(
            None if self.store.path == ":memory:" else self.store.url,
            sources=self.sources_file)
        if self.dask is not None:
            from geo.ingest_dask import analyse_on_dask

            return analyse_on_dask(fresh, address=self.dask, builder=builder,
                                   workers=self.workers, on_message=self.say)
        self.say(f"ingest: analysing in {workers} processes")
        return pool.analyse_in_processes(fresh, workers=workers, builder=builder)

    def _open_gazetteer(self) -> None:
        """Build a missing gazetteer once, here and in sight, before any analysis; and
        name the sources file's bad lines once, as failures (its other lines still
        count), whichever process or machine analyses."""
        from geo.gazetteer import ensure_gazetteer
        from geo.toponyms.home import read_sources

        with ensure_gazetteer(progress=True) as gaz:
            for error in read_sources(self.sources_file, gaz)[1] if self.sources_file else []:
                self.say(f"error: {error}")
                self.summary.failed.append(Problem.of(error))

    def _warn(self, message: str) -> None:
        self.say(f"warning: {message}")
        self.summary.warn(message)

    def _report(self, progress: IngestProgress, *, force: bool = False) -> None:
        self.progress = progress
        if self.on_progress is not None:
            self.on_progress(progress)
        now = time.monotonic()
        if self.job is not None and (force or now - self.last_write >= JOB_UPDATE_S):
            self.last_write = now
            _jobs().update_progress(
                self.store, self.job, total=progress.total, done=progress.done,
                added=progress.added, skipped=progress.present, failed=progress.failed,
                current=progress.current)

    def _new_articles(self, articles: list[Article]) -> list[Article]:
        """The articles not present yet; the others go into the summary with why."""
        if articles and self.store.read_only:
            raise StoreFaultError(f"cannot ingest into the store {self.store.path}: it is "
                                  "read-only; make the file and its folder writable, or "
                                  "choose another store with --db")
        texts: dict[str, str] = {}
        urls: dict[str, str] = {}
        fresh = []
        for article in articles:
            where = article.path or article.id
            reason = None
            if article.id in texts:
                reason = f"the same text as {texts[article.id]} in this batch"
            elif article.url and article.url in urls:
                reason = (f"the same URL as {urls[article.url]} in this batch"
                          f" ({article.url}); the first is kept")
            elif self.store.is_stored(article):
                reason = "already in the store"
            texts.setdefault(article.id, where)
            if article.url:
                urls.setdefault(article.url, where)
            if reason:
                self.summary.present.append(Problem(where, reason))
            else:
                fresh.append(article)
        return fresh

    def _analyse_and_save(self, articles: list[Article],
                          analysed: Iterator[AnalyzedArticle]) -> None:
        """Store ``articles`` as they come back analysed, reporting each; a fault of
        the store itself (damaged, read-only, full) stops the batch."""
        try:
            self._save_all(articles, analysed)
        finally:
            close = getattr(analysed, "close", None)
            if close is not None:  # stop the workers of a batch the store stopped
                close()

    def _save_all(self, articles: list[Article], analysed: Iterator[AnalyzedArticle]
                  ) -> None:
        summary = self.summary
        for index, analyzed in enumerate(analysed):
            art = analyzed.article
            for warning in analyzed.warnings:
                self._warn(warning)
            self._save(analyzed)
            following = articles[index + 1] if index + 1 < len(articles) else None
            self._report(IngestProgress(
                total=len(articles), done=index + 1, added=summary.added,
                present=summary.skipped, failed=len(summary.failed),
                last=title_of(art), current=following and title_of(following)),
                force=following is None)

    def _save(self, analyzed: AnalyzedArticle) -> None:
        started = time.monotonic()
        try:
            self._store(analyzed)
        finally:
            self.summary.store_seconds += time.monotonic() - started

    def _store(self, analyzed: AnalyzedArticle) -> None:
        art, summary = analyzed.article, self.summary
        where = art.path or art.id
        try:
            stored = self.store.save(analyzed)
        except StoreFaultError:
            raise
        except GeoError as err:
            summary.failed.append(Problem(where, str(err)))
            self.say(f"error: {err}")
            return
        if not stored:  # another process stored it meanwhile
            summary.present.append(Problem(where, "already in the store"))
            return
        summary.added += 1
        for other in self.store.url_twins(art):
            self._warn(f"{art.path}: same URL as {other} ({art.url}) but a different "
                       "text: both are stored")
        if not analyzed.places:
            self._warn(f"{art.path}: no places found")
