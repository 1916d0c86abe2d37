"""Delivering an alert: one interface for every destination, one ledger discipline for every send.

Why one place: a weekly digest mail, an instant mail and a chat message must
each leave at most once per destination and release.  The ledger row that
says so (``Delivery`` for mail, ``WebhookDelivery`` for chat channels) is
claimed durably before anything leaves, then marked sent or failed.  Written
out three times, the copies differed only in how often they try and how long
they pause; here ``deliver`` is the loop and those are its parameters.

A ``Notifier`` is a destination: ``MailNotifier`` (SMTP or the outbox
folder), ``WebhookNotifier`` (the signed Chinese chat webhooks and generic
JSON, alerts/webhooks.py) and ``AppriseNotifier`` (any Apprise URL: ntfy,
Telegram, Teams, Matrix, …, so a new service needs a URL, not code).
``CHANNEL_KINDS`` maps a channel's ``kind`` to the notifier that serves it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from types import MappingProxyType
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session

from alerts.transport import PermanentSendError, TransientSendError, Transport
from alerts.webhooks import BUILDERS, AlertItem, WebhookError, send
from storage.models import utcnow

log = logging.getLogger(__name__)

M_contra = TypeVar("M_contra", contravariant=True)
M = TypeVar("M")


class Notifier(Protocol[M_contra]):
    """A destination for one kind of message."""

    def send(self, message: M_contra) -> str:
        """Deliver ``message``; a receipt (where it went, or the server's answer).

        Raises TransientSendError when trying again may help, PermanentSendError when it will not.
        """
        ...


class LedgerRow(Protocol):
    """The fields ``deliver`` keeps on a ledger row (``Delivery``, ``WebhookDelivery``)."""

    status: str
    attempts: int
    error: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class SendResult:
    """How a delivery ended: the receipt when it went, else whether trying later is pointless."""

    receipt: str | None = None
    permanent: bool = False


def deliver(
    s: Session,
    row: LedgerRow,
    notifier: Notifier[M],
    message: M,
    *,
    tries: int,
    backoff: float,
    what: str,
    claimed: bool = False,
    record: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Send ``message`` through ``notifier`` with ``row`` as its ledger.

    Each try marks the row ``sending`` (one attempt more) and commits before
    the bytes leave, so a crash mid-send leaves a row that says so; then
    ``sent`` (with whatever ``record`` adds from the receipt) or ``failed``
    with the error, committed again.  Transient failures are tried again up
    to ``tries`` times in all, pausing ``backoff`` seconds and doubling; a
    permanent one stops at once.  ``claimed``: the caller has already marked
    the row ``sending`` for the first try (the digest claims and counts it in
    one write).
    """
    delay = backoff
    for attempt in range(tries):
        if attempt or not claimed:
            row.status, row.attempts = "sending", row.attempts + 1
            s.add(row)
            s.commit()  # durable before the bytes leave
        try:
            receipt = notifier.send(message)
        except TransientSendError as exc:
            _failed(s, row, exc)
            if attempt + 1 < tries:
                log.warning("send to %s failed (%s); retrying in %.0fs", what, exc, delay)
                sleep(delay)
                delay *= 2
                continue
            return SendResult()
        except PermanentSendError as exc:
            _failed(s, row, exc)
            return SendResult(permanent=True)
        row.status, row.error, row.sent_at = "sent", None, utcnow()
        if record is not None:
            record(receipt)
        s.add(row)
        s.commit()
        return SendResult(receipt)
    return SendResult()


def _failed(s: Session, row: LedgerRow, exc: Exception) -> None:
    row.status, row.error = "failed", str(exc)
    s.add(row)
    s.commit()


class OutgoingMail(Protocol):
    """A mail ready as bytes (alerts.digest.OutgoingDigest and the instant mails)."""

    sender: str
    recipient: str
    data: bytes
    key: str  # names the outbox file


class MailNotifier:
    """Mail through a transport: SMTP, or the outbox folder when no server is configured."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def send(self, message: OutgoingMail | EmailMessage) -> str:
        if isinstance(message, EmailMessage):
            return self.transport.send(message)
        return self.transport.send_bytes(message.sender, message.recipient, message.data, message.key)


class WebhookNotifier:
    """One chat webhook (WeCom, DingTalk, Feishu, Slack, generic JSON) through the network-policy client."""

    def __init__(self, client: httpx.Client, kind: str, url: str, secret: str | None) -> None:
        self.client, self.kind, self.url, self.secret = client, kind, url, secret

    def send(self, message: AlertItem) -> str:
        try:
            return send(self.client, self.kind, self.url, self.secret, message)
        except WebhookError as exc:
            raise (TransientSendError if exc.retryable else PermanentSendError)(str(exc)) from exc


class AppriseNotifier:
    """Any Apprise URL (ntfy://, tgram://, msteams://, matrix://, json://, …): one library for many services.

    The network policy of the signed webhooks applies to Apprise's generic
    endpoints (``json://``, ``xml://``, ``form://`` and their TLS forms),
    whose host the URL names: a loopback or private address only with
    ``RADAR_WEBHOOK_ALLOW_PRIVATE``.  Service URLs (``tgram://`` …) reach the
    service's own public API.  Apprise reports success or failure, not
    why; a failure counts as transient and is tried again.
    """

    def __init__(self, url: str, allow_private: bool) -> None:
        self.url, self.allow_private = url, allow_private

    def send(self, message: AlertItem) -> str:
        import apprise  # only when an Apprise channel is used

        from core.netpolicy import BlockedAddress, check_url

        target = apprise.Apprise()
        if not target.add(self.url):
            raise PermanentSendError(f"not an Apprise URL this version understands: {_redacted(self.url)}")
        parts = urlsplit(self.url)
        if parts.scheme in CUSTOM_ENDPOINTS and parts.hostname:
            try:
                check_url(f"http://{parts.hostname}/", self.allow_private)
            except BlockedAddress as exc:
                raise PermanentSendError(str(exc)) from exc
        body = "\n".join([*message.lines(), message.url])
        if not target.notify(title=message.headline(), body=body):
            raise TransientSendError(f"Apprise could not deliver to {_redacted(self.url)}")
        return f"apprise {urlsplit(self.url).scheme}"


CUSTOM_ENDPOINTS = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})


def _redacted(url: str) -> str:
    """An Apprise URL without its credentials (tokens often sit in the user or path part)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '…'}/…"


ChannelFactory = Callable[[Any, httpx.Client, bool], Notifier[AlertItem]]


def _webhook(kind: str) -> ChannelFactory:
    return lambda channel, client, _allow_private: WebhookNotifier(client, kind, channel.url, channel.secret)


# A channel's kind → how to reach it.  The CLI accepts exactly these keys.
CHANNEL_KINDS: Mapping[str, ChannelFactory] = MappingProxyType(
    {
        **{kind: _webhook(kind) for kind in BUILDERS},
        "apprise": lambda channel, _client, allow_private: AppriseNotifier(channel.url, allow_private),
    }
)
