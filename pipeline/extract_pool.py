"""Attachment extraction across cores, never twice for the same bytes.

PDF layout work is CPU-bound Python, so threads would serialize on the GIL:
a process pool spreads attachments over cores.  The cache key is the SHA-256
of the file plus the extractor version, so the same PDF linked from five
sites (or re-fetched unchanged every week) is read once; failures are cached
too, because a password-protected file does not become readable by retrying.

Workers are pebble processes so that a document over its time limit can be
stopped (its worker is killed and replaced) and a worker that dies — pdfium
aborts when an allocation fails under the worker's memory limit — becomes a
recorded error instead of a broken pool (see pipeline/limits.py).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pebble import ProcessExpired, ProcessPool

from pipeline.attachment_extract import AttachmentText, ExtractionError, extract_attachment
from pipeline.html_extract import HtmlExtract, extract_page
from pipeline.limits import ExtractLimits
from pipeline.pdf_text import PDF_EXTRACTOR_VERSION

__all__ = ["ExtractPool", "ExtractCache", "content_key"]

Result = AttachmentText | ExtractionError


def content_key(data: bytes) -> str:
    """Cache key: content hash + extractor version (new code must not be served old text)."""
    return f"{PDF_EXTRACTOR_VERSION}-{hashlib.sha256(data).hexdigest()}"


def _encode(res: Result) -> dict:
    if isinstance(res, ExtractionError):
        return {"error": str(res)}
    return {"ok": asdict(res)}


def _decode(blob: dict) -> Result:
    if "error" in blob:
        return ExtractionError(blob["error"])
    return AttachmentText(**blob["ok"])


class ExtractCache:
    """In-memory LRU in front of an optional on-disk JSON store (one file per content hash)."""

    def __init__(self, directory: Path | None = None, memory_items: int = 512):
        self.directory = directory
        self.memory_items = memory_items
        self._mem: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[-64:-62] / f"{key}.json"

    def get(self, key: str) -> Result | None:
        with self._lock:
            blob = self._mem.get(key)
            if blob is not None:
                self._mem.move_to_end(key)
        if blob is None and self.directory is not None:
            path = self._path(key)
            if path.exists():
                try:
                    blob = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    blob = None
                if blob is not None:
                    self._remember(key, blob)
        if blob is None:
            self.misses += 1
            return None
        self.hits += 1
        return _decode(blob)

    def put(self, key: str, res: Result) -> None:
        blob = _encode(res)
        self._remember(key, blob)
        if self.directory is not None:
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(blob, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)  # atomic: concurrent writers of the same key agree anyway

    def _remember(self, key: str, blob: dict) -> None:
        with self._lock:
            self._mem[key] = blob
            self._mem.move_to_end(key)
            while len(self._mem) > self.memory_items:
                self._mem.popitem(last=False)


def _limit_worker(memory_bytes: int) -> None:
    """Worker initializer: cap the address space (a bomb then fails here, not in the machine's OOM killer)."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a native abort must not leave gigabyte core files
    if memory_bytes > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _work(data: bytes, filename: str, content_type: str | None, limits: ExtractLimits | None = None) -> dict:
    """Runs in a worker process; returns a plain dict so nothing exotic crosses the pipe."""
    try:
        return _encode(extract_attachment(data, filename=filename, content_type=content_type, limits=limits))
    except ExtractionError as exc:
        return _encode(exc)
    except MemoryError:
        return {"error": "抽取内存超出上限（RADAR_EXTRACT_MEMORY_MB），未读取（extraction ran out of memory; refused）"}
    except Exception as exc:  # noqa: BLE001 - a library bug on one odd file becomes a recorded error, not a dead pool
        return {"error": f"抽取失败（extraction failed: {type(exc).__name__}: {exc}）"}


def _page_work(body: bytes, url: str, declared: str | None, override: str | None, selectors: Any) -> HtmlExtract:
    """Runs in a worker process: a release's HTML page, extracted (exceptions travel back to the caller)."""
    return extract_page(body, url, declared, override, selectors)


class ExtractPool:
    """Process pool with a content-hash cache; use as a context manager.

    ``workers=0`` runs in-process (handy for tiny jobs and debugging); the
    default is one worker per core.  Identical bytes submitted while a first
    copy is still being extracted share that one future.
    """

    def __init__(self, workers: int | None = None, cache: ExtractCache | None = None, limits: ExtractLimits | None = None):
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.cache = cache or ExtractCache()
        self.limits = limits or ExtractLimits()
        # spawn, not fork: the caller may be a crawl process running Twisted's reactor and threads
        ctx = multiprocessing.get_context("spawn")
        self._executor = (
            ProcessPool(max_workers=self.workers, context=ctx, initializer=_limit_worker, initargs=(self.limits.memory_bytes,))
            if self.workers > 0
            else None
        )
        self._inflight: dict[str, Future[dict]] = {}
        self._lock = threading.Lock()
        self._pages = 0  # HTML pages in the workers now

    def __enter__(self) -> "ExtractPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()
            self._executor.join()

    def submit(self, data: bytes, filename: str, content_type: str | None = None) -> Future[Result]:
        """Future resolving to AttachmentText, or to an ExtractionError *value* (not raised)."""
        key = content_key(data)
        out: Future[Result] = Future()
        cached = self.cache.get(key)
        if cached is not None:
            out.set_result(cached)
            return out
        with self._lock:
            inner = self._inflight.get(key)
            if inner is None:
                if self._executor is None:
                    inner = Future()
                    inner.set_result(_work(data, filename, content_type, self.limits))  # in-process: no time limit
                else:
                    inner = self._executor.schedule(_work, args=(data, filename, content_type, self.limits), timeout=self.limits.time_limit)
                self._inflight[key] = inner

        def done(f: Future[dict]) -> None:
            try:
                blob = f.result()
            except FutureTimeout:
                blob = {
                    "error": f"抽取超过 {self.limits.time_limit:g} 秒（RADAR_EXTRACT_TIME_LIMIT），已停止（extraction took longer than {self.limits.time_limit:g}s; stopped）"
                }
            except ProcessExpired as exc:  # pdfium aborts when an allocation fails under the memory limit
                blob = {
                    "error": f"抽取进程异常退出，退出码 {exc.exitcode}：超出内存上限 {self.limits.memory_bytes // (1024 * 1024)} MB 或本地库崩溃"
                    f"（extraction worker died (exit code {exc.exitcode}): memory limit of "
                    f"{self.limits.memory_bytes // (1024 * 1024)} MB exceeded or a crash in a native library）"
                }
            except Exception as exc:  # noqa: BLE001 - any other worker failure
                blob = {"error": f"抽取进程崩溃（extraction worker crashed: {type(exc).__name__}）"}
            res = _decode(blob)
            self.cache.put(key, res)
            with self._lock:
                self._inflight.pop(key, None)
            out.set_result(res)

        inner.add_done_callback(done)
        return out

    def try_submit_page(
        self, body: bytes, url: str, declared: str | None = None, override: str | None = None, selectors: Any = None
    ) -> "Future[HtmlExtract] | None":
        """Extract a release's HTML page in a worker, or None when the workers are busy (then the caller extracts it).

        Why: on the store side of a crawl, extraction is ~1.5 ms of Python per page
        in the one process that is the crawl's bottleneck, while the workers wait
        for the occasional PDF.  A page never queues behind a long PDF: with every
        worker busy the caller does the work itself.  The future raises what
        extraction raised, or ExtractionError when the time limit stopped it.
        """
        if self._executor is None:
            return None
        with self._lock:
            if self._pages + len(self._inflight) >= 2 * self.workers:
                return None
            self._pages += 1
        if selectors is not None and not isinstance(selectors, SimpleNamespace):
            # A plain namespace crosses the pipe without importing the source config's (pydantic) classes.
            selectors = SimpleNamespace(**{k: getattr(selectors, k, None) for k in ("title", "body", "date", "doc_number", "agency")})
        out: Future[HtmlExtract] = Future()
        inner = self._executor.schedule(_page_work, args=(body, url, declared, override, selectors), timeout=self.limits.time_limit)

        def done(f: Future[HtmlExtract]) -> None:
            with self._lock:
                self._pages -= 1
            try:
                out.set_result(f.result())
            except FutureTimeout:
                out.set_exception(
                    ExtractionError(
                        f"页面抽取超过 {self.limits.time_limit:g} 秒（RADAR_EXTRACT_TIME_LIMIT），已停止（page extraction took longer than {self.limits.time_limit:g}s; stopped）"
                    )
                )
            except ProcessExpired as exc:
                out.set_exception(
                    ExtractionError(
                        f"抽取进程在此页面上异常退出，退出码 {exc.exitcode}（extraction worker died, exit code {exc.exitcode}）"
                    )
                )
            except BaseException as exc:  # noqa: BLE001 - what extraction raised, for the caller to record
                out.set_exception(exc)

        inner.add_done_callback(done)
        return out

    def map(self, items: Iterable[tuple[bytes, str, str | None]]) -> list[Result]:
        """Extract many (data, filename, content_type) items; results in input order."""
        futures = [self.submit(d, n, ct) for d, n, ct in items]
        return [f.result() for f in futures]

    def extract(self, data: bytes, filename: str, content_type: str | None = None) -> AttachmentText:
        """One file, raising ExtractionError like extract_attachment does."""
        res = self.submit(data, filename, content_type).result()
        if isinstance(res, ExtractionError):
            raise res
        return res
