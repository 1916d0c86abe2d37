"""A source's politeness delay holds across processes: two crawls of one host share its send slot in Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.server import SiteHandler, serve_sites
from core.settings import Settings
from core.sources import load_sources
from crawl.runner import CrawlResult, run_crawl
from workerfixture import REDIS_URL, SLOT_DB, flush_redis, redis_db_url, write_sources

DELAY = 0.3
JITTER = 0.05  # loopback and thread-scheduling noise between taking the slot and the server reading the request


@pytest.fixture
def slot_redis() -> Iterator[str]:
    if not REDIS_URL:
        pytest.skip("RADAR_TEST_REDIS_URL is not set (no Redis on this machine)")
    url = redis_db_url(SLOT_DB)
    flush_redis(url)
    yield url
    flush_redis(url)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_crawl_processes_on_one_host_keep_the_delay_between_all_their_requests(
    settings: Settings, sites: Path, tmp_path: Path, slot_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    arrivals: list[tuple[float, str]] = []
    lock = threading.Lock()

    class Recording(SiteHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            with lock:
                arrivals.append((time.monotonic(), self.path))
            super().do_GET()

    names = write_sources(
        tmp_path / "sources",
        {"ministry": ("miit", {"delay": DELAY, "concurrency": 2}), "thinktank": ("thinktank", {"delay": DELAY, "concurrency": 2})},
    )
    shared = settings.model_copy(update={"sources_dir": tmp_path / "sources", "redis_url": slot_redis})
    with serve_sites(sites, handler=Recording) as base:
        monkeypatch.setenv("RADAR_DEMO_URL", base)  # both sources on one host, as two sites of one server
        sources = {s.name: s for s in load_sources(shared.sources_dir)}
        results: list[CrawlResult] = []
        threads = [threading.Thread(target=lambda n=n: results.append(run_crawl(sources[n], shared))) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=50)

    assert sorted(r.status for r in results) == ["ok", "ok"], [r.error for r in results]
    times = {site: [t for t, path in arrivals if path.startswith(f"/{site}/")] for site in ("miit", "thinktank")}
    assert all(len(v) >= 3 for v in times.values()), times
    assert min(times["miit"]) < max(times["thinktank"]) and min(times["thinktank"]) < max(times["miit"]), "the crawls overlapped"
    stamps = sorted(t for t, _ in arrivals)
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert min(gaps) >= DELAY - JITTER, f"requests to one host {min(gaps):.3f}s apart; the shared delay is {DELAY}s"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_unreachable_redis_leaves_the_crawl_to_its_own_delay_instead_of_failing_it(
    settings: Settings, site_url: str, tmp_path: Path, unused_port: int
) -> None:
    write_sources(tmp_path / "sources", {"thinktank": ("thinktank", {"delay": 0.05})})
    cut_off = settings.model_copy(update={"sources_dir": tmp_path / "sources", "redis_url": f"redis://127.0.0.1:{unused_port}/0"})
    result = run_crawl(load_sources(cut_off.sources_dir)[0], cut_off)
    assert result.status == "ok" and result.new > 0 and result.errors == 0, result.error
