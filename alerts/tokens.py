"""Signed tokens in subscription links: confirm, manage (preferences) and unsubscribe.

itsdangerous signs a payload naming both the subscriber id and the address,
so a token cannot be forged, nor replayed for another address (the lookup
checks both).  Confirmation tokens expire; manage tokens do not, because
unsubscribe links in old emails must keep working (RFC 8058 expects that).
"""

from __future__ import annotations

from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

Purpose = Literal["confirm", "manage"]
CONFIRM_MAX_AGE = 3 * 24 * 3600


class TokenError(ValueError):
    """A link token that is malformed, forged, expired or meant for another address."""


def _serializer(key: str, purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=f"policyradar.{purpose}")


def make_token(key: str, purpose: Purpose, subscriber_id: int, email: str) -> str:
    return _serializer(key, purpose).dumps({"id": subscriber_id, "email": email})


def read_token(key: str, purpose: Purpose, token: str) -> tuple[int, str]:
    """(subscriber id, email) from a token; raises TokenError with a reason a person can act on."""
    try:
        data = _serializer(key, purpose).loads(token, max_age=CONFIRM_MAX_AGE if purpose == "confirm" else None)
    except SignatureExpired as exc:
        raise TokenError("链接已过期，请重新订阅 / the link has expired; subscribe again") from exc
    except BadSignature as exc:
        raise TokenError("链接无效 / the link is not valid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("email"), str):
        raise TokenError("链接无效 / the link is not valid")
    return data["id"], data["email"]
