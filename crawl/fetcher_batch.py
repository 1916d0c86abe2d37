"""The fetch process of a batch: one Scrapy process, one crawler per source, one pipe to the store side.

Why one crawler per source in one ``CrawlerProcess``, not one spider carrying
every source: a Scrapy ``Crawler`` has its own settings, downloader, slots,
robots.txt middleware, AutoThrottle, scheduler and stats, so each source
keeps its politeness (delay, concurrency, robots, throttling), its spider
state and its ``closespider`` time limit exactly as when it crawls alone, and
one source's failure closes only its own crawler.  One spider over many
sources would have to re-implement all of that per source.  What the
crawlers share is what made a crawl expensive: the interpreter, the imports
of Scrapy and Twisted, and the reactor.

The store side (crawl.store_process.batch) decides when a source starts: it
sends ``Known`` for it, tagged with its run id, and this process starts that
source's crawler at once.  ``NoMore`` says nothing else will start; the
process ends when its last crawler has closed.  Each crawler talks to the
store side through the same ``StoreLink`` as a lone crawl, over a
``Channel``: a per-source view of the one pipe.
"""

from __future__ import annotations

import logging
import queue
import threading
from multiprocessing.connection import Connection
from typing import Any

from crawl.fetcher_process import StoreLink
from crawl.pipe import Known, NoMore, Snapshot, SpiderClosed

log = logging.getLogger(__name__)


def _reactor() -> Any:
    """The installed Twisted reactor (typed loosely: its interfaces are not visible to mypy)."""
    from twisted.internet import reactor

    return reactor


class Channel:
    """One source's end of the batch's pipe, shaped like a ``Connection`` for its ``StoreLink``."""

    def __init__(self, conn: Connection, key: int, send_lock: threading.Lock) -> None:
        self._conn = conn
        self._key = key
        self._send_lock = send_lock
        self.inbox: queue.Queue[Any] = queue.Queue()

    def send(self, message: Any) -> None:
        with self._send_lock:  # several sources' sender threads write to one pipe
            self._conn.send((self._key, message))

    def recv(self) -> Any:
        message = self.inbox.get()
        if message is None:
            raise EOFError("this source's crawl has ended")
        return message

    def close(self) -> None:
        self.inbox.put(None)


