"""Ride out a database that is briefly locked or unreachable during a crawl.

SQLite waits on its own (busy_timeout); a PostgreSQL server that restarts or a
network blip between crawler and database breaks the connection instead.
Storing a release is one transaction, so repeating it after such an error is
safe: the rolled-back attempt left nothing, and an attempt that did commit is
seen as "unchanged" on the retry (never as a second version).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database stayed unreachable for the whole retry window; str() says for how long and why."""


def transient(exc: BaseException) -> bool:
    """Errors that a later attempt may not meet: lost or refused connections, locks."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def with_retry(fn: Callable[[], T], what: str, window: float, first_pause: float = 0.25) -> T:
    """Call ``fn``; on a transient database error try again with growing pauses for up to ``window`` seconds."""
    deadline = time.monotonic() + window
    pause = first_pause
    while True:
        try:
            return fn()
        except Exception as exc:
            if not transient(exc):
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise DatabaseUnavailable(
                    f"database unavailable for {window:g}s while {what}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                ) from exc
            log.warning("database error while %s, retrying in %.1fs: %s", what, min(pause, left), str(exc).splitlines()[0][:200])
            time.sleep(min(pause, left))
            pause = min(pause * 2, 5.0)
