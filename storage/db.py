"""Engine and session creation for SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from core.settings import Settings
from storage.migrate import ensure_head

_engines: dict[str, Engine] = {}
_page_cache_kib: int | None = None  # SQLite's default (2 MB per connection) unless a process asks for less


def small_page_caches(kib: int = 256) -> None:
    """Give this process's SQLite connections a small page cache; call before the first engine is made.

    For crawl processes: they append rows and look up a few index pages per
    release, and the operating system caches the file anyway.  At SQLite's
    default each of a crawl's half-dozen connections grew to 2 MB; 256 KB took
    10 MB off a 10,000-item crawl process (136 → 126 MB) with no measurable
    loss of speed (bench_pipeline, bench_crawl_memory).
    """
    global _page_cache_kib
    _page_cache_kib = kib


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the web UI read while a crawl writes; busy_timeout rides out short locks.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    _wal(cur)
    # NORMAL in WAL mode survives process crashes (kill -9); only an OS crash may lose the last commits.
    cur.execute("PRAGMA synchronous=NORMAL")
    if _page_cache_kib is not None:
        cur.execute(f"PRAGMA cache_size=-{int(_page_cache_kib)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _wal(cur, wait: float = 30.0) -> None:
    """Switch a database to WAL, or see that another connection already did.

    On a brand-new file another process may be migrating it under a write
    lock; switching the journal mode then fails at once with "database is
    locked" (SQLite does not wait on it), although that process will have
    set WAL itself (the mode is stored in the file).
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)


def _private_file(url: str) -> None:
    """Create a new SQLite file 0600 before SQLite does (it would use the umask, often 0644).

    The database holds subscriber addresses and webhook URLs with their
    tokens; SQLite gives its -wal and -shm files the database file's mode.
    """
    path = url.split("sqlite:///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:" or os.path.exists(path):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def get_engine(settings: Settings) -> Engine:
    """One engine per URL per process; its database is migrated to the newest revision on first use."""
    url = settings.db_url
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            settings.ensure_dirs()
            _private_file(url)
            # LIFO: the connections a crawl's threads use at once stay warm and the rest of the pool stays cold.
            # FIFO handed every pooled connection out in turn, so each filled its own page cache (~2 MB each).
            engine = create_engine(url, connect_args={"check_same_thread": False}, pool_use_lifo=True)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        try:
            ensure_head(engine)
        except BaseException as exc:
            engine.dispose()
            from storage.faults import StorageProblem, describe

            message = describe(exc, url) if isinstance(exc, Exception) else None
            if message:  # damaged file or full disk: say so once, with what to do
                raise StorageProblem(message) from exc
            raise
        _engines[url] = engine
    return engine


def dispose_engines() -> None:
    """Close pooled connections (tests that drop databases, forked workers)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


_write_turns: dict[str, threading.RLock] = {}
_turns_lock = threading.Lock()


def write_turn(url: str) -> AbstractContextManager[object]:
    """Hold around a writing transaction: on SQLite, this process's writers then take turns on a Python lock.

    SQLite lets one connection write at a time; a second one that finds the
    database locked sleeps in SQLite's busy handler (1, 2, 5, 10 … ms) however
    soon the lock is free again, which cost the crawl's store threads more
    than the writes themselves.  A Python lock wakes the next writer the
    moment the first commits.  Other processes still meet SQLite's own lock
    (and its busy timeout).  PostgreSQL locks rows, not the database: nothing to queue there.
    """
    if not url.startswith("sqlite"):
        return nullcontext()
    with _turns_lock:
        return _write_turns.setdefault(url, threading.RLock())


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(settings), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
