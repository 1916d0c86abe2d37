"""A slowloris server and a server that never answers: both time out, and the other sources still get crawled.

All three sources are crawled by one ``crawl_sources`` call, as ``radar crawl``
does; the stalled ones must cost their download timeout (times the retries)
and no more, end as failed runs naming the URL and the timeout, and the good
source must come back complete.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from crawl.launcher import crawl_sources
from core.settings import Settings
from slow_site import ITEMS, PER_PAGE, serve_slow_site
from storage.db import session_scope
from storage.models import Document, FetchLog

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # timeouts do not depend on the database


def _write_source(directory: Path, name: str, start: str, *, pages: int = 1) -> None:
    data = {
        "name": name,
        "title": name,
        "region": "全国",
        "agency": "测试部",
        "start_urls": [start],
        "list": {"item": "ul.l li", "date": "span::text"},
        "pagination": {"type": "template", "url_template": "index_{n}.html", "max_pages": pages},
        "detail": {"title": "h1.t", "body": "#c"},
        "politeness": {"delay": 0, "concurrency": 4, "obey_robots": False},
        "network": {"allow_private": True},  # all three sites are on loopback
    }
    (directory / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_slowloris_and_silent_servers_time_out_without_stalling_the_good_source(settings: Settings, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    fast = settings.model_copy(update={"sources_dir": sources, "download_timeout": 2, "retry_backoff": 0.05, "extract_workers": 0})
    with serve_slow_site(delay=0.0) as (base, _hits):
        _write_source(sources, "a-slowloris", f"{base}/slowloris/list.html")
        _write_source(sources, "b-silent", f"{base}/silent/list.html")
        _write_source(sources, "c-good", f"{base}/list/index.html", pages=ITEMS // PER_PAGE)
        results = {r.source: r for r in crawl_sources(fast)}
    assert set(results) == {"a-slowloris", "b-silent", "c-good"}
    good = results["c-good"]
    assert good.status == "ok" and good.new == ITEMS, good.error
    for name, path in (("a-slowloris", "/slowloris/list.html"), ("b-silent", "/silent/list.html")):
        run = results[name]
        assert run.status == "failed"
        assert f"{base}{path}: DownloadTimeoutError: Getting {base}{path} took longer than 2.0 seconds" in (run.error or ""), run.error
        with session_scope(fast) as s:
            attempts = s.exec(select(FetchLog).where(FetchLog.run_id == run.run_id)).all()
        assert len(attempts) == 3, "the first try and two retries, each cut by the timeout"
        assert all(a.url == f"{base}{path}" and "DownloadTimeoutError" in (a.error or "") for a in attempts)
    with session_scope(fast) as s:
        assert len(s.exec(select(Document).where(Document.source_name == "c-good")).all()) == ITEMS
