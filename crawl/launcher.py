"""Crawl orchestration shared by the CLI, the scheduler and the demo."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from core.settings import Settings
from core.sources import SourceConfig, load_sources, load_sources_lenient
from core.yamlconfig import ConfigIssue
from crawl.progress import CrawlProgress, finished
from crawl.runner import CrawlResult, default_batch_size, run_batch, run_crawl
from storage.db import session_scope
from storage.models import Source, utcnow


def sync_sources(settings: Settings, *, lenient: bool = False) -> list[SourceConfig]:
    """Load the YAML sources and mirror them into the sources table (for joins and the audit).

    ``lenient`` (``radar serve``): invalid files are recorded (record_invalid_sources) and the valid
    sources are returned, so one bad file does not stop every other site's crawls and the digests.
    """
    if lenient:
        sources, issues = load_sources_lenient(settings.sources_dir)
        if issues:
            record_invalid_sources(settings, issues)
    else:
        sources = load_sources(settings.sources_dir)
    from sqlmodel import select

    with session_scope(settings) as s:
        for src in sources:
            row = s.exec(select(Source).where(Source.name == src.name)).first() or Source(
                name=src.name, title=src.title, region=src.region, agency=src.agency
            )
            row.title, row.region, row.agency = src.title, src.region, src.agency
            row.config_hash = hashlib.sha256(src.model_dump_json().encode()).hexdigest()
            row.updated_at = utcnow()
            s.add(row)
    return sources


def record_invalid_sources(settings: Settings, issues: list[ConfigIssue]) -> None:
    """Each invalid source file becomes a failed run of that source (its health shows the error) and one operator mail.

    The mail is sent once per distinct error (OperatorAlert's unique key), not at every restart.
    """
    from pathlib import Path

    from sqlalchemy.exc import IntegrityError

    from alerts.operator import mail_operator
    from storage.models import CrawlRun, OperatorAlert

    by_file: dict[str, list[str]] = {}
    for issue in issues:
        by_file.setdefault(issue.path, []).append(str(issue))
    for path, lines in by_file.items():
        name = Path(path).stem
        text = "invalid source file, not crawled until fixed:\n" + "\n".join(lines)
        key = int(hashlib.sha256(text.encode()).hexdigest()[:7], 16)
        with session_scope(settings) as s:
            now = utcnow()
            s.add(CrawlRun(source_name=name, started_at=now, finished_at=now, status="failed", errors=len(lines), error=text))
        try:
            with session_scope(settings) as s:
                s.add(OperatorAlert(source_name=name, first_failed_run_id=key, streak=1, error=text, status="sent"))
        except IntegrityError:
            continue  # this exact error was already reported
        mail_operator(
            settings,
            f"PolicyRadar 来源配置无效：{name}（未抓取）",
            f"{text}\n\n请修正后运行 `radar sources validate`。\n",
            key=f"operator-config-{name}-{key}",
        )


def crawl_sources(
    settings: Settings, names: list[str] | None = None, *, batch_size: int | None = None, progress: Callable[[Any], None] | None = None
) -> list[CrawlResult]:
    """Crawl the named sources (all enabled ones when none are named) in batches (``crawl_batches``); ``progress`` as in run_crawl."""
    sources = sync_sources(settings)
    by_name = {s.name: s for s in sources}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise KeyError(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(by_name))}")
        chosen = [by_name[n] for n in names]
    else:
        chosen = [s for s in sources if s.enabled]
    return crawl_batches(settings, chosen, batch_size=batch_size, progress=progress)


def crawl_batches(
    settings: Settings,
    sources: list[SourceConfig],
    *,
    batch_size: int | None = None,
    task_id: str | None = None,
    worker: str | None = None,
    progress: Callable[[Any], None] | None = None,
) -> list[CrawlResult]:
    """Crawl sources a batch at a time (one crawl-process pair per batch), then what follows each source's crawl.

    ``batch_size``: sources per batch; default ``RADAR_CRAWL_BATCH_SIZE`` or ``default_batch_size()``.  A batch
    of one is the lone crawl of ``crawl_one``.  ``progress`` gets a lone crawl's live counts; a batch's sources
    are shown as running while their batch runs and with their stored numbers when it ends.
    """
    size = batch_size or settings.crawl_batch_size or default_batch_size()
    results: list[CrawlResult] = []
    # A browser source needs scrapy-playwright's asyncio reactor and Chromium in its fetch process: it crawls alone.
    batches = [[src] for src in sources if src.fetch == "browser"]
    plain = [src for src in sources if src.fetch != "browser"]
    batches += [plain[start : start + size] for start in range(0, len(plain), size)]
    for batch in batches:
        if len(batch) == 1:
            results.append(crawl_one(settings, batch[0], task_id=task_id, worker=worker, progress=progress))
            continue
        began = time.monotonic()
        if progress is not None:
            for src in batch:
                progress(CrawlProgress(src.name, current_url="（批量抓取中 / crawling in a batch）"))
        done = run_batch(batch, settings, task_id=task_id, worker=worker)
        if progress is not None:
            for result in done:
                progress(finished(result, time.monotonic() - began))
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


def crawl_one(
    settings: Settings,
    src: SourceConfig,
    *,
    task_id: str | None = None,
    worker: str | None = None,
    progress: Callable[[Any], None] | None = None,
) -> CrawlResult:
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
