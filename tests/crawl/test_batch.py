"""Batched crawls: many sources in one crawl process and one fetch process, each with its own run, over real loopback sites."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlmodel import col, func, select

from core.settings import Settings
from core.sources import SourceConfig
from crawl.runner import run_batch
from demo.many_sites import ManySites, serve_many_sites, source_yaml
from storage.db import session_scope
from storage.models import CrawlRun, Document, DocumentVersion, FetchLog

HANG, EMPTY, ERROR = 1, 2, 3


def _sources(sites: ManySites, count: int) -> list[SourceConfig]:
    return [SourceConfig.model_validate(yaml.safe_load(source_yaml(i, sites.port))) for i in range(count)]


@pytest.fixture
def batch_settings(settings: Settings) -> Settings:
    """A short per-source limit so that a hanging site ends its own run within the test."""
    return settings.model_copy(update={"crawl_timeout": 8, "download_timeout": 4, "retry_backoff": 0.1})


@pytest.fixture
def mixed_sites() -> Iterator[ManySites]:
    with serve_many_sites(6, items=4, modes={HANG: "hang", EMPTY: "empty", ERROR: "error"}) as sites:
        yield sites


def test_one_source_hanging_one_matching_nothing_one_failing_leave_the_others_stored(
    batch_settings: Settings, mixed_sites: ManySites
) -> None:
    sources = _sources(mixed_sites, 6)
    results = run_batch(sources, batch_settings, in_flight=4)
    by_name = {r.source: r for r in results}
    assert len(results) == 6 and len({r.run_id for r in results}) == 6, "each source its own run row"
    healthy = [f"site-{i:04d}" for i in (0, 4, 5)]
    for name in healthy:
        assert by_name[name].status == "ok", by_name[name].error
        assert by_name[name].new == 4
    assert by_name["site-0001"].status == "failed" and "closespider_timeout" in (by_name["site-0001"].error or "")
    assert by_name["site-0002"].status == "failed" and "matched nothing" in (by_name["site-0002"].error or "")
    assert by_name["site-0003"].status == "failed" and "500" in (by_name["site-0003"].error or "")
    with session_scope(batch_settings) as s:
        for r in results:
            logs = s.exec(select(FetchLog).where(FetchLog.run_id == r.run_id)).all()
            assert logs, f"{r.source} has fetch-log rows of its own"
            addresses = {log.url.split("/")[2] for log in logs}
            assert len(addresses) == 1, f"{r.source}'s fetch log holds only its own site: {addresses}"
            run = s.get(CrawlRun, r.run_id)
            assert run is not None and run.finished_at is not None
        docs = s.exec(select(Document.source_name, func.count()).group_by(Document.source_name)).all()
    assert dict(docs) == {name: 4 for name in healthy}
    warcs = list((batch_settings.data_dir).rglob("*.warc.gz"))
    for name in healthy:
        assert any(name in str(p) for p in warcs), f"{name} has a WARC file of its own"


def test_an_unchanged_recheck_costs_each_source_two_requests(batch_settings: Settings) -> None:
    with serve_many_sites(5, items=3) as sites:
        sources = _sources(sites, 5)
        first = run_batch(sources, batch_settings)
        assert [r.status for r in first] == ["ok"] * 5 and all(r.new == 3 for r in first)
        before = dict(sites.requests)
        again = run_batch(sources, batch_settings)
    assert [(r.status, r.new, r.changed) for r in again] == [("ok", 0, 0)] * 5
    assert all(sites.requests[i] - before[i] == 2 for i in range(5)), "robots.txt and a 304 list page"


def test_a_single_due_source_crawls_alone_as_before(batch_settings: Settings) -> None:
    with serve_many_sites(1, items=2) as sites:
        [result] = run_batch(_sources(sites, 1), batch_settings)
    assert result.status == "ok" and result.new == 2


def _kill_batch_when_stored(settings: Settings, at_least: int) -> threading.Thread:
    """SIGKILL the batch's crawl process (radar-crawl) once some documents are stored, mid-way."""
    import psutil

    def _watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with session_scope(settings) as s:
                stored = s.exec(select(func.count()).select_from(Document)).one()
            if stored >= at_least:
                for child in psutil.Process().children(recursive=True):
                    try:
                        if "radar-crawl" in " ".join(child.cmdline()) or child.name() == "radar-crawl":
                            os.kill(child.pid, signal.SIGKILL)
                    except psutil.Error:
                        pass
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=_watch, daemon=True)
    watcher.start()
    return watcher


def test_a_batch_killed_mid_way_and_rerun_stores_every_release_once(batch_settings: Settings) -> None:
    slow = batch_settings.model_copy(update={"crawl_timeout": 60})
    with serve_many_sites(6, items=10) as sites:
        sources = [
            s.model_copy(update={"politeness": s.politeness.model_copy(update={"delay": 0.2, "concurrency": 1})})
            for s in _sources(sites, 6)
        ]
        watcher = _kill_batch_when_stored(slow, 5)
        killed = run_batch(sources, slow, in_flight=3)
        watcher.join()
        assert any(r.status == "failed" for r in killed), "the kill ended some runs as failed"
        with session_scope(slow) as s:
            assert s.exec(select(func.count()).select_from(CrawlRun).where(col(CrawlRun.status) == "running")).one() == 0
        rerun = run_batch(sources, slow, in_flight=3)
    assert all(r.status == "ok" for r in rerun), [r.error for r in rerun]
    with session_scope(slow) as s:
        urls = s.exec(select(Document.url)).all()
        versions = s.exec(select(func.count()).select_from(DocumentVersion)).one()
    assert len(urls) == len(set(urls)) == 60 and versions == 60, "every release stored once"


def test_two_concurrent_batches_never_crawl_the_same_source_at_once(batch_settings: Settings) -> None:
    with serve_many_sites(4, items=6) as sites:
        sources = [
            s.model_copy(update={"politeness": s.politeness.model_copy(update={"delay": 0.3, "concurrency": 1})})
            for s in _sources(sites, 4)
        ]
        out: dict[str, list] = {}
        first = threading.Thread(target=lambda: out.__setitem__("a", run_batch(sources, batch_settings)))
        first.start()
        time.sleep(1.5)  # the first batch holds every lease by now
        out["b"] = run_batch(sources[::-1], batch_settings)
        first.join()
    assert [r.status for r in out["a"]] == ["ok"] * 4
    assert [r.status for r in out["b"]] == ["skipped"] * 4
    assert all("已跳过" in (r.error or "") for r in out["b"])
    with session_scope(batch_settings) as s:
        assert s.exec(select(func.count()).select_from(DocumentVersion)).one() == 24


def test_the_batch_timeout_closes_every_open_run_as_failed(batch_settings: Settings, tmp_path: Path) -> None:
    patient = batch_settings.model_copy(update={"crawl_timeout": 120, "download_timeout": 100})
    with serve_many_sites(3, items=2, modes={0: "hang", 1: "hang", 2: "hang"}) as sites:
        results = run_batch(_sources(sites, 3), patient, timeout=6)
    assert [r.status for r in results] == ["failed"] * 3
    assert all("batch timed out" in (r.error or "") for r in results)
