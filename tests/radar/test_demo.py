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
