"""The crawl process of a batch: many sources, one store side, one fetch process.

Each source keeps what a lone crawl has: its own ``Recorder`` (run record,
fetch log, WARC file, known URLs and validators) and its own ``Intake``
routing; what they share is this process, its database engine and one
``PagePipeline`` (the classifier and the extraction workers are loaded once,
not once per source).  At most ``in_flight`` sources crawl at once: each
open source holds a recorder's threads and the releases in flight, so the
cap, with the byte budgets of ``StoreLink``, bounds the batch's memory
whatever its size.  A source ends alone: its run is closed when its spider
closes (finished, failed, or stopped by its own time limit), and the next
source starts in its place.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from core.settings import Settings
from core.sources import SourceConfig
from crawl.pipe import Known, NoMore, SpiderClosed
from crawl.store_process.intake import Intake
from crawl.store_process.recorder import Recorder
from pipeline.process import PagePipeline
from storage.db import session_scope
from storage.models import CrawlRun, utcnow

log = logging.getLogger(__name__)


class TaggedSender:
    """A source's way back to the fetch process: its messages tagged with its run id, over the shared pipe."""

    def __init__(self, conn: Connection, key: int, lock: threading.Lock) -> None:
        self._conn, self._key, self._lock = conn, key, lock

    def send(self, message: Any) -> None:
        with self._lock:
            self._conn.send((self._key, message))


class BatchIntake:
    """Reads the batch's pipe, hands each message to its source's intake, starts sources as others end."""

    def __init__(self, settings: Settings, jobs: list[tuple[SourceConfig, int]], conn: Connection, fetcher: Any, in_flight: int) -> None:
        self.settings = settings
        self.pending = deque(jobs)
        self.conn = conn
        self.fetcher = fetcher
        self.in_flight = max(1, in_flight)
        self.pipeline = PagePipeline(settings)
        self.open: dict[int, Intake] = {}
        self._lock = threading.Lock()
        # Closing a run waits for its releases to be written; the pipe must go on being read meanwhile.
        self._closers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="close-run")

    def run(self) -> None:
        self._fill()
        while self.open:
            try:
                key, message = self.conn.recv()
            except (EOFError, OSError):
                self.fetcher.join(10)
                why = f"fetch process exited with code {self.fetcher.exitcode} before the crawl ended"
                for key, intake in list(self.open.items()):
                    self._close(key, intake, [], why)
                self.open.clear()
                break
            route = self.open.get(key)
            if route is None:
                continue  # a source already closed (its recorder is gone): nothing more is stored for it
            try:
                route.handle(message)
            except Exception as exc:  # this source fails, the others go on
                log.exception("run %s: a message could not be handled", key)
                self._closers.submit(self._close, key, self.open.pop(key), [], f"crawl failed: {type(exc).__name__}: {exc}")
                self._fill()
                continue
            if isinstance(message, SpiderClosed):
                self._closers.submit(self._close, key, self.open.pop(key), message.list_errors, message.fatal)
                self._fill()
        self._closers.shutdown(wait=True)
        for _source, run_id in self.pending:  # only when the fetch process died
            _fail_run(self.settings, run_id, "the batch's fetch process ended before this source started")
        self.pipeline.close()

    def _fill(self) -> None:
        """Start sources until ``in_flight`` are open; say ``NoMore`` once every source has started."""
        while self.pending and len(self.open) < self.in_flight:
            source, run_id = self.pending.popleft()
            try:
                recorder = Recorder(self.settings, source, run_id, pipeline=self.pipeline)
            except Exception as exc:  # a source whose stored state cannot be read fails alone
                log.exception("run %s of %s could not start", run_id, source.name)
                _fail_run(self.settings, run_id, f"crawl could not start: {type(exc).__name__}: {exc}")
                continue
            sender = TaggedSender(self.conn, run_id, self._lock)
            self.open[run_id] = Intake(recorder, sender, self.fetcher)  # type: ignore[arg-type]  # send() is all it uses
            try:
                sender.send(Known(recorder.snapshot()))
            except (OSError, ValueError):
                return  # the fetch process is gone; run() notices at its next read
        if not self.pending:
            try:
                with self._lock:
                    self.conn.send((0, NoMore()))
            except (OSError, ValueError):
                pass

    def _close(self, key: int, intake: Intake, list_errors: list[str], fatal: str | None) -> None:
        try:
            intake.recorder.close(list_errors, fatal)
        except Exception as exc:  # the caller closes a run left open as failed
            log.exception("run %s could not be closed", key)
            _fail_run(self.settings, key, f"closing the run failed: {type(exc).__name__}: {exc}")


def _fail_run(settings: Settings, run_id: int, why: str) -> None:
    with session_scope(settings) as s:
        run = s.get(CrawlRun, run_id)
        if run is not None and run.status == "running":
            run.status, run.finished_at, run.error = "failed", utcnow(), why
            s.add(run)
