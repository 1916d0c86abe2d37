"""`radar crawl --all --batch-size` and the scheduler crawl many sources in batches, over real loopback sites."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from core.settings import Settings
from demo.many_sites import ManySites, serve_many_sites, source_yaml
from radar.cli import app
from storage.db import session_scope
from storage.models import CrawlRun


@pytest.fixture
def many(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, ManySites]]:
    """Five replica sites, their YAML in a sources folder, and the environment ``radar`` reads its settings from."""
    folder = tmp_path / "sources"
    folder.mkdir()
    with serve_many_sites(5, items=3) as sites:
        for i in range(5):
            (folder / f"site-{i:04d}.yaml").write_text(source_yaml(i, sites.port, delay=0.2, concurrency=1), encoding="utf-8")
        monkeypatch.setenv("RADAR_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("RADAR_SOURCES_DIR", str(folder))
        monkeypatch.setenv("RADAR_CRAWL_BATCH_GATHER", "1")
        if settings.database_url:
            monkeypatch.setenv("DATABASE_URL", settings.database_url)
        yield Settings(), sites


def _runs(settings: Settings) -> list[CrawlRun]:
    with session_scope(settings) as s:
        return list(s.exec(select(CrawlRun).order_by(CrawlRun.id)).all())  # type: ignore[arg-type]


def _overlap(runs: list[CrawlRun]) -> bool:
    """Runs crawled together: each started before any of the others finished."""
    return max(r.started_at for r in runs) < min(r.finished_at for r in runs if r.finished_at)


def test_crawl_all_in_batches_of_two_records_every_source_and_prints_the_tally(many: tuple[Settings, ManySites]) -> None:
    settings, _sites = many
    result = CliRunner().invoke(app, ["crawl", "--all", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "5 sources: 5 ok, 0 failed, 0 skipped" in result.output
    runs = _runs(settings)
    assert sorted(r.source_name for r in runs) == [f"site-{i:04d}" for i in range(5)]
    assert all(r.status == "ok" and r.items_new == 3 for r in runs)
    assert _overlap(runs[0:2]) and _overlap(runs[2:4]), "a batch's sources crawl at the same time"
    assert not _overlap(runs[3:5]), "the fifth source is a batch of one, after the others"


def test_crawl_refuses_names_together_with_all(many: tuple[Settings, ManySites]) -> None:
    result = CliRunner().invoke(app, ["crawl", "--all", "site-0000"])
    assert result.exit_code == 2 and "--all" in result.output
    assert _runs(many[0]) == []


def test_the_scheduler_crawls_sources_falling_due_together_as_one_batch(many: tuple[Settings, ManySites]) -> None:
    from radar.scheduler import crawl_job

    settings, _sites = many
    jobs = [threading.Thread(target=crawl_job, args=(f"site-{i:04d}",)) for i in range(4)]  # APScheduler's job threads
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(120)
    runs = _runs(settings)
    assert len(runs) == 4 and all(r.status == "ok" for r in runs), [r.error for r in runs]
    assert _overlap(runs)


def test_the_scheduler_crawls_a_source_due_alone_alone(many: tuple[Settings, ManySites]) -> None:
    from radar.scheduler import crawl_job

    crawl_job("site-0003")
    [run] = _runs(many[0])
    assert run.source_name == "site-0003" and run.status == "ok" and run.items_new == 3
