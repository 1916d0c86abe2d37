"""One crawl of a site where almost every page is hostile: each case is recorded against its URL, nothing else is lost.

The site is served by a real loopback HTTP server (hostile_site.py).  Its list
page links every case plus well-behaved pages; one crawl runs, then each case
is checked on its own.  "Recorded" means: the run's error text names the URL
with a clear reason (detail pages), or the attachment row carries the reason
while its release is still stored (attachments).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import select

from hostile_site import (
    GOOD_PDF,
    HUGE_BYTES,
    PNG_1PX,
    HostileHandler,
    ServerLog,
    gzip_bomb,
    html,
    huge_pdf_chunks,
    many_pages_pdf,
    password_pdf,
    pdf_bomb,
    random_bytes,
    serve_hostile,
)
from core.settings import Settings
from core.sources import SourceConfig
from crawl.runner import CrawlResult, run_crawl
from storage.db import session_scope
from storage.models import Attachment, Document, FetchLog

TITLE = "关于加快培育氢能产业的通知"
XSS_TITLE = '<script>alert("t")</script>未来产业通知<img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class Case:
    """One hostile input: what the server does at ``path`` and what PolicyRadar must record."""

    name: str
    route: Callable[[HostileHandler], None]
    expect: str  # "stored" | "error" | "attachment-error"
    pattern: str = ""  # regex the recorded message must match, or the stored title


def _page(text: str, charset: str | None, encoding: str, *, bom: bytes = b"") -> Callable[[HostileHandler], None]:
    body = bom + html(text).encode(encoding)
    ctype = f"text/html; charset={charset}" if charset else "text/html"
    return lambda h: h.reply(body, ctype)


def _attachment(body: bytes | Callable[[HostileHandler], None]) -> Callable[[HostileHandler], None]:
    return body if callable(body) else (lambda h: h.reply(body, "application/pdf"))


DETAIL_CASES = [
    Case(
        "xss-title",
        lambda h: h.reply(
            html(
                XSS_TITLE.replace("<", "&lt;").replace(">", "&gt;"),
                extra='<script>alert(2)</script><a href="javascript:alert(3)">点此</a><img src=x onerror="alert(4)">',
            ).encode()
        ),
        "stored",
        XSS_TITLE,
    ),
    Case("gbk-declared-utf8", _page(TITLE, "utf-8", "gbk"), "stored", TITLE),
    Case("utf8-declared-gb2312", _page(TITLE, "gb2312", "utf-8"), "stored", TITLE),
    Case("utf8-no-charset", _page(TITLE, None, "utf-8"), "stored", TITLE),
    Case("gbk-no-charset", _page(TITLE, None, "gbk"), "stored", TITLE),
    Case("utf8-bom-declared-gbk", _page(TITLE, "gbk", "utf-8", bom=b"\xef\xbb\xbf"), "stored", TITLE),
    Case("utf16-bom", _page(TITLE, None, "utf-16-le", bom=b"\xff\xfe"), "stored", TITLE),
    Case("ten-mb-one-line", lambda h: h.reply(html(TITLE, "未来产业发展。" * (10 * 1024 * 1024 // 21)).encode()), "stored", TITLE),
    Case("png-as-html", lambda h: h.reply(PNG_1PX), "error", r"not an HTML page"),
    Case("random-bytes-as-html", lambda h: h.reply(random_bytes(64 * 1024)), "error", r"not an HTML page"),
    Case("pdf-as-html", lambda h: h.reply(GOOD_PDF), "error", r"not an HTML page"),
    Case("empty-page", lambda h: h.reply(b""), "error", r"empty page"),
    Case("http-403", lambda h: h.reply(b"forbidden", status=403), "error", r"HTTP 403"),
    Case("http-404", lambda h: h.reply(b"gone", status=404), "error", r"HTTP 404"),
    Case("http-500", lambda h: h.reply(b"oops", status=500), "error", r"HTTP 500"),
    Case("http-503", lambda h: h.reply(b"busy", status=503), "error", r"HTTP 503"),
    Case(
        "content-length-lie",
        lambda h: h.reply(html(TITLE).encode()[:200], length=50_000),
        "error",
        r"(?i)ResponseFailed|data ?loss|ConnectionLost",
    ),
    Case(
        "reset-mid-body",
        lambda h: h.reset(html(TITLE).encode()[:200], 50_000),
        "error",
        r"(?i)ResponseFailed|ConnectionLost|reset|data ?loss",
    ),
    Case(
        "redirect-loop",
        lambda h: h.redirect("/d/redirect-loop-b.html"),
        "error",
        r"redirect loop \(.*redirect-loop-b\.html -> .*redirect-loop\.html\)",
    ),
    Case("redirect-endless", lambda h: h.redirect(h.path + ("&" if "?" in h.path else "?") + "r=1"), "error", r"max redirections"),
    Case(
        "redirect-off-site",
        lambda h: h.redirect("http://other.example.org/art.html"),
        "error",
        r"redirected off-site to http://other\.example\.org/",
    ),
    Case(
        "redirect-to-metadata",
        lambda h: h.redirect("http://169.254.169.254/latest/meta-data/"),
        "error",
        r"redirected off-site to http://169\.254\.169\.254/",
    ),
    Case("redirect-on-site", lambda h: h.redirect("/d/good-target.html", 301), "stored", "站内跳转后的通知"),
    Case(
        "gzip-bomb",
        lambda h: h.reply(gzip_bomb(), headers={"Content-Encoding": "gzip"}),
        "error",
        r"(?i)maxsize|exceed|too large|larger than",
    ),
]

ATTACHMENT_CASES = [
    Case("corrupt-pdf", _attachment(b"%PDF-1.4\n" + random_bytes(20_000, seed=3)), "attachment-error", r"corrupt|cannot be"),
    Case("truncated-pdf", _attachment(GOOD_PDF[: len(GOOD_PDF) // 3]), "attachment-error", r"corrupt|truncated|cannot be"),
    Case("password-pdf", _attachment(password_pdf()), "attachment-error", r"password-protected"),
    Case("zero-byte-pdf", _attachment(b""), "attachment-error", r"empty \(0 bytes\)"),
    Case(
        "huge-streamed-pdf", lambda h: h.stream(huge_pdf_chunks(), "application/pdf"), "attachment-error", r"(?i)maxsize|larger than|cancel"
    ),
    Case(
        "huge-declared-pdf",
        lambda h: h.stream(huge_pdf_chunks(), "application/pdf", length=HUGE_BYTES + 9),
        "attachment-error",
        r"(?i)maxsize|larger than|cancel",
    ),
    Case("flate-bomb-pdf", lambda h: h.reply(pdf_bomb(), "application/pdf"), "attachment-error", r"inflates to more than 64 MB"),
    Case("thousand-page-pdf", _attachment(many_pages_pdf()), "attachment-error", r"1000 pages, more than the limit of 500"),
    Case("missing-pdf", lambda h: h.reply(b"no", status=404), "attachment-error", r"HTTP 404"),
]
ALL_CASES = DETAIL_CASES + ATTACHMENT_CASES
GOOD_PAGES = {"good-1": "关于推动人工智能产业发展的通知", "good-2": "关于支持量子科技发展的意见", "with-good-pdf": "关于印发氢能指南的通知"}
SKIPPED_LINKS = ["javascript:void(0)", "javascript:openWin('x')", "mailto:ban@example.gov.cn", "data:text/html,<h1>hi</h1>"]


def _routes() -> dict[str, Callable[[HostileHandler], None]]:
    routes: dict[str, Callable[[HostileHandler], None]] = {}
    items = []
    for c in DETAIL_CASES:
        routes[f"/d/{c.name}.html"] = c.route
        items.append(f"/d/{c.name}.html")
    routes["/d/redirect-loop-b.html"] = lambda h: h.redirect("/d/redirect-loop.html")
    routes["/d/good-target.html"] = lambda h: h.reply(html("站内跳转后的通知").encode())
    for c in ATTACHMENT_CASES:
        routes[f"/a/{c.name}.html"] = (lambda n: lambda h: h.reply(html(f"附件案例{n}", extra=f'<a href="/f/{n}.pdf">附件</a>').encode()))(
            c.name
        )
        routes[f"/f/{c.name}.pdf"] = c.route
        items.append(f"/a/{c.name}.html")
    for name, title in GOOD_PAGES.items():
        routes[f"/d/{name}.html"] = (
            lambda t, n: lambda h: h.reply(html(t, extra='<a href="/f/good.pdf">附件1</a>' if n == "with-good-pdf" else "").encode())
        )(title, name)
        items.append(f"/d/{name}.html")
    routes["/f/good.pdf"] = lambda h: h.reply(GOOD_PDF, "application/pdf")
    lis = "".join(f'<li><a href="{u}">条目</a><span>2025-03-05</span></li>' for u in items + SKIPPED_LINKS)
    listing = f"<html><body><ul class='l'>{lis}</ul></body></html>".encode()
    routes["/list.html"] = lambda h: h.reply(listing)
    return routes


@dataclass
class Crawled:
    base: str
    settings: Settings
    result: CrawlResult
    log: ServerLog


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """The one crawl every case below is checked against (SQLite; the fault suite covers PostgreSQL)."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    settings = Settings(
        RADAR_DATA_DIR=data,
        DATABASE_URL=None,
        SMTP_URL=None,
        RADAR_MAX_ATTACHMENT_BYTES=16 * 1024 * 1024,
        RADAR_DOWNLOAD_TIMEOUT=20,
        RADAR_RETRY_BACKOFF=0.05,
        RADAR_PDF_MAX_PAGES=500,
        RADAR_PDF_MAX_INFLATED_MB=64,
        RADAR_EXTRACT_TIME_LIMIT=30,
    )
    settings.ensure_dirs()
    with serve_hostile(_routes()) as (base, log):
        source = SourceConfig.model_validate(
            {
                "name": "hostile",
                "title": "敌意站点",
                "region": "全国",
                "agency": "测试部",
                "start_urls": [f"{base}/list.html"],
                "list": {"item": "ul.l li", "date": "span::text"},
                "detail": {"title": "h1.t", "body": "#c"},
                "politeness": {"delay": 0, "concurrency": 8, "obey_robots": False},
                "network": {"allow_private": True},  # the hostile site itself is on loopback; redirects elsewhere are not
            }
        )
        result = run_crawl(source, settings, timeout=240)
        yield Crawled(base, settings, result, log)


