"""Who may see what, and the protections every response carries.

* ``WebConfig``: the web-only settings (public reading, admin credentials),
  kept apart from core.settings.Settings so the crawler and digest jobs need
  not know about them; it reads the same environment.
* Admin login: a password checked against ``RADAR_ADMIN_PASSWORD_HASH``
  (hashlib.scrypt in a self-describing string, or passlib's formats when
  passlib is installed) or a bearer token ``RADAR_ADMIN_TOKEN``; a signed,
  expiring, HttpOnly cookie remembers the login.
* CSRF: signed double submit.  A random nonce lives in a cookie; forms carry
  the nonce signed with the server key.  A cross-site page can make the
  browser send the cookie but can neither read it nor forge the signature.
* Security headers on every response (CSP without inline scripts or
  styles, nosniff, frame-ancestors/X-Frame-Options, Referrer-Policy).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from itsdangerous import BadSignature, Signer, SignatureExpired, TimestampSigner
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from core.settings import Settings

SESSION_COOKIE = "radar_admin"
CSRF_COOKIE = "radar_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE = 12 * 3600

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class WebConfig(BaseSettings):
    """RADAR_PUBLIC_READ (1: reading pages need no login), RADAR_ADMIN_PASSWORD_HASH, RADAR_ADMIN_TOKEN."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    public_read: bool = Field(default=True, validation_alias="RADAR_PUBLIC_READ")
    admin_password_hash: str | None = Field(default=None, validation_alias="RADAR_ADMIN_PASSWORD_HASH")
    admin_token: str | None = Field(default=None, validation_alias="RADAR_ADMIN_TOKEN")

    @property
    def admin_configured(self) -> bool:
        return bool(self.admin_password_hash or self.admin_token)


# ---- passwords ----------------------------------------------------------------------------------

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64): memory-hard, in the standard library, no extra dependency."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    enc = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${enc(salt)}${enc(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Check against our scrypt format, or any passlib format (argon2, bcrypt, pbkdf2) when passlib is installed."""
    if stored.startswith("scrypt$"):
        try:
            _, n, r, p, salt, digest = stored.split("$")
            want = base64.b64decode(digest)
            got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(want))
        except (ValueError, TypeError):
            return False
        return hmac.compare_digest(got, want)
    try:
        from passlib.context import CryptContext
    except ImportError:
        return False
    ctx = CryptContext(schemes=["argon2", "bcrypt", "pbkdf2_sha256", "sha512_crypt"], deprecated="auto")
    try:
        return bool(ctx.verify(password, stored))
    except (ValueError, TypeError):
        return False


def check_token(given: str | None, config: WebConfig) -> bool:
    return bool(given and config.admin_token and hmac.compare_digest(given.encode(), config.admin_token.encode()))


# ---- admin session cookie -------------------------------------------------------------------------
# The cookie carries a signed random session id; the AdminSession row behind it is what makes it valid,
# so logout revokes it at once and changing RADAR_ADMIN_PASSWORD_HASH / RADAR_ADMIN_TOKEN ends every session.


def _credential_fingerprint(key: str, config: WebConfig) -> str:
    material = f"{config.admin_password_hash or ''}\x00{config.admin_token or ''}".encode()
    return hmac.new(key.encode(), material, hashlib.sha256).hexdigest()[:32]


def _signer(key: str) -> TimestampSigner:
    return TimestampSigner(key, salt="policyradar.admin-session.v2")


def session_value(settings: Settings, config: WebConfig) -> str:
    """Open a server-side session and return the cookie value for it."""
    from datetime import timedelta

    from storage.db import session_scope
    from storage.models import AdminSession, utcnow

    sid = secrets.token_urlsafe(24)
    with session_scope(settings) as s:
        s.add(
            AdminSession(
                id=sid,
                expires_at=utcnow() + timedelta(seconds=SESSION_MAX_AGE),
                credential=_credential_fingerprint(settings.signing_key(), config),
            )
        )
    return _signer(settings.signing_key()).sign(sid.encode()).decode()


def _session_id(key: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return _signer(key).unsign(value, max_age=SESSION_MAX_AGE).decode()
    except (BadSignature, SignatureExpired, UnicodeDecodeError):
        return None


def session_valid(settings: Settings, config: WebConfig, value: str | None) -> bool:
    """A cookie is valid while its signature holds and its session row is neither revoked, expired nor for an old credential."""
    sid = _session_id(settings.signing_key(), value)
    if sid is None:
        return False
    from datetime import timezone

    from storage.db import session_scope
    from storage.models import AdminSession, utcnow

    with session_scope(settings) as s:
        row = s.get(AdminSession, sid)
        if row is None or row.revoked_at is not None:
            return False
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=timezone.utc)
        return expires > utcnow() and hmac.compare_digest(row.credential, _credential_fingerprint(settings.signing_key(), config))


def revoke_session(settings: Settings, value: str | None) -> None:
    """Logout: the session row is marked revoked, so a copy of the cookie stops working too."""
    sid = _session_id(settings.signing_key(), value)
    if sid is None:
        return
    from storage.db import session_scope
    from storage.models import AdminSession, utcnow

    with session_scope(settings) as s:
        row = s.get(AdminSession, sid)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            s.add(row)


# ---- CSRF -------------------------------------------------------------------------------------------


def new_csrf_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token_for(key: str, nonce: str) -> str:
    return Signer(key, salt="policyradar.csrf").sign(nonce.encode()).decode()


def csrf_valid(key: str, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    try:
        signed = Signer(key, salt="policyradar.csrf").unsign(token.encode()).decode()
    except BadSignature:
        return False
    return hmac.compare_digest(signed, nonce)


class SecurityHeadersMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware) so streaming responses are not buffered."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    if k not in headers:
                        headers[k] = v
            await send(message)

        await self.app(scope, receive, send_with_headers)


def main(argv: list[str] | None = None) -> None:
    """``python -m web.security``: print a hash for RADAR_ADMIN_PASSWORD_HASH.

    On a terminal the password is asked twice without echo; piped in
    (``echo "$PW" | python -m web.security``, a secrets manager, a Docker build)
    the first line of stdin is the password, with no prompt and no getpass
    warning about an echoing terminal.
    """
    import argparse
    import getpass
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m web.security",
        description="Print the hash to put in RADAR_ADMIN_PASSWORD_HASH (the admin login password). "
        "Asks twice on a terminal; otherwise reads one password from the first line of stdin.",
    )
    parser.parse_args(argv)
    if sys.stdin.isatty():
        try:
            pw = getpass.getpass("管理员密码 / admin password: ")
            again = getpass.getpass("再输入一次 / again: ")
        except (EOFError, KeyboardInterrupt):
            raise SystemExit("已取消 / cancelled") from None
        if pw != again:
            raise SystemExit("两次输入的密码不同 / passwords differ")
    else:
        pw = sys.stdin.readline().rstrip("\r\n")
    if not pw:
        raise SystemExit("密码为空 / empty password")
    print(hash_password(pw))
    print(
        "设置 / set: RADAR_ADMIN_PASSWORD_HASH='<上面这一行 / the line above>'（.env 中保留单引号 / keep the single quotes in .env）",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
