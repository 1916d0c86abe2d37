"""The fetch process: Scrapy and the spider, in a process of their own, handing everything to the store side.

Why a second process: one interpreter runs one thread of Python at a time.
Scrapy's reactor alone keeps a core busy at full speed, and storing a release
(extraction, classification, ORM writes, the search index) is another ~9 ms
of Python each; in one process they took turns and the crawl ran at a
quarter of raw fetching speed on two cores.  Here the spider fetches while
the crawl process (crawl.store_process.intake) stores, each on its own core.

This process imports Scrapy and no database code, so it stays small; it
learns what storage knows (known URLs, validators) from the first message,
and sends fetch-log rows, list validators and releases back over one pipe.
A release's ``process_item`` waits until the store side has stored it, so
Scrapy's item limit bounds how many releases are in flight, as before.
"""

from __future__ import annotations

import itertools
import queue
import threading
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

from core.release import FetchRow, Release
from crawl.pipe import FetchAttempt, Known, ListValidators, ReleaseToStore, SpiderClosed, Snapshot, Stored, ToStore

# What crosses the pipe, in which order: crawl.pipe.


OUTBOX_BYTES = 2_000_000  # page bytes queued for the pipe before the spider waits for the sender
UNSTORED_BYTES = 1_000_000  # bytes of releases sent but not yet stored before the spider waits for the store side


class StoreLink:
    """The spider's ``recorder`` in the fetch process: answers from the snapshot, sends the rest to the store side."""

    def __init__(self, conn: Connection, snapshot: Snapshot) -> None:
        self.conn = conn
        self.run_id = snapshot.run_id
        self.source_name = snapshot.source_name
        self.known = snapshot.known
        self.known_attachments = snapshot.known_attachments
        self.validators = snapshot.validators
        self.catch_up = snapshot.catch_up
        self._numbers = itertools.count()
        self._waiting: dict[int, tuple[Future[str], int]] = {}  # sent, not yet stored: its future and its bytes
        # Messages leave through a sender thread: a write to the pipe blocks whenever the store side is busy
        # (a 165 KB PDF is three pipe buffers, each waiting for the store side to read), and in Scrapy's
        # reactor thread that block stopped every download.  The queue is bounded by bytes, so a store side
        # that falls far behind still slows the spider down.
        self._outbox: queue.Queue[tuple[ToStore, int] | None] = queue.Queue()
        self._queued = 0  # bytes in the outbox
        self._unstored = 0  # bytes of releases sent and not yet stored
        self._room: list[Future[None]] = []
        self._space = threading.Condition()
        self._broken = False
        self._sender = threading.Thread(target=self._write, name="store-sender", daemon=True)
        self._sender.start()
        self._reader = threading.Thread(target=self._read, name="store-replies", daemon=True)
        self._reader.start()

    def _send(self, message: ToStore, size: int = 0) -> None:
        with self._space:
            while self._queued > OUTBOX_BYTES and not self._broken:
                self._space.wait()
            if self._broken:
                return
            self._queued += size
        self._outbox.put((message, size))

    def _write(self) -> None:
        while True:
            entry = self._outbox.get()
            if entry is None:
                return
            message, size = entry
            if not self._broken:
                try:
                    self.conn.send(message)
                except (OSError, ValueError):
                    self._broken = True  # the reader fails what waits; senders stop queueing
            with self._space:
                self._queued -= size
                self._space.notify_all()

    def close(self) -> None:
        """Send everything queued, then stop the sender (the caller closes the pipe after)."""
        self._outbox.put(None)
        self._sender.join()

    def log_fetch(
        self, row: FetchRow, status: int | None = None, headers: list[tuple[str, str]] | None = None, body: bytes | None = None
    ) -> None:
        self._send(FetchAttempt(row, status, headers, body), len(body) if body else 0)

    def remember(self, response: Any) -> None:
        """Keep a list page's validators once it has been read successfully."""
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        etag_s, modified_s = (etag.decode("latin-1") if etag else None), (modified.decode("latin-1") if modified else None)
        if (etag_s or modified_s) and self.validators.get(response.url) != (etag_s, modified_s):
            self.validators[response.url] = (etag_s, modified_s)
            self._send(ListValidators(response.url, etag_s, modified_s))

    def submit_item(self, item: Release) -> "Future[str]":
        """Send a release to the store side; the future gives its status once it is stored (or not)."""
        n = next(self._numbers)
        done: Future[str] = Future()
        size = item.payload_bytes
        with self._space:
            self._waiting[n] = (done, size)
            self._unstored += size
        self._send(ReleaseToStore(n, item), size)
        return done

    def room(self) -> "Future[None]":
        """Resolves once the releases sent and not yet stored are under UNSTORED_BYTES.

        The spider waits for this, not for its own release to be stored: Scrapy
        then lets go of the response (and its parsed page) at once, and the
        store side always has the next releases at hand, while what is in
        flight stays bounded.  Waiting for each release to be stored held
        Scrapy's downloads whenever a PDF filled its active-size limit.
        """
        fut: Future[None] = Future()
        with self._space:
            if self._unstored <= UNSTORED_BYTES or self._broken:
                fut.set_result(None)
            else:
                self._room.append(fut)
        return fut

    def end(self, list_errors: list[str], fatal: str | None) -> None:
        self._send(SpiderClosed(list_errors, fatal))

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                # The store side is gone (killed): nothing will be stored; fail what waits, the crawl ends.
                with self._space:
                    self._broken = True
                    waiting, self._waiting = [fut for fut, _size in self._waiting.values()], {}
                    room, self._room = self._room, []
                    self._space.notify_all()
                for fut in waiting + room:
                    if not fut.done():
                        fut.set_exception(RuntimeError("the store side of the crawl is gone"))
                return
            if isinstance(message, Stored):
                with self._space:
                    stored, size = self._waiting.pop(message.n, (None, 0))
                    self._unstored -= size
                    room = self._room if self._unstored <= UNSTORED_BYTES else []
                    if room:
                        self._room = []
                if stored is not None:
                    stored.set_result(message.status)
                for waiter in room:
                    waiter.set_result(None)


