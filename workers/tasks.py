"""The crawl job a worker runs: one source, through the same path as a local `radar crawl`."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from celery import Task
from celery.signals import worker_process_init, worker_ready
from sqlalchemy.exc import DBAPIError, OperationalError

from core.settings import Settings
from workers.app import BATCH_TASK_NAME, TASK_NAME, app
from storage.lease import LeaseBusy, reap_expired

log = logging.getLogger(__name__)

# Infrastructure hiccups worth another try later; a crawl that failed on the site itself is recorded, not retried.
TRANSIENT = (OperationalError, DBAPIError, ConnectionError, TimeoutError)


def run_job(settings: Settings, source_name: str, *, task_id: str | None, worker: str | None) -> dict[str, Any]:
    """Crawl ``source_name`` unless this very task already crawled it successfully (a late duplicate delivery)."""
    from sqlmodel import select

    from crawl.launcher import crawl_one
    from core.sources import load_sources
    from storage.db import session_scope
    from storage.models import CrawlRun

    if task_id is not None:
        with session_scope(settings) as s:
            done = s.exec(select(CrawlRun).where(CrawlRun.task_id == task_id, CrawlRun.status == "ok")).first()
        if done is not None:
            log.info("task %s already crawled %s in run #%s; not crawling again", task_id, source_name, done.id)
            return {"source": source_name, "run_id": done.id, "status": done.status, "duplicate_delivery": True}
    # load_sources, not sync_sources: the Source table is the scheduler's to mirror, workers only read YAML.
    by_name = {s.name: s for s in load_sources(settings.sources_dir)}
    if source_name not in by_name:
        raise KeyError(f"unknown source {source_name!r} in {settings.sources_dir}; known: {', '.join(sorted(by_name))}")
    result = crawl_one(settings, by_name[source_name], task_id=task_id, worker=worker)
    return dataclasses.asdict(result)


@app.task(
    bind=True,
    name=TASK_NAME,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def crawl_source(self: Task, source_name: str) -> dict[str, Any]:
    """Settings are rebuilt here from the worker's environment: the message carries only the source name."""
    settings = Settings()
    try:
        return run_job(settings, source_name, task_id=self.request.id, worker=self.request.hostname)
    except LeaseBusy as busy:
        # An earlier delivery of this job holds the lease: it is still crawling, or it died and its lease
        # has not expired yet. Come back when it would have expired; then it is done or ours to take over.
        wait = max(1.0, busy.held.expires_at - time.time() + 0.5)
        bound = int(settings.crawl_timeout / settings.crawl_lease_seconds) + 10
        raise self.retry(exc=busy, countdown=wait, max_retries=bound) from busy


def run_batch_job(settings: Settings, source_names: list[str], *, task_id: str | None, worker: str | None) -> list[dict[str, Any]]:
    """Crawl a batch, leaving out the sources this very task already crawled (a redelivered batch runs only the rest)."""
    from sqlmodel import col, select

    from core.sources import load_sources
    from crawl.launcher import crawl_batches
    from storage.db import session_scope
    from storage.models import CrawlRun

    done: set[str] = set()
    if task_id is not None:
        with session_scope(settings) as s:
            done = set(s.exec(select(CrawlRun.source_name).where(col(CrawlRun.task_id) == task_id, col(CrawlRun.status) == "ok")).all())
    by_name = {s.name: s for s in load_sources(settings.sources_dir)}
    unknown = [n for n in source_names if n not in by_name]
    if unknown:
        log.error("batch task %s: unknown source(s) %s in %s; crawling the others", task_id, ", ".join(unknown), settings.sources_dir)
    todo = [by_name[n] for n in source_names if n in by_name and n not in done]
    if done:
        log.info("batch task %s already crawled %d of its sources; crawling the other %d", task_id, len(done), len(todo))
    results = crawl_batches(settings, todo, batch_size=max(len(todo), 1), task_id=task_id, worker=worker)
    return [dataclasses.asdict(r) for r in results]


@app.task(
    bind=True,
    name=BATCH_TASK_NAME,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def crawl_batch(self: Task, source_names: list[str]) -> list[dict[str, Any]]:
    """A batch of sources in one crawl-process pair; leases per source, as ``crawl_source`` takes one."""
    settings = Settings()
    bound = int(settings.crawl_timeout / settings.crawl_lease_seconds) + 10
    try:
        results = run_batch_job(settings, source_names, task_id=self.request.id, worker=self.request.hostname)
    except LeaseBusy as held:  # what is left is one source, crawled alone (run_crawl), and still held
        raise self.retry(exc=held, countdown=max(1.0, held.held.expires_at - time.time() + 0.5), max_retries=bound) from held
    busy = [r for r in results if r["status"] == "busy"]
    if busy:
        # An earlier delivery still holds these sources' leases: come back once they would have expired; the
        # retry crawls only what no delivery of this task has crawled yet.
        wait = max(1.0, max(r["retry_at"] for r in busy) - time.time() + 0.5)
        raise self.retry(countdown=wait, max_retries=bound)
    return results


@worker_process_init.connect
def _allow_crawl_children(**_: Any) -> None:
    """Prefork pool processes are daemonic, and a daemonic process may not start the crawl's child process.

    The crawl child is owned and reaped by run_crawl (and dies with its parent),
    so lifting the flag in the pool process is safe; the default threads pool
    does not need it.
    """
    import multiprocessing

    multiprocessing.current_process().daemon = False


@worker_ready.connect
def _reap_on_start(**_: Any) -> None:
    """A worker that starts closes the runs that dead workers left open (their leases have expired)."""
    try:
        closed = reap_expired(Settings())
        if closed:
            log.warning("closed %d crawl run(s) left open by workers that died", closed)
    except Exception:
        log.exception("could not reap expired crawl leases")
