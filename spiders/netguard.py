"""Downloader middleware enforcing the address policy and the off-site redirect policy.

It runs before every request leaves, including each redirect hop (Scrapy's
RedirectMiddleware schedules the next hop as a new request that passes
through the whole chain again) and every attachment, so neither a list page
nor a redirect can point the crawler at a private address, and a detail page
redirected to a foreign site is refused instead of stored under the source.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from core.netpolicy import BlockedAddress, check_url
from core.sources import redirect_domains


class RefusedRequest(IgnoreRequest):
    """Raised for a refused request; the spider's errback records the message against the URL."""


class NetworkPolicyMiddleware:
    """Refuse non-public targets (unless the source opts in) and redirects off the source's domains."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "NetworkPolicyMiddleware":
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        source = self.crawler.spider.source
        if request.meta.get("redirect_urls"):
            domains = redirect_domains(source)
            if not _within(request.url, domains):
                raise RefusedRequest(
                    f"{request.meta['redirect_urls'][0]}: redirected off-site to {request.url} "
                    f"(allowed domains: {', '.join(domains)}; extend network.allowed_domains to follow it)"
                )
        try:
            # Name resolution blocks; keep it off the reactor thread.
            await asyncio.to_thread(check_url, request.url, source.network.allow_private)
        except BlockedAddress as exc:
            raise RefusedRequest(str(exc)) from exc
        return None


def _within(url: str, domains: list[str]) -> bool:
    """Host equal to one of ``domains`` or a subdomain of it (the port does not matter)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)
