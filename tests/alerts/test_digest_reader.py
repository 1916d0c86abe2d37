"""A digest an analyst would forward: sections follow the subscription, 本期要点 up top, changes old → new,
links to PolicyRadar's page and the original.  Mails go through a real SMTP server on loopback and are read back."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from alerts.digest import run_digest
from alerts.period import Period, week_containing
from alerts.subscriptions import subscribe
from core.settings import Settings
from storage.db import session_scope
from storage.models import Document, DocumentVersion, Source, TrackLabel, utcnow

PUBLIC = "https://radar.example.org"


def _period() -> Period:
    return week_containing(datetime.now(timezone.utc))


def _doc(
    s,
    url: str,
    title: str,
    tracks: list[tuple[str, str, float]],
    *,
    summary: str,
    region: str = "全国",  # type: ignore[no-untyped-def]
    agency: str = "工业和信息化部",
    old_text: str | None = None,
    text: str = "正文。",
) -> int:
    now = utcnow()
    doc = Document(
        source_name="miit",
        url=url,
        title=title,
        agency=agency,
        region=region,
        doctype="实施意见",
        published=date(2025, 3, 5),
        first_seen=now - timedelta(days=40) if old_text else now,
        last_seen=now,
        current_version=2 if old_text else 1,
    )
    s.add(doc)
    s.flush()
    if old_text is not None:
        s.add(
            DocumentVersion(
                document_id=doc.id, version_no=1, text_hash="old" + url, title=title, text=old_text, first_seen=now - timedelta(days=40)
            )
        )
    ver = DocumentVersion(
        document_id=doc.id,
        version_no=2 if old_text else 1,
        text_hash="new" + url,
        title=title,
        text=text,
        summary=summary,
        change_summary="修改“预计到2027年，产业规模…”一句" if old_text else None,
        first_seen=now,
    )
    s.add(ver)
    s.flush()
    for track, track_id, score in tracks:
        s.add(
            TrackLabel(
                version_id=ver.id, document_id=doc.id, track_id=track_id, track=track, score=score, terms={"氢能": 2}, quote="氢能。"
            )
        )
    return int(doc.id)  # type: ignore[arg-type]


@pytest.fixture
def seeded(settings: Settings) -> tuple[Settings, dict[str, int]]:
    ids: dict[str, int] = {}
    with session_scope(settings) as s:
        s.add(Source(name="miit", title="工业和信息化部 文件发布", region="全国", agency="工业和信息化部"))
        ids["both"] = _doc(
            s,
            "http://127.0.0.1:9/both",
            "关于推动未来产业创新发展的实施意见",
            [("未来信息", "information", 0.9), ("未来能源", "energy", 0.6)],
            summary="到2027年，突破不少于100项关键技术，培育一批领军企业。",
        )
        ids["energy"] = _doc(
            s,
            "http://127.0.0.1:9/energy",
            "关于加快氢能产业发展的指导意见",
            [("未来能源", "energy", 0.9)],
            summary="到2027年，建设加氢站100座以上，推广燃料电池汽车超过10000辆。",
            region="浙江",
            agency="浙江省发展改革委",
        )
        ids["info"] = _doc(
            s,
            "http://127.0.0.1:9/info",
            "量子科技产业创新发展行动方案",
            [("未来信息", "information", 0.9)],
            summary="到2027年，量子计算原型机实现千比特级。",
            region="广东",
            agency="广东省工业和信息化厅",
        )
        ids["edited"] = _doc(
            s,
            "http://127.0.0.1:9/edited",
            "关于氢能示范城市群建设的通知",
            [("未来能源", "energy", 0.8)],
            summary="预计到2028年，产业规模达到1000亿元。",
            old_text="总体要求。\n预计到2027年，产业规模达到1000亿元。",
            text="总体要求。\n预计到2028年，产业规模达到1000亿元。",
        )
    return settings.model_copy(update={"public_url": PUBLIC}), ids


def _send(settings: Settings, smtp_server, email: str, tracks: list[str]):  # type: ignore[no-untyped-def]
    url, box = smtp_server
    settings = settings.model_copy(update={"smtp_url": url})
    subscribe(settings, email, tracks=tracks)
    report = run_digest(settings, _period(), only=[email])
    assert report.sent == [email]
    msg = box.messages[-1]
    return msg.get_body(preferencelist=("plain",)).get_content(), msg.get_body(preferencelist=("html",)).get_content()


def test_a_future_energy_subscriber_sees_one_section(seeded, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings, _ids = seeded
    text, html = _send(settings, smtp_server, "energy@example.com", ["未来能源"])
    assert len(re.findall(r"^■ ", text, flags=re.M)) == 1
    assert "■ 未来能源" in text and "■ 未来信息" not in text
    overview = next(line for line in text.splitlines() if line.startswith("本期概览"))
    assert overview == "本期概览：未来能源 3条"
    # filed under the subscribed track, once, with its stronger track named
    assert text.count("关于推动未来产业创新发展的实施意见") == 2  # once in 本期要点, once in the section
    item = text[text.index("[新增][实施意见] 关于推动未来产业创新发展的实施意见") :]
    assert "同时涉及：未来信息" in item[: item.index("原文：")]
    assert "量子科技产业创新发展行动方案" not in text + html


def test_an_all_track_subscriber_keeps_the_taxonomy_layout(seeded, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings, _ids = seeded
    text, _html = _send(settings, smtp_server, "all@example.com", [])
    assert re.findall(r"^■ (\S+)", text, flags=re.M) == ["未来信息", "未来能源"]
    assert "本期概览：未来信息 2条；未来能源 2条" in text
    section = text[text.index("■ 未来信息") : text.index("■ 未来能源")]
    assert "关于推动未来产业创新发展的实施意见" in section  # its leading track


def test_an_edited_sentence_shows_both_versions_with_the_change_marked(seeded, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings, _ids = seeded
    text, html = _send(settings, smtp_server, "energy@example.com", ["未来能源"])
    assert "原：预计到202[7]年，产业规模达到1000亿元。" in text
    assert "现：预计到202[8]年，产业规模达到1000亿元。" in text
    assert re.search(r"<del[^>]*>7</del>年，产业规模", html) and re.search(r"<ins[^>]*>8</ins>年，产业规模", html)
    assert "[更新]" in text and "第2版" in text


def test_items_link_to_the_radar_page_and_the_original(seeded, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings, ids = seeded
    text, html = _send(settings, smtp_server, "all@example.com", [])
    for key, url in (("both", "http://127.0.0.1:9/both"), ("edited", "http://127.0.0.1:9/edited")):
        page = f"{PUBLIC}/documents/{ids[key]}"
        assert f"PolicyRadar 详情：{page}" in text and f"原文：{url}" in text
        assert f'href="{page}"' in html and f'href="{url}"' in html


def test_highlights_lead_with_the_key_figure_and_link_down(seeded, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings, ids = seeded
    text, html = _send(settings, smtp_server, "all@example.com", [])
    top = text[text.index("【本期要点】") : text.index("■ ")]
    lines = [ln for ln in top.splitlines()[1:] if re.match(r"^\d\. ", ln)]
    assert len(lines) == 3
    # the clause with the number, not the summary's first words
    assert "2. 关于推动未来产业创新发展的实施意见：到2027年，突破不少于100项关键技术（详见下文：未来信息）" in lines
    assert text.index("【本期要点】") < text.index("■ 未来信息")
    for doc_id in ids.values():
        if f'href="#item-{doc_id}"' in html:
            assert f'id="item-{doc_id}"' in html
    assert html.count('href="#item-') == 3


def test_the_chart_counts_by_publication_date_and_says_so(seeded, smtp_server) -> None:  # type: ignore[no-untyped-def]
    """One item published this week: the chart ends with 本周 and the older three are named as published before it."""
    settings, ids = seeded
    with session_scope(settings) as s:
        doc = s.get(Document, ids["info"])
        assert doc is not None
        doc.published = _period().start.astimezone(ZoneInfo(settings.timezone)).date() + timedelta(days=1)
        s.add(doc)
    text, html = _send(settings, smtp_server, "all@example.com", [])
    assert "近九周每周已归类文件数（按发布日期" in text and "按发布日期" in html
    this_week = next(line for line in text.splitlines() if line.strip().startswith("本周"))
    assert this_week.strip().endswith(" 1")
    assert "本期收录的4条中有3条发布于图示九周之前" in text


def test_a_quiet_spell_ends_the_chart_at_the_newest_publication_and_says_so(seeded, smtp_server) -> None:  # type: ignore[no-untyped-def]
    """All four items were first seen this week but published on 2025年3月5日: nine empty weeks ending now would
    say nothing, so the chart ends at that week, its caption names the date, and no row claims to be 本周."""
    settings, _ids = seeded
    text, html = _send(settings, smtp_server, "all@example.com", [])
    caption = "最近九周无发布，显示截至2025年3月5日（最新发布日期）的九周"
    assert caption in text and caption in html
    rows = [ln.strip() for ln in text[text.index(caption) :].splitlines()[1:10]]
    assert not any(r.startswith("本周") for r in rows)
    assert rows[-1].startswith("3月3日") and rows[-1].endswith(" 4")  # the week from Monday 3 March holds all four
    assert "发布于图示九周之前" not in text
