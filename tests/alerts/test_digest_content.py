"""What a subscriber sees: ranking, filters, the table chart, languages, and hostile titles."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from alerts.digest import render_preview, run_digest
from alerts.period import week_containing
from alerts.subscriptions import Preferences, subscribe
from core.settings import Settings
from storage.db import session_scope
from storage.models import Document, DocumentVersion, Source, TrackLabel

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # storage paths run on both backends in test_digest.py


def add(s, title: str, *, agency: str, region: str, doctype: str = "通知公告", text: str = "正文。", track: str = "未来能源") -> None:  # type: ignore[no-untyped-def]
    doc = Document(
        source_name="src",
        url=f"http://x/{abs(hash(title))}",
        title=title,
        agency=agency,
        region=region,
        doctype=doctype,
        published=date(2025, 3, 5),
    )
    s.add(doc)
    s.flush()
    ver = DocumentVersion(document_id=doc.id, version_no=1, text_hash=str(doc.id), title=title, text=text, summary=text[:60])
    s.add(ver)
    s.flush()
    s.add(TrackLabel(version_id=ver.id, document_id=doc.id, track_id="energy", track=track, score=0.8, terms={"氢能": 3}, quote="氢能。"))


@pytest.fixture
def seeded(settings: Settings) -> Settings:
    with session_scope(settings) as s:
        s.add(Source(name="src", title="示例来源", region="全国", agency="示例"))
        add(s, "杭州市氢能产业扶持办法", agency="杭州市人民政府", region="杭州", doctype="政策文件")
        add(s, "国务院关于加快氢能产业发展的意见", agency="国务院", region="全国", doctype="实施意见")
        add(s, "关于氢能示范城市群的通知", agency="国家能源局", region="全国", doctype="通知公告")
        add(
            s,
            "浙江省氢能产业发展规划（征求意见稿）",
            agency="浙江省发展改革委",
            region="浙江",
            doctype="征求意见稿",
            text="公开征求意见。氢能。",
        )
        add(s, "🚀 <script>alert('x')</script> & 氢能" + "长" * 2000, agency="某市", region="广州")
    return settings


def _mail(path: str):  # type: ignore[no-untyped-def]
    return message_from_bytes(Path(path).read_bytes(), policy=policy.default)


def test_items_are_ranked_by_issuing_level_and_type(seeded: Settings) -> None:
    subscribe(seeded, "a@example.com", [])
    report = run_digest(seeded, week_containing(datetime.now(timezone.utc)))
    text = _mail(report.destinations["a@example.com"]).get_body(preferencelist=("plain",)).get_content()
    order = [
        text.index(t)
        for t in ("国务院关于加快氢能产业发展的意见", "关于氢能示范城市群的通知", "浙江省氢能产业发展规划", "杭州市氢能产业扶持办法")
    ]
    assert order == sorted(order)  # 国务院 > 部委 > 省 > 市
    assert text.index("【全国】") < text.index("【浙江】") < text.index("【杭州】")


def test_the_html_part_has_a_table_chart_and_survives_hostile_titles(seeded: Settings) -> None:
    subscribe(seeded, "a@example.com", [])
    msg = _mail(run_digest(seeded, week_containing(datetime.now(timezone.utc))).destinations["a@example.com"])
    assert msg.get_content_type() == "multipart/alternative"
    assert not [p for p in msg.walk() if p.get_content_maintype() == "image"]  # no image: no font needed to draw one
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert html.count('<table role="table" data-chart="weekly"') == 1 and html.count('<th scope="row"') == 9
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 氢能" in html
    assert "🚀" in html and "长" * 2000 in html
    assert "background:#fde68a" in html  # the 征求意见稿 badge stands out


def test_keyword_doctype_and_region_filters(seeded: Settings) -> None:
    subscribe(
        seeded,
        "a@example.com",
        [],
        prefs=Preferences(keywords_include="示范，规划", keywords_exclude="杭州", doctypes="征求意见稿,通知公告"),
    )
    text = (
        _mail(run_digest(seeded, week_containing(datetime.now(timezone.utc))).destinations["a@example.com"])
        .get_body(preferencelist=("plain",))
        .get_content()
    )
    assert "关于氢能示范城市群的通知" in text and "浙江省氢能产业发展规划" in text
    assert "国务院关于" not in text and "杭州市" not in text


def test_empty_digests_are_skipped_when_asked_and_dry_run_sends_nothing(settings: Settings) -> None:
    subscribe(settings, "skip@example.com", [], prefs=Preferences(skip_empty=True))
    subscribe(settings, "keep@example.com", [])
    period = week_containing(datetime.now(timezone.utc))
    dry = run_digest(settings, period, dry_run=True)
    assert sorted(e for e, *_ in dry.planned) == ["keep@example.com", "skip@example.com"]
    assert not list(settings.outbox_dir.glob("*.eml"))
    report = run_digest(settings, period)
    assert report.empty == ["skip@example.com"] and report.sent == ["keep@example.com"]
    assert run_digest(settings, period).skipped == ["skip@example.com", "keep@example.com"]  # both done for this period


def test_english_labels_and_preview(seeded: Settings, tmp_path: Path) -> None:
    subscribe(seeded, "en@example.com", [], prefs=Preferences(language="en"))
    out = render_preview(seeded, week_containing(datetime.now(timezone.utc)), "en@example.com", tmp_path / "p.eml")
    msg = _mail(str(out))
    assert msg["Subject"].startswith("Future Industries Policy Weekly · ") and "5 new / 0 updated" in msg["Subject"]
    assert "Future Energy" in msg.get_body(preferencelist=("plain",)).get_content()
    assert out.with_suffix(".html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(seeded.outbox_dir.glob("*.eml"))  # a preview sends nothing


def test_subscribers_sharing_a_rendering_each_get_their_own_address_and_links(seeded: Settings) -> None:
    from alerts.subscriptions import links_for

    a = subscribe(seeded, "a@example.com", [])
    b = subscribe(seeded, "b&c@example.com", [])
    report = run_digest(seeded, week_containing(datetime.now(timezone.utc)))
    for sub, other in ((a, b), (b, a)):
        msg = _mail(report.destinations[sub.email])
        html = msg.get_body(preferencelist=("html",)).get_content()
        text = msg.get_body(preferencelist=("plain",)).get_content()
        mine, theirs = links_for(seeded, sub)["unsubscribe"], links_for(seeded, other)["unsubscribe"]
        assert mine in text and mine in msg["List-Unsubscribe"] and theirs not in text + html
        assert sub.email in text and other.email not in text
    assert "b&amp;c@example.com" in _mail(report.destinations["b&c@example.com"]).get_body(preferencelist=("html",)).get_content()
