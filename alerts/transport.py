"""Getting a message out: SMTP (from SMTP_URL) or an outbox folder of .eml files.

SMTP_URL forms: ``smtp://host:port`` (plain), ``smtp://user:pass@host:587?starttls=1``,
``smtps://user:pass@host:465`` (implicit TLS); ``&cafile=/path/ca.pem`` trusts a private CA.
Certificates are always verified.  One connection serves a whole batch.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from collections.abc import Callable
from types import TracebackType
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class Transport(Protocol):
    def send(self, msg: EmailMessage) -> str:
        """Send one message; return where it went (server reply or file path)."""

    def send_bytes(self, sender: str, recipient: str, data: bytes, key: str) -> str:
        """Send an already serialised message (the digest fast path)."""

    def close(self) -> None: ...


class TransientSendError(Exception):
    """A send that may succeed if tried again (connection lost, 4xx reply)."""


class PermanentSendError(Exception):
    """A send that will not succeed by retrying (5xx reply, refused recipient)."""


class SmtpTransport:
    """One SMTP connection reused for a batch; reconnects if the server drops it."""

    def __init__(self, url: str, timeout: float = 30.0):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, got {url!r}")
        self.host = parts.hostname or "localhost"
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        q = parse_qs(parts.query)
        self.starttls = q.get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.cafile = q.get("cafile", [None])[0]  # trust a private CA (company relay, tests)
        self.timeout = timeout
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        ctx = ssl.create_default_context(cafile=self.cafile)
        conn: smtplib.SMTP
        if self.implicit_tls:
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ctx)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                conn.starttls(context=ctx)
        if self.user:
            conn.login(self.user, self.password or "")
        return conn

    def send(self, msg: EmailMessage) -> str:
        return self._deliver(lambda conn: conn.send_message(msg))

    def send_bytes(self, sender: str, recipient: str, data: bytes, key: str) -> str:
        from email.utils import parseaddr

        return self._deliver(lambda conn: conn.sendmail(parseaddr(sender)[1], [parseaddr(recipient)[1]], data))

    def _deliver(self, action: "Callable[[smtplib.SMTP], dict]") -> str:
        """Run one send on the batch connection, mapping SMTP outcomes to retryable or not."""
        try:
            if self._conn is None:
                self._conn = self._connect()
            refused = action(self._conn)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentSendError(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            err = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                raise TransientSendError(f"{exc.smtp_code} {err}") from exc
            raise PermanentSendError(f"{exc.smtp_code} {err}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise PermanentSendError(f"recipient refused: {refused}")
        return f"smtp://{self.host}:{self.port}"

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except smtplib.SMTPException:
                pass
            finally:
                self._drop()

    def __enter__(self) -> "SmtpTransport":
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class OutboxTransport:
    """Writes each message as an .eml file: the embedded default when no SMTP server is configured."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, msg: EmailMessage) -> str:
        return self.send_bytes(str(msg["From"]), str(msg["To"]), msg.as_bytes(), str(msg["X-Radar-Period"]))

    def send_bytes(self, sender: str, recipient: str, data: bytes, key: str) -> str:
        from email.utils import parseaddr

        if not self.folder.exists():
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9@._-]+", "_", f"{key}_{parseaddr(recipient)[1]}")
        path = self.folder / f"{stem}.eml"
        tmp = path.with_suffix(".eml.tmp")
        # 0600 from the start: the message holds the subscriber's personal manage and unsubscribe links.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        tmp.replace(path)  # atomic: a crash never leaves half a message
        return str(path)

    def close(self) -> None:
        return None


def transport_for(smtp_url: str | None, outbox: Path) -> Transport:
    return SmtpTransport(smtp_url) if smtp_url else OutboxTransport(outbox)
