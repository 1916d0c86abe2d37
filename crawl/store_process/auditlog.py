"""The crawl's audit trail (fetch log rows, WARC records) written by one thread, in batches.

Writing them on Twisted's reactor thread cost two or three database
transactions per response, and each could wait for a release being stored in
another thread to release SQLite's write lock: downloading stalled behind
storage (15 % of the crawl's busy samples, plus the waits).  Here the reactor
only queues the response; one writer thread appends the WARC records and
stores a batch of fetch-log rows and archived-payload rows in one transaction.

``close`` drains the queue, so a crawl that ends normally loses nothing.  A
process killed mid-crawl may lose the rows of the last batch (at most
``max_wait`` seconds of fetches); the releases in flight are lost with it and
the run is closed as failed, so the next crawl fetches them again and logs it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from sqlalchemy import insert
from sqlmodel import col, select

from core.settings import Settings
from storage.dbretry import DatabaseUnavailable, with_retry
from storage.db import session_scope, write_turn
from storage.models import ArchivedPayload, FetchLog
from storage.upsert import insert_if_absent
from storage.warc import RunWarc

log = logging.getLogger(__name__)


@dataclass
class Fetch:
    """One request attempt: its fetch-log row and, when a body came back, what to archive."""

    entry: FetchLog
    status: int | None = None
    headers: list[tuple[str, str]] | None = None
    body: bytes | None = None


class AuditWriter:
    """Owns the run's WARC file and fetch-log writes; ``put`` never waits for the database, only for a full queue."""

    def __init__(self, settings: Settings, warc: RunWarc, max_batch: int = 200, max_wait: float = 0.5, max_queued: int = 1000):
        self.settings = settings
        self.warc = warc
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.dropped = 0  # fetch-log rows lost to a database outage
        # Bounded: when the writer falls behind, ``put`` waits, and so does the reader of the fetch
        # process's pipe, and so the fetch process: bodies never pile up here unwritten.
        self._queue: queue.Queue[Fetch | None] = queue.Queue(maxsize=max_queued)
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def put(self, fetch: Fetch) -> None:
        self._queue.put(fetch)

    def close(self) -> None:
        """Write everything queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        done = False
        while not done:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            until = time.monotonic() + self.max_wait
            while len(batch) < self.max_batch:
                try:
                    nxt = self._queue.get(timeout=max(until - time.monotonic(), 0))
                except queue.Empty:
                    break
                if nxt is None:
                    done = True
                    break
                batch.append(nxt)
            try:
                self._write(batch)
            except Exception:
                log.exception("fetch log batch of %d row(s) not written", len(batch))
                self.dropped += len(batch)

    def _write(self, batch: list[Fetch]) -> None:
        shas = {f.entry.content_hash for f in batch if f.body and f.entry.content_hash}
        try:
            known = with_retry(lambda: self._archived(shas), "looking up archived payloads", window=0.0 if self.dropped else 3.0)
        except DatabaseUnavailable:
            known = {}  # archive full records: valid WARC, only larger
        payloads: list[ArchivedPayload] = []
        for f in batch:
            sha = f.entry.content_hash
            if not f.body or not sha:
                continue
            where, payload = self.warc.append(f.entry.url, f.status or 0, "", f.headers or [], f.body, sha, known.get(sha))
            f.entry.warc_path, f.entry.warc_offset, f.entry.revisit = where.path, where.offset, where.revisit
            if payload is not None:
                payloads.append(payload)
                known[sha] = (payload.url, payload.warc_date)  # the same bytes again in this batch are revisits
            f.body = None  # the batch may wait for the database; the bytes are archived now

        def store() -> None:
            with write_turn(self.settings.db_url), session_scope(self.settings) as s:
                for p in payloads:  # a concurrent crawl may archive the same bytes first: both records stay valid
                    insert_if_absent(s, p, ("sha256",))
                # One executemany INSERT; fresh dicts, so a retried attempt never reuses rolled-back ORM state.
                s.execute(insert(FetchLog), [f.entry.model_dump(exclude={"id"}) for f in batch])

        try:
            # Wait briefly, and not again while the outage lasts: an audit row is not worth holding the queue.
            with_retry(store, f"logging {len(batch)} fetch(es)", window=0.0 if self.dropped else 3.0)
        except DatabaseUnavailable as exc:
            log.error("%d fetch log row(s) dropped: %s", len(batch), exc)
            self.dropped += len(batch)

    def _archived(self, shas: set[str]) -> dict[str, tuple[str, str]]:
        if not shas:
            return {}
        with session_scope(self.settings) as s:
            rows = s.exec(
                select(ArchivedPayload.sha256, ArchivedPayload.url, ArchivedPayload.warc_date).where(col(ArchivedPayload.sha256).in_(shas))
            ).all()
        return {sha: (url, date) for sha, url, date in rows}
