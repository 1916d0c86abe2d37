"""Row 10 of the attack run: a damaged database or a full disk gives one clear message, the web UI a degraded banner.

The CLI is run as the real `radar` executable in a child process, so what is
checked is exactly what an operator sees on the terminal.  The full disk is
a real write limit (RLIMIT_FSIZE on the child) rather than a patched call:
SQLite's own writes fail the way they do on a full filesystem.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings

RADAR = str(Path(sys.executable).with_name("radar"))


def _radar(settings: Settings, *args: str, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = {**os.environ, "RADAR_DATA_DIR": str(settings.data_dir), "COLUMNS": "300"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([RADAR, *args], env=env, capture_output=True, text=True, timeout=120, preexec_fn=limit)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    s = Settings(RADAR_DATA_DIR=tmp_path / "data", DATABASE_URL=None, SMTP_URL=None)
    s.ensure_dirs()
    return s


def _damage(path: Path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(os.urandom(8192))
    else:  # a real database whose schema pages were overwritten
        sqlite3.connect(path).executescript("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        data = bytearray(path.read_bytes())
        data[100:4096] = os.urandom(3996)
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["garbage", "schema-overwritten"])
def test_a_damaged_database_gives_one_message_naming_the_file(sqlite_settings: Settings, how: str) -> None:
    db = sqlite_settings.data_dir / "radar.db"
    _damage(db, how)
    for args in (["subscribers", "list"], ["history"]):
        done = _radar(sqlite_settings, *args)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "╭" not in done.stderr, done.stderr
        assert str(db) in done.stderr and "damaged" in done.stderr and "radar db backup" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_full_disk_gives_one_message_and_keeps_no_partial_rows(sqlite_settings: Settings) -> None:
    assert _radar(sqlite_settings, "db", "upgrade").returncode == 0  # creates and migrates the database
    for leftover in sqlite_settings.data_dir.glob("radar.db-*"):
        leftover.unlink()
    done = _radar(sqlite_settings, "subscribe", "reader@example.com", "--confirmed", fsize=1000)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "disk" in done.stderr and str(sqlite_settings.data_dir / "radar.db") in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    listed = _radar(sqlite_settings, "subscribers", "list")
    assert listed.returncode == 0 and "reader@example.com" not in listed.stdout


def test_the_web_ui_starts_degraded_with_a_banner(sqlite_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    from fastapi.testclient import TestClient

    from web.app import DEGRADED_BANNER, create_app

    db = sqlite_settings.data_dir / "radar.db"
    _damage(db, "garbage")
    with caplog.at_level("ERROR", logger="web.app"):
        client = TestClient(create_app(sqlite_settings))
    assert str(db) in caplog.text, "the operator log names the file"
    page = client.get("/")
    assert page.status_code == 503 and DEGRADED_BANNER in page.text and str(db) not in page.text
    assert page.headers["content-security-policy"]  # the usual protections still apply
    assert client.get("/healthz").status_code == 503
    api = client.get("/api/documents")
    assert api.status_code == 503 and api.json()["status"] == "degraded"
    assert client.get("/static/style.css").status_code == 200


def test_db_backup_makes_a_consistent_private_copy(sqlite_settings: Settings, tmp_path: Path) -> None:
    from alerts.subscriptions import subscribe

    subscribe(sqlite_settings, "reader@example.com", ["未来能源"])
    target = tmp_path / "backup" / "radar-copy.db"
    target.parent.mkdir()
    done = _radar(sqlite_settings, "db", "backup", str(target))
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT email FROM subscriber").fetchall() == [("reader@example.com",)]
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    again = _radar(sqlite_settings, "db", "backup", str(target))
    assert again.returncode == 2 and "exists" in again.stdout, "an existing backup is never overwritten"


def test_data_files_are_private(sqlite_settings: Settings) -> None:
    from alerts.subscriptions import Preferences, request_subscription

    request_subscription(sqlite_settings, "reader@example.com", Preferences())
    sqlite_settings.signing_key()
    files = [sqlite_settings.data_dir / "radar.db", sqlite_settings.data_dir / "secret.key", *sqlite_settings.outbox_dir.glob("*.eml")]
    assert len(files) == 3
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o600, f
    for d in (sqlite_settings.outbox_dir, sqlite_settings.archive_dir):
        assert d.stat().st_mode & 0o777 == 0o700, d
