"""A worker's batch job: leases per source, and a redelivered batch crawls only what it has not crawled yet.

``run_batch_job`` is what the ``radar.crawl_batch`` task runs; called here directly (no broker), against real
loopback sites and a real database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from core.settings import Settings
from demo.many_sites import serve_many_sites, source_yaml
from storage.db import session_scope
from storage.lease import Lease, acquire
from storage.models import CrawlRun
from workers.tasks import run_batch_job


@pytest.fixture
def batch_env(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    folder = tmp_path / "sources"
    folder.mkdir()
    with serve_many_sites(3, items=2) as sites:
        for i in range(3):
            (folder / f"site-{i:04d}.yaml").write_text(source_yaml(i, sites.port), encoding="utf-8")
        yield settings.model_copy(update={"sources_dir": folder})


def _runs(settings: Settings) -> list[CrawlRun]:
    with session_scope(settings) as s:
        return list(s.exec(select(CrawlRun).order_by(CrawlRun.id)).all())  # type: ignore[arg-type]


NAMES = ["site-0000", "site-0001", "site-0002"]


def test_a_redelivered_batch_crawls_only_the_sources_it_has_not_crawled(batch_env: Settings) -> None:
    first = run_batch_job(batch_env, NAMES[:2], task_id="task-1", worker="w1")
    assert [r["status"] for r in first] == ["ok", "ok"]
    again = run_batch_job(batch_env, NAMES, task_id="task-1", worker="w2")  # the broker delivers the whole batch again
    assert [(r["source"], r["status"]) for r in again] == [("site-0002", "ok")]
    assert sorted(r.source_name for r in _runs(batch_env)) == NAMES, "one run per source, none crawled twice"


def test_a_source_leased_elsewhere_is_skipped_and_recorded_and_the_others_crawl(batch_env: Settings) -> None:
    other = acquire(batch_env, "site-0001", "w9@elsewhere", "task-9")
    assert isinstance(other, Lease)
    try:
        results = {r["source"]: r for r in run_batch_job(batch_env, NAMES, task_id="task-2", worker="w1")}
    finally:
        other.release()
    assert results["site-0001"]["status"] == "skipped" and "w9@elsewhere" in results["site-0001"]["error"]
    assert results["site-0000"]["status"] == results["site-0002"]["status"] == "ok"
    assert {r.source_name: r.status for r in _runs(batch_env)}["site-0001"] == "skipped"


def test_a_source_still_held_by_an_earlier_delivery_of_the_same_batch_is_left_for_the_retry(batch_env: Settings) -> None:
    earlier = acquire(batch_env, "site-0002", "w1@dead", "task-3")
    assert isinstance(earlier, Lease)
    try:
        results = {r["source"]: r for r in run_batch_job(batch_env, NAMES, task_id="task-3", worker="w2")}
    finally:
        earlier.release()
    assert results["site-0002"]["status"] == "busy" and results["site-0002"]["retry_at"] is not None
    assert "site-0002" not in {r.source_name for r in _runs(batch_env)}, "nothing recorded: the retry crawls it"
    retried = run_batch_job(batch_env, NAMES, task_id="task-3", worker="w2")
    assert [(r["source"], r["status"]) for r in retried] == [("site-0002", "ok")]
