"""Digest periods: which window of crawl findings one digest covers, and its exactly-once key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    """A half-open window [start, end) in UTC, with the key deliveries are unique on."""

    key: str
    start: datetime
    end: datetime
    label: str  # e.g. 2025年第10周


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc) if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def week_containing(moment: datetime, tz: str = "Asia/Shanghai", hour: int = 8) -> Period:
    """The digest week containing ``moment``: Monday ``hour``:00 local to the next Monday.

    Weeks start at the send time rather than midnight so a Monday 08:00 digest
    covers exactly the findings since the previous one.
    """
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=timezone.utc).astimezone(zone)
    start = (local - timedelta(days=local.weekday())).replace(hour=hour, minute=0, second=0, microsecond=0)
    if start > local:
        start -= timedelta(days=7)
    end = start + timedelta(days=7)
    year, week, _ = start.isocalendar()
    return Period(f"{year}-W{week:02d}", _utc(start), _utc(end), f"{year}年第{week}周")


def last_completed_week(now: datetime, tz: str = "Asia/Shanghai") -> Period:
    """The week that ended most recently: what the Monday 08:00 job sends."""
    current = week_containing(now, tz)
    return week_containing(current.start - timedelta(minutes=1), tz)


def since(start: datetime, now: datetime, tz: str = "Asia/Shanghai") -> Period:
    """An ad-hoc window ending now (used by the demo and `radar digest --period since-last`)."""
    end = _utc(now)
    year, week, _ = end.astimezone(ZoneInfo(tz)).isocalendar()
    return Period(f"upto-{end:%Y%m%dT%H%M%S}", _utc(start), end, f"{year}年第{week}周")


def day_containing(moment: datetime, tz: str = "Asia/Shanghai", hour: int = 8) -> Period:
    """The daily digest's day: 08:00 local to 08:00 the next day (sent at its end)."""
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=timezone.utc).astimezone(zone)
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if start > local:
        start -= timedelta(days=1)
    return Period(f"{start:%Y-%m-%d}", _utc(start), _utc(start + timedelta(days=1)), f"{start.year}年{start.month}月{start.day}日")