def _doc(crawled: Crawled, path: str) -> Document | None:
    with session_scope(crawled.settings) as s:
        return s.exec(select(Document).where(Document.url == crawled.base + path)).first()


def test_the_crawl_finishes_ok_with_every_good_page_stored(crawled: Crawled) -> None:
    assert crawled.result.status == "ok", crawled.result.error
    for name, title in GOOD_PAGES.items():
        doc = _doc(crawled, f"/d/{name}.html")
        assert doc is not None and doc.title == title, name
    with session_scope(crawled.settings) as s:
        good_pdf = s.exec(select(Attachment).where(Attachment.url == crawled.base + "/f/good.pdf")).one()
    assert good_pdf.error is None and good_pdf.page_count and "氢" in good_pdf.text


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_hostile_case_is_recorded_against_its_url(crawled: Crawled, case: Case) -> None:
    errors = crawled.result.error or ""
    if case.expect == "stored":
        path = f"/d/{case.name}.html" if case.name != "redirect-on-site" else "/d/good-target.html"
        doc = _doc(crawled, path)
        assert doc is not None, f"{path} not stored; run errors:\n{errors}"
        assert doc.title == case.pattern
        assert f"{crawled.base}{path}:" not in errors
    elif case.expect == "error":
        url = f"{crawled.base}/d/{case.name}.html"
        lines = [ln for ln in errors.splitlines() if ln.startswith(url + ":")]
        assert lines, f"no error recorded for {url}; run errors:\n{errors}"
        assert re.search(case.pattern, lines[0]), lines[0]
        assert _doc(crawled, f"/d/{case.name}.html") is None, "a failed page is not stored as a document"
    else:
        doc = _doc(crawled, f"/a/{case.name}.html")
        assert doc is not None, "the release is stored even though its attachment is not readable"
        with session_scope(crawled.settings) as s:
            att = s.exec(select(Attachment).where(Attachment.url == f"{crawled.base}/f/{case.name}.pdf")).one()
        assert att.error and re.search(case.pattern, att.error), att.error
        assert att.document_id == doc.id and not att.text
        assert f"{crawled.base}/f/{case.name}.pdf:" in errors


