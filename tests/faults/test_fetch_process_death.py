"""Either process of a crawl may die; the other does not carry on alone.

A crawl is the crawl process (store side: database, run record) and the
fetch process it spawns (Scrapy).  SIGKILL the fetch process mid-crawl: the
crawl process closes the run as failed, naming the exit code, and what was
stored stays stored.  SIGKILL the crawl process: the fetch process exits
too, instead of crawling on with nobody to store what it fetches.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import psutil
from sqlmodel import func, select

from core.settings import Settings
from slow_site import PER_PAGE, serve_slow_site, wait_for
from crawl.runner import CrawlResult, run_crawl
from storage.db import session_scope
from storage.models import Document, DocumentVersion
from test_crawl_kill import slow_source


def _start(settings: Settings, base: str) -> tuple[threading.Thread, list[CrawlResult], psutil.Process, psutil.Process]:
    """run_crawl in a thread; returns it with the crawl process and its fetch process once both run."""
    source = slow_source(base)
    out: list[CrawlResult] = []
    runner = threading.Thread(target=lambda: out.append(run_crawl(source, settings, timeout=60)))
    runner.start()
    name = f"crawl-{source.name}"
    assert wait_for(lambda: any(p.name == name and p.pid for p in multiprocessing.active_children()), 20)
    crawl = psutil.Process(next(p for p in multiprocessing.active_children() if p.name == name).pid)

    def fetcher() -> psutil.Process | None:
        return next((c for c in crawl.children() if _name(c) == "radar-fetch"), None)

    assert wait_for(lambda: fetcher() is not None, 20)
    fetch = fetcher()
    assert fetch is not None
    return runner, out, crawl, fetch


def _name(p: psutil.Process) -> str:
    try:
        return p.name()
    except psutil.Error:
        return ""


def test_a_killed_fetch_process_fails_the_run_and_keeps_what_was_stored(settings: Settings) -> None:
    with serve_slow_site(delay=0.1) as (base, hits):
        runner, out, crawl, fetch = _start(settings, base)
        assert wait_for(lambda: len(hits) >= 2 * PER_PAGE, 30)  # mid-crawl: list pages read, releases arriving
        os.kill(fetch.pid, signal.SIGKILL)
        runner.join(60)
    assert out, "run_crawl returned"
    result = out[0]
    assert result.status == "failed"
    assert "fetch process exited with code -9" in (result.error or "")
    with session_scope(settings) as s:
        docs = s.exec(select(func.count()).select_from(Document)).one()
        versions = s.exec(select(func.count()).select_from(DocumentVersion)).one()
    assert docs == versions  # whatever was stored is whole: one version per document
    assert not crawl.is_running()


def test_a_killed_crawl_process_takes_its_fetch_process_with_it(settings: Settings) -> None:
    with serve_slow_site(delay=0.1) as (base, hits):
        runner, out, crawl, fetch = _start(settings, base)
        assert wait_for(lambda: len(hits) >= PER_PAGE, 30)
        os.kill(crawl.pid, signal.SIGKILL)
        runner.join(60)
        gone = wait_for(lambda: not fetch.is_running() or fetch.status() == psutil.STATUS_ZOMBIE, 20)
    assert gone, "the fetch process outlived the crawl process that stores its work"
    assert out and out[0].status == "failed" and "exited with code -9" in (out[0].error or "")
