"""The scheduler persists its jobs in the app database and will not skip a digest after downtime."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from radar.scheduler import DAILY_JOB_ID, DIGEST_JOB_ID, GRACE_SECONDS, build_scheduler, configure
from core.settings import Settings
from core.sources import load_sources


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
        assert job.misfire_grace_time is GRACE_SECONDS is None  # APScheduler's 1 s default would skip it
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


def test_eight_missed_weeks_send_one_digest_after_a_restart(settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    from sqlmodel import func, select

    from storage.db import session_scope
    from storage.models import DigestRun

    monkeypatch.setenv("RADAR_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    sched = build_scheduler(settings, blocking=False)
    sched.start(paused=True)
    configure(sched, settings, [])
    sched.remove_job(DAILY_JOB_ID)
    sched.modify_job(DIGEST_JOB_ID, next_run_time=datetime.now(timezone.utc) - timedelta(weeks=8))  # the service was down
    sched.resume()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with session_scope(settings) as s:
                runs = s.exec(select(func.count()).select_from(DigestRun)).one()
            if runs:
                break
            time.sleep(0.2)
        time.sleep(1.0)  # would a second (un-coalesced) run follow?
        with session_scope(settings) as s:
            assert s.exec(select(func.count()).select_from(DigestRun)).one() == 1
        nxt = sched.get_job(DIGEST_JOB_ID).next_run_time
        assert nxt > datetime.now(timezone.utc)  # back on the weekly rhythm
    finally:
        sched.shutdown(wait=True)
