"""The long-running service: APScheduler with its jobs persisted in the app database.

Jobs are stored by reference (module:function plus a source name), so they
survive restarts; each run reloads settings and config, so an edited YAML
takes effect without re-registering.  Weekly digests coalesce missed runs
and have a generous misfire grace time: APScheduler's 1 s default would
silently skip a digest after a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.settings import Settings
from core.sources import SourceConfig

log = logging.getLogger(__name__)

DIGEST_JOB_ID = "digest:weekly"
DAILY_JOB_ID = "digest:daily"
GRACE_SECONDS = None  # run however late: a missed weekly digest is sent (once, coalesced) after downtime


_due: list[str] = []  # sources whose crawl job fired and that wait for the batch being gathered
_due_lock = threading.Lock()
_gathering = False  # a job thread is gathering due sources and crawling them


def crawl_job(source_name: str) -> None:
    """Scheduled entry point for one source's crawl: crawl here, or (RADAR_EXECUTOR=celery) hand it to a worker.

    Crawling here, sources falling due together crawl together: the first job
    to fire waits ``RADAR_CRAWL_BATCH_GATHER`` seconds for the others, which
    only add their name, then crawls them all as batches (crawl.launcher
    ``crawl_batches``), and goes on with whatever fell due meanwhile.  A
    source due alone still crawls alone.
    """
    settings = Settings()
    if settings.executor == "celery":
        from workers.app import enqueue
        from storage.lease import reap_expired

        reap_expired(settings)  # runs of workers that died are closed even if no worker restarts
        log.info("crawl %s enqueued as task %s", source_name, enqueue(settings, [source_name])[0])
        return
    global _gathering
    with _due_lock:
        if source_name not in _due:
            _due.append(source_name)
        if _gathering:
            return  # the gathering job crawls it
        _gathering = True
    try:
        _crawl_due(settings)
    finally:
        with _due_lock:
            _gathering = False


def _crawl_due(settings: Settings) -> None:
    from crawl.launcher import crawl_batches, sync_sources

    while True:
        time.sleep(settings.crawl_batch_gather)
        with _due_lock:
            names, _due[:] = list(_due), []
        if not names:
            return
        by_name = {s.name: s for s in sync_sources(settings)}
        gone = [n for n in names if n not in by_name or not by_name[n].enabled]
        if gone:
            log.warning("crawl of %s skipped: no longer configured or disabled", ", ".join(gone))
        for result in crawl_batches(settings, [by_name[n] for n in names if n not in gone]):
            log.info("crawl %s: %s new=%d changed=%d errors=%d", result.source, result.status, result.new, result.changed, result.errors)


def digest_job() -> None:
    """Scheduled entry point for the weekly digest: the week that has just ended."""
    from alerts.digest import run_digest
    from alerts.period import last_completed_week

    settings = Settings()
    report = run_digest(settings, last_completed_week(datetime.now(timezone.utc), settings.timezone), frequency="weekly")
    log.info("digest %s: sent=%d skipped=%d failed=%d", report.period.key, len(report.sent), len(report.skipped), len(report.failed))


def daily_digest_job() -> None:
    """Scheduled entry point for daily subscribers: the day that has just ended."""
    from datetime import timedelta

    from alerts.digest import run_digest
    from alerts.period import day_containing

    settings = Settings()
    period = day_containing(datetime.now(timezone.utc) - timedelta(minutes=1), settings.timezone)
    report = run_digest(settings, period, frequency="daily")
    log.info("daily digest %s: sent=%d skipped=%d failed=%d", period.key, len(report.sent), len(report.skipped), len(report.failed))


def trigger_for(source: SourceConfig, tz: str) -> CronTrigger | IntervalTrigger:
    if source.schedule.interval_minutes:
        return IntervalTrigger(minutes=source.schedule.interval_minutes, timezone=tz)
    return CronTrigger.from_crontab(source.schedule.cron or "0 */6 * * *", timezone=tz)


def configure(scheduler: BaseScheduler, settings: Settings, sources: list[SourceConfig]) -> None:
    """(Re)register every job; jobs of sources that were removed or disabled are dropped."""
    wanted = {f"crawl:{s.name}" for s in sources if s.enabled}
    for job in scheduler.get_jobs():
        if job.id.startswith("crawl:") and job.id not in wanted:
            job.remove()
    for src in sources:
        if not src.enabled:
            continue
        scheduler.add_job(
            "radar.scheduler:crawl_job",
            trigger=trigger_for(src, settings.timezone),
            args=[src.name],
            id=f"crawl:{src.name}",
            name=f"抓取 {src.title}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    scheduler.add_job(
        "radar.scheduler:digest_job",
        trigger=CronTrigger.from_crontab(settings.digest_cron, timezone=settings.timezone),
        id=DIGEST_JOB_ID,
        name="每周摘要",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=GRACE_SECONDS,
    )
    scheduler.add_job(
        "radar.scheduler:daily_digest_job",
        trigger=CronTrigger(hour=settings.digest_cron.split()[1], minute=settings.digest_cron.split()[0], timezone=settings.timezone),
        id=DAILY_JOB_ID,
        name="每日摘要",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=GRACE_SECONDS,
    )


def build_scheduler(settings: Settings, *, blocking: bool = True) -> BaseScheduler:
    from storage.db import get_engine

    store = SQLAlchemyJobStore(engine=get_engine(settings), tablename="apscheduler_jobs")
    cls = BlockingScheduler if blocking else BackgroundScheduler
    return cls(jobstores={"default": store}, timezone=settings.timezone, job_defaults={"coalesce": True})
