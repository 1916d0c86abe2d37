"""Reading pages through the test client: what an analyst and an auditor see."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from webdata import XSS, Seeded

from web.app import period_zh


def test_dashboard_shows_this_week_per_track_trend_regions_and_latest(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "本周概览" in html and "未来能源" in html
    assert '<svg class="chart"' in html and "近12周" in html
    assert "本周分地区" in html and "全国" in html and "浙江" in html
    assert "关于推动氢能产业高质量发展的实施意见" in html  # latest items


def test_track_page_lists_subtracks_and_filters(client: TestClient, seeded: Seeded) -> None:
    html = client.get("/tracks/energy").text
    assert "氢能" in html and "核能与核聚变" in html
    assert "关于推动氢能产业高质量发展的实施意见" in html and "转发关于推动氢能产业" in html
    only_zj = client.get("/tracks/energy", params={"region": "浙江"}).text
    assert "转发关于推动氢能产业" in only_zj and "工信部联规〔2025〕12号" not in only_zj
    by_date = client.get("/tracks/energy", params={"since": "2025-03-06"}).text
    assert "共 1 份文件" in by_date
    assert "共 2 份文件" in client.get("/tracks/energy", params={"subtrack": "hydrogen"}).text
    assert client.get("/tracks/no-such-track").status_code == 404
    assert client.get("/tracks/未来能源").status_code == 200  # names work too


def test_document_page_has_metadata_evidence_attachments_versions_story_and_draft(client: TestClient, seeded: Seeded) -> None:
    html = client.get(f"/documents/{seeded.doc}").text
    assert "2025年3月5日" in html and "工信部联规〔2025〕12号" in html and "工业和信息化部" in html
    assert "（取自页面标注“发布日期”）" in html  # why this date: the field it was read from
    assert "<dt>成文日期</dt><dd>2025年2月18日</dd>" in html  # signed before it was published
    assert client.get(f"/api/documents/{seeded.doc}").json()["written"] == "2025-02-18"
    assert '<mark class="ev" title="未来能源' in html  # evidence highlighted in the text
    text_section = html.split('<section class="text">')[1].split("</section>")[0]
    att_section = html.split('<section class="attachments">')[1].split("</section>")[0]
    assert "附件1" not in text_section  # the body without the appended attachment text …
    assert "示范城市群名单.pdf" in att_section and "附件1" in att_section  # … which has its own section
    assert "版本历史" in html and "第2版" in html and "第1版" in html
    assert "<del>5</del>" in html and "<ins>10</ins>" in html  # character-level diff
    assert "同时发布" in html and f"/documents/{seeded.reprint}" in html  # same story_id
    assert f"/documents/{seeded.draft}" in html and "征求意见稿" in html
    draft_html = client.get(f"/documents/{seeded.draft}").text
    assert f"/documents/{seeded.doc}" in draft_html and "正式印发版本" in draft_html
    assert client.get("/documents/999999").status_code == 404


def test_inline_and_side_by_side_diff_modes(client: TestClient, seeded: Seeded) -> None:
    side = client.get(f"/documents/{seeded.doc}", params={"diff": 2, "mode": "side"}).text
    inline = client.get(f"/documents/{seeded.doc}", params={"diff": 2, "mode": "inline"}).text
    assert 'class="diff-side"' in side and 'class="diff-inline hidden"' in side
    assert 'class="diff-side hidden"' in inline and 'class="diff-inline"' in inline
    assert "新增1段" in side  # pipeline.diff's summary
    assert client.get(f"/documents/{seeded.doc}", params={"diff": 7}).status_code == 404


def test_crawled_markup_is_always_text(client: TestClient, seeded: Seeded, admin_headers: dict[str, str]) -> None:
    pages = [f"/documents/{seeded.xss}", "/", "/tracks/information", "/search?q=量子科技", "/documents"]
    for path in pages:
        html = client.get(path, headers=admin_headers).text
        assert "<img src=x onerror=alert(1)>" not in html, path
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, path
    doc_html = client.get(f"/documents/{seeded.xss}").text
    assert "<script>alert(1)</script>" not in doc_html and "&lt;script&gt;alert(1)&lt;/script&gt;" in doc_html
    assert "&lt;b&gt;某厅&lt;/b&gt;" in doc_html
    feed = client.get("/feeds/region/浙江.atom").text
    assert "<img" not in feed and "&lt;img src=x onerror=alert(1)&gt;" in feed
    assert XSS in client.get("/api/documents").json()["items"][0]["title"] or any(
        i["title"] == XSS for i in client.get("/api/documents").json()["items"]
    )


def test_search_finds_titles_bodies_and_attachments_with_highlights_and_filters(client: TestClient, seeded: Seeded) -> None:
    html = client.get("/search", params={"q": "示范城市群"}).text  # body of v2 and the attachment
    assert f"/documents/{seeded.doc}" in html and "<mark>示范城市群</mark>" in html
    assert "找到 1 份文件" in html
    two = client.get("/search", params={"q": "氢能"}).text  # a two-character term
    assert "找到 3 份文件" in two and "<mark>氢能</mark>" in two
    filtered = client.get("/search", params={"q": "氢能", "region": "浙江"}).text
    assert "找到 1 份文件" in filtered
    by_track = client.get("/search", params={"q": "量子", "track": "information"}).text
    assert "找到 1 份文件" in by_track
    assert "没有找到" in client.get("/search", params={"q": "不存在的词"}).text
    esc = client.get("/search", params={"q": "<img"}).text
    assert "<mark>&lt;img</mark>" in esc and "<img src" not in esc


def test_feeds_are_atom_per_track_region_and_saved_search(client: TestClient, seeded: Seeded) -> None:
    from xml.etree import ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    for path, expect in [("/feeds/track/energy.atom", 2), ("/feeds/region/浙江.atom", 2), ("/feeds/search.atom?q=示范城市群", 1)]:
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        entries = ET.fromstring(r.content).findall("a:entry", ns)
        assert len(entries) == expect, path
    root = ET.fromstring(client.get("/feeds/track/energy.atom").content)
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert "【更新】关于推动氢能产业高质量发展的实施意见" in titles
    assert client.get("/feeds/track/nope.atom").status_code == 404


def test_exports_csv_and_json(client: TestClient, seeded: Seeded, admin_headers: dict[str, str]) -> None:
    import csv
    import io

    r = client.get("/export/documents.csv", params={"track": "energy"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row["title"] for row in rows} == {"关于推动氢能产业高质量发展的实施意见", "转发关于推动氢能产业高质量发展的实施意见的通知"}
    assert '"未来能源"' in rows[0]["tracks"]
    labels = client.get("/export/labels.json").json()
    assert any(lab["current"] is False for lab in labels) and all("terms" in lab for lab in labels)
    assert client.get("/export/crawl-runs.json").status_code == 401  # admin only
    runs = client.get("/export/crawl-runs.json", headers=admin_headers).json()
    assert {r["status"] for r in runs} == {"ok", "failed"}
    fetches = list(csv.DictReader(io.StringIO(client.get("/export/fetches.csv", headers=admin_headers).content.decode("utf-8-sig"))))
    assert any(f["warc_path"] for f in fetches) and any(f["error"] for f in fetches)
    assert client.get("/export/documents.xml").status_code == 404


def test_admin_pages_sources_history_payload_subscribers_digests(client: TestClient, seeded: Seeded, admin_headers: dict[str, str]) -> None:
    html = client.get("/sources", headers=admin_headers).text
    assert "工业和信息化部 文件发布" in html and '<svg class="spark"' in html and "连接被拒绝" in html
    assert "index_9.html" not in html  # the 404 that ended a list is not in the error log
    hist = client.get("/history", headers=admin_headers).text
    assert f"/history/{seeded.run_ok}" in hist and "失败" in hist and "成功" in hist
    run = client.get(f"/history/{seeded.run_ok}", headers=admin_headers).text
    assert f"/fetches/{seeded.fetch_archived}/payload" in run and "12 ms" in run
    payload = client.get(f"/fetches/{seeded.fetch_archived}/payload", headers=admin_headers)
    assert payload.status_code == 200 and payload.headers["content-type"].startswith("text/plain")
    assert "关于推动氢能产业高质量发展的实施意见" in payload.text and "sandbox" in payload.headers["content-security-policy"]
    dl = client.get(f"/fetches/{seeded.fetch_archived}/payload", params={"download": 1}, headers=admin_headers)
    assert dl.headers["content-disposition"].startswith("attachment") and dl.content.startswith(b"<html>")
    assert client.get(f"/fetches/{seeded.fetch_failed}/payload", headers=admin_headers).status_code == 404
    subscribers = client.get("/subscribers", headers=admin_headers).text
    assert "reader@example.com" in subscribers
    assert "<td>每周</td><td>中文</td>" in subscribers and "<td>weekly</td>" not in subscribers  # the subscribe form's words
    digests = client.get("/digests", headers=admin_headers).text
    assert f"/digests/{seeded.delivery}" in digests and "已发送" in digests and ">sent<" not in digests  # the CLI's words
    assert re.search(r">\d{4}年第\d{1,2}周</td>", digests), "the period reads as a week, not its key"
    view = client.get(f"/digests/{seeded.delivery}", headers=admin_headers).text
    assert "重新生成" in view and f"/digests/{seeded.delivery}/html" in view
    mail = client.get(f"/digests/{seeded.delivery}/html", headers=admin_headers)
    assert "关于推动氢能产业高质量发展的实施意见" in mail.text and "sandbox" in mail.headers["content-security-policy"]


def test_rerun_crawl_starts_a_background_crawl(client: TestClient, seeded: Seeded, admin_headers: dict[str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    import crawl.launcher

    called = threading.Event()
    monkeypatch.setattr(crawl.launcher, "crawl_sources", lambda settings, names=None: called.set() or [])
    r = client.post("/api/sources/miit/crawl", headers=admin_headers)  # configured (the test settings read demo/sources)
    assert r.status_code == 202 and r.json()["source"] == "miit"
    assert called.wait(5)
    assert client.post("/api/sources/nope/crawl", headers=admin_headers).status_code == 404


def test_dashboard_latest_lists_newest_publication_first_then_first_seen_then_id(seeded: Seeded) -> None:
    """One crawl stores a whole column microseconds apart: 最新收录 in that order was storage order, not news order."""
    from datetime import date, timedelta

    from sqlmodel import Session

    from storage.db import get_engine, session_scope
    from storage.models import Document, utcnow
    from web.queries import dashboard

    batch = utcnow()
    with session_scope(seeded.settings) as s:
        undated = Document(source_name="x", url="http://x/undated", title="无日期", first_seen=batch + timedelta(seconds=5))
        same_day_early = Document(source_name="x", url="http://x/a", title="同日先见", published=date(2025, 3, 7), first_seen=batch)
        same_day_late = Document(
            source_name="x", url="http://x/b", title="同日后见", published=date(2025, 3, 7), first_seen=batch + timedelta(seconds=1)
        )
        twin = Document(source_name="x", url="http://x/c", title="同日同见", published=date(2025, 3, 7), first_seen=batch)
        for d in (undated, same_day_early, same_day_late, twin):
            s.add(d)
            s.flush()
        ids = {name: d.id for name, d in (("undated", undated), ("early", same_day_early), ("late", same_day_late), ("twin", twin))}
    with Session(get_engine(seeded.settings)) as s:
        latest = [row.document.id for row in dashboard(s, "Asia/Shanghai").latest]
    assert latest == [
        ids["late"],  # 2025-03-07, seen last
        ids["twin"],  # 2025-03-07, seen with "early": the newer row first
        ids["early"],
        seeded.reprint,  # 2025-03-07, seen before this batch
        seeded.xss,  # 2025-03-06
        seeded.doc,  # 2025-03-05
        seeded.draft,  # 2025-01-10
        ids["undated"],  # no publication date: last, however new
    ]


def test_a_date_filter_that_cannot_be_applied_is_named_not_silently_dropped(client: TestClient, seeded: Seeded) -> None:
    """An edited or shared address with a day that does not exist lists everything, and says why."""
    html = client.get("/documents", params={"since": "2025-13-01"}).text
    assert "起始日期“2025-13-01”无法识别" in html and "未按它筛选" in html
    html = client.get("/tracks/energy", params={"until": "yesterday"}).text
    assert "截止日期“yesterday”无法识别" in html
    html = client.get("/search", params={"q": "氢能", "since": "2025-03-07", "until": "2025-03-01"}).text
    assert "起始日期2025年3月7日晚于截止日期2025年3月1日" in html
    assert "无法识别" not in client.get("/documents", params={"since": "2025-03-06"}).text


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("2026-W09", "2026年第9周"),
        ("2026-03-05", "2026年3月5日"),
        ("upto-20261203T020310", "截至2026年12月3日 10:03"),  # the key's time is UTC, shown in Shanghai time
        ("custom-key", "custom-key"),
    ],
)
def test_a_digest_period_is_shown_as_a_reader_says_it(key: str, shown: str) -> None:
    assert period_zh(key, "Asia/Shanghai") == shown
