"""Run crawls in child processes.

Twisted's reactor cannot be restarted inside one process, and a crawl that
hangs or crashes must not take the scheduler with it.  So every crawl runs in
a fresh spawned process with a timeout; the parent owns the run record and
closes it as failed if the child dies or is killed.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import threading
import time
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from core.childproc import exit_with_parent, few_malloc_arenas, forget_main
from core.settings import Settings
from core.sources import SourceConfig
from storage.db import session_scope
from crawl.store_process import crawl_batch_main, crawl_main
from storage.models import CrawlRun, utcnow

log = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    """The closed run record of one crawl, as seen by the caller."""

    source: str
    run_id: int
    status: str
    requests: int
    new: int
    changed: int
    unchanged: int
    errors: int
    error: str | None
    retry_at: float | None = None  # status "busy": an earlier delivery of the same task holds the lease until then


def scrapy_settings(source: SourceConfig, settings: Settings) -> dict[str, Any]:
    """The explicit Scrapy settings for one source: politeness from its YAML, limits from Settings."""
    from spiders.browser import add_browser

    delay = source.politeness.delay
    return add_browser(
        {
            "USER_AGENT": settings.user_agent,
            "ROBOTSTXT_OBEY": source.politeness.obey_robots,
            "DOWNLOAD_DELAY": delay,
            "CONCURRENT_REQUESTS": max(4, source.politeness.concurrency),
            "CONCURRENT_REQUESTS_PER_DOMAIN": source.politeness.concurrency,
            "AUTOTHROTTLE_ENABLED": True,
            "AUTOTHROTTLE_START_DELAY": max(delay, 0.1),
            "AUTOTHROTTLE_MAX_DELAY": max(30.0, delay * 4),
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(source.politeness.concurrency),
            "RETRY_ENABLED": True,
            "RETRY_TIMES": 2,
            "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524],  # 5xx and timeouts only: a 4xx will not change by asking again
            "RETRY_BACKOFF_BASE": settings.retry_backoff,
            "RETRY_BACKOFF_MAX": 60.0,
            "DOWNLOAD_TIMEOUT": settings.download_timeout,
            "DOWNLOAD_MAXSIZE": settings.max_attachment_bytes,
            "DOWNLOAD_WARNSIZE": 0,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "LOG_INSTALL_ROOT_HANDLER": True,
            "LOG_FORMAT": "%(levelname)s %(name)s: %(message)s",
            "COOKIES_ENABLED": True,
            # Responses wait in the spider until the store side has stored their release; Scrapy stops downloading
            # while their bodies add up to this.  Its default, 5 MB of bodies, was ~50 MB of response objects and
            # parsed trees in the fetch process of a crawl that outruns storage; 500 KB keeps both processes busy.
            "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 200_000,
            "DOWNLOADER_MIDDLEWARES": {
                "spiders.netguard.NetworkPolicyMiddleware": 50,
                "spiders.backoff.RetryBackoffMiddleware": 560,
                "spiders.fetchlog.FetchLogMiddleware": 950,
            },
            "ITEM_PIPELINES": {"spiders.pipelines.StorePipeline": 300},
            **_shared_politeness(settings, delay),
        },
        source,
    )  # fetch: browser adds scrapy-playwright (spiders/browser.py)


def _shared_politeness(settings: Settings, delay: float) -> dict[str, Any]:
    """With Redis configured, the source's delay also holds across workers (spiders.politeness)."""
    if not settings.slot_redis_url or delay <= 0:
        return {}
    handler = "spiders.politeness.SharedSlotDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "RADAR_SLOT_REDIS_URL": settings.slot_redis_url,
        "RADAR_SLOT_DELAY": delay,
    }


# Kept under their old names: tests and callers use them as runner._forget_main etc.
_exit_with_parent = exit_with_parent
_forget_main = forget_main
_few_malloc_arenas = few_malloc_arenas


