"""Scrapy item pipeline that hands each release to PolicyRadar's processing pipeline."""

from __future__ import annotations

import asyncio
from typing import Any

from spiders.recorder import Recorder


class StorePipeline:
    """Thin adapter: Scrapy calls it, the Recorder does the work and keeps the counts."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    async def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        """Extraction and storage run in a thread (extraction itself in worker processes),
        so the reactor keeps downloading while earlier releases are read."""
        recorder: Recorder = self.crawler.spider.recorder
        await asyncio.to_thread(recorder.process_item, item)
        return item
