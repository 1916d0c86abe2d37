"""Subscribers and what they asked for."""

from __future__ import annotations

import re

from sqlmodel import select

from radar.settings import Settings
from storage.db import session_scope
from storage.models import Subscriber

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


class SubscriptionError(ValueError):
    """A subscription request that cannot be accepted; the message says why."""


def validate_email(email: str) -> str:
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email) or "\r" in email or "\n" in email:
        raise SubscriptionError(f"不是有效的邮箱地址 / not a valid email address: {email!r}")
    return email.lower()


def resolve_tracks(names: list[str], known: dict[str, str]) -> list[str]:
    """Map track names or ids to canonical Chinese names; unknown names are an error, not ignored."""
    out = []
    for n in names:
        n = n.strip()
        if not n:
            continue
        if n in known.values():
            out.append(n)
        elif n in known:
            out.append(known[n])
        else:
            raise SubscriptionError(f"未知赛道 / unknown track {n!r}; choose from: {', '.join(known.values())}")
    return sorted(set(out), key=list(known.values()).index)


def subscribe(settings: Settings, email: str, tracks: list[str], regions: list[str] | None = None, name: str | None = None) -> Subscriber:
    """Add or update a subscriber (re-subscribing reactivates)."""
    from pipeline.taxonomy import load_taxonomy

    known = {t.id: t.name for t in load_taxonomy(settings.taxonomy_path).tracks}
    addr = validate_email(email)
    chosen = resolve_tracks(tracks, known)
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == addr)).first()
        if sub is None:
            sub = Subscriber(email=addr)
        sub.tracks = chosen
        sub.regions = [r.strip() for r in (regions or []) if r.strip()]
        sub.name = name or sub.name
        sub.active = True
        s.add(sub)
        s.flush()
        s.refresh(sub)
        return sub


def list_subscribers(settings: Settings) -> list[Subscriber]:
    with session_scope(settings) as s:
        return list(s.exec(select(Subscriber).order_by(Subscriber.email)).all())
