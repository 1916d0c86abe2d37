"""`radar webhooks add/list/test/remove` against a real HTTP receiver on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from radar.cli import app


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict]]]:
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def test_add_test_and_remove_a_webhook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: tuple[str, list[dict]]) -> None:
    url, got = receiver
    monkeypatch.setenv("RADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RADAR_WEBHOOK_ALLOW_PRIVATE", "1")  # the receiver is on loopback
    monkeypatch.delenv("DATABASE_URL", raising=False)
    run = CliRunner().invoke
    assert run(app, ["subscribe", "ops@example.com", "--immediate", "未来能源", "--confirmed"]).exit_code == 0
    added = run(app, ["webhooks", "add", "ops@example.com", "--kind", "json", "--url", url, "--secret", "k"])
    assert added.exit_code == 0, added.output
    assert "ops@example.com" in run(app, ["webhooks", "list"]).output

    tested = run(app, ["webhooks", "test", "1"])
    assert tested.exit_code == 0, tested.output
    assert "测试成功" in tested.output and len(got) == 1 and "测试消息" in json.dumps(got[0], ensure_ascii=False)

    removed = run(app, ["webhooks", "remove", "1"])
    assert removed.exit_code == 0 and "ops@example.com" not in run(app, ["webhooks", "list"]).output
    gone = run(app, ["webhooks", "test", "1"])
    assert gone.exit_code == 2 and "no webhook with id 1" in gone.output


def test_a_failing_receiver_makes_the_test_fail_with_its_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unused_port: int) -> None:
    monkeypatch.setenv("RADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RADAR_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    run = CliRunner().invoke
    run(app, ["subscribe", "ops@example.com", "--immediate", "未来能源", "--confirmed"])
    run(app, ["webhooks", "add", "ops@example.com", "--kind", "json", "--url", f"http://127.0.0.1:{unused_port}/hook"])
    result = run(app, ["webhooks", "test", "1"])
    assert result.exit_code == 1 and "测试失败" in result.output and "Traceback" not in result.output
