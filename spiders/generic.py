"""One spider for every site: behaviour comes from the source's YAML, not from code.

List pages (HTML, JSON API, feed or sitemap) → pagination → detail pages →
attachments.  A detail page and its attachments travel together as one item,
so the pipeline versions a release as a whole (a revised PDF behind an
unchanged page is still a change).

Recrawls are incremental: list pages and known pages are fetched with
conditional headers (a 304 costs a few hundred bytes), paging stops after
``overlap_pages`` pages of only known items, and known detail pages are
re-checked only every ``recheck_after_days``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import regex
import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from core.release import AttachmentPayload, Release
from core.sources import MATCH_TIMEOUT, SourceConfig, compile_pattern
from spiders.listing import ListEntry, ListFormatError, read_entries, read_sitemap
from spiders.pagination import GUESSED, ListPage, NextPage, is_end_of_list, next_page
from spiders.storage_link import StorageLink

log = logging.getLogger(__name__)


class GenericSpider(scrapy.Spider):
    """Crawl one source as described by its ``SourceConfig``."""

    name = "generic"

    def __init__(self, source: SourceConfig, recorder: StorageLink, run_id: int | None = None, **kwargs: Any):
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.recorder = recorder
        self.run_id = run_id
        self.attachment_re = compile_pattern(source.attachment_pattern, regex.IGNORECASE)
        self.include = [compile_pattern(p) for p in source.include_patterns]
        self.exclude = [compile_pattern(p) for p in source.exclude_patterns]
        self.list_errors: list[str] = []
        self._cookies: dict[str | bytes, str | bytes | bool | float | int] = {k: v for k, v in source.cookies.items()}
        self.known_streak: dict[str, int] = {}
        self.list_seen: dict[str, set[str]] = {}  # entry URLs read so far on each list (by its first URL)
        self.skipped_known = 0
        # List pages may be fetched conditionally only when no known page is due for a re-check:
        # a 304 list hides the entries we would have re-checked.
        self.list_conditional = (
            not recorder.catch_up
            and source.incremental.recheck_after_days > 0
            and not any(self._due_for_recheck(u) for u in recorder.known)
        )
        if recorder.catch_up:
            log.warning("source %s: the previous crawl did not finish; reading every list page this time", source.name)
        if not source.politeness.obey_robots:
            log.warning("source %s ignores robots.txt (politeness.obey_robots: false)", source.name)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "GenericSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._request_dropped, signal=scrapy.signals.request_dropped)
        crawler.signals.connect(spider._callback_raised, signal=scrapy.signals.spider_error)
        return spider

    def _callback_raised(self, failure: Failure, response: Response, spider: Any = None) -> None:
        """A callback that raises loses its release; Scrapy only logs it, so the run would say ok with 0 errors."""
        self.list_errors.append(f"{response.url}: {type(failure.value).__name__}: {failure.value}; the release was not stored")

    def _request_dropped(self, request: Request, spider: Any = None) -> None:
        """A redirect back to a URL this crawl already requested is dropped by the duplicate filter
        without any callback; say so against the page that started the chain."""
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        if request.meta.get(GUESSED) and request.callback == self.parse_list:
            # index_9.html → index.html: the site sends a guessed page past the last one back to a page already read.
            log.info("source %s: list ends before %s (redirected to %s)", self.source.name, chain[0], request.url)
            return
        why = "redirect loop" if request.url in chain else "redirected to a URL this crawl already requested"
        self.list_errors.append(f"{chain[0]}: {why} ({' -> '.join([*chain, request.url])}); not followed")

    # ---- requests -----------------------------------------------------------------------------
    def _request(self, url: str, callback: Any, errback: Any, *, conditional: bool, **kwargs: Any) -> Request:
        headers = dict(self.source.headers)
        meta = kwargs.pop("meta", {})
        if conditional and self.source.incremental.conditional_requests:
            etag, modified = self.recorder.validators.get(url, (None, None))
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            meta["handle_httpstatus_list"] = [304]
        return Request(url, callback=callback, errback=errback, headers=headers, cookies=dict(self._cookies), meta=meta, **kwargs)

    def _list_request(self, url: str, page: int, first: str, *, guessed: bool = False) -> Request:
        kwargs: dict[str, Any] = {"meta": {GUESSED: True}} if guessed else {}
        api = self.source.api
        if self.source.format == "json" and api is not None and api.method == "POST":
            n = self.source.pagination.start + (page - 1) * self.source.pagination.step
            kwargs["method"] = "POST"
            kwargs["body"] = (api.body or "").replace("{n}", str(n))
            kwargs["headers_extra"] = {"Content-Type": api.content_type}
        extra = kwargs.pop("headers_extra", {})
        req = self._request(
            url,
            self.parse_list,
            self.list_failed,
            conditional=self.list_conditional,
            cb_kwargs={"page": page, "first": first},
            dont_filter=page > 1 and kwargs.get("method") == "POST",
            **kwargs,
        )
        for k, v in extra.items():
            req.headers[k] = v
        return req

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.start_urls:
            yield self._list_request(url, 1, url)

    # ---- list pages -------------------------------------------------------------------------
    def parse_list(self, response: Response, page: int, first: str) -> Iterator[Request]:
        if response.status == 304:
            return  # list unchanged since the last crawl: nothing new on it, nor behind it
        if self.source.format == "sitemap":
            _entries, children = read_sitemap(response)
            for child in children[: self.source.pagination.max_pages]:
                yield self._request(
                    child,
                    self.parse_list,
                    self.list_failed,
                    conditional=self.list_conditional,
                    cb_kwargs={"page": page + 1, "first": first},
                )
        try:
            entries = read_entries(response, self.source)
        except ListFormatError as exc:
            self.list_errors.append(f"{response.url}: {exc}")
            return
        if not entries:
            if page == 1 and self.source.format != "sitemap":
                what = self.source.list.item if self.source.list else (self.source.api.items if self.source.api else "items")
                self.list_errors.append(f"{response.url}: list selector {what!r} matched nothing")
            return
        seen = self.list_seen.setdefault(first, set())
        if page > 1 and all(entry.url in seen for entry in entries):
            # Only entries read on earlier pages: the site answers a page number past the end with its first
            # (or last) page again.  The list ends here.
            log.info("source %s: list ends before %s (it repeats entries already read)", self.source.name, response.url)
            return
        seen.update(entry.url for entry in entries)
        reached_known = False
        for entry in entries:
            if not self._wanted(entry):
                continue
            known = entry.url in self.recorder.known
            reached_known = reached_known or known
            if known and not self._due_for_recheck(entry.url):
                self.skipped_known += 1
                continue
            yield self._request(
                entry.url,
                self.parse_detail,
                self.detail_failed,
                conditional=known,
                cb_kwargs={"list_title": entry.title, "list_date": entry.date},
            )
        self.recorder.remember(response)
        # Lists run newest first: once a page reaches items we already hold, older pages hold only
        # known items.  overlap_pages > 1 tolerates sites that pin old items to the top.
        if reached_known and self.source.incremental.stop_when_known and not self.recorder.catch_up:
            streak = self.known_streak.get(first, 0) + 1
            self.known_streak[first] = streak
            if streak >= self.source.incremental.overlap_pages:
                return  # the rest of the list is older and already known
        else:
            self.known_streak[first] = 0
        nxt = self._next_page(response, page, first)
        if nxt:
            yield self._list_request(nxt.url, page + 1, first, guessed=nxt.guessed)

    def _wanted(self, entry: ListEntry) -> bool:
        if urlsplit(entry.url).scheme not in ("http", "https"):
            # javascript:/mailto:/data: links are page furniture, not releases; Scrapy would even
            # "download" a data: URI and store its payload as a document.
            log.info("source %s: skipped non-http list link %.200s", self.source.name, entry.url)
            return False
        if self.include and not any(self._search(p, entry.url, "include_patterns") for p in self.include):
            return False
        if any(self._search(p, entry.url, "exclude_patterns", timed_out=True) for p in self.exclude):
            return False
        if self.source.max_age_days and entry.date:
            from pipeline.dates import parse_cn_date

            when = parse_cn_date(entry.date)
            if when and when < date.today() - timedelta(days=self.source.max_age_days):
                return False
        return True

    def _search(self, pattern: Any, text: str, field: str, *, timed_out: bool = False) -> bool:
        """One match with a time limit; a pattern that runs too long is reported against itself, and ``timed_out`` is the answer."""
        try:
            return pattern.search(text, timeout=MATCH_TIMEOUT) is not None
        except TimeoutError:
            self.list_errors.append(
                f"{text[:200]}: {field} pattern {pattern.pattern[:200]!r} took longer than {MATCH_TIMEOUT} s "
                "on this URL (catastrophic backtracking?); simplify the pattern"
            )
            return timed_out

    def _due_for_recheck(self, url: str) -> bool:
        days = self.source.incremental.recheck_after_days
        last = self.recorder.known.get(url)
        if days == 0 or last is None:
            return True
        if last.tzinfo is None:
            last = last.replace(tzinfo=timezone.utc)
        return datetime.now(timezone.utc) - last >= timedelta(days=days)

    def _next_page(self, response: Response, page: int, first: str) -> NextPage | None:
        return next_page(ListPage(response, page, first, self.source.pagination, self.list_errors))

    def list_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        if is_end_of_list(request.meta, status):
            # A guessed page past the last of a list that does not state its length: the normal end (the fetch log
            # marks the row end_of_list).
            log.info("source %s: list ends before %s (HTTP %s)", self.source.name, request.url, status)
            return
        # A 404 on a page the site announced (a next link, a page count) or on the first page is an error.
        self.list_errors.append(f"{request.url}: {_failure_text(failure)}")

    # ---- detail pages and attachments -------------------------------------------------------
    def parse_detail(self, response: Response, list_title: str | None, list_date: str | None) -> Iterator[Any]:
        if response.status == 304:
            item = self._item(response.url, list_title, list_date)
            item.not_modified = True
            yield item
            return
        if not response.body.strip():
            yield self._item(response.url, list_title, list_date, error=f"empty page ({len(response.body)} bytes)")
            return
        if not isinstance(response, TextResponse) or not _looks_like_html(response):
            ctype = (response.headers.get("Content-Type") or b"").decode(errors="replace")
            yield self._item(response.url, list_title, list_date, error=f"not an HTML page (Content-Type {ctype or 'missing'})")
            return
        item = self._item(response.url, list_title, list_date)
        item.body = response.body
        item.declared_encoding = _header_charset(response)
        item.status = response.status
        item.validators = _validators(response)
        links: list[tuple[str, str]] = []
        seen: set[str] = set()
        for a in response.css("a[href]"):
            href = link_href(a.attrib.get("href") or "")
            if not href or href.startswith("#"):
                continue
            try:
                url = response.urljoin(href)
                parts = urlsplit(url)
            except ValueError as exc:  # e.g. an unclosed [IPv6 bracket
                self.list_errors.append(f"{response.url}: warning: link {href[:200]!r} is not a valid URL ({exc}); skipped")
                continue
            if url in seen or not self._search(
                self.attachment_re, parts.path + ("?" + parts.query if parts.query else ""), "attachment_pattern"
            ):
                continue
            if parts.scheme not in ("http", "https") or not parts.hostname:
                # javascript:void(0)//a.pdf, tel:010-12345.pdf: looks like an attachment, cannot be fetched
                self.list_errors.append(
                    f"{response.url}: warning: attachment link {href[:200]!r} is not an http(s) URL; stored the release without it"
                )
                continue
            seen.add(url)
            label = " ".join(t.strip() for t in a.css("::text").getall() if t.strip())
            links.append((url, label))
        yield from self._next_attachment(item, links)

    def _next_attachment(self, item: Release, pending: list[tuple[str, str]]) -> Iterator[Any]:
        if not pending:
            yield item
            return
        (url, label), rest = pending[0], pending[1:]
        try:
            request = self._request(
                url,
                self.parse_attachment,
                self.attachment_failed,
                conditional=url in self.recorder.known_attachments,
                cb_kwargs={"item": item, "pending": rest, "label": label},
                dont_filter=True,  # two releases may share one attachment; each must get it
                priority=10,  # finish releases already started before opening new ones
            )
        except ValueError as exc:  # a URL Scrapy cannot request: note it, keep the release and its other attachments
            self.list_errors.append(f"{item.url}: warning: attachment {url[:200]!r} cannot be requested ({exc}); skipped")
            yield from self._next_attachment(item, rest)
            return
        yield request

    def parse_attachment(self, response: Response, item: Release, pending: list[tuple[str, str]], label: str) -> Iterator[Any]:
        item.attachments.append(
            AttachmentPayload(
                url=response.url,
                label=label,
                data=None if response.status == 304 else response.body,
                not_modified=response.status == 304,
                content_type=(response.headers.get("Content-Type") or b"").decode("latin-1") or None,
                validators=_validators(response),
            )
        )
        yield from self._next_attachment(item, pending)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        kw["item"].attachments.append(AttachmentPayload(url=_original_url(request), label=kw["label"], error=_failure_text(failure)))
        yield from self._next_attachment(kw["item"], kw["pending"])

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        yield self._item(_original_url(request), kw.get("list_title"), kw.get("list_date"), error=_failure_text(failure))

    def _item(self, url: str, list_title: str | None, list_date: str | None, error: str | None = None) -> Release:
        return Release(source=self.source.name, url=url, list_title=list_title, list_date=list_date, error=error)


_URL_JUNK = re.compile(r"[\t\n\r]")


def link_href(raw: str) -> str:
    """An href as a browser reads it (WHATWG URL): entities decoded, tab/CR/LF removed, leading/trailing C0 and spaces stripped.

    ``java&#9;script:`` and ``JavaScript:`` are both ``javascript:`` to a
    browser; checking the raw attribute let them past the scheme filter.
    """
    href = _URL_JUNK.sub("", html.unescape(raw)).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    scheme, colon, rest = href.partition(":")
    if colon and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        href = scheme.lower() + ":" + rest
    return href


def _looks_like_html(response: TextResponse) -> bool:
    """Binary served as text/html is not a page; sniff the first bytes instead of trusting the header.

    Known magic numbers first; otherwise control bytes (NUL and friends, never in text in any
    charset a site might use, UTF-16 aside) in the first kilobyte mark random binary.
    """
    head = response.body[:1024].lstrip()
    if head.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"GIF8", b"\xff\xd8")):
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a BOM is full of NULs and still text
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def _validators(response: Response) -> tuple[str | None, str | None]:
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    return (etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None)


def _header_charset(response: Response) -> str | None:
    ctype = (response.headers.get("Content-Type") or b"").decode("latin-1")
    m = re.search(r"charset=([\w-]+)", ctype, re.I)
    return m.group(1) if m else None


def _original_url(request: Request) -> str:
    """The URL the spider asked for; after redirects ``request.url`` is the last hop."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


# Twisted/Scrapy errors that arrive without a message of their own.
_SILENT_ERRORS = {
    "DownloadCancelledError": "download cancelled: the body grew larger than the download size cap (RADAR_MAX_ATTACHMENT_BYTES)",
    "ResponseDataLossError": "connection closed before the whole body arrived (Content-Length not met)",
    "ResponseFailed": "connection lost while reading the response",
}


def _failure_text(failure: Failure) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    name = failure.type.__name__ if failure.type else "Error"
    message = failure.getErrorMessage().strip()
    if not message or message == "[]":
        message = _SILENT_ERRORS.get(name, "no details given")
    return f"{name}: {message}"
