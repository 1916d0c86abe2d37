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

    from fastapi.testclient import TestClient

    from radar.settings import Settings
    from web.app import create_app
    from web.security import WebConfig

    with TestClient(create_app(Settings(), WebConfig(RADAR_ADMIN_TOKEN="d" * 32))) as client:
        auth = {"Authorization": "Bearer " + "d" * 32}
        html = client.get("/sources", headers=auth).text
        assert "工业和信息化部 文件发布（演示）" in html and "演示</span>" in html
        assert 'action="/sources/miit/crawl"' not in html  # no button that would start a crawl of a site that is gone
        token = client.get("/sources", headers=auth).text.split('name="csrf_token" value="')[1].split('"')[0] if 'name="csrf_token"' in html else ""
        r = client.post("/sources/miit/crawl", headers=auth, data={"csrf_token": token})
        assert r.status_code == 200 and "未能开始重新抓取 miit" in r.text and "radar demo" in r.text
        api = client.post("/api/sources/miit/crawl", headers=auth)
        assert api.status_code == 409 and "radar demo" in api.json()["detail"]
