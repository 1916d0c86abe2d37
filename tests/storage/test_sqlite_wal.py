"""Opening a brand-new SQLite file while another process holds it locked waits instead of failing.

Seen in CI: two crawls started at once on a new database; one was migrating it
under a write lock and the other's `PRAGMA journal_mode=WAL` failed at once with
"database is locked" (SQLite does not wait on a journal-mode change).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from storage.db import _wal


def test_switching_to_wal_waits_for_a_writer_on_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO t VALUES (1)")

    def finish() -> None:  # what the migrating process does: commit, and set WAL itself
        time.sleep(0.5)
        holder.execute("COMMIT")
        holder.execute("PRAGMA journal_mode=WAL")

    other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        other.execute("PRAGMA journal_mode=WAL")
        raised = False
    except sqlite3.OperationalError as exc:
        raised = "locked" in str(exc)
    assert raised, "the plain pragma fails while the file is locked (the failure this guards against)"

    t = threading.Thread(target=finish)
    t.start()
    _wal(other.cursor(), wait=10)
    t.join()
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT x FROM t").fetchall() == [(1,)]
    other.close()
    holder.close()
