"""Everything that crosses the pipe between a crawl's fetch process and its crawl (store) process.

Declared in one place so that both ends read the same names: the fetch
process (crawl.fetcher_process) sends ``ToStore`` messages and receives
``ToFetcher`` ones; the crawl process (crawl.store_process.intake) the
reverse.  Plain dataclasses, pickled by ``multiprocessing``: this module must
stay light, the fetch process imports it before Scrapy and never imports the
database code.

The order of a crawl:  crawl process → ``Known`` (once, first);
fetch process → ``FetchAttempt`` / ``ListValidators`` / ``ReleaseToStore``
(any number, in the order they happen); crawl process → ``Stored`` for each
``ReleaseToStore``; fetch process → ``SpiderClosed`` (last; nothing follows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.release import FetchRow, Release, Validators


@dataclass
class Snapshot:
    """What the spider asks storage during a crawl, read once before it starts."""

    run_id: int
    source_name: str
    known: dict[str, datetime] = field(default_factory=dict)
    known_attachments: set[str] = field(default_factory=set)
    validators: dict[str, Validators] = field(default_factory=dict)
    catch_up: bool = False


# ---- crawl process → fetch process ---------------------------------------------------------------


@dataclass(slots=True)
class Known:
    """The first message: what storage knows, so the spider can skip and ask conditionally."""

    snapshot: Snapshot


@dataclass(slots=True)
class Stored:
    """Release number ``n`` is stored (or not): its status, new / changed / unchanged / failed."""

    n: int
    status: str


# ---- fetch process → crawl process ---------------------------------------------------------------


@dataclass(slots=True)
class FetchAttempt:
    """One request attempt for the fetch log, with the response to archive (WARC) when there was one."""

    row: FetchRow
    status: int | None = None
    headers: list[tuple[str, str]] | None = None
    body: bytes | None = None


@dataclass(slots=True)
class ListValidators:
    """A list page read successfully: its validators, for conditional requests next time."""

    url: str
    etag: str | None
    last_modified: str | None


@dataclass(slots=True)
class ReleaseToStore:
    """Release number ``n`` (numbered per crawl), answered with ``Stored(n, …)``."""

    n: int
    release: Release


@dataclass(slots=True)
class SpiderClosed:
    """The spider closed: the list errors it collected and, if it ended early, why."""

    list_errors: list[str]
    fatal: str | None


ToFetcher = Known | Stored
ToStore = FetchAttempt | ListValidators | ReleaseToStore | SpiderClosed


# ---- a batch: one pipe carries every source's messages, each tagged with its run id -------------------


@dataclass(slots=True)
class NoMore:
    """Crawl process → fetch process, in a batch: no source will start after those already sent ``Known``."""


Tagged = tuple[int, "ToFetcher | ToStore | NoMore"]  # (run id of the source, message): a batch's pipe carries these
