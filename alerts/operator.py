"""Tell the operator when a source keeps failing — once per failing streak, not once per run."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from alerts.transport import PermanentSendError, TransientSendError, transport_for
from storage.health import source_health
from core.settings import Settings
from storage.db import session_scope
from storage.models import CrawlRun, OperatorAlert


def check_and_alert(settings: Settings, source: str) -> OperatorAlert | None:
    """After a crawl: if ``source`` has just failed ``fail_alert_runs`` times in a row, alert once."""
    with session_scope(settings) as s:
        health = source_health(s, source)
        if not health.flagged(settings.fail_alert_runs):
            return None
        runs = s.exec(
            select(CrawlRun)
            .where(CrawlRun.source_name == source, col(CrawlRun.status).notin_(("running", "skipped")))
            .order_by(col(CrawlRun.id).desc())
            .limit(health.failing_streak)
        ).all()
        first_failed = runs[-1].id
        assert first_failed is not None  # a stored run
        alert = OperatorAlert(source_name=source, first_failed_run_id=first_failed, streak=health.failing_streak, error=health.last_error)
        s.add(alert)
        try:
            s.commit()
        except IntegrityError:  # this streak was already reported
            s.rollback()
            return None
    msg = EmailMessage()
    msg["Subject"] = f"PolicyRadar 来源异常：{source} 连续{health.failing_streak}次抓取失败"
    msg["From"] = settings.mail_from
    msg["To"] = settings.operator_email or "operator@localhost"
    msg["Date"] = formatdate()
    msg["Message-ID"] = make_msgid(idstring=f"operator.{source}.{first_failed}")
    msg["X-Radar-Period"] = f"operator-{source}-{first_failed}"
    msg.set_content(
        f"来源 {source} 自第 {first_failed} 次运行起连续 {health.failing_streak} 次抓取失败。\n"
        f"最近错误：{health.last_error or '无'}\n"
        f"上次成功：{health.last_success or '从未'}\n"
        f"请用 `radar sources check {source}` 检查选择器，或 `radar history {source}` 查看抓取记录。\n"
    )
    transport = transport_for(settings.smtp_url, settings.outbox_dir)
    try:
        transport.send(msg)
        status = "sent"
    except (TransientSendError, PermanentSendError) as exc:
        status = f"failed: {exc}"
    finally:
        transport.close()
    with session_scope(settings) as s:
        row = s.get(OperatorAlert, alert.id)
        if row is not None:
            row.status = status
            s.add(row)
    return alert


def mail_operator(settings: Settings, subject: str, body: str, *, key: str) -> str:
    """Send one plain mail to RADAR_OPERATOR_EMAIL; returns "sent" or "failed: …" (never raises for a send failure)."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.mail_from
    msg["To"] = settings.operator_email or "operator@localhost"
    msg["Date"] = formatdate()
    msg["Message-ID"] = make_msgid(idstring=key)
    msg["X-Radar-Period"] = key
    msg.set_content(body)
    transport = transport_for(settings.smtp_url, settings.outbox_dir)
    try:
        transport.send(msg)
        return "sent"
    except (TransientSendError, PermanentSendError) as exc:
        return f"failed: {exc}"
    finally:
        transport.close()
