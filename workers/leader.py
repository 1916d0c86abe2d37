"""Only one scheduler leads: it holds a lease; any other instance waits paused and takes over when it dies.

Two `radar serve` on one database would otherwise both fire every job. The
lease is the same expiring row that guards crawls (storage.lease), under a
name no source can have, so a standby needs nothing but the database.
"""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING, BaseScheduler

from core.settings import Settings
from storage.lease import Lease, acquire, local_holder

log = logging.getLogger(__name__)

LEADER_KEY = "__scheduler_leader__"


class Leadership:
    """Runs ``scheduler`` while this process holds the leader lease, pauses it while another does."""

    def __init__(self, settings: Settings, scheduler: BaseScheduler, holder: str | None = None):
        self.settings = settings
        self.scheduler = scheduler
        self.holder = holder or local_holder()
        self.lease: Lease | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self.lease is not None

    def step(self) -> bool:
        """Renew, or try to take, the lead once; returns whether this process leads now."""
        if self.lease is not None:
            if self.lease.renew():
                return True
            log.warning("scheduler %s lost the lead; pausing", self.holder)
            self.lease = None
            if self.scheduler.state == STATE_RUNNING:
                self.scheduler.pause()
            return False
        got = acquire(self.settings, LEADER_KEY, self.holder)
        if isinstance(got, Lease):
            log.info("scheduler %s leads", self.holder)
            self.lease = got
            if self.scheduler.state == STATE_PAUSED:
                self.scheduler.resume()
            return True
        return False

    def _loop(self) -> None:
        interval = max(self.settings.crawl_lease_seconds / 3, 0.2)
        while not self._stop.wait(interval):
            try:
                self.step()
            except Exception:  # database briefly away: keep the current role and try again
                log.warning("leader lease check failed", exc_info=True)

    def start(self) -> None:
        """Start the (paused) scheduler's election: lead at once if no one else does."""
        if self.scheduler.state != STATE_PAUSED:
            raise RuntimeError("start the scheduler paused; Leadership resumes it when this process leads")
        self.step()
        self._thread = threading.Thread(target=self._loop, name="scheduler-leader", daemon=True)
        self._thread.start()

    def stop(self, release: bool = True) -> None:
        """Stop campaigning; ``release`` hands the lead over at once instead of letting it expire."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.lease is not None and release:
            self.lease.release()
        self.lease = None
