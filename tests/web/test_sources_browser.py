"""`/sources` stays readable on a laptop (1280 px) and a phone (390 px), in real headless Chromium.

Readable here means what broke before: no column squeezed to a character per
line, and no page wider than the window.  Long unbroken error text (URLs,
exception names) must wrap inside its cell.  Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.paths import REPO_ROOT
from core.settings import Settings
from storage.db import session_scope
from storage.models import CrawlRun, FetchLog, utcnow
from webdata import TOKEN, seed

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
def live(settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a loopback port, seeded, with one source whose last error is a long unbroken URL."""
    import uvicorn

    from web.app import create_app
    from web.security import WebConfig

    seed(settings)
    with session_scope(settings) as s:
        run = CrawlRun(
            source_name="miit",
            status="failed",
            finished_at=utcnow(),
            requests=3,
            errors=3,
            error="http://127.0.0.1:9/a/very/long/path/without/any/break/" + "segment" * 30 + ".html: ConnectionRefusedError",
        )
        s.add(run)
        s.flush()
        s.add(FetchLog(run_id=run.id, source_name="miit", url="http://127.0.0.1:9/" + "x" * 200 + ".html", error="ConnectionRefusedError"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(settings, WebConfig(RADAR_ADMIN_TOKEN=TOKEN)), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


MEASURE = """() => {
  const cells = [...document.querySelectorAll('table.health td')].filter(td => td.innerText.trim().length > 1);
  const narrowest = Math.min(...cells.map(td => td.getBoundingClientRect().width));
  // a short value (a source name, a run number, a status) broken over two lines is what "unreadable" looked like
  const lines = td => { const r = document.createRange(); r.selectNodeContents(td);
    return new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top))).size; };
  const broken = [...document.querySelectorAll('main td')].filter(td => { const t = td.innerText.trim();
    return t.length > 1 && t.length <= 8 && !/\\s/.test(t) && td.children.length === 0 && lines(td) > 1; }).map(td => td.innerText.trim());
  return {narrowest, broken, pageWidth: document.documentElement.scrollWidth, window: window.innerWidth,
          states: [...document.querySelectorAll('table.health .state')].map(e => e.innerText)};
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_sources_page_is_readable_at_laptop_and_phone_width(live: str, width: int) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": 900}, locale="zh-CN", extra_http_headers={"Authorization": f"Bearer {TOKEN}"}
            )
            page = context.new_page()
            page.goto(live + "/sources")
            assert "来源健康状况" in page.inner_text("h1")
            m = page.evaluate(MEASURE)
            page.screenshot(path=str(ARTIFACTS / f"web-sources-{width}.png"), full_page=True)
        finally:
            browser.close()
    assert m["pageWidth"] <= m["window"], f"page {m['pageWidth']} px wide in a {m['window']} px window"
    assert m["narrowest"] >= 48, f"a cell is only {m['narrowest']:.0f} px wide"
    assert m["broken"] == [], f"short values broken over lines: {m['broken']}"
    assert "失败" in m["states"]
