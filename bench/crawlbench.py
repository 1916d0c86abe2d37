"""Shared pieces of the crawl benchmarks: the replica source, a do-nothing Scrapy baseline, child-process RSS.

The replica site builds on bench_incremental.build_site (government-style list
pages of 20 items, detail pages, a PDF on every tenth item) and is served by
demo.server.serve_sites, the same server the tests use.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import random
import re
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_incremental import build_site  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.sources import SourceConfig  # noqa: E402
from crawl.runner import scrapy_settings  # noqa: E402

CONCURRENCY = 8


def _sentences() -> list[str]:
    """Real policy sentences from the bundled demo replicas (UTF-8 and GBK pages alike)."""
    from bs4 import BeautifulSoup

    out: set[str] = set()
    for page in sorted((ROOT / "demo" / "sites").rglob("*.htm*")):
        raw = page.read_bytes()
        try:
            html = raw.decode("utf-8")
        except UnicodeDecodeError:
            html = raw.decode("gbk", "replace")
        for s in re.split(r"(?<=[。；！？])", BeautifulSoup(html, "lxml").get_text("")):
            s = "".join(s.split())
            if 15 <= len(s) <= 120 and re.search(r"[\u4e00-\u9fff]{6}", s):
                out.add(s)
    return sorted(out)


def build_varied_site(root: Path, items: int) -> None:
    """bench_incremental's replica layout (lists, PDFs, URLs) with distinct texts per detail page.

    bench_incremental's pages differ only in their number, so every page is a
    near-duplicate of every other and the story linker compares each new
    document with all earlier ones, which no real site does. Here each page
    draws 24 sentences from ~300 real ones, so two pages share a sentence or
    two, not their whole text.
    """
    build_site(root, items)
    pool = _sentences()
    for i in range(1, items + 1):
        rng = random.Random(i)
        paras = "".join(f"<p>{''.join(rng.sample(pool, 3))}</p>" for _ in range(8))
        topic = rng.choice(pool)[:12]
        title = f"关于{topic}的第{i}号通知"
        html = (
            f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<h1>{title}</h1><table><tr><td>发文字号：</td><td>示例发〔2025〕{i}号</td></tr>"
            f"<tr><td>发布日期：</td><td>2025-03-{1 + i % 28:02d}</td></tr></table>"
            f"<div id='content'>{paras}</div>"
            + (f"<a href='files/{i}.pdf'>附件</a>" if (root / "wjfb" / "files" / f"{i}.pdf").exists() else "")
            + "</body></html>"
        )
        (root / "wjfb" / f"art{i}.html").write_text(html, encoding="utf-8")


def bench_source(base: str, items: int, per_page: int = 20) -> SourceConfig:
    """The replica as a PolicyRadar source: no delay, the same concurrency as the raw baseline."""
    return SourceConfig.model_validate(
        {
            "name": "bench",
            "title": "bench",
            "region": "全国",
            "agency": "示例部",
            "start_urls": [f"{base}/wjfb/index.html"],
            "list": {"item": "ul.list li", "date": "span::text"},
            "pagination": {"type": "template", "url_template": "index_{n}.html", "max_pages": items // per_page + 2},
            "politeness": {"delay": 0, "concurrency": CONCURRENCY, "obey_robots": True},
            "network": {"allow_private": True},  # the replica is on loopback
        }
    )


def site_urls(site: Path, base: str) -> list[str]:
    """Every file of the replica, list pages first: what a complete crawl fetches (robots.txt aside)."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    lists = [p for p in files if p.name.startswith("index")]
    rest = [p for p in files if not p.name.startswith("index")]
    return [f"{base}/{p.relative_to(site).as_posix()}" for p in lists + rest]


def raw_scrapy_settings(source: SourceConfig, settings: Settings) -> dict[str, Any]:
    """PolicyRadar's Scrapy settings for ``source`` minus everything PolicyRadar adds (middlewares, pipeline)."""
    raw = scrapy_settings(source, settings)
    raw.pop("ITEM_PIPELINES", None)
    raw.pop("DOWNLOADER_MIDDLEWARES", None)
    return raw


