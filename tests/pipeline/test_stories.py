"""Reprints on several sites are one story; a final version links to its draft; the digest says both."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import select

from alerts.digest import track_order
from alerts.period import week_containing
from alerts.select import select_digest
from alerts.subscriptions import subscribe
from pipeline.stories import link_story
from core.settings import Settings
from storage.db import session_scope
from storage.models import Document, DocumentVersion, Source, TrackLabel, utcnow

NOTICE = (
    "为深入贯彻落实党中央、国务院决策部署，加快培育氢能产业，推动氢能制储输用全链条发展，现就有关事项通知如下。"
    "一、总体要求。到2027年，氢能产业创新能力显著提高，燃料电池汽车保有量达到5万辆，可再生能源制氢量达到10万吨。"
    "二、重点任务。建设一批清洁低碳氢能示范项目，推动氢能在工业、交通、储能等领域规模化应用，完善标准体系。"
    "三、保障措施。各地要加强组织领导，完善财政、金融、土地等支持政策，建立健全氢能安全监管制度，"
    "定期评估实施进展，及时总结推广典型经验做法。"
)


def _doc(s, source: str, title: str, text: str, region: str = "全国") -> Document:  # type: ignore[no-untyped-def]
    doc = Document(source_name=source, url=f"http://{source}.example/{abs(hash(title)) % 10**8}.html", title=title, region=region)
    s.add(doc)
    s.flush()
    ver = DocumentVersion(document_id=doc.id, version_no=1, text_hash=str(doc.id), title=title, text=text)
    s.add(ver)
    s.flush()
    s.add(
        TrackLabel(
            version_id=ver.id,
            document_id=doc.id,
            track_id="energy",
            track="未来能源",
            score=0.9,
            terms={"氢能": 4},
            quote="加快培育氢能产业。",
        )
    )
    link_story(s, doc, text)
    return doc


def test_a_reprint_joins_the_original_story_and_an_unrelated_notice_does_not(settings: Settings) -> None:
    with session_scope(settings) as s:
        first = _doc(s, "gov", "关于加快培育氢能产业的通知", NOTICE)
        reprint = _doc(
            s, "zj", "国务院办公厅关于加快培育氢能产业的通知", "来源：中国政府网\n" + NOTICE + "\n（责任编辑：王五）", region="浙江"
        )
        other = _doc(
            s, "gd", "关于开展文旅消费季活动的通知", "各地要组织景区、酒店、餐饮企业推出优惠活动，丰富夜间消费场景。" * 8, region="广东"
        )
        assert first.story_id == first.id
        assert reprint.story_id == first.id
        assert other.story_id == other.id


def test_short_pages_are_never_merged(settings: Settings) -> None:
    with session_scope(settings) as s:
        a = _doc(s, "gov", "通知一", "详见附件。")
        b = _doc(s, "zj", "通知二", "详见附件。")
        assert a.story_id != b.story_id


def test_a_final_version_links_its_draft_and_the_digest_says_so(settings: Settings) -> None:
    with session_scope(settings) as s:
        s.add(Source(name="gov", title="中国政府网", region="全国", agency="国务院"))
        s.add(Source(name="zj", title="浙江省人民政府", region="浙江", agency="浙江省人民政府"))
        draft = _doc(s, "zj", "关于加快培育未来产业的实施意见（征求意见稿）", "征求意见。" * 3, region="浙江")
        final = _doc(s, "zj", "浙江省人民政府关于加快培育未来产业的实施意见", NOTICE, region="浙江")
        _doc(s, "gov", "关于加快培育氢能产业的通知（转载）", NOTICE, region="全国")
        assert draft.is_draft and final.draft_id == draft.id
    sub = subscribe(settings, "a@example.com", tracks=[])
    with session_scope(settings) as s:
        digest = select_digest(s, week_containing(datetime.now(timezone.utc)), sub, track_order(settings))
    items = {it.document.title: it for it in digest.items}
    # The national copy leads the story; the provincial final is folded into it.
    lead = items["关于加快培育氢能产业的通知（转载）"]
    assert lead.also == ["浙江省人民政府"]
    assert "浙江省人民政府关于加快培育未来产业的实施意见" not in items
    with session_scope(settings) as s:
        final_doc = s.exec(select(Document).where(Document.title == "浙江省人民政府关于加快培育未来产业的实施意见")).one()
        assert final_doc.draft_id is not None and final_doc.first_seen <= utcnow()


def test_the_digest_marks_a_final_version_with_its_draft(settings: Settings) -> None:
    from alerts.render import render_digest

    with session_scope(settings) as s:
        s.add(Source(name="zj", title="浙江省人民政府", region="浙江", agency="浙江省人民政府"))
        _doc(s, "zj", "关于加快培育未来产业的实施意见（二次征求意见稿）", "征求意见。" * 3, region="浙江")
        _doc(s, "zj", "浙江省人民政府关于加快培育未来产业的实施意见", NOTICE, region="浙江")
    sub = subscribe(settings, "a@example.com", tracks=[])
    with session_scope(settings) as s:
        digest = select_digest(s, week_containing(datetime.now(timezone.utc)), sub, track_order(settings))
    text = render_digest(digest, recipient=sub.email, public_url="http://x").text
    assert "正式印发（此前征求意见稿见：关于加快培育未来产业的实施意见（二次征求意见稿）" in text
