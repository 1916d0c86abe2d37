"""End to end in real headless Chromium: subscribe, confirm from the mail, change preferences, read a diff.

The app runs under uvicorn in a background thread on a loopback port; mails
go to the aiosmtpd server of the ``smtp_server`` fixture.  Screenshots are
kept in test-artifacts/ (gitignored) for people to look at.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from core.paths import REPO_ROOT
from core.settings import Settings
from storage.db import session_scope
from storage.models import Subscriber
from webdata import Seeded, seed

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
pytestmark = [
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="/usr/bin/chromium is absent (apt-get install chromium fonts-noto-cjk)"),
]


@pytest.fixture
def live(settings: Settings, smtp_server) -> Iterator[tuple[str, Seeded, object]]:  # type: ignore[no-untyped-def]
    """(base URL, seeded data, mailbox): the app served by uvicorn on 127.0.0.1, port chosen by the OS."""
    import uvicorn

    from web.app import create_app
    from web.security import WebConfig

    smtp_url, box = smtp_server
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    s = settings.model_copy(update={"smtp_url": smtp_url, "public_url": base})
    data = seed(s)
    server = uvicorn.Server(uvicorn.Config(create_app(s, WebConfig()), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield base, data, box
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_subscribe_confirm_preferences_and_diff_in_chromium(live) -> None:  # type: ignore[no-untyped-def]
    playwright = pytest.importorskip("playwright.sync_api")
    base, data, box = live
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(base + "/")
            assert "本周概览" in page.inner_text("h1")
            page.screenshot(path=str(ARTIFACTS / "web-dashboard.png"), full_page=True)

            # subscribe
            page.goto(base + "/subscribe")
            page.fill("input[name=email]", "browser@example.com")
            page.check("input[name=tracks][value=未来能源]")
            page.fill("input[name=regions]", "全国")
            page.screenshot(path=str(ARTIFACTS / "web-subscribe.png"), full_page=True)
            page.click("button[type=submit]")
            page.wait_for_selector("text=请查收确认邮件")
            assert len(box.messages) == 1 and box.messages[0]["To"] == "browser@example.com"

            # confirm through the link in the mail
            body = box.messages[0].get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"http://127\.0\.0\.1:\d+/subscribe/confirm\?token=[\w.\-]+", body)
            assert link, body
            page.goto(link.group(0))
            page.wait_for_selector("text=订阅成功")
            page.screenshot(path=str(ARTIFACTS / "web-confirmed.png"))

            # change preferences from the confirmation page's link
            page.click("text=修改订阅偏好")
            page.wait_for_selector("form.prefs")
            assert page.is_checked("input[name=tracks][value=未来能源]")
            page.check("input[name=tracks][value=未来健康]")
            page.check("input[name=frequency][value=daily]")
            page.fill("input[name=keywords_include]", "氢能,脑机接口")
            page.click("form.prefs button[type=submit]")
            page.wait_for_selector("text=已保存")
            page.screenshot(path=str(ARTIFACTS / "web-preferences.png"), full_page=True)
            with session_scope(data.settings) as s:
                sub = s.exec(select(Subscriber).where(Subscriber.email == "browser@example.com")).one()
                assert sub.confirmed and sub.frequency == "daily"
                assert set(sub.tracks) == {"未来能源", "未来健康"} and sub.keywords_include == ["氢能", "脑机接口"]

            # a document's diff: side by side, then inline (switched by the page's script)
            page.goto(f"{base}/documents/{data.doc}")
            assert page.is_visible("table.diff-side") and not page.is_visible(".diff-inline")
            assert page.inner_text("table.diff-side ins").strip() != ""
            page.locator("section.diff").screenshot(path=str(ARTIFACTS / "web-diff-side.png"))
            page.click("a[data-mode=inline]")
            assert page.is_visible(".diff-inline") and not page.is_visible("table.diff-side")
            assert "10" in page.inner_text(".diff-inline p.change ins")
            page.locator("section.diff").screenshot(path=str(ARTIFACTS / "web-diff-inline.png"))
            page.screenshot(path=str(ARTIFACTS / "web-document.png"), full_page=True)

            # hostile crawled markup stays text, runs nothing
            page.goto(f"{base}/documents/{data.xss}")
            assert "<img src=x onerror=alert(1)>" in page.inner_text("h1")
            assert page.locator("main img").count() == 0
            assert not dialogs
        finally:
            browser.close()


def test_chromium_blocks_framing_and_inline_script(live) -> None:  # type: ignore[no-untyped-def]
    """The CSP is not just sent but effective: an injected inline script does not run."""
    playwright = pytest.importorskip("playwright.sync_api")
    base, data, _box = live
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/documents/{data.doc}")
            page.evaluate(
                """() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); }"""
            )
            assert page.evaluate("window.__ran === undefined")
        finally:
            browser.close()
