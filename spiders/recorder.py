"""The crawl's link to storage: what is already known, the fetch log, items and the run record."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from scrapy.http import Response
from sqlmodel import select

from radar.settings import Settings
from radar.sources import SourceConfig
from storage.warc import RunWarc
from storage.db import session_scope
from storage.models import Attachment, CrawlRun, Document, FetchLog, HttpValidator, utcnow

log = logging.getLogger(__name__)


class Recorder:
    """Collects what one crawl run did and writes it to the database as it goes.

    It also answers the spider's incremental questions from storage: which
    release URLs and attachment URLs are known, and which validators
    (ETag / Last-Modified) to send.
    """

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
        self.warc = RunWarc(settings, source.name, run_id)
        self._lock = threading.Lock()  # items are processed in reactor threads
        with session_scope(settings) as s:
            docs = s.exec(select(Document.id, Document.url, Document.last_seen).where(Document.source_name == source.name)).all()
            self.known: dict[str, datetime] = {url: seen for _id, url, seen in docs}
            ids = [i for i, _u, _s in docs]
            self.known_attachments: set[str] = set()
            for chunk in range(0, len(ids), 500):
                rows = s.exec(
                    select(Attachment.url).where(Attachment.document_id.in_(ids[chunk : chunk + 500]), Attachment.error.is_(None))  # type: ignore[attr-defined,union-attr]
                ).all()
                self.known_attachments.update(rows)
            self.validators: dict[str, tuple[str | None, str | None]] = {
                v.url: (v.etag, v.last_modified) for v in s.exec(select(HttpValidator).where(HttpValidator.source_name == source.name)).all()
            }

    def log_fetch(self, entry: FetchLog) -> None:
        with self._lock:
            self.requests += 1
        with session_scope(self.settings) as s:
            s.add(entry)

    def remember(self, response: Response) -> None:
        """Keep a list page's validators once it has been read successfully."""
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        self.store_validators(response.url, etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None)

    def store_validators(self, url: str, etag: str | None, modified: str | None) -> None:
        if not (etag or modified) or self.validators.get(url) == (etag, modified):
            return
        with session_scope(self.settings) as s:
            row = s.exec(select(HttpValidator).where(HttpValidator.source_name == self.source_name, HttpValidator.url == url)).first()
            row = row or HttpValidator(source_name=self.source_name, url=url)
            row.etag, row.last_modified, row.updated_at = etag, modified, utcnow()
            s.add(row)
        self.validators[url] = (etag, modified)

    def process_item(self, item: dict[str, Any]) -> str:
        outcome = self.pipeline.process(item, self.source, self.run_id)
        with self._lock:
            self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
            self.errors.extend(outcome.errors)
        if outcome.status != "failed":
            # Validators are kept only once the content is safely stored, so a 304 always has something behind it.
            if item.get("validators"):
                self.store_validators(item["url"], *item["validators"])
            for att in item.get("attachments", []):
                if att.get("validators") and not att.get("error"):
                    self.store_validators(att["url"], *att["validators"])
        return outcome.status

    def close(self, list_errors: list[str], fatal: str | None = None) -> CrawlRun:
        """Close the run: failed when the list could not be read at all, ok otherwise (item errors are counted)."""
        self.warc.close()
        self.pipeline.close()
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
