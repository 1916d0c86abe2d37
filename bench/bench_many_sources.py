"""Thousands of sources per machine: what an unchanged re-check costs per source, batched vs one process pair each.

Builds N small replica sites on loopback (demo.many_sites: a 127.0.x.y address
each, one port, one in-process server; each a list page of 10 items and a
detail page per item, ETag / Last-Modified, 304 on a conditional request),
then in one run:

1. the first crawl of all N sources in batches (crawl.launcher.crawl_batches,
   alerts included, as ``radar crawl --all`` does);
2. the unchanged re-check cycle of all N in batches: 2 requests a source
   (robots.txt and a 304 list page);
3. the baseline, the same unchanged re-check of a sample of the same sources
   the old way: one ``run_crawl`` each, i.e. one crawl process and one fetch
   process per source.

CPU-seconds count every process: this one (minus the serving thread of the
loopback sites, which a real crawl does not pay for) plus every descendant,
sampled with psutil every 0.1 s per process and cross-checked with
``getrusage(RUSAGE_CHILDREN)`` (the larger is reported).  Peak RSS is the
summed RSS of the crawl's process tree (crawl process, fetch process,
extraction worker, resource tracker), sampled every 0.1 s; this process
(server and caller) is printed beside it.  Every source's run must be
recorded (a ``crawlrun`` row, closed, status ok).

Run: python bench/bench_many_sources.py [--sources 100] [--sample 5] [--batch-size N] [--in-flight 24]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawlbench import machine  # noqa: E402

from core.settings import Settings  # noqa: E402
from core.sources import SourceConfig  # noqa: E402
from crawl.launcher import crawl_batches  # noqa: E402
from crawl.runner import CrawlResult, run_crawl  # noqa: E402
from demo.many_sites import ManySites, serve_many_sites, source_yaml  # noqa: E402

GOAL_CPU_PER_SOURCE = 0.1
GOAL_RSS_MB = 500


class TreeMeter:
    """CPU-seconds and peak RSS of everything a crawl runs: this process (minus one thread) and all its descendants."""

    def __init__(self, exclude_thread: int, interval: float = 0.1) -> None:
        import psutil

        self._ps = psutil
        self.me = psutil.Process()
        self.exclude_thread = exclude_thread
        self.interval = interval
        self.cpu: dict[int, float] = {}  # descendant pid → its last sampled CPU-seconds
        self.peak_tree = 0
        self.peak_self = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-meter", daemon=True)

    def _own_cpu(self) -> float:
        t = self.me.cpu_times()
        served = next((th.user_time + th.system_time for th in self.me.threads() if th.id == self.exclude_thread), 0.0)
        return t.user + t.system - served

    def _sample(self) -> None:
        tree = 0
        for p in self.me.children(recursive=True):
            try:
                t = p.cpu_times()
                self.cpu[p.pid] = max(self.cpu.get(p.pid, 0.0), t.user + t.system)
                tree += p.memory_info().rss
            except (self._ps.NoSuchProcess, self._ps.AccessDenied):
                pass
        self.peak_tree = max(self.peak_tree, tree)
        self.peak_self = max(self.peak_self, self.me.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> "TreeMeter":
        self._own0 = self._own_cpu()
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._ru0 = ru.ru_utime + ru.ru_stime
        self._t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.wall = time.perf_counter() - self._t0
        self.own = self._own_cpu() - self._own0
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children = max(sum(self.cpu.values()), ru.ru_utime + ru.ru_stime - self._ru0)

    @property
    def total_cpu(self) -> float:
        return self.own + self.children


@dataclass
class Cycle:
    label: str
    sources: int
    results: list[CrawlResult]
    meter: TreeMeter
    served: int  # requests the sites answered during the cycle

    @property
    def recorded(self) -> int:
        return sum(r.status == "ok" for r in self.results)


def _cycle(label: str, sites: ManySites, run: Any, count: int) -> Cycle:
    before = sum(sites.requests.values())
    with TreeMeter(sites.thread_id) as meter:
        results = run()
    return Cycle(label, count, results, meter, sum(sites.requests.values()) - before)


def measure(n: int, sample: int, batch_size: int | None, in_flight: int) -> tuple[list[Cycle], ManySites]:
    with tempfile.TemporaryDirectory() as tmp, serve_many_sites(n, items=10) as sites:
        settings = Settings(RADAR_DATA_DIR=Path(tmp) / "data", DATABASE_URL=None, RADAR_CRAWL_IN_FLIGHT=in_flight, RADAR_EXTRACT_WORKERS=0)
        settings.ensure_dirs()
        # delay 0.1 s, 2 at a time: the manners of a quick site; an unchanged check is 2 requests anyway
        sources = [SourceConfig.model_validate(yaml.safe_load(source_yaml(i, sites.port, delay=0.1, concurrency=2))) for i in range(n)]
        first = _cycle("first crawl, batched", sites, lambda: crawl_batches(settings, sources, batch_size=batch_size), n)
        again = _cycle("unchanged re-check, batched", sites, lambda: crawl_batches(settings, sources, batch_size=batch_size), n)
        picked = sources[:: max(1, n // sample)][:sample]
        alone = _cycle(
            "unchanged re-check, one process pair per source (baseline)",
            sites,
            lambda: [run_crawl(s, settings) for s in picked],
            len(picked),
        )
        return [first, again, alone], sites


def report(cycles: list[Cycle], n: int, batch_size: int | None, in_flight: int) -> None:
    from crawl.runner import default_batch_size

    print(f"machine: {machine()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine)")
    print(
        f"sources: {n} loopback replica sites (list page of 10 items + 10 detail pages each); batch size "
        f"{batch_size or default_batch_size()}, in flight {in_flight}; SQLite; extraction in-process"
    )
    print(f"{'cycle':<60}{'sources':>8}{'recorded':>9}{'wall s':>8}{'CPU s/src':>10}{'req/src':>8}{'tree MB':>8}{'self MB':>8}")
    for c in cycles:
        req = sum(r.requests for r in c.results) / max(c.sources, 1)
        print(
            f"{c.label:<60}{c.sources:>8}{c.recorded:>9}{c.meter.wall:>8.1f}{c.meter.total_cpu / c.sources:>10.3f}{req:>8.1f}"
            f"{c.meter.peak_tree / 2**20:>8.0f}{c.meter.peak_self / 2**20:>8.0f}"
        )
    _first, again, alone = cycles
    per, base = again.meter.total_cpu / again.sources, alone.meter.total_cpu / alone.sources
    print(
        f"unchanged re-check CPU per source: batched {per:.3f} s vs alone {base:.3f} s: {base / per:.1f}× less "
        f"(caller {again.meter.own / again.sources:.3f} s + crawl processes {again.meter.children / again.sources:.3f} s)"
    )
    print(
        f"goal ≤ {GOAL_CPU_PER_SOURCE} CPU-s per source: {'met' if per <= GOAL_CPU_PER_SOURCE else 'NOT met'}; "
        f"peak RSS of the crawl tree {again.meter.peak_tree / 2**20:.0f} MB, goal ≤ {GOAL_RSS_MB} MB: "
        f"{'met' if again.meter.peak_tree / 2**20 <= GOAL_RSS_MB else 'NOT met'}; "
        f"every run recorded: {'yes' if again.recorded == again.sources else f'NO ({again.recorded} of {again.sources})'}"
    )
    print(
        f"wall per source, unchanged re-check: batched {again.meter.wall / again.sources * 1000:.0f} ms vs alone "
        f"{alone.meter.wall / alone.sources * 1000:.0f} ms; sites served {again.served / again.sources:.1f} requests per source"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=int, default=100)
    ap.add_argument("--sample", type=int, default=5, help="sources re-checked the old way, one process pair each")
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--in-flight", type=int, default=24)
    args = ap.parse_args()
    cycles, _sites = measure(args.sources, args.sample, args.batch_size, args.in_flight)
    report(cycles, args.sources, args.batch_size, args.in_flight)


if __name__ == "__main__":
    main()
