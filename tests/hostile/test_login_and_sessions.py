"""Rows 4 and 12 of the attack run: password guessing is throttled cheaply; sessions are revocable; cookie API writes need CSRF proof.

The admin password is a real scrypt hash, so "cheap to reject" is observable:
a throttled attempt answers 429 without verifying the password, which the
test sees as the right password being refused too while the delay lasts.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hostile_web import client_for, csrf_of

from core.settings import Settings
from web.security import SESSION_COOKIE, hash_password

PASSWORD = "correct horse 未来产业"


@pytest.fixture
def hashed() -> str:
    return hash_password(PASSWORD)


def _login(client: TestClient, password: str) -> object:
    return client.post(
        "/login", data={"password": password, "next": "/sources", "csrf_token": csrf_of(client, "/login")}, follow_redirects=False
    )


def test_repeated_wrong_passwords_are_delayed_with_retry_after(settings: Settings, hashed: str) -> None:
    client = client_for(settings, RADAR_ADMIN_PASSWORD_HASH=hashed)
    codes = [_login(client, f"guess-{i}").status_code for i in range(8)]
    assert codes[:4] == [401] * 4, codes  # three free mistakes, then the fourth is checked and fails
    assert 429 in codes[4:], codes
    r = _login(client, PASSWORD)
    assert r.status_code == 429, "while the delay lasts not even the right password is checked (no scrypt spent)"
    assert int(r.headers["Retry-After"]) >= 1 and "尝试次数过多" in r.text


def test_one_client_is_limited_per_minute_even_with_the_right_password(settings: Settings, hashed: str) -> None:
    s = settings.model_copy(update={"login_per_minute": 3})
    client = client_for(s, RADAR_ADMIN_PASSWORD_HASH=hashed)
    codes = [_login(client, PASSWORD).status_code for _ in range(5)]
    assert codes[:3] == [303] * 3 and codes[3:] == [429, 429], codes


def test_logout_revokes_the_session_even_for_a_copied_cookie(settings: Settings, hashed: str) -> None:
    client = client_for(settings, RADAR_ADMIN_PASSWORD_HASH=hashed)
    assert _login(client, PASSWORD).status_code == 303
    stolen = client.cookies.get(SESSION_COOKIE)
    assert stolen and client.get("/sources", follow_redirects=False).status_code == 200
    token = csrf_of(client, "/sources")
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    thief = client_for(settings, RADAR_ADMIN_PASSWORD_HASH=hashed)
    thief.cookies.set(SESSION_COOKIE, stolen)
    assert thief.get("/sources", follow_redirects=False).status_code == 303, "the old cookie no longer logs in"


def test_changing_the_password_ends_existing_sessions(settings: Settings, hashed: str) -> None:
    client = client_for(settings, RADAR_ADMIN_PASSWORD_HASH=hashed)
    assert _login(client, PASSWORD).status_code == 303
    cookie = client.cookies.get(SESSION_COOKIE)
    after = client_for(settings, RADAR_ADMIN_PASSWORD_HASH=hash_password("a new password"))
    after.cookies.set(SESSION_COOKIE, cookie)
    assert after.get("/sources", follow_redirects=False).status_code == 303


def test_cookie_authenticated_api_writes_need_the_csrf_header_or_same_origin(settings: Settings, hashed: str) -> None:
    client = client_for(settings, RADAR_ADMIN_PASSWORD_HASH=hashed)
    assert _login(client, PASSWORD).status_code == 303
    # An unknown source: a request that got past the CSRF check answers 404, and no crawl can start by accident.
    foreign = client.post("/api/sources/unknown-source/crawl", headers={"Origin": "http://127.0.0.1:9"})
    assert foreign.status_code == 403, "a foreign page cannot start crawls with the admin's cookie"
    bare = client.post("/api/sources/unknown-source/crawl")
    assert bare.status_code == 403
    token = csrf_of(client, "/sources")
    with_header = client.post("/api/sources/unknown-source/crawl", headers={"X-CSRF-Token": token})
    same_origin = client.post("/api/sources/unknown-source/crawl", headers={"Origin": "http://testserver"})
    assert with_header.status_code == same_origin.status_code == 404  # past the CSRF check; the source does not exist
    from hostile_web import ADMIN_TOKEN

    scripted = TestClient(client.app).post("/api/sources/unknown-source/crawl", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert scripted.status_code == 404, "token-authenticated scripts carry no ambient credential and need no CSRF proof"
    assert re.search(r"跨站请求被拒绝", foreign.text)
