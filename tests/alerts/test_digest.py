"""The digest: Chinese, grouped by track then region, delivered once per subscriber and period."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest
from sqlmodel import select

from alerts.digest import run_digest
from alerts.period import Period, week_containing
from alerts.subscriptions import SubscriptionError, subscribe
from core.settings import Settings
from storage.db import session_scope
from storage.models import Delivery, Document, DocumentVersion, Source, TrackLabel, utcnow


def _period() -> Period:
    now = datetime.now(timezone.utc)
    return week_containing(now)


def _add(s, *, url: str, title: str, track: str, track_id: str, region: str, changed: bool = False, doc_number: str | None = None) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    doc = Document(
        source_name="miit",
        url=url,
        title=title,
        agency="工业和信息化部",
        region=region,
        doc_number=doc_number,
        published=date(2025, 3, 5),
        doctype="政策文件",
        first_seen=now - timedelta(days=30) if changed else now,
        last_seen=now,
    )
    s.add(doc)
    s.flush()
    if changed:
        old = DocumentVersion(
            document_id=doc.id, version_no=1, text_hash="a" * 64, title=title, text="旧文本。", first_seen=now - timedelta(days=30)
        )
        s.add(old)
    ver = DocumentVersion(
        document_id=doc.id,
        version_no=2 if changed else 1,
        text_hash="b" * 64,
        title=title,
        text="正文。",
        summary="到2027年，未来产业技术创新、产业培育、安全治理等全面发展。",
        change_summary="修改“到2027年，完成布局。”一句" if changed else None,
        first_seen=now,
    )
    s.add(ver)
    s.flush()
    s.add(
        TrackLabel(
            version_id=ver.id,
            document_id=doc.id,
            track_id=track_id,
            track=track,
            score=0.9,
            subtracks=[{"id": "x", "name": "氢能" if track_id == "energy" else "量子信息", "score": 0.9, "terms": {}}],
            terms={"氢能": 5, "燃料电池": 2} if track_id == "energy" else {"量子计算": 3},
            quote="发展氢能。",
        )
    )


@pytest.fixture
def seeded(settings: Settings) -> Settings:
    with session_scope(settings) as s:
        s.add(Source(name="miit", title="工业和信息化部 文件发布", region="全国", agency="工业和信息化部"))
        _add(
            s,
            url="http://x/1",
            title="关于推动氢能产业高质量发展的通知",
            track="未来能源",
            track_id="energy",
            region="全国",
            doc_number="工信部节〔2025〕3号",
        )
        _add(s, url="http://x/2", title="量子科技产业行动方案", track="未来信息", track_id="information", region="浙江")
        _add(
            s,
            url="http://x/3",
            title="<script>alert(1)</script> & 氢能示范",
            track="未来能源",
            track_id="energy",
            region="广东",
            changed=True,
        )
    return settings


def test_digest_arrives_over_smtp_in_chinese_with_both_parts(seeded: Settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    url, box = smtp_server
    settings = seeded.model_copy(update={"smtp_url": url})
    subscribe(settings, "Analyst@Example.com", tracks=[])
    report = run_digest(settings, _period())
    assert report.sent == ["analyst@example.com"]
    assert len(box.messages) == 1
    msg = box.messages[0]
    assert msg["Subject"].startswith("未来产业政策周报 · ")
    assert "新增2条 / 更新1条" in msg["Subject"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert "关于推动氢能产业高质量发展的通知" in part
        assert "工信部节〔2025〕3号" in part
        assert "2025年3月5日" in part
        assert "【浙江】" in part
        assert "更新" in part and "修改“到2027年" in part
        assert "氢能" in part
    # grouped by track in taxonomy order, then region
    assert text.index("■ 未来信息") < text.index("■ 未来能源")
    # crawled markup never reaches the HTML unescaped
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 氢能示范" in html


def test_a_period_is_sent_at_most_once_per_subscriber(seeded: Settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    url, box = smtp_server
    settings = seeded.model_copy(update={"smtp_url": url})
    subscribe(settings, "a@example.com", tracks=[])
    period = _period()
    first = run_digest(settings, period)
    second = run_digest(settings, period)
    assert first.sent == ["a@example.com"] and second.sent == []
    assert second.skipped == ["a@example.com"]
    assert len(box.messages) == 1


def test_a_refused_send_is_retried_and_delivered_once(seeded: Settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    url, box = smtp_server
    settings = seeded.model_copy(update={"smtp_url": url})
    subscribe(settings, "a@example.com", tracks=[])
    box.refuse_next = 1
    report = run_digest(settings, _period())
    assert report.sent == ["a@example.com"]
    assert box.refusals == 1 and len(box.messages) == 1
    with session_scope(settings) as s:
        row = s.exec(select(Delivery)).one()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_send_that_keeps_failing_is_recorded_and_sent_by_the_next_run(seeded: Settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    url, box = smtp_server
    settings = seeded.model_copy(update={"smtp_url": url, "send_retries": 1})
    subscribe(settings, "a@example.com", tracks=[])
    box.refuse_next = 5
    period = _period()
    report = run_digest(settings, period)
    assert report.failed and report.failed[0][0] == "a@example.com"
    assert "451" in report.failed[0][1]
    with session_scope(settings) as s:
        row = s.exec(select(Delivery)).one()
        assert row.status == "failed" and row.attempts == 2
    box.refuse_next = 0
    again = run_digest(settings, period)
    assert again.sent == ["a@example.com"]
    assert len(box.messages) == 1


def test_without_smtp_the_digest_is_an_eml_file_in_the_outbox(seeded: Settings) -> None:
    subscribe(seeded, "a@example.com", tracks=["未来能源"])
    report = run_digest(seeded, _period())
    path = report.destinations["a@example.com"]
    assert path.endswith(".eml") and path.startswith(str(seeded.outbox_dir))
    with open(path, "rb") as fh:
        msg = message_from_bytes(fh.read(), policy=policy.default)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "未来能源" in text and "量子科技产业行动方案" not in text  # filtered to the chosen track


def test_subscribing_rejects_bad_addresses_and_unknown_tracks(settings: Settings) -> None:
    with pytest.raises(SubscriptionError, match="not a valid email"):
        subscribe(settings, "not-an-email", tracks=[])
    with pytest.raises(SubscriptionError, match="not a valid email"):
        subscribe(settings, "a@example.com\r\nBcc: x@y.z", tracks=[])
    with pytest.raises(SubscriptionError, match="unknown track"):
        subscribe(settings, "a@example.com", tracks=["未来玄学"])
    assert subscribe(settings, "a@example.com", tracks=["energy"]).tracks == ["未来能源"]


def test_an_empty_week_says_so(settings: Settings) -> None:
    subscribe(settings, "a@example.com", tracks=[])
    report = run_digest(settings, _period())
    with open(report.destinations["a@example.com"], "rb") as fh:
        msg = message_from_bytes(fh.read(), policy=policy.default)
    assert "新增0条 / 更新0条" in msg["Subject"]
    assert "本期没有新的或更新的未来产业政策" in msg.get_body(preferencelist=("plain",)).get_content()
