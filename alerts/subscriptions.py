"""Subscribers: double opt-in, preferences, one-click unsubscribe.

Nothing is mailed to an address before its owner clicks the confirmation
link; every later mail carries a signed manage link (preferences and
RFC 8058 one-click unsubscribe) that only works for that address.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from sqlmodel import select

from alerts.tokens import TokenError, make_token, read_token
from alerts.transport import PermanentSendError, TransientSendError, transport_for
from core.settings import Settings
from storage.db import session_scope
from storage.models import Subscriber, utcnow

__all__ = [
    "Preferences",
    "SubscriptionError",
    "MailSendError",
    "TooManyRequests",
    "mailbox_key",
    "TokenError",
    "validate_email",
    "request_subscription",
    "confirm_subscription",
    "unsubscribe",
    "update_preferences",
    "subscriber_for_token",
    "links_for",
    "subscribe",
    "list_subscribers",
    "remove_subscriber",
]

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
DOCTYPES = ["政策文件", "征求意见稿", "行动计划·方案", "实施意见", "通知公告", "政策解读", "新闻动态", "研究报告"]


class SubscriptionError(ValueError):
    """A subscription request that cannot be accepted; the message says why."""


class MailSendError(SubscriptionError):
    """The confirmation mail could not be sent; str() holds the transport's detail (for the operator log, not the visitor)."""


class TooManyRequests(SubscriptionError):
    """A client asked for more confirmation mails than its bucket allows; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


# Bounds on what a visitor may store: a form is not a place for a 900 KB name.
MAX_NAME = 100
MAX_LIST_ITEMS = 50
MAX_ITEM_CHARS = 60


class Preferences(BaseModel):
    """What a subscriber wants; empty lists mean "everything"."""

    tracks: list[str] = Field(default_factory=list)
    subtracks: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    keywords_include: list[str] = Field(default_factory=list)
    keywords_exclude: list[str] = Field(default_factory=list)
    doctypes: list[str] = Field(default_factory=list)
    frequency: Literal["weekly", "daily", "immediate"] = "weekly"
    immediate_tracks: list[str] = Field(default_factory=list)
    language: Literal["zh", "en"] = "zh"
    skip_empty: bool = False

    @field_validator(
        "tracks", "subtracks", "regions", "keywords_include", "keywords_exclude", "doctypes", "immediate_tracks", mode="before"
    )
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):  # "a,b，c" from forms and the CLI
            return [p.strip() for p in re.split(r"[,，、;；\s]+", v) if p.strip()]
        if isinstance(v, list):
            return [str(p).strip() for p in v if str(p).strip()]
        return v

    @field_validator("tracks", "subtracks", "regions", "keywords_include", "keywords_exclude", "doctypes", "immediate_tracks")
    @classmethod
    def _bounded(cls, v: list[str]) -> list[str]:
        if len(v) > MAX_LIST_ITEMS:
            raise ValueError(f"最多 {MAX_LIST_ITEMS} 项 / at most {MAX_LIST_ITEMS} items")
        long = [p[:20] + "…" for p in v if len(p) > MAX_ITEM_CHARS]
        if long:
            raise ValueError(f"每项最多 {MAX_ITEM_CHARS} 个字符 / each item at most {MAX_ITEM_CHARS} characters: {long[:3]}")
        return v

    @field_validator("doctypes")
    @classmethod
    def _doctypes(cls, v: list[str]) -> list[str]:
        unknown = [d for d in v if d not in DOCTYPES]
        if unknown:
            raise ValueError(f"unknown document type(s) {unknown}; choose from {DOCTYPES}")
        return v


def validate_email(email: str) -> str:
    """A single deliverable address or SubscriptionError; an IDN domain is stored in its ASCII (punycode) form."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if at and local.isascii() and domain and not domain.isascii():
        try:
            email = f"{local}@{domain.encode('idna').decode('ascii')}"
        except UnicodeError:
            pass  # left as is: the pattern below rejects it with the usual message
    if len(email) > 254 or not _EMAIL.match(email) or "\r" in email or "\n" in email:
        raise SubscriptionError(f"不是有效的邮箱地址 / not a valid email address: {email!r}")
    return email.lower()


