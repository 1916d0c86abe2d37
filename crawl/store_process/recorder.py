"""The crawl's link to storage: what is already known, the fetch log, items and the run record."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from sqlmodel import Session, select

from core.release import Release
from core.settings import Settings
from core.sources import SourceConfig
from storage.warc import RunWarc
from storage.db import session_scope, write_turn
from storage.models import Attachment, CrawlRun, Document, FetchLog, HttpValidator, utcnow
from pipeline.process import Job, Outcome, PagePipeline
from crawl.pipe import Snapshot
from crawl.store_process.auditlog import AuditWriter, Fetch
from storage.dbretry import DatabaseUnavailable, with_retry
from storage.upsert import upsert

log = logging.getLogger(__name__)

STORE_RETRY_WINDOW = 30.0  # seconds a release waits for the database before it counts as not stored
MAX_GROUP = 16  # releases per transaction at most


class Recorder:
    """Collects what one crawl run did and writes it to the database as it goes.

    It also answers the spider's incremental questions from storage: which
    release URLs and attachment URLs are known, and which validators
    (ETag / Last-Modified) to send.
    """

    def __init__(self, settings: Settings, source: SourceConfig, run_id: int, pipeline: PagePipeline | None = None):
        self.settings = settings
        self.source = source
        self.source_name = source.name
        self.run_id = run_id
        self.requests = 0
        self.counts = {"new": 0, "changed": 0, "unchanged": 0, "failed": 0}
        self.errors: list[str] = []
        # A batch's sources share one pipeline (classifier, extraction workers); only its owner closes it.
        self._owns_pipeline = pipeline is None
        self.pipeline = pipeline or PagePipeline(settings)
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
                v.url: (v.etag, v.last_modified)
                for v in s.exec(select(HttpValidator).where(HttpValidator.source_name == source.name)).all()
            }
            previous = s.exec(
                select(CrawlRun.status).where(CrawlRun.source_name == source.name, CrawlRun.id < run_id).order_by(CrawlRun.id.desc())  # type: ignore[operator, union-attr]
            ).first()
        # Shortcuts (stop at known items, 304 list pages) assume the last crawl read the list to the end.
        # After a crash or kill it did not: releases it never reached would stay unknown for good.
        self.catch_up = previous is not None and previous != "ok"
        # Releases are read two at a time (one waits for PDF text while the other runs) and written by one
        # thread, as many per transaction as are ready (PagePipeline.store says why).
        self._items = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store")
        self._queue: queue.Queue[tuple[Job, list[tuple[str, str | None, str | None]], Future[str]] | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_groups, name="store-writer", daemon=True)
        self._writer.start()

    def snapshot(self) -> Snapshot:
        """What the spider needs to know from storage, for the fetch process."""
        return Snapshot(self.run_id, self.source_name, dict(self.known), set(self.known_attachments), dict(self.validators), self.catch_up)

    def submit_item(self, item: Release) -> "Future[str]":
        """Store a release: read in a store thread, written by the group writer; the future gives its status.

        The future resolves once the release's transaction has committed (or it failed), so the fetch process
        counts it as stored only then."""
        done: Future[str] = Future()
        self._items.submit(self._prepare, item, done)
        return done

    def log_fetch(
        self, entry: FetchLog, status: int | None = None, headers: list[tuple[str, str]] | None = None, body: bytes | None = None
    ) -> None:
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

    def process_item(self, item: Release) -> str:
        """Store one release in this thread, in a transaction of its own; its status."""
        fresh = self._fresh_validators(item)
        job = self.pipeline.prepare(item, self.source, also=self._validator_writes(fresh))
        if isinstance(job, Outcome):
            return self._count(job, fresh)
        return self._write_group([(job, fresh)])[0]

    def _fresh_validators(self, item: Release) -> list[tuple[str, str | None, str | None]]:
        fresh = [(item.url, *item.validators)] if item.validators else []
        fresh += [(a.url, *a.validators) for a in item.attachments if a.validators and not a.error]
        return [v for v in fresh if self._validator_changed(*v)]

    def _validator_writes(self, fresh: list[tuple[str, str | None, str | None]]) -> Callable[[Session], None]:
        # Validators are kept only with the content they describe, so a 304 always has something behind it:
        # they are written in the release's own transaction (one commit per group of releases, not one per URL).
        def with_validators(s: Session) -> None:
            for url, etag, modified in fresh:
                self._upsert_validator(s, url, etag, modified)

        return with_validators

    def _prepare(self, item: Release, done: "Future[str]") -> None:
        """A store thread: read the release, then queue it for the group writer."""
        try:
            fresh = self._fresh_validators(item)
            job = self.pipeline.prepare(item, self.source, also=self._validator_writes(fresh))
            if isinstance(job, Outcome):
                done.set_result(self._count(job, fresh))
            else:
                self._queue.put((job, fresh, done))
        except BaseException as exc:  # noqa: BLE001 - the caller records it against the URL
            done.set_exception(exc)

    def _write_groups(self) -> None:
        """The group writer: whatever releases are ready, up to MAX_GROUP, in one transaction (never waiting for more)."""
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_GROUP:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(nxt)
            try:
                statuses = self._write_group([(job, fresh) for job, fresh, _done in batch])
            except BaseException as exc:  # noqa: BLE001 - a single release that could not be written; recorded by the caller
                for _job, _fresh, done in batch:
                    done.set_exception(exc)
                continue
            for (_job, _fresh, done), status in zip(batch, statuses):
                done.set_result(status)

    def _write_group(self, batch: list[tuple["Job", list[tuple[str, str | None, str | None]]]]) -> list[str]:
        jobs = [job for job, _fresh in batch]
        try:
            outcomes = with_retry(
                lambda: self.pipeline.store(jobs, self.source, self.run_id),
                f"storing {jobs[0].item.url}" + (f" and {len(jobs) - 1} more" if len(jobs) > 1 else ""),
                window=STORE_RETRY_WINDOW,
            )
        except DatabaseUnavailable as exc:
            # Not stored: the run is closed as failed so the next crawl reads the whole list again.
            with self._lock:
                self.counts["failed"] += len(jobs)
                self.storage_errors.extend(f"{job.item.url}: {exc}" for job in jobs)
            return ["failed"] * len(jobs)
        return [self._count(outcome, fresh) for outcome, (_job, fresh) in zip(outcomes, batch)]

    def _count(self, outcome: Outcome, fresh: list[tuple[str, str | None, str | None]]) -> str:
        with self._lock:
            self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
            if outcome.unstored:
                self.storage_errors.extend(outcome.errors)
            else:
                self.errors.extend(outcome.errors)
        if outcome.status != "failed":
            for url, etag, modified in fresh:
                self.validators[url] = (etag, modified)
        return outcome.status

    def close(self, list_errors: list[str], fatal: str | None = None) -> CrawlRun:
        """Close the run: failed when the list could not be read at all, ok otherwise (item errors are counted)."""
        self._items.shutdown(wait=True)
        self._queue.put(None)
        self._writer.join()
        self.audit.close()  # every queued fetch logged and archived before the WARC file closes
        self.warc.close()
        if self._owns_pipeline:
            self.pipeline.close()
        else:
            self.pipeline.index.flush()  # this run's documents searchable now, not when the batch ends
        if self.storage_errors and fatal is None:
            fatal = f"{len(self.storage_errors)} release(s) could not be stored; the next crawl reads every list page again"
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
