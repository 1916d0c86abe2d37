"""The fetch process: Scrapy and the spider, in a process of their own, handing everything to the store side.

Why a second process: one interpreter runs one thread of Python at a time.
Scrapy's reactor alone keeps a core busy at full speed, and storing a release
(extraction, classification, ORM writes, the search index) is another ~9 ms
of Python each; in one process they took turns and the crawl ran at a
quarter of raw fetching speed on two cores.  Here the spider fetches while
the crawl process (spiders.intake) stores, each on its own core.

This process imports Scrapy and no database code, so it stays small; it
learns what storage knows (known URLs, validators) from the first message,
and sends fetch-log rows, list validators and releases back over one pipe.
A release's ``process_item`` waits until the store side has stored it, so
Scrapy's item limit bounds how many releases are in flight, as before.
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

# Messages, fetch process → store side:
#   ("fetch", row: dict, status, headers, body)   one request attempt (FetchLog fields)
#   ("validators", url, etag, last_modified)      a list page read successfully
#   ("item", n, item)                             a release to store; answered with ("stored", n, status)
#   ("end", list_errors, fatal)                   the spider closed; nothing follows
# Store side → fetch process: ("known", Snapshot) once, first; then ("stored", n, status) per release.


@dataclass
class Snapshot:
    """What the spider asks storage during a crawl, read once before it starts."""

    run_id: int
    source_name: str
    known: dict[str, datetime] = field(default_factory=dict)
    known_attachments: set[str] = field(default_factory=set)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    catch_up: bool = False


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
        self._send_lock = threading.Lock()
        self._numbers = itertools.count()
        self._waiting: dict[int, Future[str]] = {}
        self._reader = threading.Thread(target=self._read, name="store-replies", daemon=True)
        self._reader.start()

    def _send(self, message: tuple[Any, ...]) -> None:
        with self._send_lock:
            self.conn.send(message)

    def log_fetch(self, row: dict[str, Any], status: int | None = None, headers: list[tuple[str, str]] | None = None,
                  body: bytes | None = None) -> None:
        self._send(("fetch", row, status, headers, body))

    def remember(self, response: Any) -> None:
        """Keep a list page's validators once it has been read successfully."""
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        etag_s, modified_s = (etag.decode("latin-1") if etag else None), (modified.decode("latin-1") if modified else None)
        if (etag_s or modified_s) and self.validators.get(response.url) != (etag_s, modified_s):
            self.validators[response.url] = (etag_s, modified_s)
            self._send(("validators", response.url, etag_s, modified_s))

    def submit_item(self, item: dict[str, Any]) -> "Future[str]":
        """Send a release to the store side; the future gives its status once it is stored (or not)."""
        n = next(self._numbers)
        done: Future[str] = Future()
        self._waiting[n] = done
        self._send(("item", n, item))
        return done

    def end(self, list_errors: list[str], fatal: str | None) -> None:
        self._send(("end", list_errors, fatal))

    def _read(self) -> None:
        while True:
            try:
                tag, n, status = self.conn.recv()
            except (EOFError, OSError):
                # The store side is gone (killed): nothing will be stored; fail what waits, the crawl ends.
                for fut in list(self._waiting.values()):
                    if not fut.done():
                        fut.set_exception(RuntimeError("the store side of the crawl is gone"))
                return
            if tag == "stored":
                fut = self._waiting.pop(n, None)
                if fut is not None:
                    fut.set_result(status)


def fetch_main(conn: Connection, source_data: dict[str, Any], scrapy_cfg: dict[str, Any]) -> None:
    """Entry point of the fetch process (spawned by spiders.intake)."""
    from radar.childproc import exit_with_parent, few_malloc_arenas, forget_main, name_process

    name_process("radar-fetch")
    few_malloc_arenas()  # before any thread starts
    exit_with_parent()  # the store side owns the run; without it nothing here may go on
    forget_main()
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from radar.sources import SourceConfig
    from spiders.generic import GenericSpider

    source = SourceConfig.model_validate(source_data)
    process = CrawlerProcess(settings=scrapy_cfg)  # imports Scrapy's components while the store side reads storage
    tag, snapshot = conn.recv()
    assert tag == "known"
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
    conn.close()
