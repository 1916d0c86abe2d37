"""Digest rendering: the same Digest as an HTML part and a plain-text part, in Chinese.

Jinja2 with autoescaping for HTML, because titles come from crawled pages
and may contain markup; the text template is rendered without escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
        "brand": "未来产业政策周报", "new": "新增", "changed": "更新", "overview": "本期概览", "items": "条",
        "empty": "本期没有新的或更新的未来产业政策。", "subtracks": "子方向", "evidence": "依据", "also_tracks": "同时涉及",
        "also_published": "同时发布", "change": "变化", "version": "第{n}版", "full_diff": "查看完整对比", "link": "链接",
        "final_of_draft": "正式印发（此前征求意见稿见：", "source": "来源", "unknown_date": "日期不详",
        "footer": "此邮件发送至 {to}。PolicyRadar 自动汇总公开发布的政策信息，以原文为准。",
        "preferences": "修改订阅偏好", "unsubscribe": "退订", "chart_alt": "近九周每周条数",
    },
    "en": {
        "brand": "Future Industries Policy Weekly", "new": "New", "changed": "Updated", "overview": "This issue", "items": "",
        "empty": "Nothing new or updated this period.", "subtracks": "Sub-tracks", "evidence": "Matched terms", "also_tracks": "Also in",
        "also_published": "Also published by", "change": "Changes", "version": "version {n}", "full_diff": "full diff", "link": "Link",
        "final_of_draft": "Final version (draft for comment: ", "source": "Source", "unknown_date": "date unknown",
        "footer": "Sent to {to}. PolicyRadar summarises public policy releases; the original text prevails.",
        "preferences": "Preferences", "unsubscribe": "Unsubscribe", "chart_alt": "Items per week, last nine weeks",
    },
}
TRACKS_EN = {"未来制造": "Future Manufacturing", "未来信息": "Future Information", "未来材料": "Future Materials",
             "未来能源": "Future Energy", "未来空间": "Future Space", "未来健康": "Future Health"}


def subject_for(digest: Digest, language: str = "zh") -> str:
    if language == "en":
        year_week = digest.period.label.replace("年第", " W").replace("周", "")
        return f"Future Industries Policy Weekly · {year_week} · {digest.new_count} new / {digest.changed_count} updated"
    return f"未来产业政策周报 · {digest.period.label} · 新增{digest.new_count}条 / 更新{digest.changed_count}条"


def render_digest(
    digest: Digest, *, recipient: str, public_url: str, language: str = "zh",
    links: dict[str, str] | None = None, chart_cid: str | None = None,
) -> RenderedDigest:
    lang = language if language in LABELS else "zh"
    track_name = (lambda t: TRACKS_EN.get(t, t)) if lang == "en" else (lambda t: t)
    ctx = {
        "digest": digest, "recipient": recipient, "public_url": public_url.rstrip("/"), "subject": subject_for(digest, lang),
        "L": LABELS[lang], "track_name": track_name, "links": links or {}, "chart_cid": chart_cid,
    }
    return RenderedDigest(
        subject=ctx["subject"],
        html=_HTML.get_template("digest.html.j2").render(**ctx),
        text=_TEXT.get_template("digest.txt.j2").render(**ctx),
    )
