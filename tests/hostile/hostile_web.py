"""Helpers for the hostile web tests: an app on the test's own database, the CSRF token a page hands out."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from core.settings import Settings

ADMIN_TOKEN = "hostile-admin-token-3f9e"


def client_for(settings: Settings, **config: object) -> TestClient:
    from web.app import create_app
    from web.security import WebConfig

    cfg = WebConfig(**{"RADAR_ADMIN_TOKEN": ADMIN_TOKEN, **config})  # type: ignore[arg-type]
    return TestClient(create_app(settings, cfg))


def csrf_of(client: TestClient, path: str = "/subscribe") -> str:
    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, f"no CSRF field on {path}"
    return m.group(1)
