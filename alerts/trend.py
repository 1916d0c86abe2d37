"""Filed documents per week by publication date, for the digest's and the dashboard's charts.

A chart of "when we first saw it" says more about the crawler than about
policy: a fresh install stores a year's backlog in one day and puts it all in
本周.  Readers ask when a policy was *published*, so the charts count by the
document's publish date and fall back to first-seen only where the page gives
no date.  (Which items are *new in this period* stays first-seen: that is what
the subscriber has not been told yet; see alerts.select.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from alerts.period import Period, week_containing
from storage.models import Document, DocumentVersion, TrackLabel

# A date has no hour; noon local time puts it in the week holding most of that day,
# whatever hour the digest week starts at.
_NOON = time(12, 0)


@dataclass(frozen=True)
class DatedLabel:
    """One filed document under one track, placed at its publication (or first-seen) moment."""

    document_id: int
    track_id: str
    when: datetime
    by_publication: bool  # False: the page had no date, first-seen stands in


def _moment(published: date | None, first_seen: datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    if published is not None:
        return datetime.combine(published, _NOON, tzinfo=zone), True
    seen = first_seen if first_seen.tzinfo else first_seen.replace(tzinfo=ZoneInfo("UTC"))
    return seen, False


def dated_labels(session: Session, start: datetime, end: datetime, tz: str = "Asia/Shanghai") -> list[DatedLabel]:
    """Current-version track labels of documents published (or, undated, first seen) in [start, end)."""
    zone = ZoneInfo(tz)
    lo, hi = (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
    rows = session.exec(
        select(col(Document.id), col(Document.published), col(Document.first_seen), col(TrackLabel.track_id))
        .join(TrackLabel, col(TrackLabel.document_id) == col(Document.id))
        .join(DocumentVersion, col(DocumentVersion.id) == col(TrackLabel.version_id))
        .where(col(DocumentVersion.version_no) == col(Document.current_version))
        .where(
            or_(
                and_(col(Document.published) >= lo, col(Document.published) <= hi),
                and_(
                    col(Document.published).is_(None),
                    col(Document.first_seen) >= start - timedelta(days=1),
                    col(Document.first_seen) < end + timedelta(days=1),
                ),
            )
        )
    ).all()
    out: list[DatedLabel] = []
    for doc_id, published, first_seen, track_id in rows:
        when, by_pub = _moment(published, first_seen, zone)
        if start <= when < end:
            out.append(DatedLabel(doc_id or 0, track_id, when, by_pub))
    return out


def weeks_ending(period_end: datetime, n: int, tz: str = "Asia/Shanghai") -> list[Period]:
    """The n digest weeks up to the one holding ``period_end`` (exclusive end), oldest first."""
    last = week_containing(period_end - timedelta(seconds=1), tz)
    out = [last]
    for _ in range(n - 1):
        out.insert(0, week_containing(out[0].start - timedelta(minutes=1), tz))
    return out


def weekly_publications(
    session: Session, period_end: datetime, weeks: int = 9, tz: str = "Asia/Shanghai"
) -> tuple[list[tuple[str, int]], datetime]:
    """(week label, filed documents published that week) oldest first, the last week labelled 本周; and the first week's start."""
    periods = weeks_ending(period_end, weeks, tz)
    docs: list[set[int]] = [set() for _ in periods]
    for lab in dated_labels(session, periods[0].start, periods[-1].end, tz):
        for i, p in enumerate(periods):
            if p.start <= lab.when < p.end:
                docs[i].add(lab.document_id)
                break
    zone = ZoneInfo(tz)
    out: list[tuple[str, int]] = []
    for i, p in enumerate(periods):
        local = p.start.astimezone(zone)
        out.append(("本周" if i == len(periods) - 1 else f"{local.month}月{local.day}日", len(docs[i])))
    return out, periods[0].start
