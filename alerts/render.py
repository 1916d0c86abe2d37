"""Digest rendering: the same Digest as an HTML part and a plain-text part, in Chinese.

Jinja2 with autoescaping for HTML, because titles come from crawled pages
and may contain markup; the text template is rendered without escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.chart import WeeklyChart
from alerts.select import Digest
from pipeline.textutil import shown_text

TEMPLATES = Path(__file__).parent / "templates"


def cn_date(value: date | datetime | None) -> str:
    """2025年3月5日 — how Chinese readers expect dates, without zero padding."""
    if value is None:
        return "日期不详"
    return f"{value.year}年{value.month}月{value.day}日"


def _env(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown_text,  # crawled text: no control characters, no bidi overrides reordering what readers see
    )
    env.filters["cn_date"] = cn_date
    return env


_HTML = _env(True)
_TEXT = _env(False)


@dataclass
class RenderedDigest:
    subject: str
    html: str
    text: str


LABELS = {
    "zh": {
        "brand": "未来产业政策周报",
        "new": "新增",
        "changed": "更新",
        "overview": "本期概览",
        "items": "条",
        "empty": "本期没有新的或更新的未来产业政策。",
        "subtracks": "子方向",
        "evidence": "依据",
        "also_tracks": "同时涉及",
        "also_published": "同时发布",
        "change": "变化",
        "version": "第{n}版",
        "full_diff": "查看完整对比",
        "link": "链接",
        "final_of_draft": "正式印发（此前征求意见稿见：",
        "source": "来源",
        "unknown_date": "日期不详",
        "footer": "此邮件发送至 {to}。PolicyRadar 自动汇总公开发布的政策信息，以原文为准。",
        "preferences": "修改订阅偏好",
        "unsubscribe": "退订",
        "chart_caption": "近九周每周已归类文件数（按发布日期；无发布日期的按首次收录日期）",
        "chart_caption_quiet": "最近九周无发布，显示截至{date}（最新发布日期）的九周：每周已归类文件数（按发布日期；无发布日期的按首次收录日期）",
        "published_earlier": "本期收录的{n}条中有{m}条发布于图示九周之前（补录的存量文件），未计入上图。",
        "no_summary": "（页面与附件中没有可摘录的正文，请见原文）",
        "highlights": "本期要点",
        "details": "PolicyRadar 详情",
        "original": "原文",
        "see_below": "详见下文",
        "changed_sentences": "修改内容",
        "kinds": {"修改": "修改", "新增": "新增", "删除": "删除"},
    },
    "en": {
        "brand": "Future Industries Policy Weekly",
        "new": "New",
        "changed": "Updated",
        "overview": "This issue",
        "items": "",
        "empty": "Nothing new or updated this period.",
        "subtracks": "Sub-tracks",
        "evidence": "Matched terms",
        "also_tracks": "Also in",
        "also_published": "Also published by",
        "change": "Changes",
        "version": "version {n}",
        "full_diff": "full diff",
        "link": "Link",
        "final_of_draft": "Final version (draft for comment: ",
        "source": "Source",
        "unknown_date": "date unknown",
        "footer": "Sent to {to}. PolicyRadar summarises public policy releases; the original text prevails.",
        "preferences": "Preferences",
        "unsubscribe": "Unsubscribe",
        "chart_caption": "Filed documents per week, last nine weeks (by publication date; first-seen date where none)",
        "chart_caption_quiet": "Nothing published in the last nine weeks; showing the nine weeks up to {date} (the newest publication): filed documents per week (by publication date; first-seen date where none)",
        "published_earlier": "{m} of this issue's {n} items were published before the nine weeks shown (backlog) and are not in the chart.",
        "no_summary": "(no quotable text in the page or its attachments; see the original)",
        "highlights": "Highlights",
        "details": "PolicyRadar page",
        "original": "Original",
        "see_below": "below",
        "changed_sentences": "What changed",
        "kinds": {"修改": "Changed", "新增": "Added", "删除": "Removed"},
    },
}
TRACKS_EN = {
    "未来制造": "Future Manufacturing",
    "未来信息": "Future Information",
    "未来材料": "Future Materials",
    "未来能源": "Future Energy",
    "未来空间": "Future Space",
    "未来健康": "Future Health",
}


def subject_for(digest: Digest, language: str = "zh") -> str:
    if language == "en":
        year_week = digest.period.label.replace("年第", " W").replace("周", "")
        return f"Future Industries Policy Weekly · {year_week} · {digest.new_count} new / {digest.changed_count} updated"
    return f"未来产业政策周报 · {digest.period.label} · 新增{digest.new_count}条 / 更新{digest.changed_count}条"


def published_earlier(digest: Digest) -> int:
    """Items new to subscribers this period but published before the chart's first week (a backlog crawled):
    the chart counts by publication date, so they are not on it and the reader is told why."""
    if digest.trend_since is None:
        return 0
    start = digest.trend_since.date()
    return sum(1 for it in digest.items if it.published is not None and it.published < start)


def chart_caption(digest: Digest, language: str = "zh") -> str:
    """The chart's caption; when the chart ends at the newest publication rather than this week, it says so and when."""
    labels = LABELS[language]
    if digest.trend_newest is None:
        return str(labels["chart_caption"])
    when = cn_date(digest.trend_newest) if language == "zh" else digest.trend_newest.isoformat()
    return str(labels["chart_caption_quiet"]).format(date=when)


def render_digest(
    digest: Digest,
    *,
    recipient: str,
    public_url: str,
    language: str = "zh",
    links: dict[str, str] | None = None,
) -> RenderedDigest:
    lang = language if language in LABELS else "zh"
    track_name = (lambda t: TRACKS_EN.get(t, t)) if lang == "en" else (lambda t: t)
    labels = LABELS[lang]
    subject = subject_for(digest, lang)
    chart = WeeklyChart(digest.trend, chart_caption(digest, lang)) if digest.trend else None
    ctx = {
        "digest": digest,
        "recipient": recipient,
        "public_url": public_url.rstrip("/"),
        "subject": subject,
        "L": labels,
        "track_name": track_name,
        "links": links or {},
        "chart": chart,
        "earlier": published_earlier(digest),
    }
    return RenderedDigest(
        subject=subject,
        html=_HTML.get_template("digest.html.j2").render(**ctx),
        text=_TEXT.get_template("digest.txt.j2").render(**ctx),
    )
