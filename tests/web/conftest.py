"""Fixtures for the web tests: the seeded database, an app with an admin token, and a test client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from webdata import TOKEN, Seeded, seed


@pytest.fixture
def seeded(settings: Settings) -> Seeded:
    return seed(settings)


@pytest.fixture
def client(seeded: Seeded) -> TestClient:
    from web.app import create_app
    from web.security import WebConfig

    app = create_app(seeded.settings, WebConfig(RADAR_ADMIN_TOKEN=TOKEN))
    return TestClient(app)


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
