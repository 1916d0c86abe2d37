"""`radar demo`: the whole flow against bundled offline replicas, on loopback.

First run: copy the replica sites into the data dir, serve them, crawl,
classify, subscribe a demo address and write the digest to the outbox.
Later runs reuse the copy and first apply a realistic edit to one page, so
the crawl finds a changed document and the new digest reports it as 更新.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from datetime import datetime, timezone

from alerts.digest import DigestReport, last_digest_end, run_digest
from alerts.period import since
from alerts.subscriptions import subscribe
from radar.crawl import crawl_sources
from radar.paths import DEMO_DIR
from radar.settings import Settings
from spiders.runner import CrawlResult

DEMO_EMAIL = "analyst@example.com"
PORT_FILE = "demo-port"  # in the data dir: the port the demo's URLs were crawled on (URLs identify documents)
_env_lock = threading.Lock()  # RADAR_DEMO_URL is process-wide: one expansion of the demo sources at a time


@dataclass
class DemoResult:
    run_number: int
    edited: str | None
    crawls: list[CrawlResult]
    digest: DigestReport
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (title, url, change summary)


def demo_settings(base: Settings) -> Settings:
    return base.model_copy(update={"sources_dir": DEMO_DIR / "sources"})


def run_demo(base: Settings, port: int = 8765, progress: Callable[[Any], None] | None = None) -> DemoResult:
    from demo.edits import apply_demo_edit
    from demo.server import serve_sites

    settings = demo_settings(base)
    settings.ensure_dirs()
    sites = settings.data_dir / "demo-sites"
    edited: str | None = None
    if sites.exists():
        edited = apply_demo_edit(sites)
    else:
        shutil.copytree(DEMO_DIR / "sites", sites)
    marker = settings.data_dir / "demo-runs"
    run_number = int(marker.read_text()) + 1 if marker.exists() else 1
    with serve_sites(sites, port=port) as base_url:
        previous = os.environ.get("RADAR_DEMO_URL")
        os.environ["RADAR_DEMO_URL"] = base_url  # source YAML expands ${RADAR_DEMO_URL}
        try:
            crawls = crawl_sources(settings, progress=progress)
        finally:
            if previous is None:
                os.environ.pop("RADAR_DEMO_URL", None)
            else:
                os.environ["RADAR_DEMO_URL"] = previous
    subscribe(settings, DEMO_EMAIL, tracks=[], name="演示订阅者")
    start = last_digest_end(settings) or datetime(2000, 1, 1, tzinfo=timezone.utc)
    report = run_digest(settings, since(start, datetime.now(timezone.utc), settings.timezone), only=[DEMO_EMAIL])
    marker.write_text(str(run_number))
    (settings.data_dir / PORT_FILE).write_text(str(port))
    return DemoResult(run_number, edited, crawls, report, _changed_docs([c.run_id for c in crawls], settings))


def demo_port(settings: Settings) -> int:
    """The port the demo served its sites on in this data dir (8765 unless `radar demo --port` said otherwise)."""
    try:
        return int((settings.data_dir / PORT_FILE).read_text().strip())
    except (OSError, ValueError):
        return 8765


def demo_port_free(settings: Settings) -> bool:
    """Whether a re-crawl can serve the demo sites again (a running `radar demo` holds the port)."""
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the demo server does: a finished demo's TIME_WAITs do not count
        try:
            sock.bind(("127.0.0.1", demo_port(settings)))
        except OSError:
            return False
    return True


def crawl_demo_source(base: Settings, name: str) -> CrawlResult:
    """Re-crawl one demo source: serve the data dir's replica copy on the demo's port for the length of the crawl.

    The web page's re-crawl button uses it, so the demo's sources behave like
    any other after `radar demo` instead of failing against a server that is gone.
    """
    from demo.server import serve_sites
    from radar.crawl import crawl_one
    from radar.sources import load_sources

    settings = demo_settings(base)
    with serve_sites(settings.data_dir / "demo-sites", port=demo_port(settings)) as base_url:
        with _env_lock:
            previous = os.environ.get("RADAR_DEMO_URL")
            os.environ["RADAR_DEMO_URL"] = base_url
            try:
                source = next(s for s in load_sources(settings.sources_dir) if s.name == name)
            finally:
                if previous is None:
                    os.environ.pop("RADAR_DEMO_URL", None)
                else:
                    os.environ["RADAR_DEMO_URL"] = previous
        return crawl_one(settings, source)


def _changed_docs(run_ids: list[int], settings: Settings) -> list[tuple[str, str, str]]:
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Document, DocumentVersion

    with session_scope(settings) as s:
        rows = s.exec(
            select(DocumentVersion, Document)
            .join(Document, Document.id == DocumentVersion.document_id)  # type: ignore[arg-type]
            .where(DocumentVersion.run_id.in_(run_ids), DocumentVersion.version_no > 1)  # type: ignore[union-attr]
        ).all()
        return [(d.title, d.url, v.change_summary or "") for v, d in rows]

