"""Only one scheduler leads; a standby stays paused and takes over when the leader dies."""

from __future__ import annotations

import time

from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING

from radar.scheduler import build_scheduler
from core.settings import Settings
from workers.leader import Leadership


def test_a_second_scheduler_stays_paused_until_the_leader_dies(settings: Settings) -> None:
    short = settings.model_copy(update={"crawl_lease_seconds": 0.6})
    first, second = build_scheduler(short, blocking=False), build_scheduler(short, blocking=False)
    first.start(paused=True)
    second.start(paused=True)
    lead, standby = Leadership(short, first, "host-a:1"), Leadership(short, second, "host-b:2")
    try:
        lead.start()
        standby.start()
        time.sleep(1.2)  # several renewals: the leader keeps the lead while it lives
        assert (lead.leading, first.state) == (True, STATE_RUNNING)
        assert (standby.leading, second.state) == (False, STATE_PAUSED)

        lead.stop(release=False)  # the leader dies: no more renewals, no hand-over
        deadline = time.monotonic() + 5
        while not standby.leading and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (standby.leading, second.state) == (True, STATE_RUNNING)
        assert lead.step() is False, "the old leader cannot come back while the new one renews"
    finally:
        lead.stop()
        standby.stop()
        first.shutdown(wait=False)
        second.shutdown(wait=False)
