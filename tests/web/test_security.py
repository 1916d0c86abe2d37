"""Access control, CSRF, security headers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from webdata import TOKEN, Seeded, csrf_of
from web.security import hash_password, verify_password


def test_security_headers_on_pages_api_and_errors(client: TestClient, seeded: Seeded) -> None:
    for path in ["/", "/api/tracks", "/documents/999999", "/static/style.css"]:
        h = client.get(path).headers
        assert "default-src 'self'" in h["content-security-policy"] and "frame-ancestors 'none'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "same-origin"


def test_admin_pages_need_login_and_api_needs_token(client: TestClient, seeded: Seeded) -> None:
    for path in [
        "/sources",
        "/history",
        f"/history/{seeded.run_ok}",
        f"/fetches/{seeded.fetch_archived}/payload",
        "/subscribers",
        "/digests",
    ]:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    assert client.get("/api/sources").status_code == 401
    assert client.get("/api/sources", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/sources", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_login_with_token_sets_a_session_and_logout_clears_it(client: TestClient, seeded: Seeded) -> None:
    token = csrf_of(client, "/login")
    bad = client.post("/login", data={"password": "nope", "next": "/sources", "csrf_token": token})
    assert bad.status_code == 401 and "密码错误" in bad.text
    ok = client.post("/login", data={"password": TOKEN, "next": "/sources", "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/sources"
    assert "httponly" in ok.headers["set-cookie"].lower()
    assert client.get("/sources").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/sources", follow_redirects=False).status_code == 303


def test_password_hash_login(seeded: Seeded) -> None:
    from web.app import create_app
    from web.security import WebConfig

    stored = hash_password("正确的密码")
    assert verify_password("正确的密码", stored) and not verify_password("wrong", stored)
    assert not verify_password("x", "scrypt$garbage")
    c = TestClient(create_app(seeded.settings, WebConfig(RADAR_ADMIN_PASSWORD_HASH=stored)))
    token = csrf_of(c, "/login")
    assert c.post("/login", data={"password": "wrong", "csrf_token": token}).status_code == 401
    assert (
        c.post("/login", data={"password": "正确的密码", "next": "//evil.example", "csrf_token": token}, follow_redirects=False).headers[
            "location"
        ]
        == "/"
    )
    assert c.get("/history").status_code == 200


def test_forms_without_a_valid_csrf_token_are_refused(client: TestClient, seeded: Seeded) -> None:
    assert client.post("/login", data={"password": TOKEN}).status_code == 403
    good = csrf_of(client, "/login")
    assert client.post("/login", data={"password": TOKEN, "csrf_token": good + "x"}).status_code == 403
    other = TestClient(client.app)  # a token from another browser does not match this browser's cookie
    other_token = csrf_of(other, "/login")
    assert client.post("/login", data={"password": TOKEN, "csrf_token": other_token}).status_code == 403
    assert client.post("/subscribe", data={"email": "x@example.com"}).status_code == 403
    client.cookies.set("radar_admin", "forged")
    assert client.post("/sources/miit-wjfb/crawl", data={}, follow_redirects=False).status_code in (303, 403)


def test_private_reading_mode_and_disabled_admin(seeded: Seeded) -> None:
    from web.app import create_app
    from web.security import WebConfig

    private = TestClient(create_app(seeded.settings, WebConfig(RADAR_PUBLIC_READ=False, RADAR_ADMIN_TOKEN=TOKEN)))
    assert private.get("/", follow_redirects=False).status_code == 303
    assert private.get("/api/documents").status_code == 401
    assert private.get("/feeds/track/energy.atom").status_code == 401
    assert private.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert private.get("/subscribe").status_code == 200  # subscribing stays open
    no_admin = TestClient(create_app(seeded.settings, WebConfig()))
    r = no_admin.get("/sources")
    assert r.status_code == 403 and "RADAR_ADMIN_TOKEN" in r.text