def start_batch_fetch_process(jobs: dict[int, tuple[dict[str, Any], dict[str, Any]]], base_cfg: dict[str, Any]) -> tuple[Any, Connection]:
    """Spawn the batch's fetch process; (process, this end of its pipe).  ``jobs``: run id → (source, Scrapy settings)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=True)
    fetcher = ctx.Process(target=fetch_batch_main, args=(there, jobs, base_cfg), name=f"fetch-batch-{len(jobs)}", daemon=True)
    fetcher.start()
    there.close()
    return fetcher, here


class BatchFetcher:
    """Starts a crawler per ``Known``, routes the store side's answers to the right source, stops when all are done."""

    def __init__(self, conn: Connection, jobs: dict[int, tuple[dict[str, Any], dict[str, Any]]], process: Any) -> None:
        self.conn = conn
        self.jobs = jobs
        self.process = process
        self.channels: dict[int, Channel] = {}
        self.no_more = False
        self.running = 0
        self._stopping = False
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="batch-replies", daemon=True)

    def run(self) -> None:
        reactor = _reactor()
        self._reader.start()
        reactor.callWhenRunning(self._maybe_stop)
        self.process.start(stop_after_crawl=False)

    def _read(self) -> None:
        reactor = _reactor()
        while True:
            try:
                key, message = self.conn.recv()
            except (EOFError, OSError):
                # The store side is gone: nothing will be stored; every crawl here ends.
                for channel in list(self.channels.values()):
                    channel.close()
                reactor.callFromThread(self._stop_now)
                return
            if isinstance(message, Known):
                reactor.callFromThread(self._start, key, message.snapshot)
            elif isinstance(message, NoMore):
                reactor.callFromThread(self._no_more)
            else:
                target = self.channels.get(key)
                if target is not None:
                    target.inbox.put(message)

    def _no_more(self) -> None:
        self.no_more = True
        self._maybe_stop()

    def _maybe_stop(self) -> None:
        if self.no_more and self.running == 0:
            self._stop_now()

    def _stop_now(self) -> None:
        reactor = _reactor()
        if reactor.running and not self._stopping:  # stop() twice raises, and running stays true until it has stopped
            self._stopping = True
            reactor.stop()

    def _start(self, key: int, snapshot: Snapshot) -> None:
        """The reactor thread: start one source's crawler; any failure to start ends that source alone."""
        from scrapy import signals
        from scrapy.crawler import Crawler

        from core.sources import SourceConfig
        from spiders.generic import GenericSpider

        channel = Channel(self.conn, key, self._send_lock)
        self.channels[key] = channel
        self.running += 1
        source_data, scrapy_cfg = self.jobs[key]
        fatal: list[str] = []
        try:
            source = SourceConfig.model_validate(source_data)
            link = StoreLink(channel, snapshot)  # type: ignore[arg-type]  # a Channel speaks Connection's send/recv
            crawler = Crawler(GenericSpider, scrapy_cfg)

            def _closed(spider: Any, reason: str) -> None:
                if reason != "finished":
                    fatal.append(f"crawl closed early: {reason}")

            crawler.signals.connect(_closed, signal=signals.spider_closed, weak=False)  # a local function: held here, not weakly
            done = self.process.crawl(crawler, source=source, run_id=snapshot.run_id, recorder=link)
        except Exception as exc:  # this source's run fails; the batch goes on
            log.exception("the crawl of run %s could not start", key)
            channel.send(SpiderClosed([], f"crawl could not start: {type(exc).__name__}: {exc}"))
            self._finished(key, None)
            return

        def _ended(outcome: Any) -> None:
            if outcome is not None and hasattr(outcome, "getErrorMessage"):  # a Failure: the crawler raised
                fatal.append(f"crawl failed: {outcome.getErrorMessage()}")
            list_errors = list(getattr(crawler.spider, "list_errors", []))
            # Sent from a thread: closing the link waits until its queued messages are through the pipe.
            threading.Thread(target=self._hand_over, args=(key, link, list_errors, fatal[0] if fatal else None), daemon=True).start()

        done.addBoth(_ended)

    def _hand_over(self, key: int, link: StoreLink, list_errors: list[str], fatal: str | None) -> None:
        reactor = _reactor()
        link.end(list_errors, fatal)
        link.close()
        reactor.callFromThread(self._finished, key, link)

    def _finished(self, key: int, link: StoreLink | None) -> None:
        channel = self.channels.pop(key, None)
        if channel is not None:
            channel.close()  # the link's reply reader ends
        self.running -= 1
        self._maybe_stop()


def fetch_batch_main(conn: Connection, jobs: dict[int, tuple[dict[str, Any], dict[str, Any]]], base_cfg: dict[str, Any]) -> None:
    """Entry point of a batch's fetch process (spawned by crawl.store_process.batch)."""
    from core.childproc import exit_with_parent, few_malloc_arenas, forget_main, name_process, quick_exit

    name_process("radar-fetch")
    few_malloc_arenas()
    exit_with_parent()
    forget_main()
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings as ScrapySettings
    from scrapy.utils.reactor import install_reactor

    process = CrawlerProcess(settings=base_cfg)
    # Installed here, once, before anything imports twisted.internet.reactor: the crawlers are built later
    # (one per source, as each starts) and only check that the reactor their settings ask for is the one running.
    defaults = ScrapySettings(base_cfg)
    install_reactor(defaults["TWISTED_REACTOR"], defaults["ASYNCIO_EVENT_LOOP"])
    import spiders.generic  # noqa: F401 - imported while the store side reads storage, not when the first source starts

    BatchFetcher(conn, jobs, process).run()
    conn.close()
    quick_exit(0)
