"""Rows 2, 3 and 13 of the attack run: the subscribe form cannot rewrite a subscriber, bomb a mailbox or leak SMTP errors.

A real SMTP server on loopback receives every mail, so "no mail" and "one
mail" are counted, not assumed.  The cooldowns live in the database: a second
app on the same database (another web worker) sees the same buckets.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from hostile_web import client_for, csrf_of
from sqlmodel import select

from core.settings import Settings
from storage.db import session_scope
from storage.models import Subscriber

VICTIM = "victim@example.com"


@pytest.fixture
def mail(settings: Settings, smtp_server) -> tuple[Settings, object]:  # type: ignore[no-untyped-def]
    url, box = smtp_server
    return settings.model_copy(update={"smtp_url": url, "public_url": "http://testserver"}), box


def _post(client: TestClient, token: str, email: str, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "email": email,
        "tracks": ["未来健康"],
        "regions": "广东",
        "keywords_exclude": "的",
        "frequency": "immediate",
        "language": "zh",
        "csrf_token": token,
        **fields,
    }
    return client.post("/subscribe", data=data)


def test_subscribing_an_already_confirmed_address_changes_nothing_and_mails_the_preferences_link(mail) -> None:  # type: ignore[no-untyped-def]
    from alerts.subscriptions import subscribe

    settings, box = mail
    subscribe(settings, VICTIM, ["未来能源"], ["全国"], name="王工")
    client = client_for(settings)
    r = _post(client, csrf_of(client), VICTIM, name="attacker")
    assert r.status_code == 200 and "请查收确认邮件" in r.text  # the same answer as for a new address: no enumeration
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == VICTIM)).one()
    assert (sub.tracks, sub.regions, sub.keywords_exclude, sub.frequency, sub.name, sub.confirmed) == (
        ["未来能源"],
        ["全国"],
        [],
        "weekly",
        "王工",
        True,
    )
    assert len(box.messages) == 1
    body = box.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "/preferences?token=" in body and "/subscribe/confirm" not in body and "没有做任何更改" in body


def test_twenty_requests_for_one_victim_send_one_mail_and_the_client_is_slowed(mail) -> None:  # type: ignore[no-untyped-def]
    settings, box = mail
    client = client_for(settings)
    token = csrf_of(client)
    statuses = [_post(client, token, VICTIM).status_code for _ in range(20)]
    assert statuses[:10] == [200] * 10, statuses  # RADAR_SUBSCRIBE_PER_HOUR=10 per client address
    assert set(statuses[10:]) == {429}, statuses
    last = _post(client, token, VICTIM)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) > 0
    assert len(box.messages) == 1, "one confirmation mail per mailbox per cooldown"
    other = client_for(settings)  # another web worker on the same database: the buckets are shared
    assert _post(other, csrf_of(other), VICTIM).status_code == 429
    assert len(box.messages) == 1


def test_plus_tag_variants_are_separate_subscribers_sharing_one_mailbox_cooldown(mail) -> None:  # type: ignore[no-untyped-def]
    settings, box = mail
    client = client_for(settings)
    token = csrf_of(client)
    for email in ("victim+a@example.com", "victim+b@example.com", "Victim+c@Example.com", VICTIM):
        assert _post(client, token, email).status_code == 200
    with session_scope(settings) as s:
        emails = sorted(s.exec(select(Subscriber.email)).all())
    assert emails == ["victim+a@example.com", "victim+b@example.com", "victim+c@example.com", VICTIM]
    assert len(box.messages) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "n" * 900_000),
        ("name", "王\x1b[31m工"),
        ("keywords_include", ",".join(f"词{i}" for i in range(500))),
        ("keywords_exclude", "的" * 5000),
    ],
)
def test_oversized_fields_are_refused_and_not_stored(mail, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    settings, box = mail
    client = client_for(settings)
    fields = {"email": "reader@example.com", field: value}
    r = _post(client, csrf_of(client), **fields)  # type: ignore[arg-type]
    assert r.status_code == 400
    assert len(r.content) < 200_000, "the refusal does not echo the payload back"
    with session_scope(settings) as s:
        assert s.exec(select(Subscriber)).all() == []
    assert box.messages == []


def test_a_visitor_sees_a_plain_failure_and_the_operator_log_keeps_the_detail(
    settings: Settings,
    unused_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{unused_port}", "send_retries": 1, "retry_backoff": 0.01})
    client = client_for(s)
    with caplog.at_level(logging.ERROR, logger="web.routes.subscribe"):
        r = _post(client, csrf_of(client), "reader@example.com")
    assert r.status_code == 503
    assert "邮件发送失败，请稍后再试" in r.text
    assert str(unused_port) not in r.text and "refused" not in r.text.lower() and "smtp" not in r.text.lower()
    assert str(unused_port) in caplog.text or "refused" in caplog.text.lower()


def test_pages_that_carry_a_token_are_not_cached(mail) -> None:  # type: ignore[no-untyped-def]
    from alerts.subscriptions import links_for, subscribe

    settings, _box = mail
    sub = subscribe(settings, VICTIM, ["未来能源"])
    links = links_for(settings, sub)
    client = client_for(settings)
    for link in (links["preferences"], links["unsubscribe"]):
        r = client.get(link.replace("http://testserver", ""))
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", link
