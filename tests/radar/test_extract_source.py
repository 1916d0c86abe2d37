"""`radar extract URL` reads a configured source's page with that source's rules, as the crawl does.

The replica is the team's own: a city 通知公告 column served on loopback in GBK by a server that
claims UTF-8 (the source forces ``encoding: gbk``), with a sidebar carrying an older 发布日期
that generic extraction would take, and an editor line the source drops with ``noise_patterns``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from core.settings import Settings
from core.sources import load_source
from crawl.runner import run_crawl
from demo.server import serve_sites
from radar.cli import app
from storage.db import session_scope
from storage.models import Document, DocumentVersion

TITLE = "关于支持低空经济产业高质量发展的若干措施"
ARTICLE = f"""<html><head><title>通知公告</title></head><body>
<div class="nav">首页 | 通知公告 | 政策文件</div>
<div class="side"><h3>往期回顾</h3><p>关于开展年度评选工作的公告</p><p>发布日期：2023年1月9日</p></div>
<div class="art">
  <h2 class="art-title">{TITLE}</h2>
  <p class="when">2025-04-18</p>
  <div class="art-body">
    <p>各区人民政府，市有关部门：</p>
    <p>为加快培育低空经济新业态，现提出如下措施。</p>
    <p>一、到2027年，全市低空经济产业规模达到300亿元，建成通用机场和起降点不少于50个。</p>
    <p>二、对新开通的低空物流航线，按每条航线给予最高100万元运营补贴。</p>
    <p>责任编辑：王某某</p>
  </div>
</div>
<div class="foot">主办单位：某市人民政府办公室</div>
</body></html>"""

LIST = """<html><head><title>通知公告</title></head><body><ul class="list">
<li><a href="2025/art_1.html">关于支持低空经济产业高质量发展的若干措施</a><span>2025-04-18</span></li>
</ul></body></html>"""

SOURCE = """name: {name}
title: 某市人民政府 通知公告
region: 江苏
agency: 某市人民政府办公室
start_urls:
  - {base}/{folder}/index.html
list:
  item: ul.list li
  link: a::attr(href)
  title: a::text
  date: span::text
detail:
  title: h2.art-title
  body: div.art-body
  date: p.when
encoding: gbk
noise_patterns: ['^责任编辑：.*$']
politeness:
  delay: 0
  obey_robots: false
network:
  allow_private: loopback
"""

OTHER = """name: other-column
title: 某市人民政府 图片新闻
region: 江苏
agency: 某市人民政府办公室
start_urls:
  - {base}/tpxw/index.html
list:
  item: li
  link: a::attr(href)
detail:
  title: h1
network:
  allow_private: loopback
"""


@pytest.fixture
def city(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The replica site on loopback and a sources directory holding its source and a sibling column's."""
    root = tmp_path / "site"
    (root / "tzgg" / "2025").mkdir(parents=True)
    (root / "tzgg" / "_site.json").write_text('{"charset": "utf-8"}', encoding="utf-8")  # the server lies: the bytes are GBK
    (root / "tzgg" / "index.html").write_bytes(LIST.encode("gbk"))
    (root / "tzgg" / "2025" / "art_1.html").write_bytes(ARTICLE.encode("gbk"))
    sources = tmp_path / "sources"
    sources.mkdir()
    with serve_sites(root) as base:
        (sources / "city-tzgg.yaml").write_text(SOURCE.format(name="city-tzgg", base=base, folder="tzgg"), encoding="utf-8")
        (sources / "other-column.yaml").write_text(OTHER.format(base=base), encoding="utf-8")
        yield base, sources


def _extract(sources: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["extract", "--json", *args], env={"RADAR_SOURCES_DIR": str(sources)})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_configured_sources_page_is_read_with_its_rules_and_says_so(city: tuple[str, Path]) -> None:
    base, sources = city
    data = _extract(sources, f"{base}/tzgg/2025/art_1.html")
    assert data["source"] == "city-tzgg" and "city-tzgg" in data["source_match"]
    assert data["title"] == TITLE  # the selector's headline, decoded as GBK although the server said UTF-8
    assert data["published"] == "2025-04-18" and data["date_source"] == "selector"  # not the sidebar's 2023年1月9日
    assert "300亿元" in data["summary"] and "责任编辑" not in data["text"]
    assert data["agency"] == "某市人民政府办公室"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # storage is covered on both backends elsewhere
def test_extract_shows_the_date_and_summary_the_crawl_stores(settings: Settings, city: tuple[str, Path]) -> None:
    base, sources = city
    run_crawl(load_source(sources / "city-tzgg.yaml"), settings)
    with session_scope(settings) as s:
        doc = s.exec(select(Document)).one()
        version = s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)).one()
        stored = {"url": doc.url, "title": doc.title, "published": doc.published, "summary": version.summary, "doctype": doc.doctype}
    data = _extract(sources, stored["url"])
    assert (data["title"], data["published"], data["summary"], data["doctype"]) == (
        stored["title"],
        stored["published"].isoformat(),  # type: ignore[union-attr]
        stored["summary"],
        stored["doctype"],
    )


def test_an_explicit_source_applies_to_a_saved_file_and_an_unknown_one_is_named(city: tuple[str, Path], tmp_path: Path) -> None:
    _base, sources = city
    saved = tmp_path / "saved.html"
    saved.write_bytes(ARTICLE.encode("gbk"))
    data = _extract(sources, "--source", "city-tzgg", str(saved))
    assert data["source"] == "city-tzgg" and data["published"] == "2025-04-18" and data["title"] == TITLE
    generic = _extract(sources, str(saved))
    assert generic["source"] is None and "通用提取" in generic["source_match"]
    wrong = CliRunner().invoke(app, ["extract", "--source", "no-such", str(saved)], env={"RADAR_SOURCES_DIR": str(sources)})
    assert wrong.exit_code == 2 and "no-such" in wrong.output and "city-tzgg" in wrong.output and "Traceback" not in wrong.output


def test_an_address_no_source_claims_gets_the_generic_extractor(city: tuple[str, Path], tmp_path: Path) -> None:
    base, _sources = city
    empty = tmp_path / "no-sources"
    empty.mkdir()
    data = _extract(empty, f"{base}/tzgg/2025/art_1.html")
    assert data["source"] is None and "no configured source" in data["source_match"]
