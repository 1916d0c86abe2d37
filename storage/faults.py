"""Storage faults an operator can act on: a damaged database file, a full disk.

These are expected failures of a long-running service, so they get one
clear message that names the file and what to do, never a traceback.
``describe`` recognises them anywhere in an exception's chain (SQLAlchemy
wraps the driver's error, which may wrap an OSError).
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator

__all__ = ["StorageProblem", "describe", "quick_check", "sqlite_path"]

_CORRUPT = ("file is not a database", "database disk image is malformed", "malformed database schema", "file is encrypted")
_FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk quota exceeded")


class StorageProblem(RuntimeError):
    """A storage fault, already explained for the operator (str() is the whole message)."""


def sqlite_path(db_url: str) -> str | None:
    if not db_url.startswith("sqlite"):
        return None
    path = db_url.split(":///", 1)[-1].split("?", 1)[0]
    return None if not path or path == ":memory:" else path


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend([getattr(e, "orig", None), e.__cause__, e.__context__])


def quick_check(path: str) -> str:
    """``PRAGMA quick_check`` on a read-only connection: "ok" or what SQLite found wrong."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "; ".join(str(r[0]) for r in rows)


def describe(exc: BaseException, db_url: str) -> str | None:
    """The operator's message for a damaged database or a full disk found in ``exc``'s chain, else None."""
    if isinstance(exc, StorageProblem):
        return str(exc)
    where = sqlite_path(db_url) or db_url.split("@")[-1]  # never print a PostgreSQL password
    for e in _chain(exc):
        text = str(e).lower()
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or any(m in text for m in _FULL):
            return (
                f"磁盘已满 / disk full while writing the database {where} ({str(e).splitlines()[0][:200]}). "
                "The write was rolled back, no partial rows were kept; free disk space and run the command again."
            )
        if isinstance(e, sqlite3.OperationalError) and "disk i/o error" in text:
            return (
                f"磁盘读写错误 / disk I/O error on the database {where}: the disk is probably full (or failing). "
                "The write was rolled back, no partial rows were kept; check free space (df -h) and the system log, "
                "then run the command again."
            )
        if isinstance(e, sqlite3.DatabaseError) and any(m in text for m in _CORRUPT):
            path = sqlite_path(db_url)
            check = quick_check(path) if path else str(e)
            return (
                f"数据库文件已损坏 / the database file {where} is damaged (quick_check: {check[:300]}). "
                f"Stop the service, move the file aside (mv {where} {where}.damaged) and restore the newest backup "
                "made with `radar db backup PATH` (see docs/robustness.md)."
            )
    return None
