"""Crawl orchestration shared by the CLI, the scheduler and the demo."""

from __future__ import annotations

import hashlib

from core.settings import Settings
from core.sources import SourceConfig, load_sources
from crawl.runner import CrawlResult, default_batch_size, run_batch, run_crawl
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


def crawl_sources(settings: Settings, names: list[str] | None = None, *, batch_size: int | None = None) -> list[CrawlResult]:
    """Crawl the named sources (all enabled ones when none are named) in batches (``crawl_batches``)."""
    sources = sync_sources(settings)
    by_name = {s.name: s for s in sources}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise KeyError(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(by_name))}")
        chosen = [by_name[n] for n in names]
    else:
        chosen = [s for s in sources if s.enabled]
    return crawl_batches(settings, chosen, batch_size=batch_size)


def crawl_batches(settings: Settings, sources: list[SourceConfig], *, batch_size: int | None = None,
                  task_id: str | None = None, worker: str | None = None) -> list[CrawlResult]:
    """Crawl sources a batch at a time (one crawl-process pair per batch), then what follows each source's crawl.

    ``batch_size``: sources per batch; default ``RADAR_CRAWL_BATCH_SIZE`` or ``default_batch_size()``.  A batch
    of one is the lone crawl of ``crawl_one``.
    """
    size = batch_size or settings.crawl_batch_size or default_batch_size()
    results: list[CrawlResult] = []
    for start in range(0, len(sources), size):
        batch = sources[start : start + size]
        if len(batch) == 1:
            results.append(crawl_one(settings, batch[0], task_id=task_id, worker=worker))
            continue
        done = run_batch(batch, settings, task_id=task_id, worker=worker)
        _after_crawls(settings, done)
        results.extend(done)
    return results


def _after_crawls(settings: Settings, results: list[CrawlResult]) -> None:
    """Operator alerts per source crawled, instant alerts for every run that found something, as after a lone crawl."""
    from alerts.instant import dispatch_instant
    from alerts.operator import check_and_alert

    crawled = [r for r in results if r.status not in ("skipped", "busy")]
    for result in crawled:
        check_and_alert(settings, result.source)
    found = [r.run_id for r in crawled if r.new or r.changed]
    if found:
        dispatch_instant(settings, found)


def crawl_one(settings: Settings, src: SourceConfig, *, task_id: str | None = None, worker: str | None = None) -> CrawlResult:
    """Crawl one source and do what follows a crawl (failure alerts, instant alerts); the local path and workers share it."""
    from alerts.instant import dispatch_instant
    from alerts.operator import check_and_alert

    result = run_crawl(src, settings, task_id=task_id, worker=worker)
    if result.status == "skipped":
        return result
    check_and_alert(settings, src.name)
    if result.new or result.changed:
        dispatch_instant(settings, [result.run_id])
    return result
