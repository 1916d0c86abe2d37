"""The digest HTML as a mail client shows it: rendered by real headless Chromium, screenshot kept."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

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
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _html_part(settings: Settings) -> str:
    report = run_digest(settings, week_containing(datetime.now(timezone.utc)))
    msg = message_from_bytes(Path(report.destinations["a@example.com"]).read_bytes(), policy=policy.default)
    assert not [p for p in msg.walk() if p.get_content_maintype() == "image"], "the digest needs no image (and so no font to draw one)"
    return msg.get_body(preferencelist=("html",)).get_content()


def test_the_digest_renders_in_a_browser_without_overflow_or_script(seeded_for_browser: Settings) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    subscribe(seeded_for_browser, "a@example.com", [])
    page_file = seeded_for_browser.data_dir / "digest.html"
    page_file.write_text(_html_part(seeded_for_browser), encoding="utf-8")
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
                text = page.inner_text("body")
                assert "<script>window.__pwned=1</script>" in text  # shown as text, not run
                assert "未来能源" in text and "2025年3月5日" in text
                page.close()
        finally:
            browser.close()


def test_the_chart_draws_on_a_machine_without_any_font(
    seeded_for_browser: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fontconfig sees an empty font directory, for the sender and for the browser: the chart still has its bars."""
    playwright = pytest.importorskip("playwright.sync_api")
    fonts = tmp_path / "no-fonts"
    fonts.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>{fonts}</dir>'
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {"FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(tmp_path), "HOME": str(tmp_path)}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    if shutil.which("fc-match"):
        import subprocess

        found = subprocess.run(["fc-list"], capture_output=True, text=True, env={**env, "PATH": "/usr/bin:/bin"}).stdout.strip()
        assert found == "", f"fontconfig still finds fonts: {found[:200]}"
    subscribe(seeded_for_browser, "a@example.com", [])
    html = _html_part(seeded_for_browser)
    page_file = seeded_for_browser.data_dir / "digest.html"
    page_file.write_text(html, encoding="utf-8")
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env={**env, "PATH": "/usr/bin:/bin"})
        try:
            page = browser.new_page(viewport={"width": 720, "height": 900})
            page.goto(page_file.as_uri())
            table = page.locator("table[data-chart=weekly]")
            table.screenshot(path=str(artifacts / "digest-chart-no-fonts.png"))
            rows = page.evaluate("""() => [...document.querySelectorAll('table[data-chart=weekly] tbody tr')].map(tr => ({
                label: tr.querySelector('th').textContent,
                count: Number(tr.querySelectorAll('td')[1].textContent),
                bar: tr.querySelector('td div') ? tr.querySelector('td div').getBoundingClientRect().width : 0}))""")
            page.close()
        finally:
            browser.close()
    assert len(rows) == 9 and rows[-1]["label"] == "本周"
    assert rows[-1]["count"] == 2  # by publication date: the 2025 document is not in this week's bar
    assert sum(r["count"] for r in rows) == 2
    assert rows[-1]["bar"] > 100  # drawn, not an empty box
    assert all(r["bar"] == 0 for r in rows if r["count"] == 0)
    assert "按发布日期" in html


@pytest.fixture
def seeded_for_browser(settings: Settings) -> Settings:
    from datetime import date

    from storage.db import session_scope
    from storage.models import Document, DocumentVersion, Source, TrackLabel

    # a day inside the digest's week, in the digest's time zone: two documents published this week, one in 2025
    this_week = (week_containing(datetime.now(timezone.utc)).start + timedelta(days=1)).astimezone(ZoneInfo("Asia/Shanghai")).date()
    with session_scope(settings) as s:
        s.add(Source(name="src", title="示例来源", region="全国", agency="示例"))
        for i, title in enumerate(
            ["<script>window.__pwned=1</script> 关于氢能的通知 🚀", "长标题" * 700, "关于推动未来能源产业发展的实施意见"]
        ):
            doc = Document(
                source_name="src",
                url=f"https://www.example.gov.cn/{i}.html",
                title=title,
                agency="国家能源局",
                region="全国",
                doctype="实施意见",
                published=date(2025, 3, 5) if i == 1 else this_week,
                doc_number=f"国能发〔2025〕{i}号",
            )
            s.add(doc)
            s.flush()
            ver = DocumentVersion(
                document_id=doc.id,
                version_no=1,
                text_hash=str(i),
                title=title,
                text="氢能。" * 50,
                summary="推动氢能制储输用全链条发展。" * 3,
            )
            s.add(ver)
            s.flush()
            s.add(
                TrackLabel(
                    version_id=ver.id,
                    document_id=doc.id,
                    track_id="energy",
                    track="未来能源",
                    score=0.9,
                    terms={"氢能": 50},
                    quote="氢能。",
                )
            )
    return settings
