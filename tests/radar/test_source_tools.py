"""`radar sources check` previews a source against the live site; `radar sources new` drafts one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from radar.cli import app
from radar.source_tools import check_source, guess_source
from core.sources import SourceConfig, load_source

LIST = """<html><head><meta charset="utf-8"><title>文件发布</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<ul class="news-list">
<li><a href="a1.html">关于推动氢能产业高质量发展的通知</a><span class="date">2025-03-05</span></li>
<li><a href="a2.html">关于印发量子科技产业行动方案的通知</a><span class="date">2025-03-04</span></li>
<li><a href="a3.html">关于开展文旅消费季活动的通知</a><span class="date">2025-03-03</span></li>
</ul>
<script>createPageHTML(3, 0, "index", "html");</script>
</body></html>"""

DETAIL = """<html><head><meta charset="utf-8"><title>通知</title></head><body>
<h1>关于推动氢能产业高质量发展的通知</h1>
<table><tr><td>发文字号：</td><td>工信部节〔2025〕3号</td></tr><tr><td>发布日期：</td><td>2025-03-05</td></tr></table>
<div id="content"><p>为加快氢能产业发展，推动燃料电池汽车示范应用，现通知如下。</p></div>
<p>附件：<a href="files/notice.pdf">通知全文</a></p>
</body></html>"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "wjfb").mkdir(parents=True)
    (root / "wjfb" / "index.html").write_text(LIST, encoding="utf-8")
    (root / "wjfb" / "a1.html").write_text(DETAIL, encoding="utf-8")
    return root


@pytest.fixture
def base(site: Path):  # type: ignore[no-untyped-def]
    from demo.server import serve_sites

    with serve_sites(site) as url:
        yield url


def _source(base: str, **list_overrides: str) -> SourceConfig:
    lst = {"item": "ul.news-list li", "date": "span.date::text", **list_overrides}
    return SourceConfig.model_validate(
        {
            "name": "t",
            "title": "t",
            "region": "全国",
            "agency": "工业和信息化部",
            "start_urls": [f"{base}/wjfb/index.html"],
            "list": lst,
            "detail": {"body": "#content", "doc_number": "span.no::text"},
            "network": {"allow_private": True},
        }
    )


def test_check_shows_entries_detail_fields_and_attachments(base: str) -> None:
    report = check_source(_source(base), "test-agent")
    assert [e.title for e in report.entries][:2] == ["关于推动氢能产业高质量发展的通知", "关于印发量子科技产业行动方案的通知"]
    assert report.entries[0].date == "2025-03-05"
    assert report.detail is not None and report.detail.doc_number == "工信部节〔2025〕3号"
    assert report.attachments == [f"{base}/wjfb/files/notice.pdf"]
    # the configured doc_number selector finds nothing; generic extraction still did
    assert any("detail.doc_number" in p and "matched nothing" in p for p in report.problems)


def test_check_names_every_selector_that_matched_nothing(base: str) -> None:
    report = check_source(_source(base, item="div.missing li"), "test-agent")
    assert report.entries == []
    assert report.problems == [f"list.item 'div.missing li' matched nothing on {base}/wjfb/index.html"]
    report = check_source(_source(base, date="em.when::text"), "test-agent")
    assert any("list.date 'em.when::text' matched nothing inside any of 3 items" in p for p in report.problems)


def test_guess_finds_the_repeated_block_with_dates_and_the_pagination() -> None:
    draft = guess_source("https://www.example.gov.cn/wjfb/index.html", LIST)
    assert draft["list"] == {"item": "ul.news-list > li", "link": "a::attr(href)", "title": "a::text", "date": "span.date::text"}
    assert draft["pagination"] == {"type": "createpage", "max_pages": 5}
    SourceConfig.model_validate(draft)  # the draft is a valid source file


def test_guess_refuses_pages_without_a_list() -> None:
    with pytest.raises(ValueError, match="no repeated block"):
        guess_source("https://x.example/", "<html><body><p>hello</p></body></html>")


