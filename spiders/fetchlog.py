"""Record every request the crawler makes, as the auditor will ask about it.

Sits next to the downloader (high middleware number) so it sees each raw
response, including redirects and every retry, and each download exception.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy import Spider
from scrapy.http import Request, Response

from spiders.pagination import is_end_of_list
from spiders.storage_link import StorageLink


class FetchLogMiddleware:
    """Downloader middleware that sends one fetch-log row (``storage.models.FetchLog`` fields) per request attempt."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FetchLogMiddleware":
        return cls(crawler)

    @property
    def recorder(self) -> StorageLink:
        # The spider owns the recorder; settings are deep-copied by Scrapy and cannot carry it.
        return self.crawler.spider.recorder

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        body = response.body or b""
        digest = hashlib.sha256(body).hexdigest() if body else None
        headers = [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in response.headers.items()] if digest else None
        # The WARC record and its location are filled in by the recorder's audit writer thread.
        self.recorder.log_fetch(
            {
                "run_id": self.recorder.run_id,
                "source_name": self.recorder.source_name,
                "url": request.url,
                "method": request.method,
                "status": response.status,
                "bytes": len(body),
                "duration_ms": _latency_ms(request),
                "content_type": (response.headers.get("Content-Type") or b"").decode("latin-1") or None,
                "content_hash": digest,
                # a guessed list page past the last one: where the list ends, not a failed request
                "end_of_list": is_end_of_list(request.meta, response.status),
            },
            response.status,
            headers,
            body if digest else None,
        )
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Spider | None = None) -> None:
        self.recorder.log_fetch(
            {
                "run_id": self.recorder.run_id,
                "source_name": self.recorder.source_name,
                "url": request.url,
                "method": request.method,
                "duration_ms": _latency_ms(request),
                "error": f"{type(exception).__name__}: {exception}",
            }
        )
        return None


def _latency_ms(request: Request) -> float | None:
    latency = request.meta.get("download_latency")
    return round(latency * 1000, 1) if latency is not None else None
