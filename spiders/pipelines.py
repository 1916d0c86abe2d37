"""Scrapy item pipeline that hands each release to PolicyRadar's processing pipeline."""

from __future__ import annotations

import asyncio
from typing import Any

from core.release import Release
from spiders.storage_link import StorageLink


class StorePipeline:
    """Thin adapter: Scrapy calls it, the store side does the work and keeps the counts."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    async def process_item(self, item: Release, spider: Any = None) -> Release:
        """The release is stored by the crawl's store side (crawl.store_process.intake), in another process.

        This waits only while the releases in flight there exceed their byte
        budget (StoreLink.room), not for this one to be stored: the response
        is released at once and downloads go on."""
        link: StorageLink = self.crawler.spider.recorder
        link.submit_item(item)
        await asyncio.wrap_future(link.room())
        return item
