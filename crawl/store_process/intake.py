"""The crawl process's side of a crawl: start the fetch process, store what it sends, close the run.

The crawl process (spawned by crawl.runner) owns the run record and the
database; the spider runs in a fetch process it spawns (crawl.fetcher_process).
This loop only reads the pipe and hands each message on without waiting:
fetch-log rows to the audit writer thread, releases and list validators to
the recorder's store threads.  So the fetch process never waits for the
database, except for its own releases in flight.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

from core.settings import Settings
from core.sources import SourceConfig
from crawl.fetcher_process import start_fetch_process
from crawl.pipe import FetchAttempt, Known, ListValidators, ReleaseToStore, SpiderClosed, Stored, ToStore
from crawl.store_process.recorder import Recorder
from storage.models import FetchLog

log = logging.getLogger(__name__)


def crawl_in_this_process(
    source: SourceConfig,
    settings: Settings,
    run_id: int,
    scrapy_cfg: dict[str, Any],
    fetcher: tuple[Any, Connection] | None = None,
    progress: Connection | None = None,
) -> None:
    """Run one crawl: the spider in a fetch process, storage here; closes the run record.

    ``fetcher``: the fetch process and its pipe, when the caller started it already (crawl.store_process).
    ``progress``: where to report counts as they grow (crawl.progress), when the caller shows them.
    """
    if not logging.getLogger().handlers:  # the same log lines as the fetch process, where Scrapy sets them up
        logging.basicConfig(level=scrapy_cfg.get("LOG_LEVEL", "WARNING"), format=scrapy_cfg.get("LOG_FORMAT", logging.BASIC_FORMAT))
    # Started before the store side's start-up, so its imports (Scrapy, Twisted) overlap the recorder's reads.
    fetcher_proc, here = fetcher or start_fetch_process(source.model_dump(), scrapy_cfg)
    try:
        recorder = Recorder(settings, source, run_id)
        here.send(Known(recorder.snapshot()))
    except BaseException:
        fetcher_proc.kill()
        raise
    counter = None
    if progress is not None:
        from crawl.progress import CrawlCounter

        counter = CrawlCounter(source.name, progress)
    list_errors, fatal = Intake(recorder, here, fetcher_proc, counter).run()
    recorder.close(list_errors, fatal)
    if counter is not None:
        counter.finish()


class Intake:
    """Reads the fetch process's messages until it says the spider closed, or dies."""

    def __init__(self, recorder: Recorder, conn: Connection, fetcher: Any, counter: Any = None) -> None:
        self.recorder = recorder
        self.counter = counter  # crawl.progress.CrawlCounter, or None
        self.conn = conn
        self.fetcher = fetcher
        self._send_lock = threading.Lock()

    def run(self) -> tuple[list[str], str | None]:
        """(list errors, fatal error) as the spider reported them, or why the fetch process ended without a report."""
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                self.fetcher.join(10)
                return [], f"fetch process exited with code {self.fetcher.exitcode} before the crawl ended"
            self.handle(message)
            if isinstance(message, SpiderClosed):
                self.fetcher.join(30)
                return message.list_errors, message.fatal

    def handle(self, message: ToStore) -> None:
        """Hand one message on without waiting for the database."""
        match message:
            case FetchAttempt(row, status, headers, body):
                self.recorder.log_fetch(FetchLog(**row), status, headers, body)
                if self.counter is not None:
                    self.counter.fetched(row.get("url", ""), row.get("status"), row.get("error"), row.get("end_of_list", False))
            case ReleaseToStore(n, release):
                self.recorder.submit_item(release).add_done_callback(partial(self._stored, n, release.url))
            case ListValidators(url, etag, modified):
                self.recorder.store_validators_later(url, etag, modified)
            case SpiderClosed():
                pass
            case _:
                raise ValueError(f"unknown message from the fetch process: {message!r}")

    def _stored(self, n: int, url: str, fut: "Future[str]") -> None:
        try:
            status = fut.result()
        except Exception as exc:
            log.exception("storing %s failed", url)
            status = self.recorder.not_stored(url, f"{type(exc).__name__}: {exc}")
        if self.counter is not None:
            self.counter.stored(status)
        try:
            with self._send_lock:
                self.conn.send(Stored(n, status))
        except (OSError, ValueError):
            pass  # the fetch process is gone; run() notices
