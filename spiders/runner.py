"""Run crawls in child processes.

Twisted's reactor cannot be restarted inside one process, and a crawl that
hangs or crashes must not take the scheduler with it.  So every crawl runs in
a fresh spawned process with a timeout; the parent owns the run record and
closes it as failed if the child dies or is killed.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from dataclasses import dataclass
from typing import Any

from radar.settings import Settings
from radar.sources import SourceConfig
from storage.db import session_scope
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
    delay = source.politeness.delay
    return {
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
        "DOWNLOADER_MIDDLEWARES": {"spiders.backoff.RetryBackoffMiddleware": 560, "spiders.fetchlog.FetchLogMiddleware": 950},
        "ITEM_PIPELINES": {"spiders.store.StorePipeline": 300},
    }


def crawl_in_this_process(source: SourceConfig, settings: Settings, run_id: int) -> None:
    """Run the spider here; only ever call this in a process that has not run a reactor yet."""
    from scrapy.crawler import CrawlerProcess

    from spiders.generic import GenericSpider
    from spiders.recorder import Recorder

    recorder = Recorder(settings, source, run_id)
    process = CrawlerProcess(settings=scrapy_settings(source, settings))
    crawler = process.create_crawler(GenericSpider)
    fatal: list[str] = []

    def _closed(spider: Any, reason: str) -> None:
        if reason not in ("finished",):
            fatal.append(f"crawl closed early: {reason}")

    from scrapy import signals

    crawler.signals.connect(_closed, signal=signals.spider_closed)
    process.crawl(crawler, source=source, run_id=run_id, recorder=recorder)
    process.start()
    spider = crawler.spider
    recorder.close(list(getattr(spider, "list_errors", [])), fatal[0] if fatal else None)


def _child(source_data: dict[str, Any], settings_data: dict[str, Any], run_id: int) -> None:
    # Scrapy installs the root handler at LOG_LEVEL; a second handler here would echo DEBUG items.
    source = SourceConfig.model_validate(source_data)
    settings = Settings.model_validate(settings_data)
    crawl_in_this_process(source, settings, run_id)


def run_crawl(source: SourceConfig, settings: Settings, timeout: float | None = None) -> CrawlResult:
    """Crawl one source in a spawned child process and return its closed run record."""
    with session_scope(settings) as s:
        run = CrawlRun(source_name=source.name)
        s.add(run)
        s.flush()
        run_id = run.id
    assert run_id is not None
    ctx = mp.get_context("spawn")
    proc = ctx.Process(
        target=_child,
        args=(source.model_dump(), settings.model_dump(by_alias=False), run_id),
        name=f"crawl-{source.name}",
    )
    proc.start()
    proc.join(timeout if timeout is not None else settings.crawl_timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        _fail_open_run(settings, run_id, f"crawl timed out after {timeout or settings.crawl_timeout}s and was killed")
    elif proc.exitcode != 0:
        _fail_open_run(settings, run_id, f"crawl process exited with code {proc.exitcode}")
    with session_scope(settings) as s:
        run = s.get(CrawlRun, run_id)
        assert run is not None
        return CrawlResult(
            source.name, run_id, run.status, run.requests, run.items_new, run.items_changed, run.items_unchanged, run.errors, run.error
        )


def _fail_open_run(settings: Settings, run_id: int, why: str) -> None:
    with session_scope(settings) as s:
        run = s.get(CrawlRun, run_id)
        if run is not None and run.status == "running":
            run.status = "failed"
            run.finished_at = utcnow()
            run.error = why if not run.error else f"{run.error}\n{why}"
            s.add(run)
