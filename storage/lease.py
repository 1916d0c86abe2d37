"""One crawl per source at a time, across processes and hosts: a lease row with an expiry.

The holder renews the lease from a heartbeat thread while its crawl runs.
A holder that dies (SIGKILL, lost host) stops renewing, so its lease
expires by itself; whoever takes the lease over next, or the reaper, closes
the run it left 'running' as failed.  Acquisition is a plain INSERT, or a
compare-and-swap UPDATE of an expired row, so it is atomic on SQLite and
PostgreSQL alike without database-specific locks.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from core.settings import Settings
from storage.db import get_engine
from storage.models import CrawlLease, CrawlRun, utcnow

log = logging.getLogger(__name__)

LOST_MARK = "工作进程失联，租约已过期 / worker lost: its crawl lease expired"


def local_holder(worker: str | None = None) -> str:
    """A holder name unique per process: two `radar crawl`, or two pool processes of one worker, differ."""
    return f"{worker or socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Held:
    """The lease is someone else's (or an earlier delivery of the same task's) and still live."""

    holder: str
    task_id: str | None
    run_id: int | None
    expires_at: float


class LeaseBusy(Exception):
    """The same task holds the lease already: an earlier delivery is running, or died and has not expired."""

    def __init__(self, held: Held):
        super().__init__(f"lease held by {held.holder} until {held.expires_at:.0f}")
        self.held = held


@dataclass
class Lease:
    """A lease this process holds; renew it with ``start_heartbeat`` and give it back with ``release``."""

    settings: Settings
    source_name: str
    holder: str
    ttl: float
    lost: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def attach_run(self, run_id: int) -> None:
        """Name the run this lease covers, so the reaper can close it if we die."""
        with get_engine(self.settings).begin() as conn:
            conn.execute(
                update(CrawlLease)
                .where(col(CrawlLease.source_name) == self.source_name, col(CrawlLease.holder) == self.holder)
                .values(run_id=run_id)
            )

    def renew(self) -> bool:
        """Push the expiry forward; False when the lease is no longer ours (it expired and was taken)."""
        with get_engine(self.settings).begin() as conn:
            res = conn.execute(
                update(CrawlLease)
                .where(col(CrawlLease.source_name) == self.source_name, col(CrawlLease.holder) == self.holder)
                .values(expires_at=time.time() + self.ttl)
            )
        return res.rowcount == 1

    def _beat(self) -> None:
        interval = max(self.ttl / 3, 0.2)
        while not self._stop.wait(interval):
            try:
                if not self.renew():
                    log.error("crawl lease of %s was taken over; stopping this crawl", self.source_name)
                    self.lost.set()
                    return
            except Exception:  # a short database outage: keep trying until the lease would expire
                log.warning("could not renew the crawl lease of %s", self.source_name, exc_info=True)

    def start_heartbeat(self) -> None:
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.source_name}", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with get_engine(self.settings).begin() as conn:
            conn.execute(delete(CrawlLease).where(col(CrawlLease.source_name) == self.source_name, col(CrawlLease.holder) == self.holder))


def acquire(settings: Settings, source_name: str, holder: str, task_id: str | None = None) -> Lease | Held:
    """Take the source's lease, taking over (and reaping) an expired one; or say who holds it."""
    ttl = settings.crawl_lease_seconds
    engine = get_engine(settings)
    now = time.time()
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(CrawlLease).values(
                    source_name=source_name, holder=holder, task_id=task_id, expires_at=now + ttl, acquired_at=utcnow()
                )
            )
        return Lease(settings, source_name, holder, ttl)
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(select(CrawlLease).where(col(CrawlLease.source_name) == source_name)).first()
        if row is None:  # released between our INSERT and SELECT: try once more from the start
            return acquire(settings, source_name, holder, task_id)
        if row.expires_at >= now:
            return Held(row.holder, row.task_id, row.run_id, row.expires_at)
        took = conn.execute(
            update(CrawlLease)
            .where(
                col(CrawlLease.source_name) == source_name,
                col(CrawlLease.holder) == row.holder,
                col(CrawlLease.expires_at) == row.expires_at,
            )
            .values(holder=holder, task_id=task_id, run_id=None, expires_at=now + ttl, acquired_at=utcnow())
        )
        if took.rowcount != 1:  # another process took it over first
            fresh = conn.execute(select(CrawlLease).where(col(CrawlLease.source_name) == source_name)).first()
            if fresh is None:
                return acquire(settings, source_name, holder, task_id)
            return Held(fresh.holder, fresh.task_id, fresh.run_id, fresh.expires_at)
        _close_lost_runs(conn, source_name, row.holder)
    return Lease(settings, source_name, holder, ttl)


