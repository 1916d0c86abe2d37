"""/healthz: the container HEALTHCHECK's target answers 200 only while the database answers.

A health endpoint that always says "ok" would keep a container whose
database is gone marked healthy, so the failure case matters as much as the
success case.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from core.settings import Settings
from storage.db import get_engine
from web.app import create_app
from web.security import WebConfig


def test_healthz_is_ok_while_the_database_answers(settings: Settings) -> None:
    client = TestClient(create_app(settings, WebConfig()))
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "database": "ok"}


def test_healthz_needs_no_login_even_when_reading_does(settings: Settings) -> None:
    """Probes carry no credentials; a private instance must still be checkable."""
    client = TestClient(create_app(settings, WebConfig(RADAR_PUBLIC_READ=False, RADAR_ADMIN_TOKEN="t" * 32)))
    assert client.get("/", follow_redirects=False).status_code == 303  # reading does need the login here
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    settings = Settings(RADAR_DATA_DIR=tmp_path / "data", DATABASE_URL=None)
    client = TestClient(create_app(settings, WebConfig()))
    assert client.get("/healthz").status_code == 200
    # Take the database away under the running app: close pooled connections, and put a directory where the
    # SQLite file was, so every new connection fails the way a lost volume or a broken disk does.
    get_engine(settings).dispose()
    db = settings.data_dir / "radar.db"
    for f in settings.data_dir.glob("radar.db*"):
        f.unlink()
    db.mkdir()
    try:
        resp = client.get("/healthz")
        assert resp.status_code == 503
        assert resp.json()["status"] == "error"
        assert resp.json()["database"] == "OperationalError"
    finally:
        shutil.rmtree(db)
        get_engine(settings).dispose()
