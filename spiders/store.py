"""Scrapy item pipeline that hands each release to PolicyRadar's processing pipeline."""

from __future__ import annotations

from typing import Any

from spiders.recorder import Recorder


class StorePipeline:
    """Thin adapter: Scrapy calls it, the Recorder does the work and keeps the counts."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        recorder: Recorder = self.crawler.spider.recorder
        recorder.process_item(item)
        return item
