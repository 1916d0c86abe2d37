"""SQLite writers of one process take turns on a Python lock instead of sleeping in SQLite's busy handler;
a crawl process keeps its connections' page caches small."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from storage.db import write_turn


def _hammer(conn: sqlite3.Connection, url: str, turns: bool, errors: list[str]) -> None:
    try:
        for n in range(40):
            try:
                if turns:
                    with write_turn(url):
                        conn.execute("BEGIN IMMEDIATE")
                        conn.execute("INSERT INTO t VALUES (?)", (n,))
                        conn.execute("COMMIT")
                else:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("INSERT INTO t VALUES (?)", (n,))
                    conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
    finally:
        conn.close()


def _run(tmp_path: Path, turns: bool) -> tuple[list[str], int]:
    path = tmp_path / f"turns-{turns}.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x)")
    errors: list[str] = []
    conns = []
    for _ in range(4):  # opened (and their first read done) one at a time: only the writes run concurrently
        conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)  # never wait inside SQLite
        conn.execute("SELECT count(*) FROM t").fetchone()
        conns.append(conn)
    threads = [threading.Thread(target=_hammer, args=(conn, f"sqlite:///{path}", turns, errors)) for conn in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = setup.execute("SELECT count(*) FROM t").fetchone()[0]
    setup.close()
    return errors, rows


def test_threads_taking_turns_never_meet_the_database_lock(tmp_path: Path) -> None:
    errors, rows = _run(tmp_path, turns=True)
    assert errors == [] and rows == 160, errors[:3]


def test_without_turns_the_same_writers_collide_in_sqlite(tmp_path: Path) -> None:
    """What the turns save: here every collision is an error; with a busy timeout, a sleep of 1 ms or more."""
    errors, rows = _run(tmp_path, turns=False)
    assert errors and rows == 160 - len(errors)


def test_the_same_database_gives_the_same_turn_and_postgresql_needs_none() -> None:
    assert write_turn("sqlite:////tmp/a.db") is write_turn("sqlite:////tmp/a.db")
    assert write_turn("sqlite:////tmp/a.db") is not write_turn("sqlite:////tmp/b.db")
    with write_turn("postgresql+psycopg://postgres@127.0.0.1/test"):  # a no-op: PostgreSQL locks rows
        pass


def test_a_crawl_process_asks_for_small_sqlite_page_caches(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from core.settings import Settings
    from storage import db

    monkeypatch.setattr(db, "_page_cache_kib", None)
    default = db.get_engine(Settings(RADAR_DATA_DIR=tmp_path / "a", DATABASE_URL=None))
    db.small_page_caches(256)
    small = db.get_engine(Settings(RADAR_DATA_DIR=tmp_path / "b", DATABASE_URL=None))
    with default.connect() as a, small.connect() as b:
        assert a.execute(text("PRAGMA cache_size")).scalar() == -2000  # SQLite's own default
        assert b.execute(text("PRAGMA cache_size")).scalar() == -256
