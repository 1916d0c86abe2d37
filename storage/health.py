"""Source health: is each site still yielding, how fast, and since when is it failing."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from core.status_words import DISABLED, FAILED, HEALTHY, NEVER, PARTIAL, RUN_STATUS_ZH, STATE_CLASS, STATES  # noqa: F401 - re-exported
from storage.models import CrawlRun, Document, FetchLog, utcnow


@dataclass
class SourceHealth:
    """What an operator needs to see per source."""

    source: str
    last_success: datetime | None
    last_error: str | None  # first line of the latest finished run's errors; None when that run had none
    last_error_at: datetime | None  # when that run started
    runs: int
    error_rate: float  # failed runs / runs, over the last ``window`` runs
    failing_streak: int  # consecutive failed runs up to the latest
    items_per_week: float  # new documents per week over the last four weeks
    median_ms: float | None  # median response time of the last 200 fetches
    last_status: str | None = None  # the latest finished run: ok / failed
    last_requests: int = 0  # requests of the latest finished run
    last_failed_requests: int = 0  # of those, answered >= 400 or not at all and not read on a retry (a list's end excluded)

    def flagged(self, threshold: int) -> bool:
        return self.failing_streak >= threshold

    @property
    def request_error_share(self) -> float:
        """Share of the latest run's requests that failed: a run can close 'ok' with most of its pages missing."""
        return self.last_failed_requests / self.last_requests if self.last_requests else 0.0

    def state(self, enabled: bool, partial_share: float) -> str:
        """未抓取 / 正常 / 部分失败 / 失败 / 已停用: what an operator should believe about the source now.

        A disabled source is 已停用 whatever its past; a source never crawled is
        not 正常 (nothing is known); a latest run that failed is 失败; one that
        closed but lost more than ``partial_share`` of its requests is 部分失败.
        """
        if not enabled:
            return DISABLED
        if not self.runs:
            return NEVER
        if self.last_status == "failed":
            return FAILED
        if self.request_error_share > partial_share:
            return PARTIAL
        return HEALTHY


def source_health(s: Session, source: str, window: int = 20) -> SourceHealth:
    runs = s.exec(
        select(CrawlRun)
        .where(CrawlRun.source_name == source, col(CrawlRun.status).notin_(("running", "skipped")))
        .order_by(col(CrawlRun.id).desc())
        .limit(window)
    ).all()
    streak = 0
    for run in runs:
        if run.status != "failed":
            break
        streak += 1
    last_ok = next((r for r in runs if r.status == "ok"), None)
    # The latest run's errors, as `radar history` counts them: an error an earlier run met is not the latest
    # error once a later run went without it (the run list still has it, with its time).
    last_bad = runs[0] if runs and runs[0].error else None
    since = utcnow() - timedelta(days=28)
    new_docs = s.exec(select(func.count()).select_from(Document).where(Document.source_name == source, Document.first_seen >= since)).one()
    durations = [
        d
        for d in s.exec(
            select(FetchLog.duration_ms)
            .where(FetchLog.source_name == source, col(FetchLog.duration_ms).is_not(None))
            .order_by(col(FetchLog.id).desc())
            .limit(200)
        ).all()
        if d is not None
    ]
    last = runs[0] if runs else None
    failed_requests, requests = _request_outcomes(s, last) if last is not None else (0, 0)
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
        last_status=last.status if last else None,
        last_requests=requests,
        last_failed_requests=failed_requests,
    )


def failed_fetch() -> ColumnElement[bool]:
    """A fetch-log row of a request answered >= 400 or not at all, except a guessed list page past the last one."""
    return and_(or_(col(FetchLog.error).is_not(None), col(FetchLog.status) >= 400), col(FetchLog.end_of_list).is_(False))


def _request_outcomes(s: Session, run: CrawlRun) -> tuple[int, int]:
    """(failed, all) requests of one run from its fetch log; the run's own counters when it logged none.

    A request that failed and was then read on a retry in the same run (a 503, then a 200) is not a failure;
    neither is the 404 that ends a list whose length the site does not state.
    """
    total = s.exec(select(func.count()).select_from(FetchLog).where(FetchLog.run_id == run.id)).one()
    if not total:
        return min(run.errors, run.requests), run.requests
    later = aliased(FetchLog)
    read_later = exists().where(
        col(later.run_id) == FetchLog.run_id,
        col(later.url) == FetchLog.url,
        col(later.id) > FetchLog.id,
        col(later.error).is_(None),
        col(later.status) < 400,
    )
    failed = s.exec(select(func.count()).select_from(FetchLog).where(FetchLog.run_id == run.id, failed_fetch(), ~read_later)).one()
    return failed, total
