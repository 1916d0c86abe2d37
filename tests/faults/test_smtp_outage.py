"""SMTP is down while the digest goes out: nothing is lost, and after recovery every reader gets it exactly once.

Extends tests/alerts (a refusing server, a killed sender) with the two
outages those do not cover: no SMTP server listening at all, and a server
that disappears after the first message of the batch.  Both with a real
aiosmtpd on a loopback port that is stopped and started again.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, timezone
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from alerts.digest import DigestReport, run_digest
from alerts.period import Period, week_containing
from alerts.subscriptions import subscribe
from core.settings import Settings
from storage.db import session_scope
from storage.models import Delivery, Document, DocumentVersion, TrackLabel, utcnow

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # delivery bookkeeping is covered on both in tests/alerts
READERS = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]


class Box:
    """Collects recipients; can take the whole server down once the first message is in."""

    def __init__(self, stop_after_first: threading.Event | None = None):
        self.to: list[str] = []
        self.first = stop_after_first

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.to.append(str(message_from_bytes(envelope.original_content, policy=policy.default)["To"]))
        if self.first is not None:
            self.first.set()
        return "250 OK"


def _seed(settings: Settings) -> None:
    for email in READERS:
        subscribe(settings, email, tracks=[])
    with session_scope(settings) as s:
        now = utcnow()
        doc = Document(
            source_name="miit",
            url="https://www.miit.gov.cn/a.html",
            title="关于推动氢能产业高质量发展的通知",
            region="全国",
            agency="工业和信息化部",
            published=date(2025, 3, 5),
            first_seen=now,
            last_seen=now,
        )
        s.add(doc)
        s.flush()
        ver = DocumentVersion(
            document_id=doc.id, version_no=1, text_hash="h" * 64, title=doc.title, text="氢能。", summary="推动氢能发展。", first_seen=now
        )
        s.add(ver)
        s.flush()
        s.add(
            TrackLabel(
                version_id=ver.id, document_id=doc.id, track_id="energy", track="未来能源", score=0.9, terms={"氢能": 3}, quote="氢能。"
            )
        )


def _statuses(settings: Settings) -> Counter[str]:
    with session_scope(settings) as s:
        return Counter(r.status for r in s.exec(select(Delivery)).all())


def _recover(settings: Settings, port: int, period: Period) -> tuple[Box, DigestReport, DigestReport]:
    """The SMTP server is back on its port: run the digest, then once more (which must send nothing)."""
    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        return box, run_digest(settings, period), run_digest(settings, period)
    finally:
        controller.stop()


def test_no_smtp_server_at_all_then_recovery(settings: Settings, unused_port: int) -> None:
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{unused_port}", "send_retries": 0})
    _seed(settings)
    period = week_containing(datetime.now(timezone.utc))
    down = run_digest(settings, period)
    assert down.sent == [] and sorted(e for e, _ in down.failed) == READERS
    assert all("refused" in why.lower() or "connect" in why.lower() for _, why in down.failed), down.failed
    assert _statuses(settings) == Counter({"failed": len(READERS)})
    box, up, again = _recover(settings, unused_port, period)
    assert sorted(up.sent) == READERS and again.sent == []
    assert sorted(box.to) == READERS, "each reader exactly once"
    assert _statuses(settings) == Counter({"sent": len(READERS)})


def test_smtp_server_vanishes_mid_batch_then_recovery(settings: Settings, unused_port: int) -> None:
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{unused_port}", "send_retries": 0})
    _seed(settings)
    period = week_containing(datetime.now(timezone.utc))
    first_in = threading.Event()
    box = Box(first_in)
    controller = Controller(box, hostname="127.0.0.1", port=unused_port)
    controller.start()
    killer = threading.Thread(target=lambda: first_in.wait(30) and controller.stop())
    killer.start()
    partial = run_digest(settings, period)
    killer.join(30)
    assert 1 <= len(partial.sent) < len(READERS) and partial.failed, (partial.sent, partial.failed)
    box2, rest, again = _recover(settings, unused_port, period)
    assert again.sent == []
    assert sorted(partial.sent + rest.sent) == READERS
    delivered = box.to + box2.to
    assert sorted(delivered) == READERS, f"each reader exactly once, got {Counter(delivered)}"
    assert _statuses(settings) == Counter({"sent": len(READERS)})
