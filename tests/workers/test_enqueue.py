"""In celery mode the scheduler and `radar enqueue` only put jobs on the broker; nothing is crawled in their process."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlmodel import select
from typer.testing import CliRunner

from radar.cli import app
from core.paths import DEMO_DIR
from radar.scheduler import crawl_job
from core.settings import Settings
from storage.db import session_scope
from storage.models import CrawlLease, CrawlRun
from workerfixture import BROKER_DB, REDIS_URL, flush_redis, redis_db_url
from storage.lease import LOST_MARK


@pytest.fixture
def celery_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, redis.Redis, str]]:
    """The environment a scheduler or CLI reads (Settings() inside), pointed at a Redis broker and this test's database."""
    if not REDIS_URL:
        pytest.skip("RADAR_TEST_REDIS_URL is not set (no Redis on this machine)")
    url, queue = redis_db_url(BROKER_DB), f"crawl-{uuid.uuid4().hex[:8]}"
    flush_redis(url)
    env = {
        "RADAR_DATA_DIR": str(settings.data_dir),
        "RADAR_SOURCES_DIR": str(DEMO_DIR / "sources"),
        "RADAR_EXECUTOR": "celery",
        "RADAR_BROKER_URL": url,
        "RADAR_CRAWL_QUEUE": queue,
    }
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SMTP_URL", raising=False)
    client = redis.Redis.from_url(url)
    yield settings, client, queue
    client.close()
    flush_redis(url)


def _queued(client: redis.Redis, queue: str) -> list[tuple[str, str]]:
    """(task name, args) of each message waiting in ``queue``."""
    out = []
    for raw in client.lrange(queue, 0, -1):
        msg = json.loads(raw)
        body = json.loads(base64.b64decode(msg["body"]))
        out.append((msg["headers"]["task"], body[0]))
    return out


def test_the_scheduler_in_celery_mode_enqueues_and_reaps_dead_runs_instead_of_crawling(celery_env) -> None:  # type: ignore[no-untyped-def]
    settings, client, queue = celery_env
    with session_scope(settings) as s:  # a worker died mid-crawl of zj: its run is open, its lease long expired
        dead = CrawlRun(source_name="zj", worker="w9@gone")
        s.add(dead)
        s.flush()
        s.add(CrawlLease(source_name="zj", holder="w9@gone:1", run_id=dead.id, expires_at=time.time() - 60))
        dead_id = dead.id

    crawl_job("miit")

    assert _queued(client, queue) == [("radar.crawl_source", ["miit"])]
    with session_scope(settings) as s:
        runs = s.exec(select(CrawlRun)).all()
        leases = s.exec(select(CrawlLease)).all()
    assert [(r.id, r.status) for r in runs] == [(dead_id, "failed")], "no crawl ran here; only the dead run was closed"
    assert LOST_MARK in (runs[0].error or "") and leases == []


def test_radar_enqueue_sends_the_named_sources_and_refuses_unknown_ones(celery_env) -> None:  # type: ignore[no-untyped-def]
    _settings, client, queue = celery_env
    runner = CliRunner()
    ok = runner.invoke(app, ["enqueue", "miit", "zj"])
    assert ok.exit_code == 0, ok.output
    assert "miit" in ok.output and "zj" in ok.output
    assert sorted(_queued(client, queue)) == [("radar.crawl_source", ["miit"]), ("radar.crawl_source", ["zj"])]

    bad = runner.invoke(app, ["enqueue", "nosuch"])
    assert bad.exit_code == 2 and "nosuch" in bad.output and "miit" in bad.output
    assert len(_queued(client, queue)) == 2, "nothing sent for a wrong name"


def test_radar_worker_without_a_broker_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RADAR_BROKER_URL", raising=False)
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2 and "RADAR_BROKER_URL" in result.output


def test_the_web_re_run_button_in_celery_mode_enqueues_instead_of_crawling(celery_env) -> None:  # type: ignore[no-untyped-def]
    """The admin "re-run" (API and page) hands the crawl to the workers; the web process crawls nothing."""
    from fastapi.testclient import TestClient

    from crawl.launcher import sync_sources
    from web.app import create_app
    from web.security import WebConfig

    settings, client, queue = celery_env
    web_settings = Settings()  # what `radar serve` builds from the environment the fixture set
    assert web_settings.executor == "celery" and web_settings.crawl_queue == queue
    sync_sources(web_settings)
    token = "t" * 32
    with TestClient(create_app(web_settings, WebConfig(RADAR_ADMIN_TOKEN=token))) as web:
        started = web.post("/api/sources/zj/crawl", headers={"Authorization": f"Bearer {token}"})
        assert started.status_code == 202, started.text
        deadline = time.monotonic() + 10
        while not _queued(client, queue) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _queued(client, queue) == [("radar.crawl_source", ["zj"])]
    with session_scope(settings) as s:
        assert s.exec(select(CrawlRun)).all() == [], "no crawl ran in the web process"
