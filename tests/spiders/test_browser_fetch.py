"""`fetch: browser` sources crawled end to end over loopback, rendered by Debian's Chromium.

The site below is ours: a list built by a script from a JSON call, a section
that answers 412 with a script that sets a cookie and reloads (and serves its
detail pages only with that cookie), and a page that never settles.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from demo.server import SiteHandler, serve_sites
from core.settings import Settings
from core.sources import SourceConfig
from spiders.browser import missing_chromium
from crawl.runner import run_crawl
from storage.db import session_scope
from storage.models import Document

DB = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
needs_chromium = pytest.mark.skipif(missing_chromium("/usr/bin/chromium") is not None, reason="Debian package chromium is not installed")

DETAIL = (
    "<html><head><meta charset='utf-8'><title>{t}</title></head><body><h1>{t}</h1><div id='c'>"
    "<p>发布日期：2025-03-05</p><p>{t}的正文：推动人形机器人与量子科技产业创新发展，加快培育新质生产力。</p></div></body></html>"
)
JS_LIST = """<html><head><meta charset='utf-8'><title>文件发布</title></head><body><ul id='list'></ul>
<script>
fetch('/api/list.json').then(r => r.json()).then(d => {
  const ul = document.getElementById('list');
  for (const it of d.data) {
    const li = document.createElement('li');
    li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span>';
    ul.appendChild(li);
  }
});
</script></body></html>"""
CHALLENGE = "<html><body><script>document.cookie = 'chk=passed; path=/'; location.reload();</script></body></html>"
NEVER = "<html><body><ul class='l'></ul><script>setInterval(() => fetch('/api/poll?' + Date.now()), 200);</script></body></html>"


class ChallengeHandler(SiteHandler):
    """Serves /guarded/* only to clients holding the cookie a script sets (a 412 challenge otherwise)."""

    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802
        cookie = self.headers.get("Cookie", "")
        with self.lock:
            ChallengeHandler.seen.append((self.path, cookie))
        if self.path.startswith("/guarded/") and "chk=passed" not in cookie:
            body = CHALLENGE.encode()
            self.send_response(412)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.startswith("/api/poll"):
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()


def _page(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "site"
    for i in range(1, 4):
        _page(root, f"d/{i}.html", DETAIL.format(t=f"第{i}号通知"))
        _page(root, f"guarded/d/{i}.html", DETAIL.format(t=f"第{i}号公告"))
    _page(root, "js/list.html", JS_LIST)
    _page(
        root,
        "api/list.json",
        json.dumps({"data": [{"url": f"/d/{i}.html", "title": f"第{i}号通知", "date": "2025-03-05"} for i in range(1, 4)]}),
    )
    _page(
        root,
        "guarded/list.html",
        "<html><head><meta charset='utf-8'></head><body><ul class='l'>"
        + "".join(f"<li><a href='/guarded/d/{i}.html'>第{i}号公告</a><em>2025-03-05</em></li>" for i in range(1, 4))
        + "</ul></body></html>",
    )
    _page(root, "never/list.html", NEVER)
    ChallengeHandler.seen = []
    with serve_sites(root, handler=ChallengeHandler) as base:
        yield root, base


def crawl(settings: Settings, base: str, **config: Any) -> tuple[Any, list[str]]:
    data = {
        "name": "t",
        "title": "t",
        "region": "全国",
        "agency": "示例部",
        "politeness": {"delay": 0, "obey_robots": False},
        "network": {"allow_private": True},
        "fetch": "browser",
        **config,
    }
    data["start_urls"] = [base + u for u in data["start_urls"]]
    result = run_crawl(SourceConfig.model_validate(data), settings)
    with session_scope(settings) as s:
        urls = sorted(d.url.removeprefix(base) for d in s.exec(select(Document)).all())
    return result, urls


@DB
@needs_chromium
def test_a_list_built_by_javascript_from_a_json_call_is_crawled(settings: Settings, site: tuple[Path, str]) -> None:
    _root, base = site
    result, urls = crawl(
        settings,
        base,
        start_urls=["/js/list.html"],
        list={"item": "ul#list li", "date": "span::text"},
        browser={"wait_for": "ul#list li", "timeout": 20},
    )
    assert result.status == "ok", result.error
    assert urls == ["/d/1.html", "/d/2.html", "/d/3.html"]


@DB
@needs_chromium
def test_a_412_challenge_is_passed_and_its_cookie_kept_for_plain_detail_requests(settings: Settings, site: tuple[Path, str]) -> None:
    _root, base = site
    result, urls = crawl(
        settings,
        base,
        start_urls=["/guarded/list.html"],
        list={"item": "ul.l li", "date": "em::text"},
        browser={"pages": "list", "wait_for": "ul.l li", "timeout": 20},
    )
    assert result.status == "ok", result.error
    assert urls == ["/guarded/d/1.html", "/guarded/d/2.html", "/guarded/d/3.html"]
    details = [cookie for path, cookie in ChallengeHandler.seen if path.startswith("/guarded/d/")]
    assert details and all("chk=passed" in c for c in details), "detail pages were fetched plainly with the cookie the script set"


@DB
@needs_chromium
def test_a_page_that_never_settles_is_recorded_as_a_timeout(settings: Settings, site: tuple[Path, str]) -> None:
    _root, base = site
    result, urls = crawl(
        settings, base, start_urls=["/never/list.html"], list={"item": "ul.l li"}, browser={"wait_for": "ul.l li", "timeout": 2}
    )
    assert urls == []
    assert result.error and f"{base}/never/list.html" in result.error and "Timeout" in result.error


@DB
def test_without_chromium_the_source_fails_naming_the_debian_package(settings: Settings, site: tuple[Path, str]) -> None:
    _root, base = site
    result, urls = crawl(
        settings, base, start_urls=["/js/list.html"], list={"item": "ul#list li"}, browser={"executable": "/nonexistent/chromium"}
    )
    assert urls == []
    assert result.error and "install the Debian package 'chromium'" in result.error and f"{base}/js/list.html" in result.error


@needs_chromium
def test_sources_check_renders_the_list_and_fetches_the_detail_with_the_challenge_cookie(site: tuple[Path, str]) -> None:
    from radar.source_tools import check_source

    _root, base = site
    source = SourceConfig.model_validate(
        {
            "name": "t",
            "title": "t",
            "region": "全国",
            "agency": "示例部",
            "start_urls": [f"{base}/guarded/list.html"],
            "list": {"item": "ul.l li", "date": "em::text"},
            "network": {"allow_private": True},
            "fetch": "browser",
            "browser": {"wait_for": "ul.l li", "timeout": 20},
        }
    )
    report = check_source(source, "test-agent")
    assert report.problems == []
    assert [e.title for e in report.entries] == ["第1号公告", "第2号公告", "第3号公告"]
    assert report.detail is not None and report.detail.title == "第1号公告"


@DB
def test_the_address_policy_applies_before_the_browser_is_asked(settings: Settings, site: tuple[Path, str]) -> None:
    _root, base = site
    result, urls = crawl(settings, base, start_urls=["/js/list.html"], list={"item": "ul#list li"}, network={"allow_private": False})
    assert urls == [] and ChallengeHandler.seen == []
    assert result.error and "loopback" in result.error


def test_sources_check_refuses_a_loopback_page_without_opt_in() -> None:
    from spiders.browser import render_page

    source = SourceConfig.model_validate(
        {
            "name": "t",
            "title": "t",
            "region": "全国",
            "agency": "a",
            "start_urls": ["http://127.0.0.1:9/l.html"],
            "list": {"item": "li"},
            "fetch": "browser",
        }
    )
    with pytest.raises(RuntimeError, match="loopback"):
        render_page("http://127.0.0.1:9/l.html", source, "test-agent")
