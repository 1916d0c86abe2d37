"""Source health is computed from the crawl history; a failing streak alerts the operator once."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlmodel import select

from alerts.operator import check_and_alert
from storage.health import source_health
from core.settings import Settings
from storage.db import session_scope
from storage.models import CrawlRun, FetchLog, OperatorAlert, utcnow


def _runs(settings: Settings, statuses: list[str]) -> None:
    with session_scope(settings) as s:
        for st in statuses:
            s.add(
                CrawlRun(
                    source_name="zj",
                    status=st,
                    finished_at=utcnow(),
                    error="http://x/: list selector 'ul li' matched nothing" if st == "failed" else None,
                )
            )
        for ms in (10.0, 20.0, 400.0):
            s.add(FetchLog(source_name="zj", url="http://x/", status=200, duration_ms=ms))


def test_health_reports_streak_error_rate_and_median(settings: Settings) -> None:
    _runs(settings, ["ok", "ok", "failed", "failed"])
    with session_scope(settings) as s:
        h = source_health(s, "zj")
    assert h.failing_streak == 2
    assert h.error_rate == 0.5
    assert h.median_ms == 20.0
    assert h.last_success is not None
    assert h.last_error and "matched nothing" in h.last_error
    assert h.flagged(2) and not h.flagged(3)


def test_a_failing_streak_alerts_the_operator_exactly_once(settings: Settings) -> None:
    _runs(settings, ["ok", "failed", "failed"])
    assert check_and_alert(settings, "zj") is None  # below the threshold of 3
    _runs(settings, ["failed"])
    assert check_and_alert(settings, "zj") is not None
    assert check_and_alert(settings, "zj") is None  # same streak: no second mail
    _runs(settings, ["failed"])
    assert check_and_alert(settings, "zj") is None  # still the same streak
    with session_scope(settings) as s:
        alerts = s.exec(select(OperatorAlert)).all()
    assert len(alerts) == 1 and alerts[0].status == "sent" and alerts[0].streak == 3
    mails = list(settings.outbox_dir.glob("*.eml"))
    assert len(mails) == 1
    msg = message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert msg["Subject"] == "PolicyRadar 来源异常：zj 连续3次抓取失败"
    assert "radar sources check zj" in msg.get_content()


def test_a_new_streak_after_recovery_alerts_again(settings: Settings) -> None:
    _runs(settings, ["failed", "failed", "failed"])
    assert check_and_alert(settings, "zj") is not None
    _runs(settings, ["ok", "failed", "failed", "failed"])
    assert check_and_alert(settings, "zj") is not None


def _run_with_fetches(settings: Settings, error: str | None, fetches: list[tuple[str, int | None, str | None]]) -> None:
    with session_scope(settings) as s:
        run = CrawlRun(source_name="zj", status="ok", finished_at=utcnow(), requests=len(fetches), errors=1 if error else 0, error=error)
        s.add(run)
        s.flush()
        for url, status, err in fetches:
            s.add(FetchLog(run_id=run.id, source_name="zj", url=url, status=status, error=err))


def test_an_error_of_an_earlier_run_is_not_the_latest_error_once_a_later_run_is_clean(settings: Settings) -> None:
    _run_with_fetches(settings, "http://x/a.pdf: PDF is truncated", [("http://x/", 200, None), ("http://x/a.pdf", 200, None)])
    with session_scope(settings) as s:
        h = source_health(s, "zj")
    assert h.last_error and "a.pdf" in h.last_error and h.last_error_at is not None
    _run_with_fetches(settings, None, [("http://x/", 304, None)])
    with session_scope(settings) as s:
        h = source_health(s, "zj")
    assert h.last_error is None and h.last_error_at is None  # the latest run, as `radar history` shows it: 0 errors
    assert (h.last_failed_requests, h.last_requests) == (0, 1)


def test_a_request_that_succeeded_on_retry_is_not_a_failed_request(settings: Settings) -> None:
    _run_with_fetches(
        settings,
        "http://x/gone.html: HTTP 404",
        [
            ("http://x/", 503, None),
            ("http://x/", 503, None),
            ("http://x/", 200, None),  # retried: the page was read
            ("http://x/gone.html", 404, None),
            ("http://x/late.html", None, "TimeoutError: took too long"),
        ],
    )
    with session_scope(settings) as s:
        h = source_health(s, "zj")
    assert (h.last_failed_requests, h.last_requests) == (2, 5)
