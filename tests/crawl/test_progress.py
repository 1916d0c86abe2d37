"""Crawls and digests report progress while they run.

The crawl process counts what it fetches and stores and sends snapshots to
the parent over a real pipe; `radar crawl`/`radar demo` show them as a live
table on a terminal and as a log line every few seconds otherwise; `radar
digest` shows sent / total.
"""

from __future__ import annotations

import io
import multiprocessing as mp

import pytest
from rich.console import Console
from typer.testing import CliRunner

from radar.cli import app
from crawl.progress import SEND_EVERY, CrawlCounter, CrawlProgress, CrawlProgressView, DigestProgressView, drain
from core.settings import Settings
from core.sources import load_sources
from crawl.runner import run_crawl

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # storage is covered on both backends elsewhere


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_counter_sends_rate_limited_snapshots_over_a_pipe() -> None:
    listen, report = mp.Pipe(duplex=False)
    clock = Clock()
    counter = CrawlCounter("miit", report, clock)
    counter.fetched("http://127.0.0.1:9/list.html", 200, None)  # first event: sent at once
    counter.fetched("http://127.0.0.1:9/a.html", 404, None)  # within SEND_EVERY: counted, not sent
    clock.now += SEND_EVERY
    counter.stored("new")
    counter.fetched("http://127.0.0.1:9/b.pdf", None, "ConnectionRefusedError")
    counter.stored("failed")
    counter.finish()
    seen: list[CrawlProgress] = []
    drain(listen, seen.append)
    assert len(seen) == 3  # the first, one after SEND_EVERY, and the forced final one
    last = seen[-1]
    assert (last.pages, last.new, last.errors) == (3, 1, 3)
    assert last.current_url.endswith("b.pdf") and last.elapsed == pytest.approx(SEND_EVERY)


def test_a_closed_pipe_stops_the_reports_not_the_crawl() -> None:
    listen, report = mp.Pipe(duplex=False)
    listen.close()
    counter = CrawlCounter("miit", report)
    counter.fetched("http://127.0.0.1:9/", 200, None)  # must not raise
    counter.finish()


def test_without_a_terminal_progress_is_a_log_line_not_redraws() -> None:
    out = io.StringIO()
    view = CrawlProgressView(console=Console(file=out, width=200))
    with view:
        for pages in range(1, 30):
            view.update(CrawlProgress("miit", pages=pages, current_url=f"http://127.0.0.1:9/{pages}.html", elapsed=pages * 0.1))
        view.update(CrawlProgress("miit", pages=30, new=10, errors=1, elapsed=3.2, finished=True, status="ok"))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines  # the first update, then the end (the next periodic line is LOG_EVERY seconds away)
    assert lines[0].startswith("miit 抓取中：1 页") and "当前 http://127.0.0.1:9/1.html" in lines[0]
    assert lines[1].startswith("miit 完成：30 页，新增 10") and "错误 1" in lines[1]


def test_on_a_terminal_progress_is_one_live_table() -> None:
    out = io.StringIO()
    view = CrawlProgressView(console=Console(file=out, width=160, force_terminal=True), live_display=True)
    with view:
        view.update(CrawlProgress("miit", pages=3, current_url="http://127.0.0.1:9/3.html"))
        view.update(CrawlProgress("miit", pages=9, new=2, finished=True, status="ok", elapsed=1.0))
    text = out.getvalue()
    assert "抓取进度" in text and "完成" in text


@SQLITE
def test_a_real_crawl_reports_progress_that_ends_with_its_run_record(settings: Settings, site_url: str) -> None:
    src = next(s for s in load_sources(settings.sources_dir) if s.name == "miit")
    seen: list[CrawlProgress] = []
    result = run_crawl(src, settings, progress=seen.append)
    assert result.status == "ok"
    live = [p for p in seen if not p.finished]
    assert live and live[0].current_url.startswith(site_url)
    assert max(p.pages for p in live) <= result.requests
    final = seen[-1]
    assert final.finished and (final.pages, final.new, final.errors) == (result.requests, result.new, result.errors)


@SQLITE
def test_radar_crawl_prints_progress_lines_when_not_on_a_terminal(
    settings: Settings, site_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RADAR_SOURCES_DIR", str(settings.sources_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["crawl", "zj"])
    assert result.exit_code == 0, result.output
    assert "zj 抓取中：" in result.output and "zj 完成：" in result.output


def test_digest_progress_counts_sent_of_total() -> None:
    out = io.StringIO()
    with DigestProgressView(console=Console(file=out, width=120)) as view:
        for done in range(0, 4):
            view.update(done, 3)
    assert out.getvalue().splitlines()[-1] == "摘要发送进度 / digest progress: 3/3"


@SQLITE
def test_radar_digest_reports_sent_of_total(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SMTP_URL", raising=False)
    runner = CliRunner()
    for who in ("a@example.com", "b@example.com"):
        assert runner.invoke(app, ["subscribe", who, "--confirmed"]).exit_code == 0
    result = runner.invoke(app, ["digest", "--period", "this-week"])
    assert result.exit_code == 0, result.output
    assert "digest progress: 2/2" in result.output


def test_the_404_that_ends_a_list_is_not_counted_as_an_error() -> None:
    listen, report = mp.Pipe(duplex=False)
    counter = CrawlCounter("miit", report)
    counter.fetched("http://127.0.0.1:9/index_1.html", 200, None)
    counter.fetched("http://127.0.0.1:9/index_2.html", 404, None, end_of_list=True)
    counter.finish()
    seen: list[CrawlProgress] = []
    drain(listen, seen.append)
    assert (seen[-1].pages, seen[-1].errors) == (2, 0)
