"""`radar demo` runs the whole flow offline; a second run shows the edited document as changed."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from radar.cli import app


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("RADAR_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SMTP_URL", raising=False)
    import radar.cli

    monkeypatch.setattr(radar.cli.console, "width", 200)  # a wide terminal: no truncated table cells
    return data


def _digest(out: str) -> str:
    line = next(ln for ln in out.splitlines() if "digest written" in ln)
    path = line.split("digest written:")[1].strip()
    with open(path, "rb") as fh:
        msg = message_from_bytes(fh.read(), policy=policy.default)
    return msg["Subject"] + "\n" + msg.get_body(preferencelist=("plain",)).get_content()


def test_demo_twice_reports_the_edited_document_as_changed(demo_env: Path, unused_port: int) -> None:
    runner = CliRunner()
    args = ["demo", "--port", str(unused_port)]  # the same port both times: URLs identify documents
    first = runner.invoke(app, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "第 1 次运行" in first.output
    for source in ("miit", "zj", "thinktank"):
        assert source in first.output
    digest1 = _digest(first.output)
    assert "未来产业政策周报" in digest1 and "更新0条" in digest1
    assert "■ 未来" in digest1

    second = runner.invoke(app, args, catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert "第 2 次运行" in second.output
    assert "演示站点已修改一页" in second.output
    assert "更新的文件" in second.output
    digest2 = _digest(second.output)
    assert "新增0条 / 更新1条" in digest2
    assert "[更新]" in digest2 and "变化：" in digest2


def test_after_the_demo_its_sources_belong_to_the_install(demo_env: Path, unused_port: int) -> None:
    """sources list, /sources and re-crawl know the demo's three sources; the output says what to open next."""
    runner = CliRunner()
    out = runner.invoke(app, ["demo", "--port", str(unused_port)], catch_exceptions=False).output
    # the last lines say what to do next; the deliberately broken PDF is labelled as such
    tail = "\n".join(out.splitlines()[-5:])
    assert "radar web" in tail and "http://127.0.0.1:8000/" in tail and str(demo_env / "outbox") in tail
    broken = next(ln for ln in out.splitlines() if "hydrogen_guide.pdf" in ln)
    assert "有意损坏" in broken and "intentionally broken" in broken

    listed = runner.invoke(app, ["sources", "list"])
    assert listed.exit_code == 0, listed.output
    for name in ("miit", "zj", "thinktank"):
        row = next(ln for ln in listed.output.splitlines() if ln.startswith(f"│ {name} "))
        assert "正常" in row or "部分失败" in row  # crawled, not 未抓取
    assert "radar demo" in listed.output
    crawl = runner.invoke(app, ["crawl", "miit"])  # not a configured source: the message says where it comes from
    assert crawl.exit_code == 2 and "演示来源" in crawl.output

    from fastapi.testclient import TestClient

    from core.settings import Settings
    from web.app import create_app
    from web.security import WebConfig

    import socket
    import time

    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import CrawlRun
    from web.routes.admin import _crawls

    settings = Settings()
    with TestClient(create_app(settings, WebConfig(RADAR_ADMIN_TOKEN="d" * 32))) as client:
        auth = {"Authorization": "Bearer " + "d" * 32}
        html = client.get("/sources", headers=auth).text
        assert "工业和信息化部 文件发布（演示）" in html and "演示</span>" in html
        assert 'action="/sources/miit/crawl"' in html  # the demo's sources re-crawl like any other
        # while the demo's port is taken (a `radar demo` running), the re-crawl cannot start, and says why
        with socket.socket() as busy:
            busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            busy.bind(("127.0.0.1", unused_port))
            busy.listen()
            refused = client.post("/api/sources/miit/crawl", headers=auth)
            assert refused.status_code == 409 and "radar demo" in refused.json()["detail"]
        started = client.post("/api/sources/miit/crawl", headers=auth)
        assert started.status_code == 202 and started.json()["started"] is True
        deadline = time.monotonic() + 120
        while _crawls["miit"].is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
    with session_scope(settings) as s:
        runs = s.exec(select(CrawlRun).where(CrawlRun.source_name == "miit").order_by(CrawlRun.id)).all()
    assert len(runs) == 2 and runs[-1].status == "ok" and runs[-1].items_unchanged > 0  # the same documents, at the same URLs
