"""Subscription pages end to end through the test client, with a real loopback SMTP server."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.settings import Settings
from storage.db import session_scope
from storage.models import Subscriber
from webdata import csrf_of


@pytest.fixture
def mail_client(settings: Settings, smtp_server) -> tuple[TestClient, object, Settings]:  # type: ignore[no-untyped-def]
    from web.app import create_app
    from web.security import WebConfig

    url, box = smtp_server
    s = settings.model_copy(update={"smtp_url": url, "public_url": "http://testserver"})
    return TestClient(create_app(s, WebConfig())), box, s


def _link(box, path: str) -> str:  # type: ignore[no-untyped-def]
    body = box.messages[-1].get_body(preferencelist=("plain",)).get_content()
    m = re.search(r"http://testserver(" + re.escape(path) + r"\?token=[\w.\-]+)", body)
    assert m, body
    return m.group(1)


def test_subscribe_confirm_preferences_unsubscribe(mail_client) -> None:  # type: ignore[no-untyped-def]
    client, box, settings = mail_client
    token = csrf_of(client)
    r = client.post(
        "/subscribe",
        data={
            "email": "New@Example.com",
            "tracks": ["未来能源", "未来信息"],
            "regions": "全国,浙江",
            "frequency": "weekly",
            "language": "zh",
            "csrf_token": token,
        },
    )
    assert r.status_code == 200 and "请查收确认邮件" in r.text
    assert len(box.messages) == 1 and box.messages[0]["To"] == "new@example.com"
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == "new@example.com")).one()
        assert not sub.confirmed and sub.tracks == ["未来信息", "未来能源"] or sub.tracks == ["未来能源", "未来信息"]
    confirm = client.get(_link(box, "/subscribe/confirm"))
    assert confirm.status_code == 200 and "订阅成功" in confirm.text
    prefs_path = re.search(r'href="(/preferences\?token=[^"]+)"', confirm.text).group(1)  # type: ignore[union-attr]
    form = client.get(prefs_path.replace("&amp;", "&"))
    assert form.status_code == 200 and 'value="未来能源" checked' in form.text
    saved = client.post(
        prefs_path,
        data={
            "tracks": ["未来健康"],
            "regions": "广东",
            "keywords_include": "脑机接口",
            "frequency": "daily",
            "language": "en",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 200 and "已保存" in saved.text
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == "new@example.com")).one()
        assert (
            sub.confirmed and sub.tracks == ["未来健康"] and sub.regions == ["广东"] and sub.frequency == "daily" and sub.language == "en"
        )
    unsub_path = prefs_path.replace("/preferences", "/unsubscribe")
    page = client.get(unsub_path)
    assert "确认退订" in page.text
    done = client.post(unsub_path, data={"csrf_token": token})
    assert done.status_code == 200 and "已退订" in done.text
    with session_scope(settings) as s:
        assert not s.exec(select(Subscriber).where(Subscriber.email == "new@example.com")).one().active


def test_rfc8058_one_click_unsubscribe_needs_no_csrf(mail_client) -> None:  # type: ignore[no-untyped-def]
    from alerts.subscriptions import links_for, subscribe

    client, _box, settings = mail_client
    sub = subscribe(settings, "oneclick@example.com", ["未来能源"])
    url = links_for(settings, sub)["unsubscribe"].replace("http://testserver", "")
    fresh = TestClient(client.app)  # no cookies at all, as a mail provider's POST
    r = fresh.post(url, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    with session_scope(settings) as s:
        assert not s.get(Subscriber, sub.id).active  # type: ignore[union-attr]
    assert fresh.post(url, data={"something": "else"}).status_code == 403  # any other body is a form post: CSRF applies
    bad = fresh.post(
        "/unsubscribe?token=forged", content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert bad.status_code == 400


def test_bad_input_and_bad_links_are_explained(mail_client) -> None:  # type: ignore[no-untyped-def]
    client, box, _settings = mail_client
    token = csrf_of(client)
    r = client.post("/subscribe", data={"email": "not-an-email", "csrf_token": token})
    assert r.status_code == 400 and "不是有效的邮箱地址" in r.text and not box.messages
    r = client.post("/subscribe", data={"email": "a@example.com", "doctypes": ["<b>假类型</b>"], "csrf_token": token})
    assert r.status_code == 400 and "<b>假类型</b>" not in r.text
    assert "链接无效" in client.get("/subscribe/confirm?token=forged").text
    assert client.get("/preferences?token=forged").status_code == 400
    assert client.get("/unsubscribe?token=").status_code == 400


def test_a_region_that_matches_nothing_is_refused_with_a_suggestion(mail_client) -> None:  # type: ignore[no-untyped-def]
    client, box, _settings = mail_client
    token = csrf_of(client)
    r = client.post("/subscribe", data={"email": "r@example.com", "regions": "浙江省，粤", "csrf_token": token})
    assert r.status_code == 400 and "未知地区" in r.text and "广东" in r.text and not box.messages
