"""Crawl orchestration shared by the CLI, the scheduler and the demo."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from core.settings import Settings
from core.sources import SourceConfig, load_sources
from crawl.runner import CrawlResult, run_crawl
from storage.db import session_scope
from storage.models import Source, utcnow


def sync_sources(settings: Settings) -> list[SourceConfig]:
    """Load the YAML sources and mirror them into the sources table (for joins and the audit)."""
    sources = load_sources(settings.sources_dir)
    from sqlmodel import select

    with session_scope(settings) as s:
        for src in sources:
            row = s.exec(select(Source).where(Source.name == src.name)).first() or Source(name=src.name, title=src.title, region=src.region, agency=src.agency)
            row.title, row.region, row.agency = src.title, src.region, src.agency
            row.config_hash = hashlib.sha256(src.model_dump_json().encode()).hexdigest()
            row.updated_at = utcnow()
            s.add(row)
    return sources


def crawl_sources(settings: Settings, names: list[str] | None = None, progress: Callable[[Any], None] | None = None) -> list[CrawlResult]:
    """Crawl the named sources (all enabled ones when none are named), one child process each; ``progress`` as in run_crawl."""
    sources = sync_sources(settings)
    by_name = {s.name: s for s in sources}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise KeyError(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(by_name))}")
        chosen = [by_name[n] for n in names]
    else:
        chosen = [s for s in sources if s.enabled]
    return [crawl_one(settings, src, progress=progress) for src in chosen]


def crawl_one(settings: Settings, src: SourceConfig, *, task_id: str | None = None, worker: str | None = None,
              progress: Callable[[Any], None] | None = None) -> CrawlResult:
    """Crawl one source and do what follows a crawl (failure alerts, instant alerts); the local path and workers share it."""
    from alerts.instant import dispatch_instant
    from alerts.operator import check_and_alert

    result = run_crawl(src, settings, task_id=task_id, worker=worker, progress=progress)
    if result.status == "skipped":
        return result
    check_and_alert(settings, src.name)
    if result.new or result.changed:
        dispatch_instant(settings, [result.run_id])
    return result
