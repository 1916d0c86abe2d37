"""Digest runs: select → render → send for every active subscriber, exactly once per period.

The Delivery row, unique on (subscriber, period), is claimed before sending
and marked sent after.  A rerun of the same period skips sent rows and
retries failed ones; a row left in "sending" by a crash is reported, not
resent, because we cannot know whether the server accepted it (at most once
beats twice for a newsletter).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from alerts.period import Period
from alerts.render import RenderedDigest, render_digest
from alerts.select import select_digest
from alerts.transport import PermanentSendError, TransientSendError, Transport, transport_for
from radar.settings import Settings
from storage.db import session_scope
from storage.models import Delivery, DigestRun, Subscriber, utcnow

log = logging.getLogger(__name__)


@dataclass
class DigestReport:
    """What one digest run did, for the CLI and the scheduler log."""

    period: Period
    run_id: int
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already sent for this period
    failed: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    destinations: dict[str, str] = field(default_factory=dict)


def build_message(rendered: RenderedDigest, *, sender: str, recipient: str, period_key: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    name, addr = parseaddr(recipient)
    msg["To"] = formataddr((name, addr))
    msg["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].split("@")[-1] or "localhost"
    msg["Message-ID"] = make_msgid(idstring=f"digest.{period_key}", domain=domain)
    msg["X-Radar-Period"] = period_key
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return msg


def track_order(settings: Settings) -> list[str]:
    from pipeline.taxonomy import load_taxonomy

    return [t.name for t in load_taxonomy(settings.taxonomy_path).tracks]


def _claim(s: Session, sub: Subscriber, period: Period, run_id: int) -> Delivery | None:
    """Return the delivery row to work on, or None if this period is already done for ``sub``."""
    row = s.exec(select(Delivery).where(Delivery.subscriber_id == sub.id, Delivery.period_key == period.key)).first()
    if row is None:
        row = Delivery(run_id=run_id, subscriber_id=sub.id, period_key=period.key)  # type: ignore[arg-type]
        s.add(row)
        try:
            s.commit()
        except IntegrityError:  # another runner claimed it first
            s.rollback()
            return None
        return row
    return row if row.status in ("pending", "failed") else None


def run_digest(settings: Settings, period: Period, *, transport: Transport | None = None, only: list[str] | None = None) -> DigestReport:
    """Send the digest for ``period`` to every active subscriber (or only the given addresses)."""
    order = track_order(settings)
    own_transport = transport is None
    transport = transport or transport_for(settings.smtp_url, settings.outbox_dir)
    with session_scope(settings) as s:
        run = DigestRun(period_key=period.key, period_start=period.start, period_end=period.end)
        s.add(run)
        s.flush()
        run_id = run.id
    assert run_id is not None
    report = DigestReport(period, run_id)
    try:
        with session_scope(settings) as s:
            subs = s.exec(select(Subscriber).where(Subscriber.active == True)).all()  # noqa: E712
            for sub in subs:
                if only and sub.email not in only:
                    continue
                existing = s.exec(select(Delivery).where(Delivery.subscriber_id == sub.id, Delivery.period_key == period.key)).first()
                if existing is not None and existing.status == "sent":
                    report.skipped.append(sub.email)
                    continue
                if existing is not None and existing.status == "sending":
                    report.uncertain.append(sub.email)
                    continue
                row = _claim(s, sub, period, run_id)
                if row is None:
                    report.skipped.append(sub.email)
                    continue
                digest = select_digest(s, period, sub, order)
                rendered = render_digest(digest, recipient=sub.email, public_url=settings.public_url)
                msg = build_message(rendered, sender=settings.mail_from, recipient=sub.email, period_key=period.key)
                _send_with_retries(s, row, msg, transport, settings, report, sub.email, len(digest.items))
    finally:
        if own_transport:
            transport.close()
        with session_scope(settings) as s:
            run = s.get(DigestRun, run_id)
            assert run is not None
            run.finished_at = utcnow()
            run.status = "failed" if report.failed or report.uncertain else "ok"
            s.add(run)
    return report


def _send_with_retries(
    s: Session, row: Delivery, msg: EmailMessage, transport: Transport, settings: Settings, report: DigestReport, email: str, n_items: int
) -> None:
    row.subject = str(msg["Subject"])
    row.message_id = str(msg["Message-ID"])
    row.items = n_items
    delay = 1.0
    for attempt in range(settings.send_retries + 1):
        row.status = "sending"
        row.attempts += 1
        s.add(row)
        s.commit()  # the claim is durable before the bytes leave
        try:
            where = transport.send(msg)
        except TransientSendError as exc:
            row.status, row.error = "failed", str(exc)
            s.add(row)
            s.commit()
            if attempt < settings.send_retries:
                log.warning("send to %s failed (%s); retrying in %.0fs", email, exc, delay)
                time.sleep(delay)
                delay *= 2
                continue
            report.failed.append((email, str(exc)))
            return
        except PermanentSendError as exc:
            row.status, row.error = "failed", str(exc)
            s.add(row)
            s.commit()
            report.failed.append((email, str(exc)))
            return
        row.status, row.error, row.sent_at = "sent", None, utcnow()
        if not where.startswith("smtp"):
            row.outbox_path = where
        s.add(row)
        s.commit()
        report.sent.append(email)
        report.destinations[email] = where
        return


def last_digest_end(settings: Settings) -> datetime | None:
    """End of the most recent digest window, for ``--period since-last``."""
    with session_scope(settings) as s:
        run = s.exec(select(DigestRun).order_by(DigestRun.period_end.desc())).first()  # type: ignore[union-attr]
        return run.period_end if run else None
