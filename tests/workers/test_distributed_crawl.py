"""Crawl jobs on several worker processes through a real broker (Redis and RabbitMQ) and real PostgreSQL.

What the operator relies on: every enqueued job runs exactly once, the work
spreads over the workers, a source never crawls twice at once, and a worker
that dies mid-crawl loses nothing: its job is redelivered and finished by
another worker while the dead worker's run is closed as failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import func, select

from storage.db import session_scope
from storage.models import CrawlRun, Document, DocumentVersion
from workerfixture import Broker, Cluster, alive, write_sources
from workers.app import enqueue
from storage.lease import LOST_MARK

# Workers share one database across processes: PostgreSQL only (SQLite would be a file on one host).
pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _runs(cluster: Cluster) -> list[CrawlRun]:
    with session_scope(cluster.settings) as s:
        return list(s.exec(select(CrawlRun).order_by(CrawlRun.id)).all())  # type: ignore[arg-type]


def _wait_for(cluster: Cluster, done: Callable[[list[CrawlRun]], bool], timeout: float = 45) -> list[CrawlRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _runs(cluster)
        if done(runs):
            return runs
        time.sleep(0.3)
    raise AssertionError(f"timed out; runs: {[(r.source_name, r.status, r.worker) for r in _runs(cluster)]}\n{cluster.logs()}")


def _no_duplicate_content(cluster: Cluster) -> None:
    with session_scope(cluster.settings) as s:
        dup_docs = s.exec(
            select(Document.source_name, Document.url).group_by(Document.source_name, Document.url).having(func.count() > 1)
        ).all()
        multi = s.exec(select(DocumentVersion.document_id).group_by(DocumentVersion.document_id).having(func.count() > 1)).all()
    assert dup_docs == [] and multi == [], "each document was stored once, with one version"


def test_jobs_spread_over_two_workers_and_each_runs_exactly_once(
    broker: Broker, tmp_path: Path, cluster_factory: Callable[..., Cluster]
) -> None:
    names = write_sources(
        tmp_path / "sources", {"miit": ("miit", {}), "thinktank": ("thinktank", {}), "zj": ("zj", {}), "thinktank2": ("thinktank", {})}
    )
    cluster = cluster_factory(broker, tmp_path / "sources")
    w1, w2 = cluster.start("w1"), cluster.start("w2")
    cluster.wait_ready()

    task_ids = enqueue(cluster.settings, names)
    runs = _wait_for(cluster, lambda rs: len([r for r in rs if r.status != "running"]) >= len(names))
    time.sleep(1.0)  # a duplicate delivery would show up as an extra run by now
    runs = _runs(cluster)

    assert sorted(r.source_name for r in runs) == sorted(names), "one run per job: none lost, none run twice"
    assert all(r.status == "ok" for r in runs), [(r.source_name, r.status, r.error) for r in runs]
    assert sorted(r.task_id or "" for r in runs) == sorted(task_ids)
    by_worker = {w.name: [r.source_name for r in runs if (r.worker or "").startswith(f"{w.name}@")] for w in (w1, w2)}
    assert all(by_worker.values()), f"both workers crawled: {by_worker}"
    with session_scope(cluster.settings) as s:
        docs = s.exec(select(func.count()).select_from(Document)).one()
    assert docs == sum(r.items_new for r in runs) > 0
    _no_duplicate_content(cluster)


def test_a_worker_killed_mid_crawl_has_its_job_finished_by_the_other(
    broker: Broker, tmp_path: Path, sites: Path, cluster_factory: Callable[..., Cluster]
) -> None:
    # A slow site (a politeness delay) keeps the crawl running long enough to kill it midway.
    names = write_sources(tmp_path / "sources", {"miit": ("miit", {"delay": 0.3, "concurrency": 1})})
    cluster = cluster_factory(broker, tmp_path / "sources", RADAR_CRAWL_LEASE_SECONDS="3", RADAR_BROKER_VISIBILITY_TIMEOUT="6")
    workers = {w.name: w for w in (cluster.start("w1"), cluster.start("w2"))}
    cluster.wait_ready()

    (task_id,) = enqueue(cluster.settings, names)
    first = _wait_for(cluster, lambda rs: any(r.status == "running" and r.requests == 0 for r in rs), timeout=30)[0]
    victim = next(w for name, w in workers.items() if (first.worker or "").startswith(f"{name}@"))
    time.sleep(1.0)  # mid-crawl: the lease is held and pages are being stored
    orphans = victim.children()
    assert orphans, "the crawl runs in a child process of the worker"
    victim.kill()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in orphans) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in orphans), "the dead worker's crawl did not outlive it"

    runs = _wait_for(cluster, lambda rs: any(r.status == "ok" for r in rs), timeout=50)
    survivor = next(name for name in workers if name != victim.name)
    ok = [r for r in runs if r.status == "ok"]
    assert len(ok) == 1 and ok[0].task_id == task_id and (ok[0].worker or "").startswith(f"{survivor}@"), cluster.logs()
    dead = next(r for r in runs if r.id == first.id)
    assert dead.status == "failed" and LOST_MARK in (dead.error or ""), "the dead worker's run is closed, not left running"
    assert not [r for r in runs if r.status == "running"]
    _no_duplicate_content(cluster)


@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_one_source_enqueued_twice_at_once_crawls_once_and_the_refusal_is_recorded(
    broker: Broker, tmp_path: Path, cluster_factory: Callable[..., Cluster]
) -> None:
    names = write_sources(tmp_path / "sources", {"miit": ("miit", {"delay": 0.2, "concurrency": 1})})
    cluster = cluster_factory(broker, tmp_path / "sources")
    cluster.start("w1"), cluster.start("w2")
    cluster.wait_ready()

    ids = enqueue(cluster.settings, names * 2)
    runs = _wait_for(cluster, lambda rs: len(rs) == 2 and all(r.status != "running" for r in rs))
    assert sorted(r.status for r in runs) == ["ok", "skipped"], [(r.status, r.error) for r in runs]
    ok = next(r for r in runs if r.status == "ok")
    skipped = next(r for r in runs if r.status == "skipped")
    assert {ok.task_id, skipped.task_id} == set(ids)
    assert ok.worker != skipped.worker, "each worker took one of the two jobs"
    assert f"#{ok.id}" in (skipped.error or "") and "skipped" in (skipped.error or "")
    _no_duplicate_content(cluster)