def holder_run(settings: Settings, source_name: str, held: Held, wait: float = 5.0) -> Held:
    """``held`` with the holder's run number, waiting briefly for it.

    A holder takes the lease first and records its run a moment later
    (``attach_run``); a refusal in between would otherwise not be able to say
    which run it yielded to.
    """
    deadline = time.monotonic() + wait
    engine = get_engine(settings)
    while held.run_id is None and time.monotonic() < deadline:
        time.sleep(0.05)
        with engine.begin() as conn:
            row = conn.execute(select(CrawlLease).where(col(CrawlLease.source_name) == source_name)).first()
        if row is None or row.holder != held.holder:
            break  # released (or taken over) meanwhile: keep what we saw
        held = Held(row.holder, row.task_id, row.run_id, row.expires_at)
    return held


def _close_lost_runs(conn, source_name: str, dead_holder: str) -> int:
    """Close as failed the runs a dead holder left open: we hold the lease now, so none of them is live."""
    res = conn.execute(
        update(CrawlRun)
        .where(col(CrawlRun.source_name) == source_name, col(CrawlRun.status) == "running")
        .values(status="failed", finished_at=utcnow(), error=f"{LOST_MARK} (holder {dead_holder})")
    )
    if res.rowcount:
        log.warning("closed %d run(s) of %s left open by %s", res.rowcount, source_name, dead_holder)
    return int(res.rowcount or 0)


def reap_expired(settings: Settings) -> int:
    """Drop every expired lease and fail the runs it covered; returns how many runs were closed.

    Workers call this when they start and the scheduler before it enqueues, so a
    dead worker's run is closed even if its source is never crawled again.
    """
    engine = get_engine(settings)
    closed = 0
    now = time.time()
    with engine.begin() as conn:
        stale = conn.execute(select(CrawlLease).where(col(CrawlLease.expires_at) < now)).all()
    for row in stale:
        with engine.begin() as conn:
            gone = conn.execute(
                delete(CrawlLease).where(
                    col(CrawlLease.source_name) == row.source_name,
                    col(CrawlLease.holder) == row.holder,
                    col(CrawlLease.expires_at) == row.expires_at,
                )
            )
            if gone.rowcount == 1:
                closed += _close_lost_runs(conn, row.source_name, row.holder)
    return closed


def attach_runs(leases: list[Lease], run_ids: dict[str, int]) -> None:
    """``Lease.attach_run`` for a batch's leases, in one transaction instead of one each."""
    if not leases:
        return
    with get_engine(leases[0].settings).begin() as conn:
        for lease in leases:
            conn.execute(
                update(CrawlLease)
                .where(col(CrawlLease.source_name) == lease.source_name, col(CrawlLease.holder) == lease.holder)
                .values(run_id=run_ids[lease.source_name])
            )


def renew_many(leases: list[Lease]) -> list[Lease]:
    """Renew a batch's leases in one transaction; the ones no longer ours (expired and taken) are returned."""
    lost: list[Lease] = []
    if not leases:
        return lost
    with get_engine(leases[0].settings).begin() as conn:
        for lease in leases:
            res = conn.execute(
                update(CrawlLease)
                .where(col(CrawlLease.source_name) == lease.source_name, col(CrawlLease.holder) == lease.holder)
                .values(expires_at=time.time() + lease.ttl)
            )
            if res.rowcount != 1:
                lost.append(lease)
    return lost


def release_many(leases: list[Lease]) -> None:
    """``Lease.release`` for a batch's leases (whose heartbeat is the batch's own), in one transaction."""
    if not leases:
        return
    with get_engine(leases[0].settings).begin() as conn:
        for lease in leases:
            conn.execute(delete(CrawlLease).where(col(CrawlLease.source_name) == lease.source_name, col(CrawlLease.holder) == lease.holder))
