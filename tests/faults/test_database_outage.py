"""The database goes away in the middle of a crawl: the crawl waits or fails cleanly, the next crawl catches up.

SQLite: another connection holds an exclusive lock for a few seconds (a
backup, a long admin query).  PostgreSQL: the crawler reaches the server
through a loopback TCP proxy that is stopped for a few seconds and started
again (a server restart).  In both cases every run record ends closed, and
after one more crawl every release of the site is stored exactly once.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from core.settings import Settings
from slow_site import ITEMS, item_title, serve_slow_site, wait_for
from crawl.runner import CrawlResult, run_crawl
from storage.db import dispose_engines, session_scope
from storage.models import CrawlRun, Document, DocumentVersion
from tcp_proxy import TcpProxy
from test_crawl_kill import slow_source


def _all_stored_once(settings: Settings) -> None:
    with session_scope(settings) as s:
        titles = sorted(s.exec(select(Document.title)).all())
        per_doc = s.exec(select(DocumentVersion.document_id, func.count()).group_by(DocumentVersion.document_id)).all()
        running = s.exec(select(CrawlRun).where(CrawlRun.status == "running")).all()
    assert titles == sorted(item_title(n) for n in range(1, ITEMS + 1))
    assert all(count == 1 for _d, count in per_doc)
    assert running == [], "every run record is closed"


def _crawl_in_thread(source, settings: Settings) -> tuple[threading.Thread, list[CrawlResult]]:  # type: ignore[no-untyped-def]
    out: list[CrawlResult] = []
    t = threading.Thread(target=lambda: out.append(run_crawl(source, settings, timeout=120)))
    t.start()
    return t, out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_locked_for_seconds_mid_crawl(settings: Settings) -> None:
    settings = settings.model_copy(update={"extract_workers": 0})
    with session_scope(settings):
        pass  # create and migrate the database before anyone locks it
    path = str(make_url(settings.db_url).database)
    with serve_slow_site(delay=0.05) as (base, hits):
        runner, out = _crawl_in_thread(slow_source(base), settings)
        assert wait_for(lambda: len(hits) >= 3, 60)
        blocker = sqlite3.connect(path, timeout=30)
        blocker.execute("BEGIN EXCLUSIVE")  # readers and writers both wait now
        time.sleep(4)
        blocker.rollback()
        blocker.close()
        runner.join(120)
        first = out[0]
        second = run_crawl(slow_source(base), settings, timeout=120)
    assert first.status == "ok" or "database" in (first.error or ""), first.error
    assert second.status == "ok", second.error
    _all_stored_once(settings)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_unreachable_for_seconds_mid_crawl(settings: Settings) -> None:
    real = make_url(settings.db_url)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.start()
    proxied = settings.model_copy(
        update={"database_url": real.set(port=proxy.port).render_as_string(hide_password=False), "extract_workers": 0}
    )
    try:
        with serve_slow_site(delay=0.05) as (base, hits):
            source = slow_source(base)
            runner, out = _crawl_in_thread(source, proxied)
            assert wait_for(lambda: len(hits) >= 3, 60)
            proxy.stop()  # established connections drop, new ones are refused
            time.sleep(4)
            proxy.start()
            runner.join(120)
            first = out[0] if out else None
            second = run_crawl(source, proxied, timeout=120)
    finally:
        proxy.stop()
        dispose_engines()
    assert first is not None, "run_crawl came back after the outage"
    assert first.status == "ok" or "database unavailable" in (first.error or "") or "exited with code" in (first.error or ""), first.error
    assert second.status == "ok", second.error
    _all_stored_once(settings)  # checked over a direct connection
