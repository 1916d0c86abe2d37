"""One spider for every site: behaviour comes from the source's YAML, not from code.

List pages → pagination → detail pages → attachments.  A detail page and its
attachments travel together as one item, so the pipeline versions a release
as a whole (a revised PDF behind an unchanged page is still a change).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from radar.sources import SourceConfig


class GenericSpider(scrapy.Spider):
    """Crawl one source as described by its ``SourceConfig``."""

    name = "generic"

    def __init__(self, source: SourceConfig, recorder: Any, run_id: int | None = None, **kwargs: Any):
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.recorder = recorder
        self.run_id = run_id
        self.attachment_re = re.compile(source.attachment_pattern, re.IGNORECASE)
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in source.start_urls})
        self.list_errors: list[str] = []

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.start_urls:
            yield Request(url, callback=self.parse_list, errback=self.list_failed, cb_kwargs={"page": 1, "first": url})

    # ---- list pages -------------------------------------------------------------------------
    def parse_list(self, response: Response, page: int, first: str) -> Iterator[Request]:
        sel = self.source.list
        items = response.css(sel.item)
        if not items:
            # An empty list page is a broken selector or a changed site, not "nothing new".
            if page == 1:
                self.list_errors.append(f"{response.url}: list item selector {sel.item!r} matched nothing")
            return
        for item in items:
            href = item.css(sel.link).get()
            if not href:
                continue
            url = response.urljoin(href.strip())
            title = " ".join(t.strip() for t in item.css(sel.title).getall() if t.strip()) if sel.title else None
            date = " ".join(item.css(sel.date).getall()).strip() if sel.date else None
            yield Request(
                url,
                callback=self.parse_detail,
                errback=self.detail_failed,
                cb_kwargs={"list_title": title or None, "list_date": date or None},
            )
        nxt = self._next_page(response, page, first)
        if nxt:
            yield Request(nxt, callback=self.parse_list, errback=self.list_failed, cb_kwargs={"page": page + 1, "first": first})

    def _next_page(self, response: Response, page: int, first: str) -> str | None:
        pag = self.source.pagination
        if page >= pag.max_pages:
            return None
        if pag.type == "template" and pag.url_template:
            return urljoin(first, pag.url_template.format(n=pag.start + page - 1))
        if pag.type == "next" and pag.next_selector:
            href = response.css(pag.next_selector).get()
            return response.urljoin(href) if href else None
        return None

    def list_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        if request.cb_kwargs.get("page", 1) > 1 and status == 404:
            return  # ran past the last page of a template-paginated list: the normal end
        self.list_errors.append(f"{request.url}: {failure.getErrorMessage()}")

    # ---- detail pages and attachments -------------------------------------------------------
    def parse_detail(self, response: Response, list_title: str | None, list_date: str | None) -> Iterator[Any]:
        if not isinstance(response, scrapy.http.TextResponse):
            yield self._item(response.url, list_title, list_date, error=f"not an HTML page ({response.headers.get('Content-Type', b'').decode(errors='replace')})")
            return
        item = self._item(response.url, list_title, list_date)
        item["body"] = response.body
        item["declared_encoding"] = _header_charset(response)
        item["status"] = response.status
        links: list[tuple[str, str]] = []
        seen: set[str] = set()
        for a in response.css("a[href]"):
            href = (a.attrib.get("href") or "").strip()
            url = response.urljoin(href)
            if not self.attachment_re.search(urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")):
                continue
            if url in seen:
                continue
            seen.add(url)
            label = " ".join(t.strip() for t in a.css("::text").getall() if t.strip())
            links.append((url, label))
        yield from self._next_attachment(item, links)

    def _next_attachment(self, item: dict[str, Any], pending: list[tuple[str, str]]) -> Iterator[Any]:
        if not pending:
            yield item
            return
        (url, label), rest = pending[0], pending[1:]
        yield Request(
            url,
            callback=self.parse_attachment,
            errback=self.attachment_failed,
            cb_kwargs={"item": item, "pending": rest, "label": label},
            dont_filter=True,  # two releases may share one attachment; each must get it
            priority=10,  # finish releases already started before opening new ones
        )

    def parse_attachment(self, response: Response, item: dict[str, Any], pending: list, label: str) -> Iterator[Any]:
        item["attachments"].append(
            {
                "url": response.url,
                "label": label,
                "data": response.body,
                "content_type": response.headers.get("Content-Type", b"").decode("latin-1") or None,
                "error": None,
            }
        )
        yield from self._next_attachment(item, pending)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        kw["item"]["attachments"].append(
            {"url": request.url, "label": kw["label"], "data": None, "content_type": None, "error": _failure_text(failure)}
        )
        yield from self._next_attachment(kw["item"], kw["pending"])

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        yield self._item(request.url, kw.get("list_title"), kw.get("list_date"), error=_failure_text(failure))

    def _item(self, url: str, list_title: str | None, list_date: str | None, error: str | None = None) -> dict[str, Any]:
        return {
            "source": self.source.name,
            "url": url,
            "list_title": list_title,
            "list_date": list_date,
            "body": None,
            "declared_encoding": None,
            "status": None,
            "attachments": [],
            "error": error,
        }


def _header_charset(response: Response) -> str | None:
    ctype = response.headers.get("Content-Type", b"").decode("latin-1")
    m = re.search(r"charset=([\w-]+)", ctype, re.I)
    return m.group(1) if m else None


def _failure_text(failure: Failure) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{failure.type.__name__ if failure.type else 'Error'}: {failure.getErrorMessage()}"
