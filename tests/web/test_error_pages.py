"""Browsers get HTML error pages, programs get JSON; admin pages explain how to switch admin on; the hash tool is usable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from core.paths import REPO_ROOT
from core.settings import Settings
from web.app import create_app
from web.security import WebConfig, verify_password

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def db_url() -> None:
    """SQLite only: these are about pages, not storage."""
    return None


@pytest.fixture
def client(settings: Settings) -> TestClient:
    app = create_app(settings, WebConfig(RADAR_PUBLIC_READ="1"))

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/api/boom", include_in_schema=False)
    def api_boom() -> None:
        raise RuntimeError("a bug")

    return TestClient(app, raise_server_exceptions=False)


def test_unknown_pages_are_html_for_browsers_and_json_for_programs(client: TestClient) -> None:
    page = client.get("/no/such/page", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "页面不存在" in page.text and 'href="/"' in page.text
    api = client.get("/api/no-such-endpoint", headers=BROWSER)
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    plain = client.get("/no/such/page")  # curl and friends send no text/html
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("application/json")


def test_a_server_error_is_a_page_for_browsers_and_json_for_the_api(client: TestClient) -> None:
    page = client.get("/boom", headers=BROWSER)
    assert page.status_code == 500 and "服务器出错了" in page.text and "a bug" not in page.text
    api = client.get("/api/boom", headers=BROWSER)
    assert api.status_code == 500 and "internal server error" in api.json()["detail"]


def test_admin_pages_explain_how_to_turn_admin_on(client: TestClient) -> None:
    page = client.get("/sources", headers=BROWSER)
    assert page.status_code == 403
    for needle in ("RADAR_ADMIN_PASSWORD_HASH", "RADAR_ADMIN_TOKEN", "python -m web.security", ".env.example"):
        assert needle in page.text
    login = client.get("/login", headers=BROWSER).text
    assert "尚未启用" in login and 'type="password"' not in login  # no form that can never succeed


def test_the_hash_tool_has_help_and_reads_one_password_from_stdin() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    helped = subprocess.run([sys.executable, "-m", "web.security", "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert helped.returncode == 0 and "RADAR_ADMIN_PASSWORD_HASH" in helped.stdout
    made = subprocess.run(
        [sys.executable, "-m", "web.security"], input="correct horse\n", capture_output=True, text=True, env=env, timeout=60
    )
    assert made.returncode == 0 and "Traceback" not in made.stderr
    assert verify_password("correct horse", made.stdout.strip())
    empty = subprocess.run([sys.executable, "-m", "web.security"], input="", capture_output=True, text=True, env=env, timeout=60)
    assert empty.returncode != 0 and "Traceback" not in empty.stderr


def test_compose_and_env_example_carry_the_password_hash() -> None:
    assert "RADAR_ADMIN_PASSWORD_HASH: ${RADAR_ADMIN_PASSWORD_HASH:-}" in (REPO_ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "RADAR_ADMIN_PASSWORD_HASH=''" in (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
