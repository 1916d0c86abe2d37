"""Digest weeks run Monday 08:00 to Monday 08:00 Asia/Shanghai and are keyed by ISO week."""

from __future__ import annotations

from datetime import datetime, timezone

from alerts.period import last_completed_week, week_containing


def test_a_wednesday_falls_in_the_week_starting_monday_0800_shanghai() -> None:
    p = week_containing(datetime(2025, 3, 5, 4, 0, tzinfo=timezone.utc))  # Wed 12:00 in Shanghai
    assert p.key == "2025-W10"
    assert p.label == "2025年第10周"
    assert p.start == datetime(2025, 3, 3, 0, 0, tzinfo=timezone.utc)  # Mon 08:00 Shanghai = 00:00 UTC
    assert p.end == datetime(2025, 3, 10, 0, 0, tzinfo=timezone.utc)


def test_monday_before_0800_still_belongs_to_the_previous_week() -> None:
    p = week_containing(datetime(2025, 3, 9, 23, 30, tzinfo=timezone.utc))  # Mon 07:30 Shanghai
    assert p.key == "2025-W10"


def test_the_monday_job_sends_the_week_that_just_ended() -> None:
    p = last_completed_week(datetime(2025, 3, 10, 0, 0, 5, tzinfo=timezone.utc))  # Mon 08:00:05 Shanghai
    assert p.key == "2025-W10"