def test_cli_new_writes_a_valid_yaml_and_check_prints_it(base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import radar.cli

    monkeypatch.setattr(radar.cli.console, "width", 200)  # a wide terminal: no wrapped table cells
    monkeypatch.setenv("RADAR_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "sources" / "draft.yaml"
    runner = CliRunner()
    result = runner.invoke(app, ["sources", "new", f"{base}/wjfb/index.html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["name"] == "draft"  # named after -o's file, so it validates as written
    assert load_source(out).list is not None
    monkeypatch.setenv("RADAR_SOURCES_DIR", str(out.parent))
    result = runner.invoke(app, ["sources", "check", "draft"])
    assert result.exit_code == 0, result.output
    assert "关于推动氢能产业高质量发展的通知" in result.output
    assert "工信部节〔2025〕3号" in result.output


def test_new_refuses_an_output_name_that_cannot_be_a_source_name(base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["sources", "new", f"{base}/wjfb/index.html", "-o", str(tmp_path / "My Draft.yaml")])
    assert result.exit_code == 2 and "[a-z0-9_-]" in result.output
    assert not (tmp_path / "My Draft.yaml").exists()


@pytest.mark.parametrize(
    ("url", "footer", "title", "region", "agency"),
    [
        (
            "https://jxt.zj.gov.cn/col/col1/index.html",
            "主办单位：浙江省经济和信息化厅 地址：杭州市",
            "政策文件",
            "浙江",
            "浙江省经济和信息化厅",
        ),
        (
            "https://www.sz.gov.cn/zwgk/index.html",
            "主办：深圳市人民政府办公厅 | 承办：深圳市政务服务数据管理局",
            "政府文件",
            "深圳",
            "深圳市人民政府",
        ),
        ("https://www.miit.gov.cn/zwgk/index.html", "主办单位：中华人民共和国工业和信息化部", "文件发布", "全国", "工业和信息化部"),
        ("https://gdii.gd.gov.cn/tzgg/index.html", "主办单位：本网站", "通知公告 - 广东省工业和信息化厅", "广东", "广东省工业和信息化厅"),
        ("https://jxt.zj.gov.cn/col/col2/index.html", "", "通知公告", "浙江", "通知公告"),
    ],
)
def test_guess_reads_region_and_agency_from_the_footer_the_host_and_the_title(
    url: str, footer: str, title: str, region: str, agency: str
) -> None:
    html = LIST.replace("<title>文件发布</title>", f"<title>{title}</title>").replace("</body>", f"<div class='foot'>{footer}</div></body>")
    draft = guess_source(url, html)
    assert (draft["region"], draft["agency"]) == (region, agency)


MIXED = """<html><head><meta charset="utf-8"><title>文件发布</title></head><body><ul class="news-list">
<li><a href="/">首页</a><span class="date">2025-03-06</span></li>
<li><a href="files/plan.doc">实施方案（附件）</a><span class="date">2025-03-06</span></li>
<li><a href="https://www.example.gov.cn/a.html">转载：外站文章</a><span class="date">2025-03-05</span></li>
<li><a href="data.json">数据</a><span class="date">2025-03-05</span></li>
<li><a href="a1.html">关于推动氢能产业高质量发展的通知</a><span class="date">2025-03-05</span></li>
</ul></body></html>"""


def test_check_previews_the_first_html_detail_page_on_the_own_site_and_says_what_it_skipped(site: Path, base: str) -> None:
    (site / "wjfb" / "index.html").write_text(MIXED, encoding="utf-8")
    (site / "wjfb" / "data.json").write_text('{"rows": []}', encoding="utf-8")  # fetched, answers application/json
    report = check_source(_source(base), "test-agent")
    assert report.detail_url == f"{base}/wjfb/a1.html"
    assert report.detail is not None and report.detail.doc_number == "工信部节〔2025〕3号"
    reasons = dict(report.skipped)
    assert "首页" in reasons[f"{base}/"]
    assert "附件" in reasons[f"{base}/wjfb/files/plan.doc"]
    assert "其他网站 www.example.gov.cn" in reasons["https://www.example.gov.cn/a.html"]  # skipped unfetched
    assert "不是 HTML" in reasons[f"{base}/wjfb/data.json"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.miit.gov.cn/zwgk/zcwj/wjfb/index.html", "miit-wjfb"),
        ("https://www.miit.gov.cn/zwgk/zcjd/index.html", "miit-zcjd"),  # a second column of the same site: its own name
        ("http://www.caict.ac.cn/kxyj/qwfb/bps/", "caict-bps"),
        ("https://x.example/", "x-example"),
    ],
)
def test_a_draft_is_named_after_the_site_and_its_column(url: str, name: str) -> None:
    assert guess_source(url, LIST)["name"] == name


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("文件发布_文件发布_工业和信息化部", "工业和信息化部 文件发布"),  # a CMS title: column twice, then the site
        ("通知公告 - 广东省工业和信息化厅", "广东省工业和信息化厅 通知公告"),
        ("政策文件", "政策文件"),
    ],
)
def test_a_drafts_title_reads_body_then_column(title: str, expected: str) -> None:
    draft = guess_source("https://www.example.gov.cn/wjfb/index.html", LIST.replace("<title>文件发布</title>", f"<title>{title}</title>"))
    assert draft["title"] == expected
