"""One crawl per source at a time, on SQLite and PostgreSQL, and a dead holder's run is closed, not left running."""

from __future__ import annotations

import threading
import time

from sqlmodel import func, select

from core.settings import Settings
from core.sources import load_sources
from crawl.runner import run_crawl
from storage.db import session_scope
from storage.models import CrawlRun, Document, DocumentVersion
from storage.lease import LOST_MARK, Held, Lease, acquire, reap_expired


def _short(settings: Settings, ttl: float = 0.6) -> Settings:
    return settings.model_copy(update={"crawl_lease_seconds": ttl})


def _open_run(settings: Settings, source: str) -> int:
    with session_scope(settings) as s:
        run = CrawlRun(source_name=source, worker="w-dead")
        s.add(run)
        s.flush()
        assert run.id is not None
        return run.id


def test_a_held_lease_refuses_others_and_an_expired_one_is_taken_over_with_its_run_closed(settings: Settings) -> None:
    short = _short(settings)
    first = acquire(short, "miit", "w1:1", "task-a")
    assert isinstance(first, Lease)
    run_id = _open_run(short, "miit")
    first.attach_run(run_id)

    refused = acquire(short, "miit", "w2:2", "task-b")
    assert isinstance(refused, Held)
    assert (refused.holder, refused.task_id, refused.run_id) == ("w1:1", "task-a", run_id)
    assert isinstance(acquire(short, "zj", "w2:2"), Lease), "leases are per source"

    time.sleep(0.8)  # w1 died: no heartbeat, the lease runs out
    second = acquire(short, "miit", "w2:2", "task-b")
    assert isinstance(second, Lease)
    with session_scope(short) as s:
        run = s.get(CrawlRun, run_id)
    assert run is not None and run.status == "failed" and run.finished_at is not None
    assert LOST_MARK in (run.error or "") and "w1:1" in (run.error or "")
    assert first.renew() is False, "the dead holder cannot get its lease back"


def test_the_heartbeat_keeps_a_long_crawl_leased_and_release_frees_it(settings: Settings) -> None:
    short = _short(settings)
    lease = acquire(short, "miit", "w1:1")
    assert isinstance(lease, Lease)
    lease.start_heartbeat()
    time.sleep(1.5)  # well past the 0.6 s lease: only renewals keep it
    assert isinstance(acquire(short, "miit", "w2:2"), Held)
    assert not lease.lost.is_set()
    lease.release()
    assert isinstance(acquire(short, "miit", "w2:2"), Lease)


def test_the_reaper_closes_runs_of_expired_leases_and_nothing_else(settings: Settings) -> None:
    short = _short(settings, ttl=0.3)
    dead = acquire(short, "miit", "w1:1")
    live = acquire(_short(settings, ttl=60), "zj", "w2:2")
    assert isinstance(dead, Lease) and isinstance(live, Lease)
    dead_run, live_run = _open_run(short, "miit"), _open_run(short, "zj")
    dead.attach_run(dead_run)
    live.attach_run(live_run)
    time.sleep(0.5)
    assert reap_expired(short) == 1
    with session_scope(short) as s:
        statuses = {r.id: r.status for r in s.exec(select(CrawlRun)).all()}
    assert statuses == {dead_run: "failed", live_run: "running"}
    assert isinstance(acquire(short, "miit", "w3:3"), Lease), "the reaped lease is free"


def test_two_local_crawls_of_one_source_at_once_crawl_it_once_and_record_the_refusal(settings: Settings, site_url: str) -> None:
    source = {s.name: s for s in load_sources(settings.sources_dir)}["thinktank"]
    results = []
    threads = [threading.Thread(target=lambda: results.append(run_crawl(source, settings))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(r.status for r in results) == ["ok", "skipped"]
    done = next(r for r in results if r.status == "ok")
    skipped = next(r for r in results if r.status == "skipped")
    assert f"#{done.run_id}" in (skipped.error or "")
    with session_scope(settings) as s:
        runs = s.exec(select(CrawlRun).order_by(CrawlRun.id)).all()  # type: ignore[arg-type]
        docs = s.exec(select(func.count()).select_from(Document)).one()
        versions = s.exec(select(func.count()).select_from(DocumentVersion)).one()
    assert {r.status for r in runs} == {"ok", "skipped"} and len(runs) == 2
    assert all(r.worker for r in runs)
    assert docs == versions == done.new > 0
