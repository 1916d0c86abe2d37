"""Immediate alerts: new and changed releases of a crawl, to subscribers who asked for them at once.

Email and webhooks are each recorded per (subscriber or channel, version)
with a unique key, so a release is announced at most once per destination
however often this runs; failed sends are retried with backoff here and
again on the next run, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from alerts.notify import CHANNEL_KINDS, MailNotifier, deliver
from alerts.transport import transport_for
from alerts.webhooks import AlertItem
from core.settings import Settings
from storage.db import session_scope
from storage.models import Delivery, Document, DocumentVersion, Subscriber, TrackLabel, WebhookChannel, WebhookDelivery

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass
class InstantReport:
    emails: int = 0
    webhooks: int = 0
    failed: list[str] = field(default_factory=list)


def _item(s: Session, ver: DocumentVersion, doc: Document, labels: list[TrackLabel]) -> AlertItem:
    from alerts.render import cn_date

    return AlertItem(
        title=doc.title,
        url=doc.url,
        tracks=[lab.track for lab in labels],
        region=doc.region,
        agency=doc.agency,
        date=cn_date(doc.published) if doc.published else None,
        doc_number=doc.doc_number,
        summary=ver.summary,
        changed=ver.version_no > 1,
        change_summary=ver.change_summary,
    )


def _wants(sub: Subscriber, labels: list[TrackLabel], doc: Document, text: str) -> bool:
    from alerts.select import _wanted

    tracks = {lab.track for lab in labels}
    if sub.immediate_tracks:
        return bool(tracks & set(sub.immediate_tracks))
    return sub.frequency == "immediate" and _wanted(sub, labels, doc, text)


def dispatch_instant(settings: Settings, run_ids: list[int], *, client: httpx.Client | None = None, backoff: float = 1.0) -> InstantReport:
    report = InstantReport()
    own = client is None
    from core.netpolicy import guarded_client

    client = client or guarded_client(settings.webhook_allow_private, timeout=10.0)
    try:
        with session_scope(settings) as s:
            subs = s.exec(select(Subscriber).where(Subscriber.active == True, Subscriber.confirmed == True)).all()  # noqa: E712
            subs = [u for u in subs if u.frequency == "immediate" or u.immediate_tracks]
            if not subs:
                return report
            versions = s.exec(
                select(DocumentVersion, Document)
                .join(Document, col(Document.id) == col(DocumentVersion.document_id))
                .where(col(DocumentVersion.run_id).in_(run_ids))
            ).all()
            for ver, doc in versions:
                labels = list(
                    s.exec(select(TrackLabel).where(TrackLabel.version_id == ver.id).order_by(col(TrackLabel.score).desc())).all()
                )
                if not labels:
                    continue
                item = _item(s, ver, doc, labels)
                for sub in subs:
                    if not _wants(sub, labels, doc, ver.text):
                        continue
                    _email(s, settings, sub, ver, item, report)
                    channels = select(WebhookChannel).where(WebhookChannel.subscriber_id == sub.id, WebhookChannel.active == True)  # noqa: E712
                    for ch in s.exec(channels).all():
                        _webhook(s, settings, client, ch, ver, item, report, backoff)
    finally:
        if own:
            client.close()
    return report


def _email(s: Session, settings: Settings, sub: Subscriber, ver: DocumentVersion, item: AlertItem, report: InstantReport) -> None:
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    from alerts.subscriptions import links_for

    key = f"instant-v{ver.id}"
    row = s.exec(select(Delivery).where(Delivery.subscriber_id == sub.id, Delivery.period_key == key)).first()
    if row is not None and row.status in ("sent", "sending"):
        return
    if row is None:
        row = Delivery(subscriber_id=sub.id, period_key=key)  # type: ignore[arg-type]
        s.add(row)
        try:
            s.commit()
        except IntegrityError:
            s.rollback()
            return
    links = links_for(settings, sub)
    msg = EmailMessage()
    msg["Subject"] = " ".join(f"PolicyRadar 即时提醒 · {item.headline()}".split())[:250]  # crawled title: no CR/LF in a header
    msg["From"] = settings.mail_from
    msg["To"] = sub.email
    msg["Date"] = formatdate()
    msg["Message-ID"] = make_msgid(idstring=key)
    msg["X-Radar-Period"] = key
    msg["List-Unsubscribe"] = f"<{links['unsubscribe']}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content("\n".join([item.headline(), *item.lines(), item.url, "", f"退订：{links['unsubscribe']}"]))
    row.subject, row.message_id = str(msg["Subject"]), str(msg["Message-ID"])
    transport = transport_for(settings.smtp_url, settings.outbox_dir)
    try:
        result = deliver(s, row, MailNotifier(transport), msg, tries=1, backoff=0.0, what=sub.email, record=_one_item(row))
    finally:
        transport.close()
    if result.receipt is not None:
        report.emails += 1
    else:
        report.failed.append(f"{sub.email}: {row.error}")


def _one_item(row: Delivery) -> "Callable[[str], None]":
    def record(_where: str) -> None:
        row.items = 1

    return record


def _webhook(
    s: Session,
    settings: Settings,
    client: httpx.Client,
    ch: WebhookChannel,
    ver: DocumentVersion,
    item: AlertItem,
    report: InstantReport,
    backoff: float,
) -> None:
    row = s.exec(select(WebhookDelivery).where(WebhookDelivery.channel_id == ch.id, WebhookDelivery.version_id == ver.id)).first()
    if row is not None and (row.status == "sent" or row.attempts >= MAX_ATTEMPTS):
        return
    if row is None:
        row = WebhookDelivery(channel_id=ch.id, version_id=ver.id)  # type: ignore[arg-type]
        s.add(row)
        try:
            s.commit()
        except IntegrityError:
            s.rollback()
            return
    factory = CHANNEL_KINDS.get(ch.kind)
    if factory is None:
        report.failed.append(f"{ch.kind} {ch.url}: unknown channel kind; use one of {', '.join(CHANNEL_KINDS)}")
        return
    notifier = factory(ch, client, settings.webhook_allow_private)

    def record(receipt: str) -> None:
        row.response = receipt

    result = deliver(
        s, row, notifier, item, tries=MAX_ATTEMPTS - row.attempts, backoff=backoff, what=f"{ch.kind} channel {ch.id}", record=record
    )
    if result.receipt is not None:
        report.webhooks += 1
        return
    if result.permanent:
        row.attempts = MAX_ATTEMPTS  # a rejected payload will not be accepted later
        s.add(row)
        s.commit()
    report.failed.append(f"{ch.kind} {ch.url}: {row.error}")
