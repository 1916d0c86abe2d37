"""The digest HTML as a mail client shows it: rendered by real headless Chromium, screenshot kept."""

from __future__ import annotations

import base64
import shutil
from datetime import datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from alerts.digest import run_digest
from alerts.period import week_containing
from alerts.subscriptions import subscribe
from core.paths import REPO_ROOT
from core.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_the_digest_renders_in_a_browser_without_overflow_or_script(seeded_for_browser: Settings) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    subscribe(seeded_for_browser, "a@example.com", [])
    report = run_digest(seeded_for_browser, week_containing(datetime.now(timezone.utc)))
    msg = message_from_bytes(Path(report.destinations["a@example.com"]).read_bytes(), policy=policy.default)
    related = next(p for p in msg.walk() if p.get_content_type() == "multipart/related")
    html = related.get_body(preferencelist=("html",)).get_content()
    png = next(p for p in related.iter_attachments() if p.get_content_type() == "image/png")
    # resolve cid: as a mail client does
    html = html.replace(f"cid:{png['Content-ID'].strip('<>')}", "data:image/png;base64," + base64.b64encode(png.get_content()).decode())
    page_file = seeded_for_browser.data_dir / "digest.html"
    page_file.write_text(html, encoding="utf-8")
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for width in (720, 375):  # desktop mail pane and a phone
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(page_file.as_uri())
                page.screenshot(path=str(artifacts / f"digest-{width}.png"), full_page=True)
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "the digest overflows horizontally"
                assert page.evaluate("window.__pwned === undefined")
                assert page.evaluate("document.images[0].naturalWidth") == 560
                text = page.inner_text("body")
                assert "<script>window.__pwned=1</script>" in text  # shown as text, not run
                assert "未来能源" in text and "2025年3月5日" in text
                page.close()
        finally:
            browser.close()


@pytest.fixture
def seeded_for_browser(settings: Settings) -> Settings:
    from datetime import date

    from storage.db import session_scope
    from storage.models import Document, DocumentVersion, Source, TrackLabel

    with session_scope(settings) as s:
        s.add(Source(name="src", title="示例来源", region="全国", agency="示例"))
        for i, title in enumerate(["<script>window.__pwned=1</script> 关于氢能的通知 🚀", "长标题" * 700, "关于推动未来能源产业发展的实施意见"]):
            doc = Document(source_name="src", url=f"https://www.example.gov.cn/{i}.html", title=title, agency="国家能源局", region="全国",
                           doctype="实施意见", published=date(2025, 3, 5), doc_number=f"国能发〔2025〕{i}号")
            s.add(doc)
            s.flush()
            ver = DocumentVersion(document_id=doc.id, version_no=1, text_hash=str(i), title=title, text="氢能。" * 50, summary="推动氢能制储输用全链条发展。" * 3)
            s.add(ver)
            s.flush()
            s.add(TrackLabel(version_id=ver.id, document_id=doc.id, track_id="energy", track="未来能源", score=0.9, terms={"氢能": 50}, quote="氢能。"))
    return settings