def test_huge_responses_are_cut_off_not_downloaded(crawled: Crawled) -> None:
    streamed = crawled.log.streamed
    assert streamed.get("/f/huge-streamed-pdf.pdf", 0) < HUGE_BYTES // 2, streamed
    assert streamed.get("/f/huge-declared-pdf.pdf", 0) < HUGE_BYTES // 2, streamed


def test_non_http_list_links_are_never_requested_or_stored(crawled: Crawled) -> None:
    with session_scope(crawled.settings) as s:
        fetched = [f.url for f in s.exec(select(FetchLog).where(FetchLog.run_id == crawled.result.run_id)).all()]
        stored = [d.url for d in s.exec(select(Document)).all()]
    for link in SKIPPED_LINKS:
        scheme = link.split(":", 1)[0] + ":"
        assert not any(u.startswith(scheme) for u in fetched + stored), link
    assert all(u.startswith(crawled.base) for u in stored)


def test_crawled_markup_reaches_the_document_page_only_escaped(crawled: Crawled) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app
    from web.security import WebConfig

    doc = _doc(crawled, "/d/xss-title.html")
    assert doc is not None
    client = TestClient(create_app(crawled.settings, WebConfig(RADAR_ADMIN_TOKEN="t" * 32)))
    page = client.get(f"/documents/{doc.id}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(" in page.text and "<script>alert(" not in page.text
    assert "<img src=x onerror" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert 'href="javascript:' not in page.text and "alert(2)" not in page.text  # the page's own <script> is not carried over


def test_crawled_markup_reaches_the_digest_only_escaped(crawled: Crawled) -> None:
    from datetime import datetime, timezone
    from email import message_from_bytes, policy

    from alerts.digest import run_digest
    from alerts.period import week_containing
    from alerts.subscriptions import subscribe

    doc = _doc(crawled, "/d/xss-title.html")
    assert doc is not None
    subscribe(crawled.settings, "reader@example.com", tracks=[])
    report = run_digest(crawled.settings, week_containing(datetime.now(timezone.utc)), only=["reader@example.com"])
    assert report.sent == ["reader@example.com"], report.failed
    (eml,) = crawled.settings.outbox_dir.glob("*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    html_part = msg.get_body(preferencelist=("html",)).get_content()
    text_part = msg.get_body(preferencelist=("plain",)).get_content()
    assert "&lt;script&gt;alert(" in html_part, "the crawled title is in the digest"
    assert "<script>" not in html_part and "<img src=x" not in html_part
    assert XSS_TITLE in text_part  # plain text shows the title as it was published
