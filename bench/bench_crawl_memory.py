"""Peak memory of a large crawl (goal ≤ 300 MB), and what the unchanged recrawl costs against the full crawl.

Builds a 10,000-item replica (crawlbench.build_varied_site), serves it on
loopback, and in the same run measures:

1. a do-nothing Scrapy spider fetching every page (baseline memory of Scrapy
   itself, same settings);
2. the full PolicyRadar crawl into SQLite: peak RSS of the crawl process and of
   the whole process tree (crawl process, its fetch process, the PDF extraction
   worker and multiprocessing's resource tracker), sampled
   with psutil every 0.1 s, and ``resource.getrusage(RUSAGE_CHILDREN)``;
3. a recrawl with nothing changed: requests and bytes against the full crawl
   (counted from the fetch log with bench_incremental.run_cost; see
   bench_incremental.py for the one-new-item case).

Run: python bench/bench_crawl_memory.py [--items 10000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_incremental import run_cost  # noqa: E402
from crawlbench import TreeRss, bench_source, build_varied_site, machine, run_raw_fetch, site_urls  # noqa: E402

from demo.server import serve_sites  # noqa: E402
from core.settings import Settings  # noqa: E402
from crawl.runner import run_crawl  # noqa: E402

GOAL_MB = 300


@dataclass
class Figures:
    items: int
    raw_tree_mb: float
    crawl_tree_mb: float
    crawl_process_mb: float
    rusage_children_mb: float
    full_requests: int
    full_bytes: int
    full_seconds: float
    re_requests: int
    re_bytes: int
    re_seconds: float


def measure(items: int) -> Figures:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_varied_site(site, items)
        with serve_sites(site) as base:
            source = bench_source(base, items)
            raw = run_raw_fetch(site_urls(site, base), source, Settings(RADAR_DATA_DIR=Path(tmp) / "raw", DATABASE_URL=None))
            settings = Settings(RADAR_DATA_DIR=Path(tmp) / "data", DATABASE_URL=None)
            t0 = time.perf_counter()
            with TreeRss() as rss:
                first = run_crawl(source, settings)
            t1 = time.perf_counter()
            second = run_crawl(source, settings)
            t2 = time.perf_counter()
        if first.status != "ok" or second.status != "ok":
            raise RuntimeError(f"crawl failed: {first.error or second.error}")
        r1, b1 = run_cost(settings, first.run_id)
        r2, b2 = run_cost(settings, second.run_id)
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB, the largest child so far
    return Figures(items, raw.peak_rss_mb, rss.peak_mb, rss.peak_single_mb, children_kb / 1024, r1, b1, t1 - t0, r2, b2, t2 - t1)


def report(f: Figures) -> None:
    print(f"replica: {f.items} detail pages, 20 per list page, a PDF on every 10th; delay 0, concurrency 8")
    print(f"machine: {machine()}")
    print(f"{'peak RSS':<58}{'MB':>8}")
    print(f"{'raw Scrapy fetch, process tree (baseline)':<58}{f.raw_tree_mb:>8.0f}")
    print(f"{'PolicyRadar crawl, crawl process':<58}{f.crawl_process_mb:>8.0f}")
    print(f"{'PolicyRadar crawl, whole tree (crawl + fetch + extract)':<58}{f.crawl_tree_mb:>8.0f}")
    print(f"{'getrusage(RUSAGE_CHILDREN).ru_maxrss (largest child)':<58}{f.rusage_children_mb:>8.0f}")
    print(
        f"crawl tree vs goal: {f.crawl_tree_mb:.0f} MB of {GOAL_MB} MB ({'met' if f.crawl_tree_mb <= GOAL_MB else 'NOT met'}); "
        f"vs raw Scrapy: {f.crawl_tree_mb / f.raw_tree_mb:.1f}×"
    )
    print(f"{'crawl':<34}{'requests':>10}{'bytes':>16}{'seconds':>9}")
    print(f"{'full crawl (baseline)':<34}{f.full_requests:>10}{f.full_bytes:>16,}{f.full_seconds:>9.1f}")
    print(f"{'recrawl, nothing changed':<34}{f.re_requests:>10}{f.re_bytes:>16,}{f.re_seconds:>9.1f}")
    print(f"unchanged recrawl vs full crawl: requests {f.re_requests / f.full_requests:.2%}, bytes {f.re_bytes / f.full_bytes:.2%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=10000)
    args = ap.parse_args()
    report(measure(args.items))


if __name__ == "__main__":
    main()
