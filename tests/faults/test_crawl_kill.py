"""kill -9 of a crawl at random moments — twenty times: ten on SQLite, ten on PostgreSQL — then one clean crawl.

The crawl child is SIGKILLed after a seeded random delay — during start-up,
while list pages are read, while releases are being stored.  The contract:
every killed run is closed as failed with the reason, the clean rerun stores
every release of the site, and no release has more than one version (the
site did not change, so a second version would be a duplicate).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import threading

from sqlmodel import func, select

from core.settings import Settings
from core.sources import SourceConfig
from slow_site import ITEMS, PER_PAGE, item_title, serve_slow_site, wait_for
from crawl.runner import CrawlResult, run_crawl
from storage.db import session_scope
from storage.models import CrawlRun, Document, DocumentVersion

KILLS = 20  # per database; the db_url fixture runs this on SQLite and on PostgreSQL


def slow_source(base: str) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "name": "slow",
            "title": "慢站",
            "region": "全国",
            "agency": "测试部",
            "start_urls": [f"{base}/list/index.html"],
            "list": {"item": "ul.l li", "date": "span::text"},
            "pagination": {"type": "template", "url_template": "index_{n}.html", "max_pages": ITEMS // PER_PAGE + 1},
            "detail": {"title": "h1.t", "body": "#c"},
            "politeness": {"delay": 0, "concurrency": 4, "obey_robots": False},
            "network": {"allow_private": True},  # the replica is on loopback
        }
    )


def _crawl_and_kill(source: SourceConfig, settings: Settings, hits: list[str], rng: random.Random) -> CrawlResult:
    """run_crawl in a thread; SIGKILL its child at a random moment.

    One kill in five lands during start-up (timed from the child's start).
    The rest land when the site receives the crawl's k-th request, k drawn
    from the requests this crawl will make (the list pages plus the releases
    not stored yet: known ones are not fetched again).  The server holds each
    answer for a moment, so the kill always hits a crawl in progress — early
    ones among the list pages, late ones after many releases were stored —
    however fast or loaded the machine is.
    """
    with session_scope(settings) as s:
        pending = ITEMS // PER_PAGE + ITEMS - s.exec(select(func.count()).select_from(Document)).one()
    out: list[CrawlResult] = []
    runner = threading.Thread(target=lambda: out.append(run_crawl(source, settings, timeout=60)))
    seen_before = len(hits)
    runner.start()
    name = f"crawl-{source.name}"
    assert wait_for(lambda: any(p.name == name and p.pid for p in multiprocessing.active_children()), 20)
    child = next(p for p in multiprocessing.active_children() if p.name == name)
    if rng.random() < 0.2:
        child.join(rng.uniform(0.2, 2.0))
    else:
        k = rng.randint(1, pending)
        wait_for(lambda: len(hits) >= seen_before + k or not child.is_alive(), 60)
    if child.is_alive():
        try:
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        except ProcessLookupError:
            pass  # it finished between the check and the kill: counted as a completed crawl below
    runner.join(60)
    assert out, "run_crawl returned"
    return out[0]


def test_random_kills_then_a_clean_crawl_lose_nothing_and_duplicate_nothing(settings: Settings) -> None:
    rng = random.Random(20261130)
    settings = settings.model_copy(update={"extract_workers": 0})  # no extraction grandchildren to orphan
    with serve_slow_site(delay=0.1) as (base, hits):  # each answer held 0.1 s: a kill on arrival of a request is mid-crawl
        source = slow_source(base)
        killed, finished = [], 0
        while len(killed) < KILLS and finished < KILLS:
            result = _crawl_and_kill(source, settings, hits, rng)
            if result.status == "ok":  # the crawl finished between the last request and the kill: not a kill
                finished += 1
            else:
                killed.append(result)
        clean = run_crawl(source, settings, timeout=60)
    assert len(killed) == KILLS, f"{KILLS} kills landed mid-crawl ({finished} crawls finished first)"
    assert all(r.status == "failed" and "exited with code -9" in (r.error or "") for r in killed), [r.error for r in killed]
    assert clean.status == "ok", clean.error
    with session_scope(settings) as s:
        titles = sorted(s.exec(select(Document.title)).all())
        per_doc = s.exec(select(DocumentVersion.document_id, func.count()).group_by(DocumentVersion.document_id)).all()
        open_runs = s.exec(select(CrawlRun).where(CrawlRun.status == "running")).all()
        partial = sum(
            1
            for r in killed
            if r.run_id and s.exec(select(func.count()).select_from(DocumentVersion).where(DocumentVersion.run_id == r.run_id)).one()
        )
    assert titles == sorted(item_title(n) for n in range(1, ITEMS + 1)), "every release stored after the clean rerun"
    assert len(per_doc) == ITEMS and all(count == 1 for _doc, count in per_doc), "no duplicate version"
    assert open_runs == []
    assert partial >= 1, "some kills landed after releases were stored (so the rerun had to catch up)"
