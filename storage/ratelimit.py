"""Token buckets kept in the database, so a limit holds across web workers, processes and restarts.

Used for confirmation mails (per mailbox, per client) and admin logins (per
client, per account).  One row per key; a check reads and updates it in one
transaction (``SELECT … FOR UPDATE`` on PostgreSQL, SQLite's single writer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.settings import Settings
from storage.db import session_scope, write_turn
from storage.models import RateBucket, utcnow


@dataclass(frozen=True)
class Limit:
    """``capacity`` actions at once, refilled at ``per_seconds`` seconds per action."""

    capacity: float
    per_seconds: float


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _load(s: Session, key: str, limit: Limit, now: datetime) -> RateBucket:
    row = s.exec(select(RateBucket).where(RateBucket.key == key).with_for_update()).first()
    if row is None:
        row = RateBucket(key=key[:200], tokens=limit.capacity, updated_at=now)
        s.add(row)
        s.flush()
    else:
        elapsed = max(0.0, (now - _aware(row.updated_at)).total_seconds())
        row.tokens = min(limit.capacity, row.tokens + elapsed / limit.per_seconds)
        row.updated_at = now
    return row


def take(settings: Settings, limits: dict[str, Limit]) -> float:
    """Take one token from every bucket in ``limits`` (key → limit), all or none.

    Returns 0 when allowed, else the seconds until the emptiest bucket has a token again.
    """
    for attempt in range(3):
        try:
            with write_turn(settings.db_url), session_scope(settings) as s:
                now = utcnow()
                rows = {key: _load(s, key, lim, now) for key, lim in sorted(limits.items())}
                waits = [(1 - r.tokens) * limits[k].per_seconds for k, r in rows.items() if r.tokens < 1]
                if waits:
                    return max(waits)
                for r in rows.values():
                    r.tokens -= 1
                return 0.0
        except IntegrityError:  # two processes created the same new bucket at once: read it again
            if attempt == 2:
                raise
    return 0.0


def failure_delay(settings: Settings, key: str, *, free: int = 0, base: float = 1.0, cap: float = 900.0) -> float:
    """Seconds the caller must still wait after the consecutive failures recorded under ``key``.

    The first ``free`` failures cost nothing (typos); after that the wait
    doubles with each failure, up to ``cap``.
    """
    with session_scope(settings) as s:
        row = s.get(RateBucket, key)
        if row is None or row.failures <= free:
            return 0.0
        delay = min(cap, base * 2 ** min(40, row.failures - free - 1))
        elapsed = (utcnow() - _aware(row.updated_at)).total_seconds()
        return max(0.0, delay - elapsed)


def record_failure(settings: Settings, key: str) -> None:
    """One more consecutive failure under ``key`` (the delay before the next try doubles)."""
    for attempt in range(3):
        try:
            with write_turn(settings.db_url), session_scope(settings) as s:
                row = s.exec(select(RateBucket).where(RateBucket.key == key).with_for_update()).first()
                if row is None:
                    row = RateBucket(key=key[:200], tokens=0.0)
                row.failures += 1
                row.updated_at = utcnow()
                s.add(row)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def clear_failures(settings: Settings, key: str) -> None:
    with write_turn(settings.db_url), session_scope(settings) as s:
        row = s.get(RateBucket, key)
        if row is not None and row.failures:
            row.failures = 0
            s.add(row)
