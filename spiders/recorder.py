"""The crawl's link to storage: fetch log, item processing and the run record."""

from __future__ import annotations

import logging
from typing import Any

from radar.settings import Settings
from radar.sources import SourceConfig
from storage.db import session_scope
from storage.models import CrawlRun, FetchLog, utcnow

log = logging.getLogger(__name__)


class Recorder:
    """Collects what one crawl run did and writes it to the database as it goes."""

    def __init__(self, settings: Settings, source: SourceConfig, run_id: int):
        from pipeline.process import PagePipeline

        self.settings = settings
        self.source = source
        self.source_name = source.name
        self.run_id = run_id
        self.requests = 0
        self.counts = {"new": 0, "changed": 0, "unchanged": 0, "failed": 0}
        self.errors: list[str] = []
        self.pipeline = PagePipeline(settings)

    def log_fetch(self, entry: FetchLog) -> None:
        self.requests += 1
        with session_scope(self.settings) as s:
            s.add(entry)

    def process_item(self, item: dict[str, Any]) -> str:
        outcome = self.pipeline.process(item, self.source, self.run_id)
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        self.errors.extend(outcome.errors)
        return outcome.status

    def close(self, list_errors: list[str], fatal: str | None = None) -> CrawlRun:
        """Close the run: failed when the list could not be read at all, ok otherwise (item errors are counted)."""
        errors = list_errors + self.errors
        seen = sum(self.counts.values())
        failed = fatal is not None or (bool(list_errors) and seen == 0)
        with session_scope(self.settings) as s:
            run = s.get(CrawlRun, self.run_id)
            assert run is not None
            run.finished_at = utcnow()
            run.status = "failed" if failed else "ok"
            run.requests = self.requests
            run.items_seen = seen
            run.items_new = self.counts["new"]
            run.items_changed = self.counts["changed"]
            run.items_unchanged = self.counts["unchanged"]
            run.errors = len(errors)
            run.error = "\n".join(([fatal] if fatal else []) + errors)[:20000] or None
            s.add(run)
        return run
