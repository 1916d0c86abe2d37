"""Filed documents per week by publication date, for the digest's and the dashboard's charts.

A chart of "when we first saw it" says more about the crawler than about
policy: a fresh install stores a year's backlog in one day and puts it all in
本周.  Readers ask when a policy was *published*, so the charts count by the
document's publish date and fall back to first-seen only where the page gives
no date.  (Which items are *new in this period* stays first-seen: that is what
the subscriber has not been told yet; see alerts.select.)

A source can be quiet for months (and a replica's releases are all dated
some time ago): weeks ending now would then draw an empty chart that says
nothing.  When those weeks hold no filed document at all but older ones
exist, the chart ends at the week of the newest publication instead and
its caption says so (``TrendWindow.newest``), so the reader sees the last
activity and is never misled into reading it as this week's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
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


@dataclass(frozen=True)
class TrendWindow:
    """The weeks a chart shows and the labels filed in them.

    ``newest`` is None when the weeks end with the current one; otherwise those
    weeks held nothing and the chart ends at the week of ``newest``, the
    publication date of the newest filed document, which the caption names.
    """

    periods: list[Period]
    labels: list[DatedLabel]
    newest: date | None = None

    def week_index(self, lab: DatedLabel) -> int | None:
        for i, p in enumerate(self.periods):
            if p.start <= lab.when < p.end:
                return i
        return None


def newest_publication_before(session: Session, before: date) -> date | None:
    """The latest publication date (earlier than ``before``) of a document filed under some track, by its current version."""
    value = session.exec(
        select(func.max(col(Document.published)))
        .join(TrackLabel, col(TrackLabel.document_id) == col(Document.id))
        .join(DocumentVersion, col(DocumentVersion.id) == col(TrackLabel.version_id))
        .where(col(DocumentVersion.version_no) == col(Document.current_version))
        .where(col(Document.published) < before)
    ).one()
    return value if isinstance(value, date) else (date.fromisoformat(value) if value else None)


def trend_window(session: Session, period_end: datetime, weeks: int, tz: str = "Asia/Shanghai") -> TrendWindow:
    """The ``weeks`` weeks up to the one holding ``period_end``; or, when they hold no filed document, the weeks
    up to the newest publication (a quiet source or an old backlog still shows its last activity)."""
    periods = weeks_ending(period_end, weeks, tz)
    labels = dated_labels(session, periods[0].start, periods[-1].end, tz)
    if labels:
        return TrendWindow(periods, labels)
    newest = newest_publication_before(session, periods[0].start.astimezone(ZoneInfo(tz)).date() + timedelta(days=1))
    if newest is None:
        return TrendWindow(periods, labels)
    moment, _ = _moment(newest, period_end, ZoneInfo(tz))
    periods = weeks_ending(moment + timedelta(seconds=1), weeks, tz)
    return TrendWindow(periods, dated_labels(session, periods[0].start, periods[-1].end, tz), newest)


@dataclass
class WeeklyTrend:
    """The digest chart's figures: (week label, filed documents published that week) oldest first."""

    counts: list[tuple[str, int]]
    since: datetime  # the first week's start: items published before it are not on the chart
    newest: date | None = None  # see TrendWindow.newest


def weekly_publications(session: Session, period_end: datetime, weeks: int = 9, tz: str = "Asia/Shanghai") -> WeeklyTrend:
    """Filed documents per week by publication date; the last week is labelled 本周 unless the chart had to end earlier."""
    window = trend_window(session, period_end, weeks, tz)
    docs: list[set[int]] = [set() for _ in window.periods]
    for lab in window.labels:
        i = window.week_index(lab)
        if i is not None:
            docs[i].add(lab.document_id)
    zone = ZoneInfo(tz)
    out: list[tuple[str, int]] = []
    last = len(window.periods) - 1
    for i, p in enumerate(window.periods):
        local = p.start.astimezone(zone)
        out.append(("本周" if i == last and window.newest is None else f"{local.month}月{local.day}日", len(docs[i])))
    return WeeklyTrend(out, window.periods[0].start, window.newest)
