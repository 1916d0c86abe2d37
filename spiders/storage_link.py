"""What the spider and its Scrapy components ask of the crawl's storage side.

Why a Protocol: the spider runs in the fetch process, which has no database;
its ``recorder`` there is crawl.fetcher_process.StoreLink, which answers from a
snapshot and forwards the rest over the pipe.  Declaring the interface here
keeps the spiders package below the crawl package that implements it.
"""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime
from typing import Any, Protocol

from core.release import FetchRow, Release, Validators


class StorageLink(Protocol):
    """The spider's view of storage during one crawl."""

    run_id: int
    source_name: str
    known: dict[str, datetime]  # release URL → when last seen
    known_attachments: set[str]
    validators: dict[str, Validators]
    catch_up: bool  # the previous crawl did not finish: read every list page

    def log_fetch(
        self, row: FetchRow, status: int | None = None, headers: list[tuple[str, str]] | None = None, body: bytes | None = None
    ) -> None: ...

    def remember(self, response: Any) -> None: ...

    def submit_item(self, item: Release) -> Future[str]: ...

    def room(self) -> Future[None]: ...
