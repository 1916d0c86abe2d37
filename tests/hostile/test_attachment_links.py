"""Row 5 of the attack run: an attachment link that cannot be requested no longer drops its release silently.

Links are read the way a browser reads them (entities decoded, tab/CR/LF
removed, scheme case folded) before the scheme check; a link that still is
not http(s) is recorded against its page as a warning and the release is
stored without it.  The site is a real loopback server.
"""

from __future__ import annotations

import pytest
from hostile_site import GOOD_PDF, html, serve_hostile
from sqlmodel import select

from core.settings import Settings
from core.sources import SourceConfig
from storage.db import session_scope
from storage.models import Attachment, Document

BAD_LINKS = [
    "JavaScript:void(0)//a.pdf",
    "java&#9;script:alert(1)//b.pdf",
    "tel:010-12345.pdf",
    "  jAvAsCrIpT:x//c.docx",
    "mailto:office@example.gov.cn?subject=d.pdf",
    "http://[::1/e.pdf",
]


@pytest.mark.parametrize(
    ("raw", "seen_as"),
    [
        ("java&#9;script:alert(1)//b.pdf", "javascript:alert(1)//b.pdf"),
        ("JavaScript:void(0)//a.pdf", "javascript:void(0)//a.pdf"),
        ("\x01 java\nscript:x", "javascript:x"),
        ("/files/%E9%80%9A%E7%9F%A5.pdf", "/files/%E9%80%9A%E7%9F%A5.pdf"),
    ],
)
def test_links_are_read_as_a_browser_reads_them(raw: str, seen_as: str) -> None:
    from spiders.generic import link_href

    assert link_href(raw) == seen_as


def test_a_release_with_unfetchable_attachment_links_is_stored_and_the_links_are_recorded(settings: Settings) -> None:
    from crawl.runner import run_crawl

    anchors = "".join(f'<a href="{h}">附件{i}</a>' for i, h in enumerate(BAD_LINKS)) + '<a href="/files/ok.pdf">正式附件</a>'
    routes = {
        "/robots.txt": lambda h: h.reply(b"User-agent: *\nAllow: /\n", "text/plain"),
        "/list.html": lambda h: h.reply(
            "<ul class='l'><li><a href='/art/1.html'>关于发展未来能源的通知</a></li>"
            "<li><a href='/art/2.html'>关于培育未来材料的通知</a></li></ul>".encode()
        ),
        "/art/1.html": lambda h: h.reply(html("关于发展未来能源的通知", extra=anchors).encode()),
        "/art/2.html": lambda h: h.reply(html("关于培育未来材料的通知").encode()),
        "/files/ok.pdf": lambda h: h.reply(GOOD_PDF, "application/pdf"),
    }
    with serve_hostile(routes) as (base, _log):
        src = SourceConfig.model_validate(
            {
                "name": "links",
                "title": "t",
                "region": "全国",
                "agency": "测试部",
                "start_urls": [f"{base}/list.html"],
                "list": {"item": "ul.l li"},
                "politeness": {"delay": 0},
                "network": {"allow_private": "loopback"},
            }
        )
        result = run_crawl(src, settings)
    assert result.new == 2, result.error
    assert result.errors >= 5 and result.status == "ok"
    assert (result.error or "").count(f"{base}/art/1.html: warning: attachment link") >= 5
    assert "not a valid URL" in (result.error or "")
    with session_scope(settings) as s:
        doc = s.exec(select(Document).where(Document.url == f"{base}/art/1.html")).one()
        atts = s.exec(select(Attachment).where(Attachment.document_id == doc.id)).all()
    assert [a.url for a in atts] == [f"{base}/files/ok.pdf"], "the release keeps its good attachment, nothing else"
