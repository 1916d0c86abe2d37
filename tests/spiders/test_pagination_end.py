"""Where a paginated list ends, over real loopback HTTP.

Template and query pagination guess the next page's address (``index_{n}.html``,
``?page=n``) up to ``max_pages``: the site does not say how many pages there
are, or says it only in the page (TRS ``createPageHTML(total, …)``,
``countPage = N``, 共N页, 页次1/N).  A guessed page that answers 404 or 410,
redirects back to a page already read, or repeats the entries already read is
the end of the list: the fetch log records it as such, the run counts no error
and the source's health no failed request.  A page count the list announces is
honoured, so the page after the last is never requested.  A 404 on a detail
page is still a failure.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from core.settings import Settings
from sitefixture import write_details, write_page
from core.sources import SourceConfig
from crawl.runner import CrawlResult, run_crawl
from demo.server import SiteHandler, serve_sites
from storage.db import session_scope
from storage.health import HEALTHY, source_health
from storage.models import FetchLog

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # storage is covered on both backends elsewhere


class Handler(SiteHandler):
    """Records every path asked for; ``/gone/…`` answers 410 and ``/moved/…`` redirects to the list's first page."""

    seen: list[str] = []
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            Handler.seen.append(self.path)
        if self.path.startswith("/gone/") and not self.path.endswith(("index.html", "index_1.html")):
            self.send_error(410, "Gone")
            return
        if self.path.startswith("/moved/") and not self.path.endswith(("index.html", "index_1.html")):
            self.send_response(302)
            self.send_header("Location", "/moved/index.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


def lis(*ids: int) -> str:
    return "<ul class='l'>" + "".join(f"<li><a href='/d/{i}.html'>第{i}号通知</a><em>2025-03-05</em></li>" for i in ids) + "</ul>"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "site"
    write_details(root)
    Handler.seen = []
    with serve_sites(root, handler=Handler) as base:
        yield root, base


def crawl(settings: Settings, base: str, name: str = "t", **config: Any) -> CrawlResult:
    data = {
        "name": name,
        "title": "t",
        "region": "全国",
        "agency": "示例部",
        "list": {"item": "ul.l li", "date": "em::text"},
        "politeness": {"delay": 0, "obey_robots": False},
        "network": {"allow_private": True},
        **config,
    }
    data["start_urls"] = [base + u for u in data["start_urls"]]
    return run_crawl(SourceConfig.model_validate(data), settings)


def logs(settings: Settings, run_id: int | None) -> list[FetchLog]:
    with session_scope(settings) as s:
        return list(s.exec(select(FetchLog).where(FetchLog.run_id == run_id).order_by(col(FetchLog.id))).all())


def asked(suffix: str) -> list[str]:
    return [p for p in Handler.seen if p.endswith(suffix)]


TEMPLATE = {"type": "template", "url_template": "index_{n}.html", "start": 1, "max_pages": 5}


def test_a_404_after_the_last_template_page_is_the_end_of_the_list_not_a_failure(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(root, "l/index.html", lis(1, 2))
    write_page(root, "l/index_1.html", lis(3))  # two list pages; index_2.html does not exist
    result = crawl(settings, base, start_urls=["/l/index.html"], pagination=TEMPLATE)
    assert result.status == "ok" and result.new == 3
    assert result.errors == 0 and result.error is None
    rows = logs(settings, result.run_id)
    lists = [r for r in rows if "/l/" in r.url]
    assert [(r.url.removeprefix(base), r.status, r.end_of_list) for r in lists] == [
        ("/l/index.html", 200, False),
        ("/l/index_1.html", 200, False),
        ("/l/index_2.html", 404, True),  # the end of the list, recorded as such
    ]
    assert not asked("index_3.html") and not asked("index_4.html")  # nothing guessed past the end
    assert not any(r.end_of_list for r in rows if "/d/" in r.url)
    with session_scope(settings) as s:
        h = source_health(s, "t")
    assert (h.last_failed_requests, h.last_requests) == (0, len(rows))
    assert h.last_error is None and h.state(True, settings.partial_failure_share) == HEALTHY


def test_a_410_after_the_last_page_is_the_end_of_the_list_too(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(root, "gone/index.html", lis(1, 2))
    write_page(root, "gone/index_1.html", lis(3))
    result = crawl(settings, base, start_urls=["/gone/index.html"], pagination=TEMPLATE)
    assert result.status == "ok" and result.errors == 0, result.error
    end = [r for r in logs(settings, result.run_id) if r.url.endswith("/gone/index_2.html")]
    assert [(r.status, r.end_of_list) for r in end] == [(410, True)]
    with session_scope(settings) as s:
        assert source_health(s, "t").last_failed_requests == 0


def test_a_redirect_back_to_the_first_page_ends_the_list_without_an_error(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(root, "moved/index.html", lis(1, 2))
    write_page(root, "moved/index_1.html", lis(3))
    result = crawl(settings, base, start_urls=["/moved/index.html"], pagination=TEMPLATE)
    assert result.status == "ok" and result.new == 3
    assert result.errors == 0, result.error
    assert len(asked("/moved/index_2.html")) == 1 and not asked("/moved/index_3.html")


def test_a_page_that_repeats_the_first_page_ends_the_list(settings: Settings, site: tuple[Path, str]) -> None:
    """An API that ignores a page number past the end answers ``?page=n`` with its first page."""
    root, base = site
    first = {"data": {"list": [{"id": 1, "title": "第1号通知"}, {"id": 2, "title": "第2号通知"}]}}
    write_page(root, "api/list.json", json.dumps(first))
    write_page(root, "api/list.json__page-2", json.dumps({"data": {"list": [{"id": 3, "title": "第3号通知"}]}}))
    result = crawl(
        settings,
        base,
        format="json",
        start_urls=["/api/list.json"],
        list=None,
        api={"items": "data.list", "link_template": "/d/{id}.html", "title": "title"},
        pagination={"type": "query", "param": "page", "start": 1, "max_pages": 6},
    )
    assert result.status == "ok" and result.errors == 0, result.error
    assert result.new == 3
    assert asked("/api/list.json?page=3") and not asked("/api/list.json?page=4")  # page 3 was page 1 again: the end


@pytest.mark.parametrize(
    "pager",
    [
        'createPageHTML({total}, {current}, "index", "html");',
        'var countPage = {total}//共多少页\nvar currentPage = {current};\ncreatePageHTML(countPage, currentPage, "index", "html");',
        "createPageHTML('page_div', {total}, {next}, 'index', 'html', 5);",
        "</script><div class='pager'>共5条 共{total}页 当前第{next}页</div><script>",
        "</script><div class='pagebar'>共5条记录 页次{next}/{total}</div><script>",
    ],
    ids=["createPageHTML", "countPage", "createPageHTML-with-div", "gong-N-ye", "yeci"],
)
def test_a_template_list_that_announces_two_pages_is_not_asked_for_a_third(settings: Settings, site: tuple[Path, str], pager: str) -> None:
    root, base = site
    for n, ids in enumerate(((1, 2), (3, 4))):
        script = "<script>" + pager.format(total=2, current=n, next=n + 1) + "</script>"
        write_page(root, f"l/{'index' if n == 0 else f'index_{n}'}.html", lis(*ids) + script)
    write_page(root, "l/index_2.html", lis(5, 6))  # exists, but the pager says two pages: never requested
    result = crawl(settings, base, start_urls=["/l/index.html"], pagination=TEMPLATE)
    assert result.status == "ok" and result.errors == 0, result.error
    assert result.new == 4
    assert asked("/l/index_1.html") and not asked("/l/index_2.html")


def test_create_page_html_with_variables_is_read_by_createpage_pagination(settings: Settings, site: tuple[Path, str]) -> None:
    """TRS prints ``var countPage = 2`` and then ``createPageHTML(countPage, currentPage, "index", "html")``."""
    root, base = site
    for n, ids in enumerate(((1, 2), (3, 4))):
        script = f'<script>var countPage = 2;var currentPage = {n};createPageHTML(countPage, currentPage, "index", "html");</script>'
        write_page(root, f"l/{'index' if n == 0 else f'index_{n}'}.html", lis(*ids) + script)
    write_page(root, "l/index_2.html", lis(5, 6))
    result = crawl(settings, base, start_urls=["/l/index.html"], pagination={"type": "createpage", "max_pages": 10})
    assert result.status == "ok" and result.errors == 0, result.error
    assert result.new == 4 and not asked("/l/index_2.html")


def test_a_404_on_a_detail_page_is_still_a_failure(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(root, "l/index.html", lis(1, 404))  # /d/404.html does not exist
    write_page(root, "l/index_1.html", lis(2))
    result = crawl(settings, base, start_urls=["/l/index.html"], pagination=TEMPLATE)
    assert result.status == "ok" and result.new == 2
    assert result.errors == 1 and "/d/404.html: HTTP 404" in (result.error or "")
    rows = logs(settings, result.run_id)
    assert [(r.status, r.end_of_list) for r in rows if r.url.endswith("/d/404.html")] == [(404, False)]
    assert [(r.status, r.end_of_list) for r in rows if r.url.endswith("/l/index_2.html")] == [(404, True)]
    with session_scope(settings) as s:
        h = source_health(s, "t")
    assert (h.last_failed_requests, h.last_requests) == (1, len(rows))  # the detail page, not the end of the list
    assert h.last_error and "/d/404.html" in h.last_error
