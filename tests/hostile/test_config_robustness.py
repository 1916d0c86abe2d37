"""Rows 8 and 13 (regex) of the attack run: a bad source file is an error with its line, never a crash or a stopped service.

Covers cron fields checked by the scheduler's own parser, YAML alias bombs,
catastrophic regexes (bounded at load, timed per match in the crawl) and
`radar serve` starting with the valid sources when one file is invalid.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_site import html, serve_hostile
from sqlmodel import select

from core.settings import Settings
from core.sources import SourceConfig, load_source
from core.yamlconfig import ConfigError
from storage.db import session_scope
from storage.models import CrawlRun, OperatorAlert

GOOD = """name: t
title: 测试
region: 全国
agency: 测试部
start_urls:
  - https://www.example.gov.cn/list.html
list:
  item: ul li
"""

BOMB = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(8)
)


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [
        (GOOD + "schedule:\n  cron: '61 25 32 13 8'\n", 9, "schedule", "not a valid cron expression"),
        (GOOD + "schedule:\n  cron: 'a b c d e'\n", 9, "schedule", "not a valid cron expression"),
        (GOOD + "schedule:\n  cron: '0 8 * * mon-fri'\n", None, None, None),
        (GOOD + "tags: *undefined_alias\n", 9, "(syntax)", "alias"),
        ("name: &n t\n" + GOOD.split("\n", 1)[1] + "extra: *n\n", 9, "(syntax)", "aliases (*n) are not allowed"),
        (GOOD + "include_patterns:\n  - '" + "(a)" * 400 + "'\n", 9, "include_patterns", "longer than 1000 characters"),
        (GOOD + "noise_patterns:\n  - '(?<name'\n", 9, "noise_patterns", "not a valid regular expression"),
    ],
)
def test_bad_schedules_aliases_and_patterns_are_config_errors(
    tmp_path: Path, text: str, line: int | None, field: str | None, fragment: str | None
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    if fragment is None:
        load_source(path)  # a valid expression still passes
        return
    with pytest.raises(ConfigError) as err:
        load_source(path)
    issue = err.value.issues[0]
    assert (issue.line, issue.field.split(".")[0]) == (line, field), str(err.value)
    assert fragment in issue.message


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(GOOD + BOMB, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"t\.yaml:10: \(syntax\): .*aliases \(\*a\) are not allowed"):
        load_source(path)


def test_a_catastrophic_include_pattern_is_stopped_per_match_and_reported(settings: Settings) -> None:
    from crawl.runner import run_crawl

    evil = "a" * 60 + "!"
    routes = {
        "/robots.txt": lambda h: h.reply(b"User-agent: *\nAllow: /\n", "text/plain"),
        "/list.html": lambda h: h.reply(
            f"<ul class='l'><li><a href='/art/1.html?x={evil}'>甲</a></li><li><a href='/art/2.html?x=aa'>乙</a></li></ul>".encode()
        ),
        "/art/1.html": lambda h: h.reply(html("关于发展未来能源的通知").encode()),
        "/art/2.html": lambda h: h.reply(html("关于培育未来材料的通知").encode()),
    }
    with serve_hostile(routes) as (base, _log):
        src = SourceConfig.model_validate(
            {
                "name": "redos",
                "title": "t",
                "region": "全国",
                "agency": "测试部",
                "start_urls": [f"{base}/list.html"],
                "list": {"item": "ul.l li"},
                "include_patterns": ["(a|aa)+$"],
                "politeness": {"delay": 0},
                "network": {"allow_private": "loopback"},
            }
        )
        result = run_crawl(src, settings.model_copy(update={"crawl_timeout": 90}))
    assert result.status == "ok" and result.new == 1, result
    assert "include_patterns pattern '(a|aa)+$' took longer than" in (result.error or "")
    assert f"{base}/art/1.html?x={evil}" in (result.error or "")


def _write_sources(d: Path, base: str = "http://127.0.0.1:9") -> None:
    d.mkdir()
    (d / "good.yaml").write_text(GOOD.replace("name: t", "name: good").replace("https://www.example.gov.cn", base), encoding="utf-8")
    (d / "bad.yaml").write_text(GOOD.replace("name: t", "name: bad") + "schedule:\n  cron: '61 25 32 13 8'\n", encoding="utf-8")


def test_invalid_files_are_recorded_as_source_errors_and_mailed_once(settings: Settings, tmp_path: Path) -> None:
    from crawl.launcher import sync_sources

    _write_sources(tmp_path / "sources")
    s = settings.model_copy(update={"sources_dir": tmp_path / "sources"})
    assert [src.name for src in sync_sources(s, lenient=True)] == ["good"]
    assert [src.name for src in sync_sources(s, lenient=True)] == ["good"]  # a restart
    with session_scope(s) as db:
        runs = db.exec(select(CrawlRun).where(CrawlRun.source_name == "bad")).all()
        alerts = db.exec(select(OperatorAlert).where(OperatorAlert.source_name == "bad")).all()
    assert runs and all(r.status == "failed" and "bad.yaml:9: schedule" in (r.error or "") for r in runs)
    assert len(alerts) == 1
    mails = list(s.outbox_dir.glob("operator-config-bad-*.eml"))
    assert len(mails) == 1, "the operator is told once, not at every restart"
    with pytest.raises(ConfigError):  # the strict path (`radar sources validate`, `radar crawl`) still refuses
        sync_sources(s)


def test_radar_serve_starts_with_the_valid_sources(tmp_path: Path, settings: Settings) -> None:
    _write_sources(tmp_path / "sources")
    env = {**os.environ, "RADAR_DATA_DIR": str(settings.data_dir), "RADAR_SOURCES_DIR": str(tmp_path / "sources"), "COLUMNS": "200"}
    env.pop("SMTP_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    radar = Path(sys.executable).with_name("radar")
    proc = subprocess.Popen([str(radar), "serve", "--no-web"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = ""
    try:
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
            if "调度已启动" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "调度已启动" in out and "1 个来源" in out, out
    assert "bad.yaml:9: schedule" in out and "Traceback" not in out, out
