"""The bundled demo source files validate against the operator schema and point at the replica sites."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.sources import load_sources

DEMO = Path(__file__).resolve().parents[2] / "demo"


def test_demo_sources_validate_and_expand_the_port_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_DEMO_URL", "http://127.0.0.1:9999")
    sources = {s.name: s for s in load_sources(DEMO / "sources")}
    assert set(sources) == {"miit", "zj", "thinktank"}
    assert {n: s.region for n, s in sources.items()} == {"miit": "全国", "zj": "浙江", "thinktank": "江苏"}
    for name, src in sources.items():
        assert src.start_urls[0].startswith(f"http://127.0.0.1:9999/{name}/"), src.start_urls
        assert src.politeness.delay == 0
        start = DEMO / "sites" / src.start_urls[0].split("9999/", 1)[1]
        assert start.is_file(), f"{name}: start URL has no replica page"
    assert sources["miit"].pagination.type == "template" and sources["miit"].pagination.url_template == "index_{n}.html"
    assert sources["thinktank"].pagination.type == "none"


def test_the_default_port_is_used_when_the_variable_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RADAR_DEMO_URL", raising=False)
    assert all(s.start_urls[0].startswith("http://127.0.0.1:8765/") for s in load_sources(DEMO / "sources"))


def test_list_selectors_match_the_replica_list_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The YAML selectors find items with title, link and date on every list page (so crawl tests exercise real selectors)."""
    from parsel import Selector

    monkeypatch.delenv("RADAR_DEMO_URL", raising=False)
    for src in load_sources(DEMO / "sources"):
        first = DEMO / "sites" / src.start_urls[0].split("8765/", 1)[1]
        pages = [first] + sorted(first.parent.glob("index_*.html"))
        charset = "gbk" if src.name == "zj" else "utf-8"
        total = 0
        for page in pages:
            sel = Selector(text=page.read_bytes().decode(charset))
            items = sel.css(src.list.item)
            assert items, f"{page}: {src.list.item} matched nothing"
            for it in items:
                assert it.css(src.list.link).get() and it.css(src.list.title).get()
                assert len(it.css(src.list.date).get() or "") == 10
            total += len(items)
        assert total >= 6, (src.name, total)