def _raw_child(urls: list[str], scrapy_cfg: dict[str, Any], out: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    first: list[float] = []  # wall-clock time of the first response

    class RawSpider(scrapy.Spider):
        """Fetches and discards: the cost of downloading alone (what `scrapy bench` measures)."""

        name = "raw"

        async def start(self) -> AsyncIterator[scrapy.Request]:
            for u in urls:
                yield scrapy.Request(u, callback=self.parse, dont_filter=True)

        def parse(self, response: Any) -> None:
            if not first:
                first.append(time.time())

    process = CrawlerProcess(settings=scrapy_cfg)
    crawler = process.create_crawler(RawSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    Path(out).write_text(
        json.dumps(
            {
                "requests": stats.get("downloader/request_count", 0),
                "responses": stats.get("downloader/response_count", 0),
                "bytes": stats.get("downloader/response_bytes", 0),
                "first_response": first[0] if first else None,
            }
        ),
        encoding="utf-8",
    )


@dataclass
class RawResult:
    requests: int
    bytes: int
    seconds: float
    peak_rss_mb: float
    startup: float  # spawn → first response: imports and reactor start, paid once per crawl
    cpu_seconds: float = 0.0  # user + system time of the child and everything it reaped


def children_cpu() -> float:
    """User + system seconds of every child (and grandchild) this process has reaped so far."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_raw_fetch(urls: list[str], source: SourceConfig, settings: Settings) -> RawResult:
    """The do-nothing spider in a spawned child, like run_crawl, so both pay the same start-up."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "stats.json")
        proc = mp.get_context("spawn").Process(target=_raw_child, args=(urls, raw_scrapy_settings(source, settings), out))
        t0 = time.perf_counter()
        wall0 = time.time()
        cpu0 = children_cpu()
        with TreeRss() as rss:
            proc.start()
            rss.watch(proc.pid)
            proc.join()
        seconds = time.perf_counter() - t0
        if proc.exitcode != 0:
            raise RuntimeError(f"raw fetch child exited with {proc.exitcode}")
        stats = json.loads(Path(out).read_text(encoding="utf-8"))
    startup = (stats["first_response"] - wall0) if stats.get("first_response") else float("nan")
    return RawResult(int(stats["requests"]), int(stats["bytes"]), seconds, rss.peak_mb, startup, children_cpu() - cpu0)


class TreeRss:
    """Samples the summed RSS of this process's children and grandchildren (crawl process, fetch process, extract worker).

    ``resource.getrusage(RUSAGE_CHILDREN)`` only reports the single largest
    process, which hides the extract pool; sampling the tree sees the total.
    """

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self._psutil = psutil
        self.interval = interval
        self.peak_bytes = 0
        self.peak_single_bytes = 0  # the largest one process got (what RUSAGE_CHILDREN's ru_maxrss reports)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._roots: list[int] = []

    def watch(self, pid: int | None) -> None:
        if pid is not None:
            self._roots.append(pid)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20

    @property
    def peak_single_mb(self) -> float:
        return self.peak_single_bytes / 2**20

    def _sample(self) -> tuple[int, int]:
        ps = self._psutil
        sizes = []
        for p in ps.Process().children(recursive=True):
            try:
                if p.name().startswith("py-spy"):
                    continue
                sizes.append(p.memory_info().rss)
            except (ps.NoSuchProcess, ps.AccessDenied):
                pass
        return sum(sizes), max(sizes, default=0)

    def _run(self) -> None:
        while not self._stop.is_set():
            total, single = self._sample()
            self.peak_bytes = max(self.peak_bytes, total)
            self.peak_single_bytes = max(self.peak_single_bytes, single)
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def machine() -> str:
    """CPU model, cores, RAM and Python: the figures mean nothing without them."""
    import os
    import platform

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        import psutil

        ram = f", {psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    except ImportError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{ram}, Python {platform.python_version()} ({platform.system()})"
