"""Every list shape and politeness rule a source YAML can ask for, crawled over real loopback HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from demo.server import SiteHandler, serve_sites
from core.settings import Settings
from sitefixture import write_details, write_page
from core.sources import SourceConfig
from crawl.runner import run_crawl
from storage.db import session_scope
from storage.models import Document, FetchLog

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # storage is covered on both backends elsewhere


class RecordingHandler(SiteHandler):
    """Records request headers and fails /flaky.html twice with 503, like an overloaded server."""

    seen: list[dict[str, str]] = []
    flaky = {"left": 2}
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            RecordingHandler.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            if self.path.endswith("/flaky.html") and RecordingHandler.flaky["left"] > 0:
                RecordingHandler.flaky["left"] -= 1
                self.send_error(503, "busy")
                return
        super().do_GET()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "site"
    write_details(root)
    RecordingHandler.seen = []
    RecordingHandler.flaky = {"left": 2}
    with serve_sites(root, handler=RecordingHandler) as base:
        yield root, base


def crawl(settings: Settings, base: str, **config: Any) -> tuple[Any, list[str]]:
    data = {
        "name": "t",
        "title": "t",
        "region": "全国",
        "agency": "示例部",
        "politeness": {"delay": 0, "obey_robots": False},
        "network": {"allow_private": True},
        **config,
    }
    data["start_urls"] = [base + u for u in data["start_urls"]]
    result = run_crawl(SourceConfig.model_validate(data), settings)
    with session_scope(settings) as s:
        urls = sorted(d.url.removeprefix(base) for d in s.exec(select(Document)).all())
    return result, urls


def lis(*ids: int, day: str = "2025-03-05") -> str:
    return "<ul class='l'>" + "".join(f"<li><a href='/d/{i}.html'>第{i}号通知</a><em>{day}</em></li>" for i in ids) + "</ul>"


def test_json_api_with_query_pagination_and_epoch_dates(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    ms = 1741132800000  # 2025-03-05 in epoch milliseconds, as many gov APIs send
    write_page(
        root,
        "api/list.json",
        json.dumps({"data": {"list": [{"id": 1, "title": "第1号通知", "pubDate": ms}, {"id": 2, "title": "第2号通知", "pubDate": ms}]}}),
    )
    write_page(root, "api/list.json__page-2", json.dumps({"data": {"list": [{"id": 3, "title": "第3号通知", "pubDate": ms}]}}))
    write_page(root, "api/list.json__page-3", json.dumps({"data": {"list": []}}))
    result, urls = crawl(
        settings,
        base,
        format="json",
        start_urls=["/api/list.json"],
        api={"items": "data.list", "link_template": "/d/{id}.html", "title": "title", "date": "pubDate"},
        pagination={"type": "query", "param": "page", "start": 1, "max_pages": 5},
    )
    assert result.status == "ok", result.error
    assert urls == ["/d/1.html", "/d/2.html", "/d/3.html"]


def test_create_page_html_pagination_requests_exactly_the_announced_pages(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(root, "l/index.html", lis(1, 2) + '<script>createPageHTML(3, 0, "index", "html");</script>')
    write_page(root, "l/index_1.html", lis(3, 4) + '<script>createPageHTML(3, 1, "index", "html");</script>')
    write_page(root, "l/index_2.html", lis(5) + '<script>createPageHTML(3, 2, "index", "html");</script>')
    write_page(root, "l/index_3.html", lis(6, 7))  # exists, but the pager says 3 pages: never requested
    result, urls = crawl(
        settings,
        base,
        start_urls=["/l/index.html"],
        list={"item": "ul.l li", "date": "em::text"},
        pagination={"type": "createpage", "max_pages": 10},
    )
    assert result.status == "ok", result.error
    assert urls == [f"/d/{i}.html" for i in range(1, 6)]
    assert not any(r["path"].endswith("index_3.html") for r in RecordingHandler.seen)


def test_rss_and_atom_feeds(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(
        root,
        "feed.xml",
        f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
      <item><title>第1号通知</title><link>{base}/d/1.html</link><pubDate>Wed, 05 Mar 2025 09:00:00 +0800</pubDate></item>
      <item><title>第2号通知</title><link>/d/2.html</link><pubDate>Tue, 04 Mar 2025 09:00:00 +0800</pubDate></item></channel></rss>""",
    )
    write_page(
        root,
        "atom.xml",
        """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><title>第3号通知</title><link rel="alternate" href="/d/3.html"/><updated>2025-03-03T09:00:00+08:00</updated></entry></feed>""",
    )
    result, urls = crawl(settings, base, format="feed", start_urls=["/feed.xml", "/atom.xml"])
    assert result.status == "ok", result.error
    assert urls == ["/d/1.html", "/d/2.html", "/d/3.html"]


