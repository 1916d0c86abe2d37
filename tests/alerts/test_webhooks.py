"""Instant alerts reach chat webhooks once, signed the way each platform checks, with retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from sqlmodel import select

from alerts.instant import dispatch_instant
from alerts.subscriptions import Preferences, subscribe
from alerts.webhooks import AlertItem, build_request
from core.settings import Settings
from storage.db import session_scope
from storage.models import CrawlRun, Document, DocumentVersion, TrackLabel, WebhookChannel, WebhookDelivery

ITEM = AlertItem(
    "关于加快氢能产业发展的指导意见",
    "https://www.example.gov.cn/a.html",
    ["未来能源"],
    "全国",
    "国家能源局",
    "2025年3月5日",
    "国能发科技〔2025〕3号",
    "推动氢能制储输用全链条发展。",
    False,
    None,
)


def test_dingtalk_url_carries_a_valid_timestamp_and_signature() -> None:
    url, body, _ = build_request("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", "SEC", ITEM, now=1741140000.0)
    q = parse_qs(urlsplit(url).query)
    ts = q["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SEC", f"{ts}\nSEC".encode(), hashlib.sha256).digest()).decode()
    assert unquote_plus(urlsplit(url).query.split("sign=")[1]) == expected
    assert json.loads(body)["msgtype"] == "markdown"


def test_feishu_body_is_signed_and_json_gets_an_hmac_header() -> None:
    _, body, _ = build_request("feishu", "https://open.feishu.cn/hook/x", "SEC", ITEM, now=1741140000.0)
    data = json.loads(body)
    key = f"{data['timestamp']}\nSEC".encode()
    assert data["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    _, raw, headers = build_request("json", "https://hooks.example/x", "SEC", ITEM)
    assert headers["X-Radar-Signature"] == "sha256=" + hmac.new(b"SEC", raw, hashlib.sha256).hexdigest()
    assert json.loads(raw)["doc_number"] == "国能发科技〔2025〕3号"


class Hooks(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []
    fail_first: set[str] = set()
    lock = threading.Lock()

    def log_message(self, *a: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = urlsplit(self.path).path
        with self.lock:
            Hooks.received.append((path, body))
            flaky = path in Hooks.fail_first
            Hooks.fail_first.discard(path)
        status, reply = (503, b"busy") if flaky else (200, b'{"errcode":0,"errmsg":"ok"}')
        if path == "/rejects":
            status, reply = 200, b'{"errcode":310000,"errmsg":"keywords not in content"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


@pytest.fixture
def hooks() -> Iterator[str]:
    Hooks.received, Hooks.fail_first = [], {"/dingtalk"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_immediate_alerts_go_out_once_per_channel_with_retry(settings: Settings, hooks: str) -> None:
    settings = settings.model_copy(update={"webhook_allow_private": True})  # the receiver is on loopback
    sub = subscribe(settings, "a@example.com", [], prefs=Preferences(immediate_tracks=["未来能源"]))
    with session_scope(settings) as s:
        run = CrawlRun(source_name="src", status="ok")
        s.add(run)
        s.flush()
        doc = Document(source_name="src", url="https://www.example.gov.cn/a.html", title=ITEM.title, region="全国")
        s.add(doc)
        s.flush()
        ver = DocumentVersion(
            document_id=doc.id, version_no=1, run_id=run.id, text_hash="h", title=ITEM.title, text="氢能。", summary="推动氢能发展。"
        )
        s.add(ver)
        s.flush()
        s.add(
            TrackLabel(
                version_id=ver.id, document_id=doc.id, track_id="energy", track="未来能源", score=0.9, terms={"氢能": 2}, quote="氢能。"
            )
        )
        for kind in ("wecom", "dingtalk", "feishu", "slack", "json"):
            s.add(
                WebhookChannel(
                    subscriber_id=sub.id, kind=kind, url=f"{hooks}/{kind}", secret="SEC" if kind in ("dingtalk", "feishu", "json") else None
                )
            )
        s.add(WebhookChannel(subscriber_id=sub.id, kind="wecom", url=f"{hooks}/rejects"))
        run_id = run.id
    report = dispatch_instant(settings, [run_id], backoff=0.05)
    assert report.webhooks == 5 and report.emails == 1
    assert len(report.failed) == 1 and "310000" in report.failed[0]
    paths = [p for p, _ in Hooks.received]
    assert paths.count("/dingtalk") == 2  # 503, then retried
    assert all(paths.count(f"/{k}") == 1 for k in ("wecom", "feishu", "slack", "json", "rejects"))
    again = dispatch_instant(settings, [run_id], backoff=0.05)
    assert again.webhooks == 0 and again.emails == 0 and len(Hooks.received) == len(paths)  # never twice
    with session_scope(settings) as s:
        rows = s.exec(select(WebhookDelivery)).all()
    assert sorted(r.status for r in rows) == ["failed"] + ["sent"] * 5
    assert len(list(settings.outbox_dir.glob("instant-v*.eml"))) == 1
    body = json.loads(dict(Hooks.received)["/wecom"])
    assert "氢能" in body["markdown"]["content"]
