"""A crawl is two processes: the fetch process (Scrapy, no database code) and the store side (database, no Scrapy).

Each imports only its own half, which is what keeps two interpreters within
the crawl's memory budget; these tests fail when an import crosses over.
"""

from __future__ import annotations

import subprocess
import sys

from core.paths import REPO_ROOT

FETCH_SIDE = [
    "crawl.fetcher_process",
    "crawl.fetcher_batch",
    "crawl.pipe",
    "spiders.generic",
    "spiders.pipelines",
    "spiders.fetchlog",
    "spiders.netguard",
    "spiders.backoff",
    "spiders.politeness",
    "spiders.listing",
    "spiders.pagination",
    "spiders.storage_link",
    "scrapy.crawler",
]
STORE_SIDE = [
    "crawl.store_process.intake",
    "crawl.store_process.recorder",
    "crawl.store_process.batch",
    "crawl.runner",
    "pipeline.process",
    "storage.db",
]


def _loaded(modules: list[str], probes: list[str]) -> list[str]:
    code = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        f"print(' '.join(p for p in {probes!r} if p in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_fetch_process_imports_no_database_code() -> None:
    assert _loaded(FETCH_SIDE, ["sqlalchemy", "sqlmodel", "storage.models", "pipeline.process", "alembic"]) == []


def test_the_store_side_imports_no_scrapy() -> None:
    assert _loaded(STORE_SIDE, ["scrapy", "twisted", "parsel"]) == []


def test_the_crawl_process_can_start_the_fetch_process_before_importing_the_store_side() -> None:
    """Its entry module is light, so the fetch process's Scrapy import overlaps the store side's start-up."""
    assert (
        _loaded(
            ["crawl.store_process", "crawl.fetcher_process", "crawl.fetcher_batch"],
            ["sqlalchemy", "sqlmodel", "pydantic", "scrapy", "twisted"],
        )
        == []
    )
