"""Live progress of crawls and digests: counted in the crawl process, shown by the CLI.

`radar crawl` was silent until the end: 19 s on the demo, minutes on real
sites with a 2 s delay, with nothing to tell a hung crawl from a slow one.
The crawl process already sees every fetch and every stored release on its
pipe from the fetch process; ``CrawlCounter`` counts them there and sends a
small snapshot to the parent (at most a few per second) on a one-way pipe
the runner opens for it.  ``CrawlProgressView`` shows the snapshots: a live
rich table on a terminal, a plain log line every few seconds otherwise (cron,
CI, `| tee`), so logs do not fill with redraws.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

SEND_EVERY = 0.25  # seconds between snapshots from the crawl process
LOG_EVERY = 5.0  # seconds between plain log lines without a terminal


@dataclass
class CrawlProgress:
    """What one crawl has done so far."""

    source: str
    pages: int = 0  # responses received (list pages, detail pages, attachments), including failures
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0  # requests answered >= 400 or not at all (not a list's end), plus releases that could not be stored
    current_url: str = ""
    elapsed: float = 0.0
    finished: bool = False
    status: str = ""  # the run's status once finished: ok / failed / skipped

    def line(self) -> str:
        state = "完成" if self.finished else "抓取中"
        tail = f" · 当前 {self.current_url}" if self.current_url and not self.finished else ""
        return (
            f"{self.source} {state}：{self.pages} 页，新增 {self.new}，更新 {self.changed}，未变 {self.unchanged}，"
            f"错误 {self.errors}，{self.elapsed:.0f} 秒{tail}"
        )


class CrawlCounter:
    """Counts in the crawl process (fed by crawl.store_process.intake) and sends snapshots to the parent, rate-limited.

    Fed from the intake loop and from store callbacks on other threads, hence the lock.
    A dead or closed pipe only stops the reports, never the crawl.
    """

    def __init__(self, source: str, conn: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self.progress = CrawlProgress(source)
        self.conn = conn
        self.clock = clock
        self.started = clock()
        self.last_sent = 0.0
        self.lock = threading.Lock()

    def fetched(self, url: str, status: int | None, error: str | None, end_of_list: bool = False) -> None:
        with self.lock:
            self.progress.pages += 1
            self.progress.current_url = url
            if not end_of_list and (error or (status is not None and status >= 400)):
                self.progress.errors += 1
        self._maybe_send()

    def stored(self, status: str) -> None:
        with self.lock:
            if status in ("new", "changed", "unchanged"):
                setattr(self.progress, status, getattr(self.progress, status) + 1)
            elif status == "failed":
                self.progress.errors += 1
        self._maybe_send()

    def finish(self) -> None:
        self._maybe_send(force=True)

    def _maybe_send(self, force: bool = False) -> None:
        now = self.clock()
        with self.lock:
            if not force and now - self.last_sent < SEND_EVERY:
                return
            self.last_sent = now
            self.progress.elapsed = now - self.started
            snapshot = asdict(self.progress)
        if self.conn is None:
            return
        try:
            self.conn.send(snapshot)
        except (OSError, ValueError, BrokenPipeError):
            self.conn = None  # the parent stopped listening; the crawl goes on


def finished(result: Any, elapsed: float) -> CrawlProgress:
    """The last line of a crawl, from its closed run record (crawl.runner.CrawlResult): the numbers that were stored."""
    return CrawlProgress(
        result.source,
        pages=result.requests,
        new=result.new,
        changed=result.changed,
        unchanged=result.unchanged,
        errors=result.errors,
        elapsed=elapsed,
        finished=True,
        status=result.status,
    )


def drain(conn: Any, on_progress: Callable[[CrawlProgress], None]) -> None:
    """Hand every snapshot waiting on ``conn`` to ``on_progress`` (called by the runner while it waits)."""
    try:
        while conn.poll():
            on_progress(CrawlProgress(**conn.recv()))
    except (EOFError, OSError):
        pass


@dataclass
class CrawlProgressView:
    """Shows crawl progress: a live table on a terminal, a log line every LOG_EVERY seconds otherwise."""

    console: Console = field(default_factory=lambda: Console(stderr=True))
    live_display: bool | None = None  # None: live when the console is a terminal
    rows: dict[str, CrawlProgress] = field(default_factory=dict)
    _live: Live | None = None
    _last_log: dict[str, float] = field(default_factory=dict)

    def __enter__(self) -> "CrawlProgressView":
        live = self.console.is_terminal if self.live_display is None else self.live_display
        if live:
            self._live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(et, ev, tb)
            self._live = None

    def update(self, p: CrawlProgress) -> None:
        self.rows[p.source] = p
        if self._live is not None:
            self._live.update(self._table())
            return
        now = time.monotonic()
        first = p.source not in self._last_log
        if first or p.finished or now - self._last_log[p.source] >= LOG_EVERY:
            self._last_log[p.source] = now
            self.console.print(p.line(), highlight=False, soft_wrap=True)

    def _table(self) -> Table:
        table = Table(title="抓取进度 / crawl progress", expand=False)
        for col in ("来源", "状态", "页面", "新增", "更新", "未变", "错误", "用时", "当前 URL"):
            table.add_column(col, overflow="ellipsis", no_wrap=col == "当前 URL", max_width=60 if col == "当前 URL" else None)
        for p in self.rows.values():
            state = ("完成" if p.status != "failed" else "[red]失败[/]") if p.finished else "[cyan]抓取中[/]"
            table.add_row(
                p.source,
                state,
                str(p.pages),
                str(p.new),
                str(p.changed),
                str(p.unchanged),
                f"[red]{p.errors}[/]" if p.errors else "0",
                f"{p.elapsed:.0f} s",
                "" if p.finished else p.current_url,
            )
        return table


class DigestProgressView:
    """`radar digest`: sent / total as mails go out (a bar on a terminal, a line every few seconds otherwise)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._bar: Any = None
        self._task: Any = None
        self._last = 0.0

    def __enter__(self) -> "DigestProgressView":
        if self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("发送摘要"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=self.console, transient=True
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("digest", total=None)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(et, ev, tb)

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)
            return
        now = time.monotonic()
        if done == total or now - self._last >= LOG_EVERY:
            self._last = now
            self.console.print(f"摘要发送进度 / digest progress: {done}/{total}", highlight=False)
