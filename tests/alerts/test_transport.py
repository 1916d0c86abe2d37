"""SMTP_URL with STARTTLS or implicit TLS and authentication, against a real aiosmtpd on loopback."""

from __future__ import annotations

import datetime as dt
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from alerts.transport import SmtpTransport, TransientSendError


def _cert(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class Box:
    def __init__(self) -> None:
        self.got: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.got.append(envelope.original_content)
        return "250 OK"


def _auth(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
    ok = isinstance(data, LoginPassword) and data.login == b"radar" and data.password == b"s3cret"
    return AuthResult(success=ok)


def _msg() -> EmailMessage:
    m = EmailMessage()
    m["Subject"], m["From"], m["To"] = "未来产业政策周报", "radar@localhost", "a@example.com"
    m.set_content("正文")
    return m


@pytest.fixture
def tls_server(tmp_path: Path, unused_port: int):  # type: ignore[no-untyped-def]
    cert, key = _cert(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box = Box()
    controller = Controller(
        box, hostname="localhost", port=unused_port, tls_context=ctx, require_starttls=True, authenticator=_auth, auth_required=True
    )
    controller.start()
    yield unused_port, cert, box
    controller.stop()


def test_starttls_with_auth_sends_and_reuses_one_connection(tls_server) -> None:  # type: ignore[no-untyped-def]
    port, cert, box = tls_server
    with SmtpTransport(f"smtp://radar:s3cret@localhost:{port}?starttls=1&cafile={cert}") as t:
        t.send(_msg())
        conn = t._conn
        t.send_bytes("radar@localhost", "b@example.com", b"Subject: x\r\n\r\nbody\r\n", "k")
        assert t._conn is conn  # the batch shares one connection
    assert len(box.got) == 2


def test_an_untrusted_certificate_is_refused(tls_server) -> None:  # type: ignore[no-untyped-def]
    port, _cert, box = tls_server
    with (
        SmtpTransport(f"smtp://radar:s3cret@localhost:{port}?starttls=1") as t,
        pytest.raises(TransientSendError, match="CERTIFICATE_VERIFY_FAILED|certificate"),
    ):
        t.send(_msg())
    assert box.got == []
