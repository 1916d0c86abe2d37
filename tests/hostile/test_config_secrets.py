"""Row 1 of the attack run: config values are data, not templates.

A list page's <title> carried ``${RADAR_SECRET_KEY} ${SMTP_URL}
${RADAR_ADMIN_TOKEN}``; `radar sources new` copied it into the source's
title and agency, the loader expanded it, and every anonymous reader saw the
secrets.  Here the same page is drafted, loaded and crawled over loopback
with the secrets set in the environment, and no page, feed, export or API
answer may contain any of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from hostile_site import serve_hostile
from sqlmodel import select

from core.settings import Settings
from core.sources import load_source
from storage.db import session_scope
from storage.models import Document, Source

SECRETS = {
    "RADAR_SECRET_KEY": "sk-not-for-readers-5f1e",
    "SMTP_URL": "smtp://mailer:pw-not-for-readers-77@127.0.0.1:1",
    "RADAR_ADMIN_TOKEN": "tok-not-for-readers-9c3a",
}
BAIT = "${RADAR_SECRET_KEY} ${SMTP_URL} ${RADAR_ADMIN_TOKEN}"


def _list_page(base: str) -> bytes:
    items = "".join(
        f'<li><a href="{base}/art/{i}.html">关于推进氢能与储能产业发展的通知（第{i}号）</a><span>2026-11-0{i}</span></li>'
        for i in range(1, 5)
    )
    return f"<html><head><title>{BAIT}</title></head><body><ul class='news'>{items}</ul></body></html>".encode()


def _detail(i: int) -> bytes:
    return (
        f"<html><head><title>{BAIT} 通知{i}</title></head><body><h1>氢能产业通知{i} {BAIT}</h1>"
        f"<div class='content'><p>为加快培育氢能和新型储能产业，现将有关事项通知如下。{BAIT}</p></div></body></html>"
    ).encode()


def test_a_page_carrying_env_placeholders_publishes_no_secret(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawl.launcher import sync_sources
    from radar.source_tools import guess_source
    from crawl.runner import run_crawl
    from web.app import create_app
    from web.security import WebConfig

    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    routes: dict = {}
    with serve_hostile(routes) as (base, _log):
        routes["/robots.txt"] = lambda h: h.reply(b"User-agent: *\nAllow: /\n", "text/plain")
        routes["/list.html"] = lambda h: h.reply(_list_page(base))
        for i in range(1, 5):
            routes[f"/art/{i}.html"] = (lambda n: lambda h: h.reply(_detail(n)))(i)
        draft = guess_source(f"{base}/list.html", _list_page(base).decode())
        draft.update(name="bait", network={"allow_private": "loopback"}, politeness={"delay": 0, "concurrency": 2})
        sources = tmp_path / "sources"
        sources.mkdir()
        (sources / "bait.yaml").write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")

        src = load_source(sources / "bait.yaml")
        assert src.title == BAIT, "the title stays as written, placeholders unexpanded"
        assert src.agency and src.agency in BAIT, "the agency is copied page text, placeholders unexpanded"
        run_settings = settings.model_copy(update={"sources_dir": sources})
        sync_sources(run_settings)
        result = run_crawl(src, run_settings)
    assert result.status == "ok" and result.new == 4, result.error

    with session_scope(settings) as s:
        doc_ids = [d.id for d in s.exec(select(Document)).all()]
        row = s.exec(select(Source).where(Source.name == "bait")).one()
    assert row.title == BAIT and len(doc_ids) == 4

    client = TestClient(create_app(settings, WebConfig(RADAR_ADMIN_TOKEN=SECRETS["RADAR_ADMIN_TOKEN"])))
    paths = [
        "/",
        "/documents",
        "/search?q=氢能",
        "/api/documents",
        "/api/search?q=氢能",
        "/export/documents.csv",
        "/export/documents.json",
        "/feeds/search.atom?q=氢能",
        "/feeds/region/全国.atom",
    ]
    paths += [p for i in doc_ids for p in (f"/documents/{i}", f"/api/documents/{i}")]
    shown_bait = False
    for path in paths:
        resp = client.get(path)
        assert resp.status_code == 200, path
        text = resp.text
        for name, value in SECRETS.items():
            assert value not in text, f"{name} leaked on {path}"
        shown_bait |= "${RADAR_SECRET_KEY}" in text
    assert shown_bait, "the placeholder text itself is shown as published"


def test_placeholders_expand_only_in_secret_bearing_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_COOKIE", "c-123")
    monkeypatch.setenv("SITE_BASE", "https://www.example.gov.cn")
    path = tmp_path / "t.yaml"
    path.write_text(
        "name: t\ntitle: '${SITE_COOKIE}'\nregion: 全国\nagency: '${SITE_BASE}'\n"
        "start_urls:\n  - '${SITE_BASE}/list.html'\n  - 'https://www.example.gov.cn/a$$b/list.html'\n"
        "cookies:\n  sid: '${SITE_COOKIE}'\nheaders:\n  X-Key: 'k-${SITE_COOKIE}'\n"
        "list:\n  item: 'li:contains(\"${SITE_COOKIE}\")'\ninclude_patterns:\n  - '\\$\\{SITE_COOKIE\\}'\n",
        encoding="utf-8",
    )
    src = load_source(path)
    assert src.start_urls == ["https://www.example.gov.cn/list.html", "https://www.example.gov.cn/a$b/list.html"]
    assert src.cookies == {"sid": "c-123"} and src.headers == {"X-Key": "k-c-123"}
    assert src.title == "${SITE_COOKIE}" and src.agency == "${SITE_BASE}"
    assert src.list is not None and "${SITE_COOKIE}" in src.list.item


def test_sources_new_escapes_dollar_in_copied_urls() -> None:
    from radar.source_tools import guess_source

    page = (
        "<html><head><title>x</title></head><body><ul>"
        + "".join(f"<li><a href='/a/{i}.html'>通知{i}</a><span>2026-01-0{i}</span></li>" for i in range(1, 5))
        + "</ul></body></html>"
    )
    draft = guess_source("http://127.0.0.1:9/${RADAR_SECRET_KEY}/list.html", page)
    assert draft["start_urls"] == ["http://127.0.0.1:9/$${RADAR_SECRET_KEY}/list.html"]
