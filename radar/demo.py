"""`radar demo`: the whole flow against bundled offline replicas, on loopback.

First run: copy the replica sites into the data dir, serve them, crawl,
classify, subscribe a demo address and write the digest to the outbox.
Later runs reuse the copy and first apply a realistic edit to one page, so
the crawl finds a changed document and the new digest reports it as 更新.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from datetime import datetime, timezone

from alerts.digest import DigestReport, last_digest_end, run_digest
from alerts.period import since
from alerts.subscriptions import subscribe
from crawl.launcher import crawl_sources
from core.paths import DEMO_DIR
from core.settings import Settings
from crawl.demo_sources import PORT_FILE, demo_settings
from crawl.runner import CrawlResult

DEMO_EMAIL = "analyst@example.com"


@dataclass
class DemoResult:
    run_number: int
    edited: str | None
    crawls: list[CrawlResult]
    digest: DigestReport
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (title, url, change summary)


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
