"""Source health: is each site still yielding, how fast, and since when is it failing."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from storage.models import CrawlRun, Document, FetchLog, utcnow


@dataclass
class SourceHealth:
    """What an operator needs to see per source."""

    source: str
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    runs: int
    error_rate: float  # failed runs / runs, over the last ``window`` runs
    failing_streak: int  # consecutive failed runs up to the latest
    items_per_week: float  # new documents per week over the last four weeks
    median_ms: float | None  # median response time of the last 200 fetches

    def flagged(self, threshold: int) -> bool:
        return self.failing_streak >= threshold


def source_health(s: Session, source: str, window: int = 20) -> SourceHealth:
    runs = s.exec(
        select(CrawlRun).where(CrawlRun.source_name == source, col(CrawlRun.status).notin_(("running", "skipped"))).order_by(col(CrawlRun.id).desc()).limit(window)
    ).all()
    streak = 0
    for run in runs:
        if run.status != "failed":
            break
        streak += 1
    last_ok = next((r for r in runs if r.status == "ok"), None)
    last_bad = next((r for r in runs if r.error), None)
    since = utcnow() - timedelta(days=28)
    new_docs = s.exec(select(func.count()).select_from(Document).where(Document.source_name == source, Document.first_seen >= since)).one()
    durations = [
        d for d in s.exec(
            select(FetchLog.duration_ms).where(FetchLog.source_name == source, col(FetchLog.duration_ms).is_not(None)).order_by(col(FetchLog.id).desc()).limit(200)
        ).all() if d is not None
    ]
    return SourceHealth(
        source=source,
        last_success=last_ok.finished_at if last_ok else None,
        last_error=(last_bad.error or "").splitlines()[0] if last_bad else None,
        last_error_at=last_bad.started_at if last_bad else None,
        runs=len(runs),
        error_rate=(sum(1 for r in runs if r.status == "failed") / len(runs)) if runs else 0.0,
        failing_streak=streak,
        items_per_week=round(new_docs / 4, 1),
        median_ms=round(statistics.median(durations), 1) if durations else None,
    )
