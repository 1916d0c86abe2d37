"""Every destination goes through one ledger: claimed before sending, marked after, never sent twice.

Apprise channels reach a real HTTP server on loopback through Apprise's json:// URL; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import select

from alerts.instant import MAX_ATTEMPTS, dispatch_instant
from alerts.notify import CHANNEL_KINDS, deliver
from alerts.subscriptions import Preferences, subscribe
from alerts.transport import PermanentSendError, TransientSendError
from alerts.webhooks import BUILDERS
from core.settings import Settings
from storage.db import session_scope
from storage.models import CrawlRun, Delivery, Document, DocumentVersion, Subscriber, TrackLabel, WebhookChannel, WebhookDelivery

TITLE = "关于推动未来产业创新发展的实施意见"


class Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []

    def log_message(self, *a: object) -> None:
        pass

    def do_POST(self) -> None:
        Receiver.received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def receiver() -> Iterator[int]:
    Receiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


def _release_with_apprise_channel(settings: Settings, url: str) -> int:
    sub = subscribe(settings, "ops@example.com", [], prefs=Preferences(immediate_tracks=["未来信息"]))
    with session_scope(settings) as s:
        run = CrawlRun(source_name="src", status="ok")
        s.add(run)
        s.flush()
        doc = Document(source_name="src", url="https://www.example.gov.cn/f.html", title=TITLE, region="全国")
        s.add(doc)
        s.flush()
        ver = DocumentVersion(
            document_id=doc.id,
            version_no=1,
            run_id=run.id,
            text_hash="h",
            title=TITLE,
            text="人形机器人。",
            summary="加快人形机器人、量子科技等未来产业发展。",
        )
        s.add(ver)
        s.flush()
        s.add(
            TrackLabel(
                version_id=ver.id,
                document_id=doc.id,
                track_id="information",
                track="未来信息",
                score=0.9,
                terms={"量子科技": 1},
                quote="量子科技。",
            )
        )
        s.add(WebhookChannel(subscriber_id=sub.id, kind="apprise", url=url))
        assert run.id is not None
        return run.id


def test_the_channel_kinds_are_the_webhook_builders_and_apprise() -> None:
    assert set(CHANNEL_KINDS) == set(BUILDERS) | {"apprise"}


def test_an_apprise_channel_gets_the_alert_once(settings: Settings, receiver: int) -> None:
    settings = settings.model_copy(update={"webhook_allow_private": True})  # the receiver is on loopback
    run_id = _release_with_apprise_channel(settings, f"json://127.0.0.1:{receiver}/alerts")
    report = dispatch_instant(settings, [run_id], backoff=0.01)
    assert report.webhooks == 1 and not report.failed
    assert len(Receiver.received) == 1
    got = Receiver.received[0]
    assert TITLE in got["title"] and "未来信息" in got["message"] and "https://www.example.gov.cn/f.html" in got["message"]
    again = dispatch_instant(settings, [run_id], backoff=0.01)
    assert again.webhooks == 0 and len(Receiver.received) == 1  # the ledger says it went
    with session_scope(settings) as s:
        row = s.exec(select(WebhookDelivery)).one()
    assert row.status == "sent" and row.attempts == 1 and row.response == "apprise json"


def test_an_apprise_url_to_a_private_address_is_refused_without_opt_in(settings: Settings, receiver: int) -> None:
    run_id = _release_with_apprise_channel(settings, f"json://127.0.0.1:{receiver}/alerts")
    report = dispatch_instant(settings, [run_id], backoff=0.01)
    assert report.webhooks == 0 and len(report.failed) == 1 and "loopback" in report.failed[0]
    assert Receiver.received == []
    with session_scope(settings) as s:
        row = s.exec(select(WebhookDelivery)).one()
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS  # refused for good: not retried on later runs


class Flaky:
    """A destination that fails ``transient`` times, then either refuses for good or accepts."""

    def __init__(self, transient: int, refuse: bool = False) -> None:
        self.transient, self.refuse, self.calls = transient, refuse, 0

    def send(self, message: str) -> str:
        self.calls += 1
        if self.calls <= self.transient:
            raise TransientSendError("421 try later")
        if self.refuse:
            raise PermanentSendError("550 no such user")
        return f"got {message}"


def _ledger_row(settings: Settings) -> Delivery:
    sub = subscribe(settings, "reader@example.com", [], prefs=Preferences())
    with session_scope(settings) as s:
        assert s.get(Subscriber, sub.id) is not None
    return Delivery(subscriber_id=sub.id, period_key="2025-W10")  # type: ignore[arg-type]


def test_the_ledger_retries_transient_failures_and_marks_the_outcome(settings: Settings) -> None:
    pauses: list[float] = []
    with session_scope(settings) as s:
        row = _ledger_row(settings)
        result = deliver(s, row, Flaky(transient=2), "digest", tries=3, backoff=1.0, what="reader", sleep=pauses.append)
        assert result.receipt == "got digest" and row.status == "sent" and row.attempts == 3 and row.error is None
        assert pauses == [1.0, 2.0]
        stored = s.exec(select(Delivery)).one()
        assert stored.status == "sent" and stored.sent_at is not None


def test_a_permanent_refusal_stops_at_once(settings: Settings) -> None:
    with session_scope(settings) as s:
        row = _ledger_row(settings)
        flaky = Flaky(transient=0, refuse=True)
        result = deliver(s, row, flaky, "digest", tries=5, backoff=0.0, what="reader", sleep=lambda _d: None)
        assert result.receipt is None and result.permanent and flaky.calls == 1
        assert row.status == "failed" and row.error == "550 no such user" and row.attempts == 1
