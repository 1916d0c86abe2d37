"""Double opt-in, signed links, preferences and RFC 8058 one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from alerts.digest import run_digest
from alerts.period import week_containing
from alerts.subscriptions import (
    Preferences,
    SubscriptionError,
    TokenError,
    confirm_subscription,
    links_for,
    request_subscription,
    subscriber_for_token,
    unsubscribe,
    update_preferences,
)
from alerts.tokens import make_token
from core.settings import Settings


def _link(msg, path: str) -> str:  # type: ignore[no-untyped-def]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    m = re.search(rf"https?://\S+{path}\?token=(\S+)", text)
    assert m, text
    return m.group(1)


def test_nothing_is_sent_before_the_address_is_confirmed(settings: Settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    url, box = smtp_server
    settings = settings.model_copy(update={"smtp_url": url})
    sub = request_subscription(settings, "Reader@Example.com", Preferences(tracks=["未来能源"]))
    assert not sub.confirmed
    assert len(box.messages) == 1
    confirm = box.messages[0]
    assert confirm["To"] == "reader@example.com" and "请确认订阅" in confirm["Subject"]
    period = week_containing(datetime.now(timezone.utc))
    assert run_digest(settings, period).sent == []  # unconfirmed: no digest
    token = _link(confirm, "/subscribe/confirm")
    assert confirm_subscription(settings, token).confirmed
    report = run_digest(settings, period)
    assert report.sent == ["reader@example.com"]
    digest = box.messages[-1]
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Unsubscribe"].startswith("<http") and "/unsubscribe?token=" in digest["List-Unsubscribe"]


def test_tokens_cannot_be_forged_expired_or_used_for_another_address(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    a = request_subscription(settings, "a@example.com", Preferences())
    b = request_subscription(settings, "b@example.com", Preferences())
    good = make_token(settings.signing_key(), "manage", a.id, a.email)  # type: ignore[arg-type]
    assert subscriber_for_token(settings, good, "manage").email == "a@example.com"
    with pytest.raises(TokenError):
        subscriber_for_token(
            settings, good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1], "manage"
        )  # one signature character changed
    with pytest.raises(TokenError):  # a validly signed token naming b's id but a's address
        subscriber_for_token(settings, make_token(settings.signing_key(), "manage", b.id, a.email), "manage")  # type: ignore[arg-type]
    with pytest.raises(TokenError):  # signed with another key
        subscriber_for_token(settings, make_token("not-our-key", "manage", a.id, a.email), "manage")  # type: ignore[arg-type]
    with pytest.raises(TokenError):  # a manage token is not a confirmation token
        confirm_subscription(settings, good)
    monkeypatch.setattr("alerts.tokens.CONFIRM_MAX_AGE", -1)
    with pytest.raises(TokenError, match="expired"):
        confirm_subscription(settings, make_token(settings.signing_key(), "confirm", a.id, a.email))  # type: ignore[arg-type]


def test_one_click_unsubscribe_stops_mail_and_preferences_change_it(settings: Settings) -> None:
    sub = request_subscription(settings, "a@example.com", Preferences())
    confirm_subscription(settings, make_token(settings.signing_key(), "confirm", sub.id, sub.email))  # type: ignore[arg-type]
    token = links_for(settings, sub)["unsubscribe"].split("token=")[1]
    updated = update_preferences(
        settings, token, Preferences(tracks=["information"], keywords_include="量子，6G", frequency="daily", language="en")
    )
    assert updated.tracks == ["未来信息"] and updated.keywords_include == ["量子", "6G"]
    assert (updated.frequency, updated.language) == ("daily", "en")
    period = week_containing(datetime.now(timezone.utc))
    assert run_digest(settings, period, frequency="daily").sent == ["a@example.com"]
    assert not unsubscribe(settings, token).active
    assert run_digest(settings, week_containing(datetime(2030, 1, 1, tzinfo=timezone.utc)), frequency="daily").sent == []


def test_bad_preferences_are_refused_with_reasons(settings: Settings) -> None:
    with pytest.raises(SubscriptionError, match="not a valid email"):
        request_subscription(settings, "x@@example", Preferences())
    with pytest.raises(SubscriptionError, match="unknown track"):
        request_subscription(settings, "a@example.com", Preferences(tracks=["未来玄学"]))
    with pytest.raises(ValueError, match="unknown document type"):
        Preferences(doctypes=["小道消息"])
