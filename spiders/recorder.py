"""The crawl's link to storage: what is already known, the fetch log, items and the run record."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from radar.settings import Settings
from radar.sources import SourceConfig
from storage.warc import RunWarc
from storage.db import session_scope, write_turn
from storage.models import Attachment, CrawlRun, Document, FetchLog, HttpValidator, utcnow
from spiders.auditlog import AuditWriter, Fetch
from spiders.dbretry import DatabaseUnavailable, with_retry
from storage.upsert import upsert

if TYPE_CHECKING:
    from spiders.fetch_process import Snapshot

log = logging.getLogger(__name__)

STORE_RETRY_WINDOW = 30.0  # seconds a release waits for the database before it counts as not stored


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
        self.audit = AuditWriter(settings, self.warc)
        self._lock = threading.Lock()  # items are processed in reactor threads
        self.storage_errors: list[str] = []
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
            previous = s.exec(
                select(CrawlRun.status).where(CrawlRun.source_name == source.name, CrawlRun.id < run_id).order_by(CrawlRun.id.desc())  # type: ignore[arg-type,operator,union-attr]
            ).first()
        # Shortcuts (stop at known items, 304 list pages) assume the last crawl read the list to the end.
        # After a crash or kill it did not: releases it never reached would stay unknown for good.
        self.catch_up = previous is not None and previous != "ok"
        # Releases are stored two at a time: one waits for PDF text or a commit while the other runs.
        self._items = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store")

    def snapshot(self) -> "Snapshot":
        """What the spider needs to know from storage, for the fetch process."""
        from spiders.fetch_process import Snapshot

        return Snapshot(self.run_id, self.source_name, dict(self.known), set(self.known_attachments), dict(self.validators), self.catch_up)

    def submit_item(self, item: dict[str, Any]) -> "Future[str]":
        """Store a release in one of the store threads; the future gives its status."""
        return self._items.submit(self.process_item, item)

    def log_fetch(self, entry: FetchLog, status: int | None = None, headers: list[tuple[str, str]] | None = None,
                  body: bytes | None = None) -> None:
        """Queue a fetch-log row (and the body to archive in WARC): the reactor thread never waits for the database."""
        with self._lock:
            self.requests += 1
        self.audit.put(Fetch(entry, status, headers, body))

    @property
    def fetchlog_dropped(self) -> int:
        return self.audit.dropped

    def store_validators_later(self, url: str, etag: str | None, modified: str | None) -> None:
        """A list page's validators, written by a store thread (the caller reads the fetch process's pipe)."""
        self._items.submit(self.store_validators, url, etag, modified)

    def not_stored(self, url: str, why: str) -> str:
        """A release whose storing raised: counted as failed, and the run fails so the next crawl reads it again."""
        with self._lock:
            self.counts["failed"] += 1
            self.storage_errors.append(f"{url}: {why}")
        return "failed"

    def store_validators(self, url: str, etag: str | None, modified: str | None) -> None:
        if not self._validator_changed(url, etag, modified):
            return
        with write_turn(self.settings.db_url), session_scope(self.settings) as s:
            self._upsert_validator(s, url, etag, modified)
        self.validators[url] = (etag, modified)

    def _validator_changed(self, url: str, etag: str | None, modified: str | None) -> bool:
        return bool(etag or modified) and self.validators.get(url) != (etag, modified)

    def _upsert_validator(self, s: Session, url: str, etag: str | None, modified: str | None) -> None:
        # an upsert: a concurrent crawl of the source may store the same URL
        row = HttpValidator(source_name=self.source_name, url=url, etag=etag, last_modified=modified, updated_at=utcnow())
        upsert(s, row, ("source_name", "url"), ("etag", "last_modified", "updated_at"))

    def process_item(self, item: dict[str, Any]) -> str:
        # Validators are kept only with the content they describe, so a 304 always has something behind it:
        # they are written in the release's own transaction (one commit per release, not one per URL).
        fresh = [(item["url"], *item["validators"])] if item.get("validators") else []
        fresh += [(a["url"], *a["validators"]) for a in item.get("attachments", []) if a.get("validators") and not a.get("error")]
        fresh = [v for v in fresh if self._validator_changed(*v)]

        def with_validators(s: Session) -> None:
            for url, etag, modified in fresh:
                self._upsert_validator(s, url, etag, modified)

        try:
            outcome = with_retry(
                lambda: self.pipeline.process(item, self.source, self.run_id, also=with_validators), f"storing {item['url']}", window=STORE_RETRY_WINDOW
            )
        except DatabaseUnavailable as exc:
            # Not stored: the run is closed as failed so the next crawl reads the whole list again.
            with self._lock:
                self.counts["failed"] += 1
                self.storage_errors.append(f"{item['url']}: {exc}")
            return "failed"
        with self._lock:
            self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
            self.errors.extend(outcome.errors)
        if outcome.status != "failed":
            for url, etag, modified in fresh:
                self.validators[url] = (etag, modified)
        return outcome.status

    def close(self, list_errors: list[str], fatal: str | None = None) -> CrawlRun:
        """Close the run: failed when the list could not be read at all, ok otherwise (item errors are counted)."""
        self._items.shutdown(wait=True)
        self.audit.close()  # every queued fetch logged and archived before the WARC file closes
        self.warc.close()
        self.pipeline.close()
        if self.storage_errors and fatal is None:
            fatal = f"{len(self.storage_errors)} release(s) could not be stored (database unavailable); the next crawl reads every list page again"
        if self.fetchlog_dropped:
            list_errors = [*list_errors, f"{self.fetchlog_dropped} fetch log row(s) dropped while the database was unavailable"]
        errors = list_errors + self.storage_errors + self.errors
        seen = sum(self.counts.values())
        failed = fatal is not None or (bool(list_errors) and seen == 0)
        return with_retry(lambda: self._close_run(errors, seen, failed, fatal), "closing the run record", window=STORE_RETRY_WINDOW)

    def _close_run(self, errors: list[str], seen: int, failed: bool, fatal: str | None) -> CrawlRun:
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