def test_sitemap_index_is_followed(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(
        root,
        "sitemap.xml",
        f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{base}/sitemap-1.xml</loc></sitemap></sitemapindex>""",
    )
    write_page(
        root,
        "sitemap-1.xml",
        f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{base}/d/4.html</loc><lastmod>2025-03-05</lastmod></url><url><loc>{base}/d/5.html</loc></url></urlset>""",
    )
    result, urls = crawl(settings, base, format="sitemap", start_urls=["/sitemap.xml"])
    assert result.status == "ok", result.error
    assert urls == ["/d/4.html", "/d/5.html"]


def test_xpath_include_exclude_and_max_age(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    old = (date.today() - timedelta(days=400)).isoformat()
    recent = date.today().isoformat()
    write_page(
        root,
        "x.html",
        lis(1, 2, 3, day=recent) + lis(4, day=old) + "<ul class='l'><li><a href='/other/9.html'>外链</a><em>" + recent + "</em></li></ul>",
    )
    result, urls = crawl(
        settings,
        base,
        start_urls=["/x.html"],
        list={"item": "xpath://ul[@class='l']/li", "link": "xpath:./a/@href", "title": "xpath:./a/text()", "date": "xpath:./em/text()"},
        include_patterns=[r"/d/\d+\.html$"],
        exclude_patterns=[r"/d/2\.html$"],
        max_age_days=180,
    )
    assert result.status == "ok", result.error
    assert urls == ["/d/1.html", "/d/3.html"]


def test_custom_headers_cookies_and_user_agent_are_sent(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(root, "h.html", lis(1))
    result, _ = crawl(
        settings,
        base,
        start_urls=["/h.html"],
        list={"item": "ul.l li"},
        headers={"Referer": "https://www.example.gov.cn/"},
        cookies={"session": "abc"},
    )
    assert result.status == "ok", result.error
    first = next(r for r in RecordingHandler.seen if r["path"] == "/h.html")
    assert first["referer"] == "https://www.example.gov.cn/"
    assert "session=abc" in first.get("cookie", "")
    assert first["user-agent"] == settings.user_agent and "mailto:" in first["user-agent"]


def test_5xx_is_retried_with_backoff_and_4xx_is_not(settings: Settings, site: tuple[Path, str]) -> None:
    root, base = site
    write_page(root, "flaky.html", lis(1))
    write_page(root, "missing-list.html", "<ul class='l'><li><a href='/d/404.html'>不存在</a><em>2025-03-05</em></li></ul>")
    fast = settings.model_copy(update={"retry_backoff": 0.2})
    result, urls = crawl(fast, base, start_urls=["/flaky.html", "/missing-list.html"], list={"item": "ul.l li", "date": "em::text"})
    assert urls == ["/d/1.html"]
    with session_scope(fast) as s:
        logs = s.exec(select(FetchLog).where(FetchLog.run_id == result.run_id)).all()
    flaky = [log.status for log in logs if log.url.endswith("/flaky.html")]
    missing = [log.status for log in logs if log.url.endswith("/d/404.html")]
    assert flaky == [503, 503, 200]
    assert missing == [404]
    assert "/d/404.html: HTTP 404" in (result.error or "")
