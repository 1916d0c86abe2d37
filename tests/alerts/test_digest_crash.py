"""A digest run killed mid-batch: the rerun sends only the rest, nobody gets a digest twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from alerts.subscriptions import subscribe
from core.settings import Settings
from storage.db import session_scope
from storage.models import Delivery

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class SlowMailbox:
    """Accepts every message, but answers 250 only after a pause: a window to kill the sender in."""

    def __init__(self) -> None:
        self.to: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        self.to.append(str(msg["To"]))
        await asyncio.sleep(0.6)
        return "250 OK"


def test_killing_the_sender_mid_batch_loses_and_duplicates_nothing(settings: Settings, unused_port: int, tmp_path: Path) -> None:
    emails = [f"reader{i}@example.com" for i in range(6)]
    for e in emails:
        subscribe(settings, e, [])
    box = SlowMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=unused_port)
    controller.start()
    env = {**os.environ, "RADAR_DATA_DIR": str(settings.data_dir), "SMTP_URL": f"smtp://127.0.0.1:{unused_port}"}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "radar.cli", "digest", "--period", "this-week"]
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(box.to) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(box.to) >= 2, "the sender never got going"
        os.kill(proc.pid, signal.SIGKILL)  # mid-batch: the second message awaits its 250 reply
        proc.wait(timeout=10)
        first_batch = len(box.to)
        assert first_batch < len(emails)
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert "状态不明" in rerun.stdout  # the one cut off mid-send is reported, not silently resent
        time.sleep(0.8)  # let the server finish the last reply
    finally:
        controller.stop()
    counts = Counter(box.to)
    assert sorted(counts) == emails  # everyone got the digest …
    assert set(counts.values()) == {1}  # … exactly once
    with session_scope(settings) as s:
        statuses = Counter(d.status for d in s.exec(select(Delivery)).all())
    assert statuses["sent"] == len(emails) - statuses["sending"] and statuses["sending"] <= 1