def run_crawl(
    source: SourceConfig,
    settings: Settings,
    timeout: float | None = None,
    *,
    task_id: str | None = None,
    worker: str | None = None,
    progress: Callable[[Any], None] | None = None,
) -> CrawlResult:
    """Crawl one source in a spawned child process and return its closed run record.

    Only one crawl of a source runs at a time, across processes and hosts
    (storage.lease): a second attempt is recorded as a 'skipped' run. The same
    Celery task delivered again while its lease is live raises LeaseBusy, so
    the task can retry once the first delivery finished or its lease expired.
    ``progress`` receives crawl.progress.CrawlProgress snapshots while the crawl runs.
    """
    from storage.lease import Held, LeaseBusy, acquire, holder_run, local_holder

    holder = local_holder(worker)
    lease = acquire(settings, source.name, holder, task_id)
    if isinstance(lease, Held):
        if task_id is not None and lease.task_id == task_id:
            raise LeaseBusy(lease)
        return _record_skipped(source, settings, holder_run(settings, source.name, lease), task_id, worker or holder)
    run_id: int | None = None
    try:
        with session_scope(settings) as s:
            run = CrawlRun(source_name=source.name, worker=worker or holder, task_id=task_id)
            s.add(run)
            s.flush()
            run_id = run.id
        assert run_id is not None
        lease.attach_run(run_id)
        lease.start_heartbeat()
        ctx = mp.get_context("spawn")
        listen, report = ctx.Pipe(duplex=False) if progress is not None else (None, None)
        proc = ctx.Process(
            target=crawl_main,  # a light module: the fetch process starts before the store side's imports
            args=(source.model_dump(), settings.model_dump(by_alias=False), run_id, scrapy_settings(source, settings), report),
            name=f"crawl-{source.name}",
        )
        proc.start()
        began = time.monotonic()
        if report is not None:
            report.close()  # the child holds its own copy; ours would keep the pipe open after it died
        limit = timeout if timeout is not None else settings.crawl_timeout
        deadline = time.monotonic() + limit
        while proc.is_alive() and not lease.lost.is_set() and time.monotonic() < deadline:
            proc.join(min(0.25 if listen is not None else 1.0, max(deadline - time.monotonic(), 0.01)))
            if listen is not None and progress is not None:
                from crawl.progress import drain

                drain(listen, progress)
        if proc.is_alive():
            proc.kill()
            proc.join()
            why = (
                "crawl lease lost (another worker took the source over)"
                if lease.lost.is_set()
                else f"crawl timed out after {limit}s and was killed"
            )
            _fail_open_run(settings, run_id, why)
        elif proc.exitcode != 0:
            _fail_open_run(settings, run_id, f"crawl process exited with code {proc.exitcode}")
    except BaseException as exc:  # the run must not stay 'running' because starting the crawl failed
        if run_id is not None:
            _fail_open_run(settings, run_id, f"crawl could not run: {exc!r}")
        raise
    finally:
        lease.release()
    if listen is not None and progress is not None:
        from crawl.progress import drain

        drain(listen, progress)
        listen.close()
    with session_scope(settings) as s:
        closed = s.get(CrawlRun, run_id)
        assert closed is not None
        result = CrawlResult(
            source.name,
            run_id,
            closed.status,
            closed.requests,
            closed.items_new,
            closed.items_changed,
            closed.items_unchanged,
            closed.errors,
            closed.error,
        )
    if progress is not None:
        from crawl.progress import finished

        progress(finished(result, time.monotonic() - began))
    return result


def _record_skipped(source: SourceConfig, settings: Settings, held: Any, task_id: str | None, worker: str) -> CrawlResult:
    """A crawl refused because the source is being crawled: kept as a run, so the refusal is visible."""
    holder_run = f"#{held.run_id}" if held.run_id is not None else "未登记 / not yet recorded"
    why = (
        f"已跳过：该来源正在由 {held.holder} 抓取（运行 {holder_run}）/ skipped: already being crawled by {held.holder} (run {holder_run})"
    )
    with session_scope(settings) as s:
        run = CrawlRun(source_name=source.name, status="skipped", finished_at=utcnow(), error=why, worker=worker, task_id=task_id)
        s.add(run)
        s.flush()
        run_id = run.id
    assert run_id is not None
    log.warning("crawl of %s skipped: %s", source.name, why)
    return CrawlResult(source.name, run_id, "skipped", 0, 0, 0, 0, 0, why)


def _fail_open_run(settings: Settings, run_id: int, why: str) -> None:
    with session_scope(settings) as s:
        run = s.get(CrawlRun, run_id)
        if run is not None and run.status == "running":
            run.status = "failed"
            run.finished_at = utcnow()
            run.error = why if not run.error else f"{run.error}\n{why}"
            s.add(run)


