"""Hostile input that never touches a crawl: config files, subscriber addresses, header injection, SSRF targets.

Each case names what the operator or attacker supplies and what PolicyRadar
must answer: a config error with file, line and field; a refused address; a
mail whose headers are exactly the ones we wrote; a refused network target.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import select

from core.netpolicy import BlockedAddress, check_url
from core.settings import Settings
from core.sources import SourceConfig, load_source
from core.yamlconfig import ConfigError
from storage.db import session_scope
from storage.models import Subscriber

GOOD = """name: t
title: 测试
region: 全国
agency: 测试部
start_urls:
  - https://www.example.gov.cn/list.html
list:
  item: ul li
"""

# (case id, file text, line, field, message fragment)
YAML_CASES = [
    ("tab-indentation", GOOD.replace("  item: ul li", "\titem: ul li"), 8, "(syntax)", "'\\t'"),
    ("duplicate-key", GOOD + "region: 浙江\n", 9, "(syntax)", "duplicate key 'region' (first on line 3)"),
    ("wrong-type", GOOD + "politeness:\n  delay: soon\n", 10, "politeness.delay", "valid number"),
    ("unknown-field", GOOD + "politness:\n  delay: 1\n", 9, "politness", "Extra inputs"),
    ("unknown-nested-field", GOOD + "network:\n  allow_privat: true\n", 10, "network.allow_privat", "Extra inputs"),
    ("bad-regex", GOOD + "include_patterns:\n  - '([a-z'\n", 9, "include_patterns", "not a valid regular expression"),
    ("bad-url-scheme", GOOD.replace("https://www.example.gov.cn/list.html", "ftp://x/list"), 5, "start_urls", "not an http(s) URL"),
    ("javascript-url", GOOD.replace("https://www.example.gov.cn/list.html", "javascript:alert(1)"), 5, "start_urls", "not an http(s) URL"),
    ("url-without-host", GOOD.replace("https://www.example.gov.cn/list.html", "http:///list.html"), 5, "start_urls", "no host"),
    (
        "out-of-range",
        GOOD + "pagination:\n  type: template\n  url_template: index_{n}.html\n  max_pages: -3\n",
        12,
        "pagination.max_pages",
        "greater than or equal to 1",
    ),
    ("unknown-encoding", GOOD + "encoding: klingon\n", 9, "encoding", "unknown encoding"),
    ("not-a-mapping", "- a\n- b\n", 1, "(root)", "expected a mapping"),
    ("allow-private-not-bool", GOOD + "network:\n  allow_private: maybe\n", 10, "network.allow_private", "valid boolean"),
]


@pytest.mark.parametrize(("text", "line", "field", "fragment"), [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_malformed_source_file_names_file_line_and_field(tmp_path: Path, text: str, line: int, field: str, fragment: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_source(path)
    issue = err.value.issues[0]
    assert (issue.path, issue.line, issue.field) == (str(path), line, field)
    assert fragment in issue.message
    assert str(err.value).startswith(f"{path}:{line}: {field}: ")


def test_a_binary_source_file_is_a_config_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(ConfigError, match=r"t\.yaml: \(file\): .*utf-8"):
        load_source(path)


# ---- subscriber addresses -----------------------------------------------------------------

BAD_EMAILS = {
    "crlf-bcc": "a@example.com\r\nBcc: victim@example.org",
    "lf-inside": "a@exam\nple.com",
    "missing-at": "a.example.com",
    "two-ats": "a@b@example.com",
    "list-of-two": "a@example.com, b@example.com",
    "display-name": "Evil <a@example.com>",
    "space-inside": "a b@example.com",
    "no-domain-dot": "a@localhost",
    "too-long": "a" * 250 + "@example.com",
    "nul-byte": "a\x00@example.com",
    "idn-local-part": "用户@example.com",
}


@pytest.mark.parametrize("address", BAD_EMAILS.values(), ids=BAD_EMAILS.keys())
def test_invalid_subscriber_address_is_refused(address: str) -> None:
    from alerts.subscriptions import SubscriptionError, validate_email

    with pytest.raises(SubscriptionError, match="not a valid email address"):
        validate_email(address)


def test_a_refused_address_stores_no_subscriber(settings: Settings) -> None:
    from alerts.subscriptions import SubscriptionError, subscribe

    with pytest.raises(SubscriptionError):
        subscribe(settings, BAD_EMAILS["crlf-bcc"], tracks=[])
    with session_scope(settings) as s:
        assert s.exec(select(Subscriber)).all() == []


def test_idn_domain_is_stored_in_ascii_form(settings: Settings) -> None:
    from alerts.subscriptions import subscribe

    sub = subscribe(settings, "Reader@例子.中国", tracks=[])
    assert sub.email == "reader@xn--fsqu00a.xn--fiqs8s"


def test_web_form_refuses_a_header_injection_address_and_shows_it_escaped(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app
    from web.security import WebConfig

    client = TestClient(create_app(settings, WebConfig()))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/subscribe").text)
    assert token
    evil = "<script>x</script>a@example.com\r\nBcc: victim@example.org"
    r = client.post("/subscribe", data={"email": evil, "frequency": "weekly", "language": "zh", "csrf_token": token.group(1)})
    assert r.status_code in (200, 400, 422)
    assert "<script>x</script>" not in r.text
    assert "not a valid email address" in r.text or "不是有效的邮箱地址" in r.text
    with session_scope(settings) as s:
        assert s.exec(select(Subscriber)).all() == []
    assert not list(settings.outbox_dir.glob("*.eml")), "no confirmation mail for a refused address"


# ---- header injection through crawled titles ------------------------------------------------

INJECTED = "关于氢能的通知\r\nBcc: victim@example.org\r\nX-Evil: 1"


def test_digest_headers_cannot_be_injected_through_the_subject() -> None:
    from alerts.mime import digest_bytes

    for subject in (INJECTED, "ascii title\r\nBcc: victim@example.org"):
        raw = digest_bytes(
            subject=subject,
            sender="PolicyRadar <radar@localhost>",
            recipient="a@example.com",
            message_id="<m@x>",
            text="t",
            html="<p>h</p>",
            extra_headers=[("X-Radar-Period", "p\nX-Evil: 1")],
        )
        msg = message_from_bytes(raw, policy=policy.default)
        assert msg["Bcc"] is None and msg["X-Evil"] is None
        assert "victim@example.org" in str(msg["Subject"])  # kept as text, on the one Subject line
        assert [k for k in msg.keys()] == ["Subject", "From", "To", "Date", "Message-ID", "X-Radar-Period", "MIME-Version", "Content-Type"]


def test_instant_alert_with_an_injected_title_goes_out_with_clean_headers(settings: Settings) -> None:
    from alerts.instant import dispatch_instant
    from alerts.subscriptions import Preferences, subscribe
    from storage.models import CrawlRun, Document, DocumentVersion, TrackLabel

    subscribe(settings, "a@example.com", [], prefs=Preferences(immediate_tracks=["未来能源"]))
    with session_scope(settings) as s:
        run = CrawlRun(source_name="src", status="ok")
        s.add(run)
        s.flush()
        doc = Document(source_name="src", url="https://www.example.gov.cn/a.html", title=INJECTED, region="全国")
        s.add(doc)
        s.flush()
        ver = DocumentVersion(
            document_id=doc.id, version_no=1, run_id=run.id, text_hash="h", title=INJECTED, text="氢能。", summary="<b>氢能</b>"
        )
        s.add(ver)
        s.flush()
        s.add(
            TrackLabel(
                version_id=ver.id, document_id=doc.id, track_id="energy", track="未来能源", score=0.9, terms={"氢能": 2}, quote="氢能。"
            )
        )
        run_id = run.id
    report = dispatch_instant(settings, [run_id], backoff=0.01)
    assert report.emails == 1, report.failed
    (eml,) = settings.outbox_dir.glob("instant-*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert "Bcc: victim@example.org" in str(msg["Subject"]) and "\n" not in str(msg["Subject"])


# ---- SSRF: address policy -------------------------------------------------------------------

REFUSED_TARGETS = [
    "http://127.0.0.1/",
    "http://127.8.9.10:8080/x",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://100.64.0.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://localhost/",
    "http://2130706433/",
]


# Not opened by `allow_private: true` (only by listing their CIDR): link-local incl. cloud metadata, unspecified, multicast, reserved.
NEVER_OPENED_BY_TRUE = {
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
}


@pytest.mark.parametrize("url", REFUSED_TARGETS)
def test_non_public_targets_are_refused_without_opt_in(url: str) -> None:
    with pytest.raises(BlockedAddress, match=r"refused|cannot be resolved"):
        check_url(url, allow_private=False)
    if url in NEVER_OPENED_BY_TRUE:
        with pytest.raises(BlockedAddress, match="refused"):
            check_url(url, allow_private=True)
    else:
        check_url(url, allow_private=True)  # the source's opt-in lets it through


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://x/", "data:text/html,hi"])
def test_non_http_schemes_are_refused_even_with_opt_in(url: str) -> None:
    with pytest.raises(BlockedAddress, match="http and https only"):
        check_url(url, allow_private=True)


def test_public_address_literals_pass() -> None:
    for url in ("http://8.8.8.8/", "https://[2001:4860:4860::8888]/x", "http://1.1.1.1:8080/"):
        check_url(url, allow_private=False)


@pytest.fixture
def loopback_site() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            return None

        def do_GET(self) -> None:
            seen.append(self.path)
            body = b"<ul class='l'><li><a href='/d/1.html'>x</a></li></ul>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _loopback_source(base: str, allow: bool) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "name": "lo",
            "title": "lo",
            "region": "全国",
            "agency": "测试部",
            "start_urls": [f"{base}/list.html"],
            "list": {"item": "ul.l li"},
            "politeness": {"delay": 0, "obey_robots": True},
            "network": {"allow_private": allow},
        }
    )


def test_a_crawl_of_a_loopback_source_without_opt_in_is_refused_and_recorded(
    settings: Settings, loopback_site: tuple[str, list[str]]
) -> None:
    from crawl.runner import run_crawl
    from storage.models import FetchLog

    base, seen = loopback_site
    result = run_crawl(_loopback_source(base, allow=False), settings)
    assert result.status == "failed"
    assert f"{base}/list.html: RefusedRequest: {base}/list.html: refused, 127.0.0.1 resolves to loopback address" in (result.error or "")
    assert seen == [], "not a single request (robots.txt included) reached the loopback server"
    with session_scope(settings) as s:
        logs = s.exec(select(FetchLog).where(FetchLog.run_id == result.run_id)).all()
    assert logs and all(log.status is None and "allow_private" in (log.error or "") for log in logs)


def test_source_check_tool_refuses_a_loopback_page_without_opt_in(loopback_site: tuple[str, list[str]]) -> None:
    from radar.source_tools import check_source

    base, seen = loopback_site
    report = check_source(_loopback_source(base, allow=False), "test-agent", timeout=5)
    assert report.problems and "refused, 127.0.0.1 resolves to loopback" in report.problems[0]
    assert seen == []
    allowed = check_source(_loopback_source(base, allow=True), "test-agent", timeout=5)
    assert seen == ["/list.html", "/d/1.html"] and allowed.entries


def test_webhook_to_a_loopback_address_is_refused_unless_allowed(settings: Settings, loopback_site: tuple[str, list[str]]) -> None:
    from alerts.webhooks import AlertItem, WebhookError, send
    from core.netpolicy import guarded_client

    base, seen = loopback_site
    item = AlertItem("标题", "https://www.example.gov.cn/a.html", ["未来能源"], "全国", None, None, None, "摘要", False, None)
    with (
        guarded_client(settings.webhook_allow_private, timeout=5) as client,
        pytest.raises(WebhookError, match="refused, 127.0.0.1 resolves to loopback"),
    ):
        send(client, "json", f"{base}/hook", None, item)
    assert seen == []
    allowed = settings.model_copy(update={"webhook_allow_private": True})
    with guarded_client(allowed.webhook_allow_private, timeout=5) as client:
        send(client, "json", f"{base}/hook", None, item)
    assert seen == ["/hook"]