def mailbox_key(email: str) -> str:
    """The mailbox an address delivers to: ``a+news@x`` and ``a+other@x`` share ``a@x`` (the cooldown is per mailbox)."""
    local, _, domain = email.lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _check_name(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip()
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise SubscriptionError(
            f"称呼最多 {MAX_NAME} 个字符，且不能含控制字符 / name: at most {MAX_NAME} characters, no control characters"
        )
    return name or None


def _taxonomy_names(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    from pipeline.taxonomy import load_taxonomy

    tax = load_taxonomy(settings.taxonomy_path)
    tracks = {t.id: t.name for t in tax.tracks}
    subs: dict[str, str] = {}
    for t in tax.tracks:
        for st in getattr(t, "subtracks", []) or []:
            subs[st.id] = st.name
    return tracks, subs


def _resolve(names: list[str], known: dict[str, str], what: str) -> list[str]:
    """Map names or ids to canonical Chinese names; unknown names are an error, not ignored."""
    out: list[str] = []
    for n in names:
        if n in known.values():
            out.append(n)
        elif n in known:
            out.append(known[n])
        else:
            raise SubscriptionError(
                f"未知{what} / unknown {'track' if what == '赛道' else 'sub-track'} {n!r}; choose from: {', '.join(known.values())}"
            )
    order = list(known.values())
    return sorted(set(out), key=order.index)


def _regions(names: list[str]) -> list[str]:
    """Regions as filed (config/regions.yaml); a name that matches nothing is refused with a suggestion, not stored."""
    from core.regions import UnknownRegion, canonical_region

    out: list[str] = []
    for n in names:
        try:
            r = canonical_region(n)
        except UnknownRegion as exc:
            raise SubscriptionError(str(exc)) from exc
        if r not in out:
            out.append(r)
    return out


def _normalise(settings: Settings, prefs: Preferences) -> Preferences:
    tracks, subs = _taxonomy_names(settings)
    return prefs.model_copy(
        update={
            "regions": _regions(prefs.regions),
            "tracks": _resolve(prefs.tracks, tracks, "赛道"),
            "immediate_tracks": _resolve(prefs.immediate_tracks, tracks, "赛道"),
            "subtracks": _resolve(prefs.subtracks, subs, "子方向"),
        }
    )


def _apply(sub: Subscriber, prefs: Preferences) -> None:
    for key, value in prefs.model_dump().items():
        setattr(sub, key, value)


def links_for(settings: Settings, sub: Subscriber) -> dict[str, str]:
    """Signed links for mails to ``sub``: preferences and one-click unsubscribe (they do not expire)."""
    assert sub.id is not None
    token = make_token(settings.signing_key(), "manage", sub.id, sub.email)
    base = settings.public_url.rstrip("/")
    return {"unsubscribe": f"{base}/unsubscribe?token={token}", "preferences": f"{base}/preferences?token={token}"}


def _confirmation_message(settings: Settings, sub: Subscriber) -> EmailMessage:
    assert sub.id is not None
    token = make_token(settings.signing_key(), "confirm", sub.id, sub.email)
    link = f"{settings.public_url.rstrip('/')}/subscribe/confirm?token={token}"
    msg = EmailMessage()
    msg["Subject"] = "请确认订阅 PolicyRadar 未来产业政策周报"
    msg["From"] = settings.mail_from
    msg["To"] = sub.email
    msg["Date"] = formatdate()
    msg["Message-ID"] = make_msgid(idstring=f"confirm.{sub.id}")
    msg["X-Radar-Period"] = f"confirm-{sub.id}"
    tracks = "、".join(sub.tracks) or "全部赛道"
    msg.set_content(
        f"您好！\n\n有人（希望是您）用 {sub.email} 订阅了 PolicyRadar 未来产业政策周报（{tracks}）。\n"
        f"请在 3 天内点击下面的链接确认订阅；确认之前我们不会再给您发送任何邮件：\n\n{link}\n\n"
        "如果不是您本人操作，请忽略本邮件。\n"
    )
    msg.add_alternative(
        f"<p>您好！</p><p>有人（希望是您）用 {sub.email} 订阅了 PolicyRadar 未来产业政策周报（{tracks}）。</p>"
        f'<p><a href="{link}">点击确认订阅</a>（3 天内有效）。确认之前我们不会再给您发送任何邮件。</p>'
        "<p>如果不是您本人操作，请忽略本邮件。</p>",
        subtype="html",
    )
    return msg


def _manage_message(settings: Settings, sub: Subscriber) -> EmailMessage:
    """For a subscribe request on an address that is already subscribed: nothing changes, the owner gets the preferences link."""
    assert sub.id is not None
    link = links_for(settings, sub)["preferences"]
    msg = EmailMessage()
    msg["Subject"] = "您已订阅 PolicyRadar 未来产业政策周报"
    msg["From"] = settings.mail_from
    msg["To"] = sub.email
    msg["Date"] = formatdate()
    msg["Message-ID"] = make_msgid(idstring=f"already.{sub.id}")
    msg["X-Radar-Period"] = f"already-{sub.id}"
    msg.set_content(
        f"您好！\n\n有人（希望是您）用 {sub.email} 再次提交了订阅申请。该地址已经订阅，我们没有做任何更改。\n"
        f"如需修改订阅的赛道、地区或频率，请打开：\n\n{link}\n\n如果不是您本人操作，请忽略本邮件。\n"
    )
    return msg


def _send(settings: Settings, msg: EmailMessage) -> None:
    transport = transport_for(settings.smtp_url, settings.outbox_dir)
    try:
        transport.send(msg)
    except (TransientSendError, PermanentSendError) as exc:
        raise MailSendError(f"确认邮件发送失败 / could not send the confirmation mail to {msg['To']}: {exc}") from exc
    finally:
        transport.close()


def request_subscription(
    settings: Settings, email: str, prefs: Preferences, *, name: str | None = None, client: str | None = None
) -> Subscriber:
    """Record an unconfirmed subscription and mail the confirmation link (the only mail before confirmation).

    A request for an address that is already a confirmed subscriber changes
    nothing (anyone can type anyone's address): its owner gets a mail with
    the preferences link instead.  Mails are throttled per mailbox (one per
    ``confirm_cooldown``, ``+tag`` variants share it) and per ``client``
    (``subscribe_per_hour``); a throttled mailbox silently gets no new mail,
    so the page does not tell a stranger whether an address is subscribed.
    """
    from storage.ratelimit import Limit, take

    addr = validate_email(email)
    name = _check_name(name)
    prefs = _normalise(settings, prefs)
    if client:
        wait = take(settings, {f"subscribe-client:{client}": Limit(settings.subscribe_per_hour, 3600 / settings.subscribe_per_hour)})
        if wait:
            raise TooManyRequests(f"请求过于频繁，请 {int(wait) + 1} 秒后再试 / too many requests; retry in {int(wait) + 1} s", wait)
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == addr)).first()
        existing = sub is not None and sub.active and sub.confirmed
        if not existing:
            sub = sub or Subscriber(email=addr)
            _apply(sub, prefs)
            sub.name = name or sub.name
            if not sub.active:  # re-subscribing after an unsubscribe needs a fresh confirmation
                sub.active, sub.confirmed, sub.unsubscribed_at = True, False, None
            s.add(sub)
            s.flush()
        assert sub is not None
        s.refresh(sub)
    if take(settings, {f"confirm-mail:{mailbox_key(addr)}": Limit(1, settings.confirm_cooldown)}):
        return sub  # a mail went to this mailbox within the cooldown: it is still valid
    _send(settings, _manage_message(settings, sub) if existing else _confirmation_message(settings, sub))
    return sub