def default_batch_size() -> int:
    """Sources per batch when none is configured: ~250 per core, fewer on a small machine.

    A batch's memory is bounded by ``crawl_in_flight`` (sources open at once), not by its size; the size
    bounds how much one batch timeout or one crashed process pair can take with it, and how long a
    source waits behind the others.  Below 2 GB of memory, a smaller batch (one per 8 MB).
    """
    import os

    cores = os.cpu_count() or 1
    try:
        memory_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        memory_mb = 2048
    return max(10, min(250 * cores, memory_mb // 8, 1000))


def run_batch(
    sources: list[SourceConfig],
    settings: Settings,
    timeout: float | None = None,
    *,
    task_id: str | None = None,
    worker: str | None = None,
    in_flight: int | None = None,
) -> list[CrawlResult]:
    """Crawl several sources in one crawl process and one fetch process; each closes its own run record.

    Each source takes its own lease (one already being crawled is recorded as
    skipped, as in ``run_crawl``) and gets its own ``CrawlRun``, fetch log and
    WARC file.  Inside the batch each source has ``settings.crawl_timeout``
    (Scrapy's ``CLOSESPIDER_TIMEOUT``); ``timeout`` (default: that limit for
    every round of ``in_flight`` sources, plus a minute) ends the whole batch
    as the last resort, and whatever is still open is closed as failed.  A
    lone source crawls the way it always has (``run_crawl``).
    """
    from storage.lease import Held, Lease, acquire, attach_runs, holder_run, local_holder, release_many

    if len(sources) == 1:
        return [run_crawl(sources[0], settings, timeout, task_id=task_id, worker=worker)]
    if not sources:
        return []
    in_flight = in_flight or settings.crawl_in_flight
    holder = local_holder(worker)
    results: dict[str, CrawlResult] = {}
    leases: dict[str, Lease] = {}
    runs: dict[str, int] = {}
    for source in sources:
        lease = acquire(settings, source.name, holder, task_id)
        if isinstance(lease, Held) and task_id is not None and lease.task_id == task_id:
            # An earlier delivery of this batch still holds it (crawling, or dead and not yet expired): not a
            # refusal to record but a source to come back to (workers/tasks.py retries the batch for it).
            results[source.name] = CrawlResult(
                source.name, 0, "busy", 0, 0, 0, 0, 0, f"held by an earlier delivery of task {task_id}", retry_at=lease.expires_at
            )
        elif isinstance(lease, Held):
            results[source.name] = _record_skipped(source, settings, holder_run(settings, source.name, lease), task_id, worker or holder)
        else:
            leases[source.name] = lease
    stop = threading.Event()
    beat = threading.Thread(target=_renew_all, args=(list(leases.values()), stop), name="batch-leases", daemon=True)
    try:
        if leases:
            with session_scope(settings) as s:
                rows = {name: CrawlRun(source_name=name, worker=worker or holder, task_id=task_id) for name in leases}
                s.add_all(rows.values())
                s.flush()
                runs = {name: run.id for name, run in rows.items() if run.id is not None}
            attach_runs(list(leases.values()), runs)
            beat.start()
            jobs = [
                (src.model_dump(), runs[src.name], {**scrapy_settings(src, settings), "CLOSESPIDER_TIMEOUT": settings.crawl_timeout})
                for src in sources
                if src.name in leases
            ]
            rounds = -(-len(jobs) // in_flight)
            limit = timeout if timeout is not None else settings.crawl_timeout * rounds + 60
            ctx = mp.get_context("spawn")
            proc = ctx.Process(
                target=crawl_batch_main, args=(jobs, settings.model_dump(by_alias=False), in_flight), name=f"crawl-batch-{len(jobs)}"
            )
            proc.start()
            proc.join(limit)
            if proc.is_alive():
                proc.kill()
                proc.join()
                _fail_open_runs(settings, list(runs.values()), f"batch timed out after {limit}s and was killed")
            elif proc.exitcode != 0:
                _fail_open_runs(settings, list(runs.values()), f"batch crawl process exited with code {proc.exitcode}")
            else:
                _fail_open_runs(settings, list(runs.values()), "the batch ended without closing this run")
    except BaseException as exc:  # no run may stay 'running' because starting the batch failed
        _fail_open_runs(settings, list(runs.values()), f"batch could not run: {exc!r}")
        raise
    finally:
        stop.set()
        if beat.is_alive():
            beat.join()
        release_many(list(leases.values()))
    if runs:
        from sqlmodel import col, select

        with session_scope(settings) as s:
            for closed in s.exec(select(CrawlRun).where(col(CrawlRun.id).in_(list(runs.values())))).all():
                results[closed.source_name] = CrawlResult(
                    closed.source_name,
                    closed.id or 0,
                    closed.status,
                    closed.requests,
                    closed.items_new,
                    closed.items_changed,
                    closed.items_unchanged,
                    closed.errors,
                    closed.error,
                )
    return [results[src.name] for src in sources if src.name in results]


def _renew_all(leases: list[Any], stop: threading.Event) -> None:
    """One heartbeat for a batch's leases, one transaction a beat (a thread per lease would be a thousand threads)."""
    if not leases:
        return
    from storage.lease import renew_many

    interval = max(leases[0].ttl / 3, 0.2)
    while not stop.wait(interval):
        try:
            for lease in renew_many([lease for lease in leases if not lease.lost.is_set()]):
                log.error("crawl lease of %s was taken over during a batch", lease.source_name)
                lease.lost.set()
        except Exception:  # a short database outage: keep trying until the leases would expire
            log.warning("could not renew a batch's crawl leases", exc_info=True)


def _fail_open_runs(settings: Settings, run_ids: list[int], why: str) -> None:
    if not run_ids:
        return
    from sqlmodel import col, select

    with session_scope(settings) as s:
        for run in s.exec(select(CrawlRun).where(col(CrawlRun.id).in_(run_ids), col(CrawlRun.status) == "running")).all():
            run.status = "failed"
            run.finished_at = utcnow()
            run.error = why if not run.error else f"{run.error}\n{why}"
            s.add(run)
