"""The digest summary is shown wherever a document is: its page, the API, exports and feeds; the dashboard's
trend counts by publication date."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from alerts.period import week_containing
from webdata import Seeded

SUMMARY = "到2027年，氢能产业链基本完善。"  # the current version's summary in webdata


def test_document_page_shows_the_summary(client: TestClient, seeded: Seeded) -> None:
    html = client.get(f"/documents/{seeded.doc}").text
    box = html.split('<section class="summary" id="summary">')[1].split("</section>")[0]
    assert SUMMARY in box and "第2版" in box


def test_api_detail_and_exports_carry_the_summary(client: TestClient, seeded: Seeded) -> None:
    assert client.get(f"/api/documents/{seeded.doc}").json()["summary"] == SUMMARY
    rows = list(csv.DictReader(io.StringIO(client.get("/export/documents.csv").text.lstrip("\ufeff"))))
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[seeded.doc]["summary"] == SUMMARY
    assert by_id[seeded.reprint]["summary"] == ""  # no summary stored: an empty cell, not a missing column
    items = client.get("/export/documents.json").json()
    assert next(i for i in items if i["id"] == seeded.doc)["summary"] == SUMMARY
    assert SUMMARY in client.get("/feeds/track/energy.atom").text


def test_dashboard_trend_counts_by_publication_date(client: TestClient, seeded: Seeded) -> None:
    """A document published this week puts the trend back on the weeks ending now, 本周 last."""
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Document

    week = week_containing(datetime.now(timezone.utc), seeded.settings.timezone)
    with session_scope(seeded.settings) as s:
        doc = s.exec(select(Document).where(Document.id == seeded.doc)).one()
        doc.published = (week.start + timedelta(days=1)).astimezone(ZoneInfo(seeded.settings.timezone)).date()
        s.add(doc)
    html = client.get("/").text
    assert "近12周趋势" in html and "按发布日期" in html and "无发布，显示截至" not in html
    trend = html.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "<title>本周 未来能源：1</title>" in trend


def test_dashboard_trend_ends_at_the_newest_publication_after_a_quiet_spell(client: TestClient, seeded: Seeded) -> None:
    """Every seeded document was first seen this week but published in early 2025: twelve empty weeks ending now
    would say nothing, so the chart ends at the week of the newest publication (2025年3月7日) and says so."""
    html = client.get("/").text
    assert "最近12周无发布，显示截至2025年3月7日（最新发布日期）的12周" in html
    trend = html.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "本周" not in trend  # no bar pretends to be this week
    assert 'aria-label="截至2025年3月7日' in trend
    assert "<title>3/3 未来能源：2</title>" in trend  # the week from Monday 3 March: the notice and its reprint
