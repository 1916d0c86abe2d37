"""Rows 11 and 13 of the attack run: control characters in queries, absurd page numbers, secrets in CLI lists.

Each answer must be a clear 4xx (never a 500) and a list printed for the
operator must not reveal a credential someone else could use.
"""

from __future__ import annotations

import pytest
from hostile_web import ADMIN_TOKEN, client_for
from typer.testing import CliRunner

from core.settings import Settings

HUGE = "4611686018427387904"


@pytest.mark.parametrize(
    "path", ["/search?q=%00%00%00", "/search?q=%E6%B0%A2%1B", "/feeds/search.atom?q=%00", "/feeds/search.atom?q=a%07b"]
)
def test_queries_with_control_characters_are_refused_with_400(settings: Settings, path: str) -> None:
    r = client_for(settings).get(path)
    assert r.status_code == 400 and "控制字符" in r.text


def test_the_api_refuses_control_characters_as_a_documented_validation_error(settings: Settings) -> None:
    r = client_for(settings).get("/api/search?q=%00%00%00")
    assert r.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        f"/documents?page={HUGE}",
        f"/tracks/energy?page={HUGE}",
        f"/search?q=氢能&page={HUGE}",
        f"/history?page={HUGE}",
        f"/digests?page={HUGE}",
        "/documents?page=100001",
    ],
)
def test_page_numbers_are_bounded(settings: Settings, path: str) -> None:
    r = client_for(settings).get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert r.status_code in (400, 422), (path, r.status_code)


def test_webhook_urls_are_masked_in_the_cli_list(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from alerts.subscriptions import Preferences, subscribe
    from radar.cli import app

    monkeypatch.setenv("RADAR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RADAR_WEBHOOK_ALLOW_PRIVATE", "1")  # the channels point at loopback: no name is resolved
    if settings.database_url:
        monkeypatch.setenv("DATABASE_URL", settings.database_url)
    subscribe(settings, "reader@example.com", ["未来能源"], prefs=Preferences(tracks=["未来能源"], immediate_tracks=["未来能源"]))
    secret_url = "http://127.0.0.1:9/robot/send?access_token=4f0c6f1d2e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c"
    hook = "http://127.0.0.2:9/services/T0000SECRET/B0000SECRET/XyZ0123456789abcdefSECRET"
    runner = CliRunner()
    for url in (secret_url, hook):
        added = runner.invoke(app, ["webhooks", "add", "reader@example.com", "--kind", "dingtalk", "--url", url])
        assert added.exit_code == 0, added.output
    out = runner.invoke(app, ["webhooks", "list"], env={"COLUMNS": "300"}).output
    assert "127.0.0.1:9/robot/send" in out and "127.0.0.2:9/services" in out
    assert "4f0c6f1d2e3a" not in out and "access_token=***" in out
    assert "XyZ0123456789" not in out and "SECRET" not in out
