"""The scheduler persists its jobs in the app database and will not skip a digest after downtime."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from radar.scheduler import DAILY_JOB_ID, DIGEST_JOB_ID, GRACE_SECONDS, build_scheduler, configure
from radar.settings import Settings
from radar.sources import load_sources


def test_jobs_persist_across_scheduler_restarts(settings: Settings) -> None:
    sources = load_sources(settings.sources_dir)
    first = build_scheduler(settings, blocking=False)
    first.start(paused=True)
    configure(first, settings, sources)
    first.shutdown(wait=False)

    second = build_scheduler(settings, blocking=False)
    second.start(paused=True)
    try:
        ids = {job.id for job in second.get_jobs()}
        assert ids == {DIGEST_JOB_ID, DAILY_JOB_ID} | {f"crawl:{s.name}" for s in sources}
    finally:
        second.shutdown(wait=False)


def test_weekly_digest_runs_monday_0800_shanghai_and_survives_downtime(settings: Settings) -> None:
    sched = build_scheduler(settings, blocking=False)
    sched.start(paused=True)
    try:
        configure(sched, settings, [])
        job = sched.get_job(DIGEST_JOB_ID)
        assert job.misfire_grace_time == GRACE_SECONDS >= 7 * 24 * 3600
        assert job.coalesce is True
        nxt = job.trigger.get_next_fire_time(None, datetime(2025, 3, 5, tzinfo=ZoneInfo("Asia/Shanghai")))
        assert nxt == datetime(2025, 3, 10, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        assert nxt.astimezone(timezone.utc).hour == 0
    finally:
        sched.shutdown(wait=False)


def test_removed_sources_lose_their_jobs(settings: Settings) -> None:
    sources = load_sources(settings.sources_dir)
    sched = build_scheduler(settings, blocking=False)
    sched.start(paused=True)
    try:
        configure(sched, settings, sources)
        configure(sched, settings, sources[:1])
        assert {j.id for j in sched.get_jobs()} == {DIGEST_JOB_ID, DAILY_JOB_ID, f"crawl:{sources[0].name}"}
        crawl = sched.get_job(f"crawl:{sources[0].name}")
        assert crawl.max_instances == 1
        assert crawl.next_run_time is None or crawl.next_run_time - datetime.now(timezone.utc) < timedelta(days=2)
    finally:
        sched.shutdown(wait=False)
