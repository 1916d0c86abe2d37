"""A crawled release: what the spider hands over, the pipe carries and the pipeline stores.

Why typed and in the base layer: the spider (fetch process) builds it, the
crawl process receives it over a pipe and the pipeline reads it; a dataclass
names its fields once for all three, where a dict's dozen keys were implicit
and spelt in four modules.  Plain data only (no pydantic): it is built for
every page and pickled across the pipe, so it must stay cheap and import
nothing heavy into the fetch process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

Validators = tuple[str | None, str | None]
"""(ETag, Last-Modified) as the server sent them; either may be missing."""


@dataclass(slots=True)
class AttachmentPayload:
    """One file linked from a release's page, as fetched (or why not)."""

    url: str
    label: str = ""
    data: bytes | None = None  # None after a 304 or an error
    content_type: str | None = None
    not_modified: bool = False  # the server answered 304: the stored extraction still holds
    validators: Validators | None = None
    error: str | None = None


@dataclass(slots=True)
class Release:
    """A detail page and its attachments, which travel and are versioned together.

    A revised PDF behind an unchanged page is still a change, so the pipeline
    sees a release whole.  ``body`` is None when there is nothing to read:
    ``error`` then says why, or ``not_modified`` says the page answered 304.
    """

    source: str
    url: str
    list_title: str | None = None
    list_date: str | None = None
    body: bytes | None = None
    declared_encoding: str | None = None  # charset from the Content-Type header, if any
    status: int | None = None
    attachments: list[AttachmentPayload] = field(default_factory=list)
    validators: Validators | None = None
    not_modified: bool = False
    error: str | None = None

    @property
    def payload_bytes(self) -> int:
        """Bytes of page and files it carries: what the crawl's in-flight budget counts."""
        return len(self.body or b"") + sum(len(a.data or b"") for a in self.attachments)


class FetchRow(TypedDict, total=False):
    """One request attempt as the fetch-log middleware sees it: ``storage.models.FetchLog``'s fields.

    A TypedDict, not a dataclass: the crawl process turns it into a
    ``FetchLog(**row)`` as it is, and half its keys are absent on errors.
    """

    run_id: int | None
    source_name: str
    url: str
    method: str
    status: int | None
    bytes: int
    duration_ms: float | None
    content_type: str | None
    content_hash: str | None
    error: str | None
    end_of_list: bool  # a guessed list page past the last one (404/410): the list's end, not a failure
