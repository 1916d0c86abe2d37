"""A source's health is one of five words, and they tell the truth.

未抓取 (never crawled), 正常, 部分失败 (the latest run closed but lost more than
the set share of its requests, 404s on announced list pages included), 失败 (the latest run
failed), 已停用 (disabled in its file); the CLI, the web page and the API use
the same words.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from demo.server import serve_sites
from radar.cli import app
from storage.health import DISABLED, FAILED, HEALTHY, NEVER, PARTIAL, source_health
from core.settings import Settings
from core.sources import SourceConfig
from crawl.runner import run_crawl
from storage.db import session_scope
from storage.models import CrawlRun, FetchLog, Source, utcnow

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _run(settings: Settings, status: str, ok: int, failed: int, source: str = "zj") -> None:
    with session_scope(settings) as s:
        run = CrawlRun(source_name=source, status=status, finished_at=utcnow(), requests=ok + failed, errors=failed)
        s.add(run)
        s.flush()
        for i in range(ok):
            s.add(FetchLog(run_id=run.id, source_name=source, url=f"http://127.0.0.1:9/{i}.html", status=200))
        for i in range(failed):
            s.add(
                FetchLog(
                    run_id=run.id, source_name=source, url=f"http://127.0.0.1:9/x{i}.html", status=None, error="ConnectionRefusedError"
                )
            )


def _state(settings: Settings, enabled: bool = True, source: str = "zj") -> str:
    with session_scope(settings) as s:
        return source_health(s, source).state(enabled, settings.partial_failure_share)


def test_a_source_never_crawled_is_not_reported_healthy(settings: Settings) -> None:
    assert _state(settings) == NEVER


def test_a_run_that_lost_most_of_its_requests_is_partial_failure(settings: Settings) -> None:
    _run(settings, "ok", ok=2, failed=19)
    with session_scope(settings) as s:
        h = source_health(s, "zj")
    assert (h.last_failed_requests, h.last_requests) == (19, 21)
    assert h.state(True, 0.2) == PARTIAL


def test_a_few_failed_requests_stay_within_normal(settings: Settings) -> None:
    _run(settings, "ok", ok=20, failed=1)
    assert _state(settings) == HEALTHY


def test_the_latest_run_decides_failed_and_recovery(settings: Settings) -> None:
    _run(settings, "ok", ok=5, failed=0)
    _run(settings, "failed", ok=0, failed=1)
    assert _state(settings) == FAILED
    _run(settings, "ok", ok=5, failed=0)
    assert _state(settings) == HEALTHY


def test_a_disabled_source_is_disabled_whatever_its_history(settings: Settings) -> None:
    _run(settings, "failed", ok=0, failed=3)
    assert _state(settings, enabled=False) == DISABLED


DETAIL = "<html><head><meta charset='utf-8'><title>{t}</title></head><body><h1>{t}</h1><p>发布日期：2025-03-05</p><p>{t}的正文。</p></body></html>"


@pytest.fixture
def announced_but_missing(tmp_path: Path) -> Iterator[str]:
    """A list whose pager announces five pages; the second is missing, so paging stops there."""
    root = tmp_path / "site"
    (root / "d").mkdir(parents=True)
    (root / "l").mkdir()
    for i in (1, 2):
        (root / "d" / f"{i}.html").write_text(DETAIL.format(t=f"第{i}号通知"), encoding="utf-8")
    items = "".join(f"<li><a href='/d/{i}.html'>第{i}号通知</a><em>2025-03-05</em></li>" for i in (1, 2))
    (root / "l" / "index.html").write_text(
        f'<ul class=\'l\'>{items}</ul><script>createPageHTML(5, 0, "index", "html");</script>', encoding="utf-8"
    )
    with serve_sites(root) as base:
        yield base


def test_list_page_404s_on_announced_pages_count_as_failed_requests(settings: Settings, announced_but_missing: str) -> None:
    src = SourceConfig.model_validate(
        {
            "name": "pager",
            "title": "t",
            "region": "全国",
            "agency": "示例部",
            "start_urls": [announced_but_missing + "/l/index.html"],
            "list": {"item": "ul.l li", "date": "em::text"},
            "pagination": {"type": "createpage", "max_pages": 10},
            "politeness": {"delay": 0, "obey_robots": False},
            "network": {"allow_private": True},
        }
    )
    result = run_crawl(src, settings)
    assert result.status == "ok" and result.new == 2
    assert "index_1.html" in (result.error or "") and "404" in (result.error or "")
    with session_scope(settings) as s:
        h = source_health(s, "pager")
    assert (h.last_failed_requests, h.last_requests) == (1, 4)  # list, two details, the missing second list page
    assert h.state(True, settings.partial_failure_share) == PARTIAL


@pytest.fixture
def configured(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Three configured sources: one never crawled, one failing, one disabled; the CLI reads the same environment."""
    d = tmp_path / "sources"
    d.mkdir()
    for name, enabled in (("fresh", True), ("broken", True), ("stopped", False)):
        (d / f"{name}.yaml").write_text(
            f"name: {name}\ntitle: 来源{name}\nregion: 全国\nagency: 示例部\nstart_urls: [http://127.0.0.1:9/]\n"
            f"list:\n  item: li\nenabled: {str(enabled).lower()}\n",
            encoding="utf-8",
        )
    s = settings.model_copy(update={"sources_dir": d})
    monkeypatch.setenv("RADAR_DATA_DIR", str(s.data_dir))
    monkeypatch.setenv("RADAR_SOURCES_DIR", str(d))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with session_scope(s) as db:
        for name in ("fresh", "broken", "stopped"):
            db.add(Source(name=name, title=f"来源{name}", region="全国", agency="示例部"))
    _run(s, "failed", ok=0, failed=1, source="broken")
    _run(s, "ok", ok=3, failed=0, source="stopped")
    return s


def test_cli_and_web_use_the_same_words(configured: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import radar.cli

    monkeypatch.setattr(radar.cli.console, "width", 250)  # one line per source
    out = CliRunner().invoke(app, ["sources", "list"])
    assert out.exit_code == 0, out.output
    lines = {line.split("│")[1].strip(): line for line in out.output.splitlines() if line.count("│") > 3}
    assert NEVER in lines["fresh"] and FAILED in lines["broken"] and DISABLED in lines["stopped"]
    assert HEALTHY not in lines["fresh"]

    from web.app import create_app
    from web.security import WebConfig

    with TestClient(create_app(configured, WebConfig(RADAR_ADMIN_TOKEN="t" * 32))) as client:
        html = client.get("/sources", headers={"Authorization": "Bearer " + "t" * 32}).text
        api = {r["name"]: r["state"] for r in client.get("/api/sources", headers={"Authorization": "Bearer " + "t" * 32}).json()}
    assert api == {"broken": FAILED, "fresh": NEVER, "stopped": DISABLED}
    for word in (NEVER, FAILED, DISABLED):
        assert f">{word}</span>" in html
    # a disabled source offers no re-crawl button; the others do
    assert 'action="/sources/stopped/crawl"' not in html and 'action="/sources/fresh/crawl"' in html