def subscriber_for_token(settings: Settings, token: str, purpose: Literal["confirm", "manage"]) -> Subscriber:
    sid, email = read_token(settings.signing_key(), purpose, token)
    with session_scope(settings) as s:
        sub = s.get(Subscriber, sid)
        if sub is None or sub.email != email:
            raise TokenError("链接无效 / the link is not valid")  # forged id, or a token for another address
        return sub


def confirm_subscription(settings: Settings, token: str) -> Subscriber:
    sub = subscriber_for_token(settings, token, "confirm")
    with session_scope(settings) as s:
        row = s.get(Subscriber, sub.id)
        assert row is not None
        if not row.active:
            raise TokenError("该订阅已退订，请重新订阅 / this subscription was cancelled; subscribe again")
        if not row.confirmed:
            row.confirmed, row.confirmed_at = True, utcnow()
            s.add(row)
        return row


def unsubscribe(settings: Settings, token: str) -> Subscriber:
    sub = subscriber_for_token(settings, token, "manage")
    with session_scope(settings) as s:
        row = s.get(Subscriber, sub.id)
        assert row is not None
        if row.active:
            row.active, row.unsubscribed_at = False, utcnow()
            s.add(row)
        return row


def update_preferences(settings: Settings, token: str, prefs: Preferences) -> Subscriber:
    sub = subscriber_for_token(settings, token, "manage")
    prefs = _normalise(settings, prefs)
    with session_scope(settings) as s:
        row = s.get(Subscriber, sub.id)
        assert row is not None
        _apply(row, prefs)
        s.add(row)
        return row


def subscribe(
    settings: Settings,
    email: str,
    tracks: list[str],
    regions: list[str] | None = None,
    name: str | None = None,
    *,
    confirmed: bool = True,
    prefs: Preferences | None = None,
) -> Subscriber:
    """Operator path (CLI, demo): add or update a subscriber directly; ``confirmed`` when the operator vouches for the address."""
    prefs = prefs or Preferences(tracks=tracks, regions=regions or [])
    if not confirmed:
        return request_subscription(settings, email, prefs, name=name)
    addr = validate_email(email)
    name = _check_name(name)
    prefs = _normalise(settings, prefs)
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == addr)).first() or Subscriber(email=addr)
        _apply(sub, prefs)
        sub.name = name or sub.name
        sub.active, sub.unsubscribed_at = True, None
        if not sub.confirmed:
            sub.confirmed, sub.confirmed_at = True, utcnow()
        s.add(sub)
        s.flush()
        s.refresh(sub)
        return sub


def remove_subscriber(settings: Settings, email: str) -> bool:
    """Unsubscribe by address (operator); delivery history is kept for the audit."""
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == validate_email(email))).first()
        if sub is None:
            return False
        sub.active, sub.unsubscribed_at = False, utcnow()
        s.add(sub)
        return True


def list_subscribers(settings: Settings) -> list[Subscriber]:
    with session_scope(settings) as s:
        return list(s.exec(select(Subscriber).order_by(Subscriber.email)).all())
