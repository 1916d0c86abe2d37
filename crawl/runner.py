"""Run crawls in child processes.

Twisted's reactor cannot be restarted inside one process, and a crawl that
hangs or crashes must not take the scheduler with it.  So every crawl runs in
a fresh spawned process with a timeout; the parent owns the run record and
closes it as failed if the child dies or is killed.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from core.childproc import exit_with_parent, few_malloc_arenas, forget_main
from core.settings import Settings
from core.sources import SourceConfig
from storage.db import session_scope
from crawl.store_process import crawl_main
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


def scrapy_settings(source: SourceConfig, settings: Settings) -> dict[str, Any]:
    """The explicit Scrapy settings for one source: politeness from its YAML, limits from Settings."""
    from spiders.browser import add_browser

    delay = source.politeness.delay
    return add_browser({
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
        "DOWNLOADER_MIDDLEWARES": {"spiders.netguard.NetworkPolicyMiddleware": 50, "spiders.backoff.RetryBackoffMiddleware": 560, "spiders.fetchlog.FetchLogMiddleware": 950},
        "ITEM_PIPELINES": {"spiders.pipelines.StorePipeline": 300},
        **_shared_politeness(settings, delay),
    }, source)  # fetch: browser adds scrapy-playwright (spiders/browser.py)


def _shared_politeness(settings: Settings, delay: float) -> dict[str, Any]:
    """With Redis configured, the source's delay also holds across workers (spiders.politeness)."""
    if not settings.slot_redis_url or delay <= 0:
        return {}
    handler = "spiders.politeness.SharedSlotDownloadHandler"
    return {"DOWNLOAD_HANDLERS": {"http": handler, "https": handler}, "RADAR_SLOT_REDIS_URL": settings.slot_redis_url, "RADAR_SLOT_DELAY": delay}


# Kept under their old names: tests and callers use them as runner._forget_main etc.
_exit_with_parent = exit_with_parent
_forget_main = forget_main
_few_malloc_arenas = few_malloc_arenas


def run_crawl(source: SourceConfig, settings: Settings, timeout: float | None = None, *,
              task_id: str | None = None, worker: str | None = None, progress: Callable[[Any], None] | None = None) -> CrawlResult:
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
            why = "crawl lease lost (another worker took the source over)" if lease.lost.is_set() else f"crawl timed out after {limit}s and was killed"
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
            source.name, run_id, closed.status, closed.requests, closed.items_new, closed.items_changed, closed.items_unchanged,
            closed.errors, closed.error,
        )
    if progress is not None:
        from crawl.progress import finished

        progress(finished(result, time.monotonic() - began))
    return result


def _record_skipped(source: SourceConfig, settings: Settings, held: Any, task_id: str | None, worker: str) -> CrawlResult:
    """A crawl refused because the source is being crawled: kept as a run, so the refusal is visible."""
    holder_run = f"#{held.run_id}" if held.run_id is not None else "未登记 / not yet recorded"
    why = f"已跳过：该来源正在由 {held.holder} 抓取（运行 {holder_run}）/ skipped: already being crawled by {held.holder} (run {holder_run})"
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
