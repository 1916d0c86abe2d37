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


def subject_for(digest: Digest) -> str:
    return f"未来产业政策周报 · {digest.period.label} · 新增{digest.new_count}条 / 更新{digest.changed_count}条"


def render_digest(digest: Digest, *, recipient: str, public_url: str) -> RenderedDigest:
    ctx = {"digest": digest, "recipient": recipient, "public_url": public_url.rstrip("/"), "subject": subject_for(digest)}
    return RenderedDigest(
        subject=ctx["subject"],
        html=_HTML.get_template("digest.html.j2").render(**ctx),
        text=_TEXT.get_template("digest.txt.j2").render(**ctx),
    )
