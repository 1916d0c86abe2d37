"""Exponential backoff between retries.

Scrapy's RetryMiddleware re-queues a failed request at once; against a
struggling government server that is the worst moment to ask again.  This
middleware delays each retry by ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds
(capped), without blocking other requests.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.http import Request


class RetryBackoffMiddleware:
    """Downloader middleware: sleep before sending a request that is a retry."""

    def __init__(self, base: float, cap: float):
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RetryBackoffMiddleware":
        return cls(crawler.settings.getfloat("RETRY_BACKOFF_BASE", 1.0), crawler.settings.getfloat("RETRY_BACKOFF_MAX", 60.0))

    async def process_request(self, request: Request, spider: Any = None) -> None:
        attempt = request.meta.get("retry_times", 0)
        if attempt > 0 and self.base > 0:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (attempt - 1)))
        return None
