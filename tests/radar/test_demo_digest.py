"""The demo's digest, sent to a real SMTP server on loopback and read back, reads like a briefing:
summaries say what each policy does (never the salutation or the transmittal), and the second run's
edit shows the old and the new sentence."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from radar.demo import run_demo
from core.settings import Settings
from storage.db import session_scope
from storage.models import Document, DocumentVersion

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

SALUTATION = re.compile(r"^各[^。]{0,120}[：:]")
FURNITURE = ("印发给你们", "请认真贯彻", "请结合实际", "联系人", "联系电话", "附件：")


def test_demo_digest_summaries_and_changes(settings: Settings, smtp_server, unused_port: int) -> None:  # type: ignore[no-untyped-def]
    url, box = smtp_server
    settings = settings.model_copy(update={"smtp_url": url})
    first = run_demo(settings, port=unused_port)
    assert first.digest.sent and len(box.messages) == 1
    text = box.messages[0].get_body(preferencelist=("plain",)).get_content()

    with session_scope(settings) as s:
        rows = s.exec(
            select(Document.title, DocumentVersion.summary).join(DocumentVersion, DocumentVersion.document_id == Document.id)
        ).all()  # type: ignore[arg-type]
    notices = [(title, summary) for title, summary in rows if "通知" in title or "意见" in title]
    assert len(notices) >= 5
    summarised = 0
    for title, summary in rows:
        assert not SALUTATION.match(summary or ""), (title, summary)
        assert not any(f in (summary or "") for f in FURNITURE), (title, summary)
        assert len(summary or "") <= 160, (title, summary)
        if summary:
            summarised += 1
            if title in text:
                assert summary in text, title  # the digest shows the stored summary, verbatim
    assert summarised >= len(rows) - 1  # only the notice whose attachment is a broken PDF has nothing to say
    # the ministry's future-industry notices: each summary gives what the policy sets out to do (a dated target
    # and a measure with its money), as the seed briefing does, not commentary on which city leads
    ministry = ("关于推动人形机器人与具身智能产业创新发展的通知", "关于印发《量子科技产业创新发展行动方案》的通知")
    ministry += ("关于印发《生物制造产业高质量发展实施方案》的通知", "关于推进6G与卫星互联网融合发展的通知")
    plans = {title: summary for title, summary in rows if title in ministry}
    assert len(plans) == 4, sorted(plans)
    for title, summary in plans.items():
        assert re.search(r"到20\d\d年", summary or ""), (title, summary)
        assert re.search(r"给予|补助|专项资金|基金", summary or ""), (title, summary)
    assert "【本期要点】" in text and "PolicyRadar 详情：" in text
    assert text.count("（页面与附件中没有可摘录的正文，请见原文）") == len(rows) - summarised  # said, not left blank

    second = run_demo(settings, port=unused_port)
    assert second.edited and len(box.messages) == 2
    changed = box.messages[1].get_body(preferencelist=("plain",)).get_content()
    assert "新增0条 / 更新1条" in box.messages[1]["Subject"]
    assert "原：预计到202[7]年" in changed and "现：预计到202[8]年" in changed
    assert "新增" in changed and "每年12月底前将年度进展情况报送" in changed  # the added paragraph, in full
