"""Shared fixtures: real databases, a real SMTP server and the replica sites on loopback.

Nothing here mocks a component that can run for real on this machine.
PostgreSQL-backed variants run when RADAR_TEST_DATABASE_URL is set (CI sets
it); on a laptop without PostgreSQL they are skipped with that reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from core.paths import DEMO_DIR
from core.settings import Settings

PG_URL = os.environ.get("RADAR_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """A fresh, empty database per test: a SQLite file, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        yield None  # Settings puts radar.db in the data dir
        return
    if not PG_URL:
        pytest.skip("RADAR_TEST_DATABASE_URL is not set (no PostgreSQL on this machine)")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    from storage.db import dispose_engines

    dispose_engines()
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str | None) -> Settings:
    """Isolated settings: own data dir and database, demo sources, no SMTP (outbox)."""
    s = Settings(
        RADAR_DATA_DIR=tmp_path / "data",
        DATABASE_URL=db_url,
        RADAR_SOURCES_DIR=DEMO_DIR / "sources",
        SMTP_URL=None,
        RADAR_SEND_RETRIES=2,
    )
    s.ensure_dirs()
    return s


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    """A private copy of the replica sites that a test may edit."""
    import shutil

    root = tmp_path / "sites"
    shutil.copytree(DEMO_DIR / "sites", root)
    return root


@pytest.fixture
def site_url(sites: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The replica sites served over real HTTP on a free loopback port; sources point at it."""
    from demo.server import serve_sites

    with serve_sites(sites) as base:
        monkeypatch.setenv("RADAR_DEMO_URL", base)
        yield base


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (for unreachable-site tests)."""
    return free_port()


@dataclass
class Mailbox:
    """Messages the loopback SMTP server accepted, parsed; and a switch to refuse the next ones."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0
    refusals: int = 0


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    """A real aiosmtpd server on loopback; yields its SMTP_URL and the mailbox it fills."""
    from aiosmtpd.controller import Controller

    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            if box.refuse_next > 0:
                box.refuse_next -= 1
                box.refusals += 1
                return "451 4.3.0 try again later"
            box.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
            return "250 OK"

    port = free_port()  # aiosmtpd's readiness probe cannot use port 0
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", box
    finally:
        controller.stop()
