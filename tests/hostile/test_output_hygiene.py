"""Rows 6 and 7 of the attack run: crawled titles cannot inject spreadsheet formulas, break Atom feeds or reorder text.

Titles are crawled from a real loopback site, then read back through the
CSV export (parsed with the csv module), the Atom feeds (parsed with an XML
parser) and the document pages.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from hostile_site import html, serve_hostile
from hostile_web import client_for
from sqlmodel import select

from core.settings import Settings
from core.sources import SourceConfig
from storage.db import session_scope
from storage.models import Document, DocumentVersion, Source

TITLES = {
    "formula": '=HYPERLINK("http://127.0.0.1:9/x","关于氢能产业的通知")',
    "dde": "=cmd|' /C calc'!A0 关于储能的通知",
    "plus": "+1+1 关于量子信息的通知",
    "at": "@SUM(1,2) 关于人工智能的通知",
    "controls": "关于\x1b[31m培育\x07未来\ufffe产业\x85的通知",
    "bidi": "关于\u202e知通的业产来未\u202c发展的意见",
}
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def _crawl(settings: Settings) -> None:
    from crawl.launcher import sync_sources
    from crawl.runner import run_crawl

    links = "".join(f"<li><a href='/art/{k}.html'>{k}</a></li>" for k in TITLES)
    routes = {
        "/robots.txt": lambda h: h.reply(b"User-agent: *\nAllow: /\n", "text/plain"),
        "/list.html": lambda h: h.reply(f"<ul class='l'>{links}</ul>".encode()),
    }
    for key, title in TITLES.items():
        escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        # The padding keeps the control characters past the first KB, which the binary-page sniffing reads.
        page = html(escaped, body=f"正文：{escaped}，推动未来产业发展。").replace("<head>", "<head><!--" + "填充" * 400 + "-->")
        routes[f"/art/{key}.html"] = (lambda body: lambda h: h.reply(body))(page.encode())
    with serve_hostile(routes) as (base, _log):
        src = SourceConfig.model_validate(
            {
                "name": "hyg",
                "title": "t",
                "region": "全国",
                "agency": "测试部",
                "start_urls": [f"{base}/list.html"],
                "list": {"item": "ul.l li"},
                "politeness": {"delay": 0},
                "network": {"allow_private": "loopback"},
            }
        )
        with session_scope(settings) as s:
            s.add(Source(name="hyg", title="t", region="全国", agency="测试部"))
        result = run_crawl(src, settings)
    assert result.new == len(TITLES), result.error
    del sync_sources


def test_control_characters_and_bidi_overrides_are_removed_at_extraction(settings: Settings) -> None:
    _crawl(settings)
    with session_scope(settings) as s:
        titles = s.exec(select(Document.title)).all()
        texts = s.exec(select(DocumentVersion.text)).all()
    assert len(titles) == len(TITLES)
    for value in [*titles, *texts]:
        assert not FORBIDDEN.search(value), repr(value)
    assert "关于[31m培育未来产业的通知" in titles  # ESC, BEL, U+FFFE and NEL gone, the words kept
    assert "关于知通的业产来未发展的意见" in titles  # shown in logical order, as stored


def test_csv_cells_that_spreadsheets_would_evaluate_are_escaped(settings: Settings) -> None:
    _crawl(settings)
    body = client_for(settings).get("/export/documents.csv").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    titles = {r["title"] for r in rows}
    for key in ("formula", "dde", "plus", "at"):
        assert "'" + TITLES[key] in titles, (key, titles)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_atom_feeds_stay_well_formed_xml_even_for_rows_stored_before_cleaning(settings: Settings) -> None:
    _crawl(settings)
    with session_scope(settings) as s:  # a row written by an older release, raw control characters included
        doc = s.exec(select(Document)).first()
        assert doc is not None
        doc.title, doc.agency = "旧\x1b数据\ufffe标题\u202e", "旧\x07机构"
        s.add(doc)
    client = client_for(settings)
    for path in ("/feeds/region/全国.atom", "/feeds/search.atom?q=通知", "/feeds/track/energy.atom"):
        r = client.get(path)
        assert r.status_code == 200, path
        root = ET.fromstring(r.content)  # raises on ESC, U+FFFE …: the feed would be rejected by every reader
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        assert not FORBIDDEN.search(r.content.decode("utf-8")), path
    page = client.get(f"/documents/{doc.id}")
    assert page.status_code == 200 and "\u202e" not in page.text and "\x1b" not in page.text