def start_fetch_process(source_data: dict[str, Any], scrapy_cfg: dict[str, Any]) -> tuple[Any, Connection]:
    """Spawn the fetch process; (process, this end of its pipe).  The store side sends it ``Known(snapshot)`` first."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=True)
    fetcher = ctx.Process(target=fetch_main, args=(there, source_data, scrapy_cfg), name=f"fetch-{source_data.get('name')}", daemon=True)
    fetcher.start()
    there.close()
    return fetcher, here


def fetch_main(conn: Connection, source_data: dict[str, Any], scrapy_cfg: dict[str, Any]) -> None:
    """Entry point of the fetch process (spawned by crawl.store_process.intake)."""
    from core.childproc import exit_with_parent, few_malloc_arenas, forget_main, name_process, quick_exit

    name_process("radar-fetch")
    few_malloc_arenas()  # before any thread starts
    exit_with_parent()  # the store side owns the run; without it nothing here may go on
    forget_main()
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from core.sources import SourceConfig
    from spiders.generic import GenericSpider

    source = SourceConfig.model_validate(source_data)
    process = CrawlerProcess(settings=scrapy_cfg)  # imports Scrapy's components while the store side reads storage
    first = conn.recv()
    assert isinstance(first, Known), f"the crawl process must send Known first, not {first!r}"
    snapshot = first.snapshot
    link = StoreLink(conn, snapshot)
    crawler = process.create_crawler(GenericSpider)
    fatal: list[str] = []

    def _closed(spider: Any, reason: str) -> None:
        if reason not in ("finished",):
            fatal.append(f"crawl closed early: {reason}")

    crawler.signals.connect(_closed, signal=signals.spider_closed)
    process.crawl(crawler, source=source, run_id=snapshot.run_id, recorder=link)
    process.start()
    link.end(list(getattr(crawler.spider, "list_errors", [])), fatal[0] if fatal else None)
    link.close()
    conn.close()
    quick_exit(0)  # everything is sent; the store side goes on without waiting for Scrapy's tear-down
