"""Every expected CLI failure is one clear message and a non-zero exit, never a traceback.

The walk below is what a newcomer gets wrong in the first hour: a mistyped
data directory, an unreachable database, an unknown frequency, subscriber,
source, region or webhook, a selector with a typo.  Each must name the
problem (and, where there is one, the next step) and exit non-zero.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from radar.cli import app
from core.paths import REPO_ROOT


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated data directory with no database in it yet."""
    data = tmp_path / "data"
    monkeypatch.setenv("RADAR_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("RADAR_WEBHOOK_ALLOW_PRIVATE", raising=False)
    return data


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def assert_clean_failure(result: Result, *expected: str) -> None:
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, result.output


READ_ONLY = [
    ["history"],
    ["history", "--url", "http://127.0.0.1/x"],
    ["subscribers", "list"],
    ["subscribers", "remove", "a@example.com"],
    ["subscribers", "update", "a@example.com", "--tracks", "未来能源"],
    ["sources", "list"],
    ["webhooks", "list"],
    ["webhooks", "remove", "1"],
    ["webhooks", "test", "1"],
    ["digest", "--dry-run"],
    ["jobs"],
]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_read_only_commands_refuse_a_data_dir_without_a_database(env: Path, args: list[str]) -> None:
    result = run(*args)
    assert_clean_failure(result, "radar.db", "radar demo")
    assert not (env / "radar.db").exists()  # a typo in RADAR_DATA_DIR must not create a new empty database


def test_unreachable_database_names_the_url_without_its_password(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://radar:s3cret-pw@127.0.0.1:1/radar")
    result = run("history")
    assert_clean_failure(result, "127.0.0.1:1", "DATABASE_URL")
    assert "s3cret-pw" not in result.output and "***" in result.output


def test_unreachable_database_through_the_installed_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "RADAR_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://u:pw-xyz@127.0.0.1:1/db"}
    proc = subprocess.run(
        [sys.executable, "-m", "radar.cli", "subscribers", "list"], capture_output=True, text=True, env=env, timeout=120, cwd=REPO_ROOT
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "pw-xyz" not in proc.stderr and "cannot use the database" in proc.stderr


@pytest.fixture
def with_subscriber(env: Path) -> Path:
    assert run("subscribe", "analyst@example.com", "--confirmed").exit_code == 0
    return env


def test_digest_refuses_an_unknown_frequency(with_subscriber: Path) -> None:
    assert_clean_failure(run("digest", "--frequency", "monthly"), "monthly", "weekly or daily")


def test_digest_refuses_an_address_that_is_not_a_subscriber(with_subscriber: Path) -> None:
    result = run("digest", "--to", "nobody@example.com")
    assert_clean_failure(result, "nobody@example.com", "analyst@example.com")
    assert "已发送 0" not in result.output


def test_digest_preview_of_an_unknown_subscriber(with_subscriber: Path) -> None:
    assert_clean_failure(run("digest", "--preview", "nobody@example.com"), "nobody@example.com")


def test_history_of_an_unknown_source(with_subscriber: Path) -> None:
    assert_clean_failure(run("history", "nosuch"), "nosuch", "unknown source")


def test_history_with_nothing_to_show_says_so_instead_of_an_empty_table(with_subscriber: Path) -> None:
    unseen = run("history", "--url", "http://127.0.0.1:9/never-fetched.html")
    assert unseen.exit_code == 0 and "没有抓取过该网址" in unseen.output and "fetch" not in unseen.output.split("/")[0]
    runs = run("history", "--since", "2025-03-05")
    assert runs.exit_code == 0 and "还没有抓取记录" in runs.output and "2025-03-05" in runs.output


def test_unknown_sources_for_crawl_and_check(with_subscriber: Path) -> None:
    assert_clean_failure(run("crawl", "nosuch"), "nosuch")
    assert_clean_failure(run("sources", "check", "nosuch"), "nosuch")


def test_subscribe_with_a_region_that_matches_nothing_suggests_the_intended_one(with_subscriber: Path) -> None:
    result = run("subscribe", "b@example.com", "--regions", "浙江省,粤", "--confirmed")
    assert_clean_failure(result, "粤", "广东")
    assert "b@example.com" not in run("subscribers", "list").output  # nothing half-stored


def test_subscribe_accepts_full_names_and_files_them_under_the_short_name(with_subscriber: Path) -> None:
    assert run("subscribe", "c@example.com", "--regions", "浙江省,深圳市", "--confirmed").exit_code == 0
    listed = run("subscribers", "list").output
    assert "浙江、深圳" in listed


def test_subscribers_update_and_remove_of_an_unknown_address(with_subscriber: Path) -> None:
    assert_clean_failure(run("subscribers", "update", "nobody@example.com"), "nobody@example.com")
    assert_clean_failure(run("subscribers", "remove", "nobody@example.com"), "nobody@example.com")


def test_webhook_to_a_loopback_address_is_refused_at_add_time(with_subscriber: Path) -> None:
    run("subscribers", "update", "analyst@example.com", "--immediate", "未来能源")
    result = run("webhooks", "add", "analyst@example.com", "--kind", "json", "--url", "http://127.0.0.1:9/hook")
    assert_clean_failure(result, "loopback", "RADAR_WEBHOOK_ALLOW_PRIVATE")
    assert "127.0.0.1" not in run("webhooks", "list").output


def test_webhook_for_a_subscriber_without_immediate_tracks_is_refused(with_subscriber: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_WEBHOOK_ALLOW_PRIVATE", "1")
    result = run("webhooks", "add", "analyst@example.com", "--kind", "json", "--url", "http://127.0.0.1:9/hook")
    assert_clean_failure(result, "--immediate")


def test_webhooks_for_unknown_ids_and_subscribers(with_subscriber: Path) -> None:
    assert_clean_failure(run("webhooks", "remove", "42"), "42")
    assert_clean_failure(run("webhooks", "test", "42"), "42")
    assert_clean_failure(run("webhooks", "add", "nobody@example.com", "--kind", "json", "--url", "https://8.8.8.8/h"), "nobody@example.com")
    assert_clean_failure(run("webhooks", "add", "analyst@example.com", "--kind", "icq", "--url", "https://8.8.8.8/h"), "icq")


def test_missing_files_and_directories(env: Path, tmp_path: Path) -> None:
    assert_clean_failure(run("sources", "validate", str(tmp_path / "nope")), "nope")
    assert_clean_failure(run("extract", str(tmp_path / "missing.pdf")), "missing.pdf")


def test_an_invalid_selector_is_caught_by_validate_with_its_line(env: Path, tmp_path: Path) -> None:
    d = tmp_path / "src"
    d.mkdir()
    (d / "bad.yaml").write_text(
        "name: bad\ntitle: t\nregion: 全国\nagency: a\nstart_urls: [http://127.0.0.1:9/]\nlist:\n  item: ul.list li[[[\n"
        "detail:\n  body: 'xpath://div['\n",
        encoding="utf-8",
    )
    result = run("sources", "validate", str(d))
    assert_clean_failure(result, "list.item", "detail.body")
    flat = result.output.replace("\n", "")
    assert "bad.yaml:7" in flat and "bad.yaml:9" in flat


def test_bad_period_and_unreadable_date(with_subscriber: Path) -> None:
    assert_clean_failure(run("digest", "--period", "last-month"), "last-month")
    assert_clean_failure(run("history", "--since", "someday"), "someday")


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("PolicyRadar ")


def test_subscribe_with_an_unknown_frequency_or_language_says_so_in_chinese_first(with_subscriber: Path) -> None:
    result = run("subscribe", "d@example.com", "--frequency", "monthly")
    assert_clean_failure(result, "未知频率 / unknown frequency 'monthly'", "weekly, daily, immediate")
    assert "errors.pydantic.dev" not in result.output and "Input should be" not in result.output
    assert_clean_failure(run("subscribe", "d@example.com", "--language", "fr"), "未知语言 / unknown language 'fr'", "zh")
    assert_clean_failure(run("subscribers", "update", "analyst@example.com", "--frequency", "hourly"), "未知频率")


def test_reclassify_of_an_unknown_source_is_refused_not_reported_as_zero_documents(with_subscriber: Path) -> None:
    assert_clean_failure(run("reclassify", "--source", "nosuch"), "nosuch", "unknown source")


def test_sources_new_of_an_unreachable_page_names_it(env: Path, unused_port: int) -> None:
    url = f"http://127.0.0.1:{unused_port}/list.html"
    assert_clean_failure(run("sources", "new", url, "-o", str(env.parent / "x.yaml")), url)


def test_worker_and_enqueue_explain_what_is_missing(env: Path) -> None:
    assert_clean_failure(run("worker"), "RADAR_BROKER_URL")
    assert_clean_failure(run("enqueue", "nosuch"), "nosuch")


def test_a_source_region_that_matches_nothing_is_caught_by_validate(env: Path, tmp_path: Path) -> None:
    d = tmp_path / "src"
    d.mkdir()
    (d / "gd.yaml").write_text(
        "name: gd\ntitle: t\nregion: 粤\nagency: a\nstart_urls: [http://127.0.0.1:9/]\nlist:\n  item: li\n", encoding="utf-8"
    )
    assert_clean_failure(run("sources", "validate", str(d)), "gd.yaml:3", "region", "广东")
    (d / "gd.yaml").write_text(
        "name: gd\ntitle: t\nregion: 广东省\nagency: a\nstart_urls: [http://127.0.0.1:9/]\nlist:\n  item: li\n", encoding="utf-8"
    )
    from core.sources import load_source

    assert load_source(d / "gd.yaml").region == "广东"  # the official full name is filed under the short one


def _chinese_first(result: Result, zh: str, en: str) -> None:
    """The CLI's errors read 中文 / English: the Chinese words come first, the English after them."""
    flat = result.output.replace("\n", "")
    assert "错误 / error:" in flat, flat
    assert zh in flat and en in flat, flat
    assert flat.index(zh) < flat.index(en), flat


def test_checking_a_demo_source_outside_its_folder_says_how_to_check_it(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`radar sources list` shows miit after `radar demo`; `sources check miit` must say why it is not found here and what works."""
    monkeypatch.delenv("RADAR_SOURCES_DIR", raising=False)
    result = run("sources", "check", "miit")
    assert_clean_failure(result, "miit")
    flat = result.output.replace("\n", "")
    _chinese_first(result, "是演示来源", "is a demo source")
    assert "-m demo.server" in flat and "RADAR_SOURCES_DIR=" in flat and "RADAR_DEMO_URL" in flat
    assert f"RADAR_SOURCES_DIR={(REPO_ROOT / 'demo' / 'sources').resolve()} radar sources check miit" in flat


def test_checking_a_demo_source_as_told_works(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the message says works: the demo server on its default port, RADAR_SOURCES_DIR at demo/sources."""
    from demo.server import serve_sites

    with serve_sites(REPO_ROOT / "demo" / "sites") as base:  # a free port: the message's --port N case
        monkeypatch.setenv("RADAR_DEMO_URL", base)
        monkeypatch.setenv("RADAR_SOURCES_DIR", str(REPO_ROOT / "demo" / "sources"))
        result = run("sources", "check", "miit")
    assert result.exit_code == 0, result.output
    assert "工信部" in result.output


def test_checking_a_source_the_database_knows_but_the_sources_dir_does_not(with_subscriber: Path) -> None:
    from core.settings import Settings
    from storage.db import session_scope
    from storage.models import Source

    with session_scope(Settings()) as s:
        s.add(Source(name="old-site", title="旧站", region="全国", agency="某部"))
    result = run("sources", "check", "old-site")
    assert_clean_failure(result, "old-site", "RADAR_SOURCES_DIR")
    _chinese_first(result, "在数据库中有记录", "is in the database")
    _chinese_first(run("sources", "check", "nosuch"), "未知来源", "unknown source")


def test_errors_read_chinese_first_then_english(with_subscriber: Path, tmp_path: Path) -> None:
    _chinese_first(run("subscribers", "update", "nobody@example.com", "--tracks", "未来能源"), "没有这个订阅者", "no such subscriber")
    _chinese_first(run("history", "--since", "2026-13-01"), "无法识别日期", "cannot read date '2026-13-01'")
    period = run("digest", "--period", "lastweek")
    _chinese_first(period, "未知周期", "unknown period 'lastweek'")
    assert "last-week" in period.output
    missing = run("extract", str(tmp_path / "nonexistent.html"))
    assert missing.exit_code == 2
    _chinese_first(missing, "文件不存在", "no such file")


def test_crawl_of_an_unknown_source_says_so_in_chinese_first(with_subscriber: Path) -> None:
    assert_clean_failure(run("crawl", "nosuch"), "未知来源 / unknown source(s): nosuch")


def test_a_webhook_refused_for_its_subscriber_is_not_called_saved(with_subscriber: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host cannot be resolved (offline, a typo): the warning says "saved" only for a channel that was saved."""
    import core.netpolicy

    def unresolvable(url: str, **_kw: object) -> None:
        raise core.netpolicy.BlockedAddress(f"{url}: host cannot be resolved (offline)")

    monkeypatch.setattr(core.netpolicy, "check_url", unresolvable)
    result = run("webhooks", "add", "nobody@example.com", "--kind", "json", "--url", "https://hooks.example.org/x")
    assert_clean_failure(result, "nobody@example.com")
    assert "已保存" not in result.output
