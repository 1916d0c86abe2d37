"""A source's politeness delay, held across every process that crawls the same site.

Scrapy's DOWNLOAD_DELAY spaces the requests of one process only; two workers
crawling two sources on one host would each keep their own pace and together
hit it twice as often.  So before each request goes out, the process takes
the host's slot in Redis with ``SET key NX PX delay``: whoever sets the key
may send, everyone else waits for the key to expire.

It is a download handler, not a downloader middleware, on purpose: Scrapy
applies its own per-domain queue (concurrency, delay) *after* the
middlewares, so a slot taken in a middleware would not bound when requests
are actually sent.  The handler is the last step before the socket.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

log = logging.getLogger(__name__)

KEY_PREFIX = "radar:slot:"


class RedisSlots:
    """Per-host send slots shared through Redis; one holder per ``delay`` window."""

    def __init__(self, url: str, prefix: str = KEY_PREFIX):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self.token = uuid.uuid4().hex

    def try_take(self, host: str, delay: float) -> float:
        """0 when this process may send to ``host`` now; otherwise the seconds until the slot frees."""
        key = self.prefix + host
        if self.client.set(key, self.token, nx=True, px=max(1, int(delay * 1000))):
            return 0.0
        left = self.client.pttl(key)  # -2: expired between the two calls; take it on the next try
        return max(left, 1) / 1000.0


class SharedSlotDownloadHandler(HTTP11DownloadHandler):
    """HTTP(S) download that first waits for the host's shared politeness slot.

    Configured by RADAR_SLOT_REDIS_URL and RADAR_SLOT_DELAY (the source's
    politeness.delay) in the crawl's Scrapy settings.  If Redis cannot be
    reached the crawl goes on with Scrapy's per-process delay and says so.
    """

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        url = crawler.settings.get("RADAR_SLOT_REDIS_URL")
        self.delay = crawler.settings.getfloat("RADAR_SLOT_DELAY", 0.0)
        self.slots: RedisSlots | None = (
            RedisSlots(url, crawler.settings.get("RADAR_SLOT_PREFIX", KEY_PREFIX)) if url and self.delay > 0 else None
        )

    async def _wait_turn(self, host: str) -> None:
        assert self.slots is not None
        try:
            while (wait := self.slots.try_take(host, self.delay)) > 0:
                await sleep(wait)
        except Exception as exc:  # noqa: BLE001 - redis down: fall back to the per-process delay rather than stop crawling
            # Given up for the rest of this crawl: an unreachable Redis would otherwise cost a timeout per request.
            log.warning("shared politeness slots unavailable (%s); this crawl keeps only its own delay", exc)
            self.slots = None

    async def download_request(self, request: Request) -> Response:
        if self.slots is not None:
            await self._wait_turn(urlparse_cached(request).hostname or "")
        return await super().download_request(request)
