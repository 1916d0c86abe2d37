"""Digest runs: select → render → send for every active subscriber, exactly once per period.

The Delivery row, unique on (subscriber, period), is claimed before sending
and marked sent after.  A rerun of the same period skips sent rows and
retries failed ones; a row left in "sending" by a crash is reported, not
resent, because we cannot know whether the server accepted it (at most once
beats twice for a newsletter).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from email.utils import make_msgid, parseaddr

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from alerts.mime import digest_bytes
from alerts.notify import MailNotifier, deliver
from alerts.period import Period
from alerts.render import RenderedDigest, render_digest
from alerts.select import Digest, load_candidates, select_digest
from alerts.trend import weekly_publications
from alerts.transport import Transport, transport_for
from core.settings import Settings
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
    uncertain: list[str] = field(default_factory=list)  # a crash left these mid-send: not resent automatically
    empty: list[str] = field(default_factory=list)  # nothing new and the subscriber asked to skip empty digests
    planned: list[tuple[str, int, int, int]] = field(default_factory=list)  # dry run: (email, items, new, changed)
    destinations: dict[str, str] = field(default_factory=dict)


@dataclass
class OutgoingDigest:
    """One rendered digest, ready to hand to a transport as bytes."""

    sender: str
    recipient: str
    subject: str
    message_id: str
    data: bytes
    key: str  # period key, names the outbox file


def build_digest_mail(
    rendered: RenderedDigest,
    *,
    sender: str,
    recipient: str,
    period_key: str,
    links: dict[str, str] | None = None,
) -> OutgoingDigest:
    """multipart/alternative (text, then HTML; the chart is a table inside the HTML, no image),
    with RFC 8058 one-click unsubscribe headers."""
    domain = parseaddr(sender)[1].split("@")[-1] or "localhost"
    message_id = make_msgid(idstring=f"digest.{period_key}", domain=domain)
    extra = [("X-Radar-Period", period_key)]
    if links:
        extra += [("List-Unsubscribe", f"<{links['unsubscribe']}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    data = digest_bytes(
        subject=rendered.subject,
        sender=sender,
        recipient=recipient,
        message_id=message_id,
        text=rendered.text,
        html=rendered.html,
        extra_headers=extra,
    )
    return OutgoingDigest(sender, recipient, rendered.subject, message_id, data, period_key)


def track_order(settings: Settings) -> list[str]:
    from pipeline.taxonomy import load_taxonomy

    return [t.name for t in load_taxonomy(settings.taxonomy_path).tracks]


def _claim(
    s: Session, sub: Subscriber, period: Period, run_id: int, existing: Delivery | None, status: str, **fields: object
) -> Delivery | None:
    """Make the (subscriber, period) row ours with ``status``, durably, before anything leaves.

    The unique key decides races: if another runner inserted the row first, we lose and skip.
    """
    row = existing or Delivery(run_id=run_id, subscriber_id=sub.id, period_key=period.key)  # type: ignore[arg-type]
    row.run_id, row.status = run_id, status
    for k, v in fields.items():
        setattr(row, k, v)
    if status == "sending":
        row.attempts += 1
    s.add(row)
    try:
        s.commit()
    except IntegrityError:
        s.rollback()
        return None
    return row


def run_digest(
    settings: Settings,
    period: Period,
    *,
    transport: Transport | None = None,
    only: list[str] | None = None,
    frequency: str | None = "weekly",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DigestReport:
    """Send the digest for ``period`` to every confirmed, active subscriber of ``frequency``
    (or to the given addresses, whatever their frequency).  ``dry_run`` renders and reports, sends nothing.
    ``progress(done, total)`` is called before each subscriber and once at the end (the CLI shows sent / total)."""
    from alerts.subscriptions import links_for

    order = track_order(settings)
    own_transport = transport is None and not dry_run
    if own_transport:
        transport = transport_for(settings.smtp_url, settings.outbox_dir)
    with session_scope(settings) as s:
        run = DigestRun(period_key=period.key, period_start=period.start, period_end=period.end, status="dry-run" if dry_run else "running")
        s.add(run)
        s.flush()
        run_id = run.id
        trend = weekly_publications(s, period.end, tz=settings.timezone)  # once per run: the same for every subscriber
        candidates = load_candidates(s, period)  # once per run, not once per subscriber
    assert run_id is not None
    report = DigestReport(period, run_id)
    render_cache: dict[tuple, RenderedDigest] = {}
    try:
        with session_scope(settings) as s:
            q = select(Subscriber).where(Subscriber.active == True, Subscriber.confirmed == True)  # noqa: E712
            if only:
                q = q.where(Subscriber.email.in_([o.lower() for o in only]))  # type: ignore[attr-defined]
            elif frequency:
                q = q.where(Subscriber.frequency == frequency)
            done = {d.subscriber_id: d for d in s.exec(select(Delivery).where(Delivery.period_key == period.key)).all()}
            subscribers = s.exec(q.order_by(col(Subscriber.id))).all()
            for i, sub in enumerate(subscribers):
                if progress is not None:
                    progress(i, len(subscribers))
                existing = done.get(sub.id)  # type: ignore[arg-type]
                if existing is not None and existing.status in ("sent", "skipped"):
                    report.skipped.append(sub.email)
                    continue
                if existing is not None and existing.status == "sending":
                    report.uncertain.append(sub.email)
                    continue
                digest = select_digest(s, period, sub, order, candidates)
                digest.set_trend(trend)
                if dry_run:
                    report.planned.append((sub.email, len(digest.items), digest.new_count, digest.changed_count))
                    continue
                if not digest.items and sub.skip_empty:
                    if _claim(s, sub, period, run_id, existing, "skipped", items=0) is not None:
                        report.empty.append(sub.email)
                    continue
                links = links_for(settings, sub)
                rendered = _personal(render_cache, digest, sub.email, sub.language, links, settings.public_url)
                msg = build_digest_mail(rendered, sender=settings.mail_from, recipient=sub.email, period_key=period.key, links=links)
                row = _claim(
                    s, sub, period, run_id, existing, "sending", subject=msg.subject, message_id=msg.message_id, items=len(digest.items)
                )
                if row is None:
                    report.skipped.append(sub.email)
                    continue
                assert transport is not None
                _send_with_retries(s, row, msg, transport, settings, report, sub.email)
            if progress is not None:
                progress(len(subscribers), len(subscribers))
    finally:
        if own_transport and transport is not None:
            transport.close()
        with session_scope(settings) as s:
            closing = s.get(DigestRun, run_id)
            assert closing is not None
            closing.finished_at = utcnow()
            if not dry_run:
                closing.status = "failed" if report.failed or report.uncertain else "ok"
            s.add(closing)
    return report


# Private-use markers: the templates' finalize (pipeline.textutil.shown_text) removes control characters such as NUL.
_PH_TO, _PH_UNSUB, _PH_PREFS = "\ue000to\ue000", "\ue000unsub\ue000", "\ue000prefs\ue000"


def _digest_key(digest: "Digest", language: str) -> tuple:
    return (
        language,
        tuple(
            (track, region, it.version.id, it.changed, tuple(it.also), it.draft)
            for track, regions in digest.groups.items()
            for region, items in regions.items()
            for it in items
        ),
    )


def _personal(
    cache: dict[tuple, RenderedDigest], digest: "Digest", email: str, language: str, links: dict[str, str], public_url: str
) -> RenderedDigest:
    """Subscribers whose filters select the same items share one rendering; only address and links differ.

    Rendering is the costliest step per mail, and in practice many subscribers
    choose the same tracks, so this makes large batches several times faster.
    """
    key = _digest_key(digest, language)
    base = cache.get(key)
    if base is None:
        base = render_digest(
            digest, recipient=_PH_TO, public_url=public_url, language=language, links={"unsubscribe": _PH_UNSUB, "preferences": _PH_PREFS}
        )
        cache[key] = base

    def fill(text: str, esc: bool) -> str:
        to = html.escape(email) if esc else email
        return text.replace(_PH_TO, to).replace(_PH_UNSUB, links["unsubscribe"]).replace(_PH_PREFS, links["preferences"])

    return RenderedDigest(subject=base.subject, html=fill(base.html, True), text=fill(base.text, False))


def render_preview(settings: Settings, period: Period, email: str, out: "Path") -> "Path":
    """Render one subscriber's digest to an .eml file without sending or recording a delivery."""
    from alerts.subscriptions import links_for

    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == email.lower())).first()
        if sub is None:
            raise LookupError(f"no subscriber {email!r}")
        digest = select_digest(s, period, sub, track_order(settings))
        digest.set_trend(weekly_publications(s, period.end, tz=settings.timezone))
        links = links_for(settings, sub)
        rendered = render_digest(digest, recipient=sub.email, public_url=settings.public_url, language=sub.language, links=links)
        msg = build_digest_mail(rendered, sender=settings.mail_from, recipient=sub.email, period_key=f"preview-{period.key}", links=links)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(msg.data)
    out.with_suffix(".html").write_text(rendered.html, encoding="utf-8")
    return out


def _send_with_retries(
    s: Session, row: Delivery, msg: OutgoingDigest, transport: Transport, settings: Settings, report: DigestReport, email: str
) -> None:
    """The row is already claimed as 'sending' (attempt 1); transient failures are retried with backoff."""

    def record(where: str) -> None:
        if not where.startswith("smtp"):
            row.outbox_path = where

    result = deliver(
        s, row, MailNotifier(transport), msg, tries=settings.send_retries + 1, backoff=1.0, what=email, claimed=True, record=record
    )
    if result.receipt is None:
        report.failed.append((email, row.error or ""))
        return
    report.sent.append(email)
    report.destinations[email] = result.receipt


def last_digest_end(settings: Settings) -> datetime | None:
    """End of the most recent digest window, for ``--period since-last``."""
    with session_scope(settings) as s:
        run = s.exec(select(DigestRun).order_by(col(DigestRun.period_end).desc())).first()
        return run.period_end if run else None
