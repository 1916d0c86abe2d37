"""The weekly chart's window: the weeks ending now, or, after a quiet spell, the weeks ending at the newest publication."""

from __future__ import annotations

from datetime import date, datetime, timezone

from alerts.trend import weekly_publications
from core.settings import Settings
from storage.db import session_scope
from storage.models import Document, DocumentVersion, TrackLabel

NOW = datetime(2026, 6, 10, 4, 0, tzinfo=timezone.utc)  # a Wednesday


def _filed(settings: Settings, url: str, published: date | None, first_seen: datetime, *, filed: bool = True) -> None:
    with session_scope(settings) as s:
        doc = Document(source_name="quiet", url=url, title="关于支持氢能产业发展的若干措施", published=published, first_seen=first_seen)
        s.add(doc)
        s.flush()
        ver = DocumentVersion(document_id=doc.id, version_no=1, text_hash=url, title=doc.title, text="氢能。", first_seen=first_seen)
        s.add(ver)
        s.flush()
        if filed:
            s.add(TrackLabel(version_id=ver.id, document_id=doc.id, track_id="energy", track="未来能源", score=0.9, terms={}, quote=""))


def test_an_empty_database_keeps_the_weeks_ending_now(settings: Settings) -> None:
    with session_scope(settings) as s:
        trend = weekly_publications(s, NOW, weeks=4, tz=settings.timezone)
    assert trend.newest is None and [label for label, _n in trend.counts][-1] == "本周"
    assert all(n == 0 for _label, n in trend.counts)


def test_a_quiet_source_shows_its_last_active_weeks(settings: Settings) -> None:
    """The newest filed release is from 2026年2月4日; an unfiled page published later does not move the chart."""
    _filed(settings, "http://127.0.0.1:9/a", date(2026, 2, 4), NOW)
    _filed(settings, "http://127.0.0.1:9/b", date(2026, 1, 20), NOW)
    _filed(settings, "http://127.0.0.1:9/c", date(2026, 3, 2), NOW, filed=False)
    with session_scope(settings) as s:
        trend = weekly_publications(s, NOW, weeks=4, tz=settings.timezone)
    assert trend.newest == date(2026, 2, 4)
    assert trend.counts == [("1月12日", 0), ("1月19日", 1), ("1月26日", 0), ("2月2日", 1)]
    assert trend.since.date() == date(2026, 1, 12)


def test_one_release_in_the_window_keeps_it_on_now(settings: Settings) -> None:
    """An undated page first seen this week counts this week: the weeks ending now are not empty, nothing moves."""
    _filed(settings, "http://127.0.0.1:9/a", date(2026, 2, 4), NOW)
    _filed(settings, "http://127.0.0.1:9/undated", None, NOW)
    with session_scope(settings) as s:
        trend = weekly_publications(s, NOW, weeks=4, tz=settings.timezone)
    assert trend.newest is None and trend.counts[-1] == ("本周", 1)
