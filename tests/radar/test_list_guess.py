"""`radar sources new` drafts list selectors that read exactly the releases of a list page.

The pages are the team's own replicas of the shapes real CMSs produce: layout
tables whose cells share the entries' markup, zebra-striped rows, a list a
template keeps inside an HTML comment, titles that contain dates themselves.
"""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from radar.list_guess import guess_list
from core.sources import ListSelectors
from spiders.listing import read_html


def _read(html: str, guess_config: dict[str, object]) -> list[tuple[str, str | None, str | None]]:
    resp = HtmlResponse(url="https://www.example.gov.cn/col/index.html", body=html.encode("utf-8"), encoding="utf-8")
    return [(e.url, e.title, e.date) for e in read_html(resp, ListSelectors(**guess_config))]  # type: ignore[arg-type]


def _page(body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>通知公告</title></head><body>{body}</body></html>"


NAV = "<div class='nav'>" + "".join(f"<a href='/c{i}/'>栏目{i}</a>" for i in range(8)) + "</div>"
SIDEBAR = "<ul class='side'>" + "".join(f"<li><a href='/hot{i}.html'>热点新闻{i}</a>2024-01-0{i}</li>" for i in range(1, 4)) + "</ul>"


def test_layout_table_cells_do_not_count_as_entries() -> None:
    """Each release is its own one-row table (a portal CMS); the cell around all of them also holds dates and links."""
    rows = "".join(
        f"<table><tr><td width='15'></td><td><font class='list_style'><a href='/a/{i}.html' title='关于第{i}批项目的公告'>关于第{i}批项目的公告</a></font>"
        f"<span class='hui12'>2025-09-{i:02d}</span></td></tr></table>"
        for i in range(1, 8)
    )
    html = _page(
        NAV + f"<table><tr><td colspan='2'>{rows}</td></tr><tr><td><a href='?page=2'>下一页</a><a href='?page=9'>尾页</a></td></tr></table>"
    )
    guess = guess_list(html)
    entries = _read(html, guess.as_config())
    assert [u for u, _, _ in entries] == [f"https://www.example.gov.cn/a/{i}.html" for i in range(1, 8)]
    assert entries[0][1] == "关于第1批项目的公告" and entries[0][2] == "2025-09-01"


STRIPE = ' class="current"'


def test_zebra_striped_rows_are_one_list() -> None:
    rows = "".join(
        f"<tr{STRIPE if i % 2 else ''}><td><a href='/flaw/{i}' title='漏洞{i}'>漏洞{i}</a></td><td>中危</td><td>2026-02-{i:02d}</td></tr>"
        for i in range(1, 11)
    )
    html = _page(NAV + f"<table class='tlist'><thead><tr><th>名称</th><th>级别</th><th>日期</th></tr></thead><tbody>{rows}</tbody></table>")
    guess = guess_list(html)
    assert len(_read(html, guess.as_config())) == 10
    assert guess.item == "tbody > tr"


def test_the_larger_dated_list_wins_over_a_sidebar_and_link_titles_are_used_when_text_is_cut() -> None:
    items = "".join(
        f"<li><a href='/zcjd/{i}.htm' title='关于加快推进第{i}项重点工作的实施意见全文'>关于加快推进第{i}项..</a><span>({2025}-04-{i:02d})</span></li>"
        for i in range(1, 7)
    )
    html = _page(NAV + SIDEBAR + f"<ul class='list'>{items}</ul>")
    guess = guess_list(html)
    entries = _read(html, guess.as_config())
    assert len(entries) == 6
    assert entries[2][1] == "关于加快推进第3项重点工作的实施意见全文"


def test_a_date_inside_the_title_does_not_make_the_link_its_own_entry() -> None:
    titles = ["基金管理有限公司2020年6月30日基金净值公告", "关于暂停申购业务的公告", "关于调整费率的公告", "2020年第二季度报告"]
    items = "".join(
        f"<div class='list-all'><a href='/f/{i}.pdf'>{t}</a><span><a class='dl' href='dl_{i}.jhtml'> </a><span>2020-07-0{i + 1}</span></span></div>"
        for i, t in enumerate(titles)
    )
    html = _page(NAV + f"<div id='msgList'>{items}</div>")
    guess = guess_list(html)
    entries = _read(html, guess.as_config())
    assert [u.rsplit("/", 1)[-1] for u, _, _ in entries] == ["0.pdf", "1.pdf", "2.pdf", "3.pdf"]


def test_a_list_kept_inside_an_html_comment_is_read_as_a_container() -> None:
    items = "".join(f"<li><a href='/art/{i}.html'>关于印发第{i}号文件的通知</a><b>2025-05-{i:02d}</b></li>" for i in range(1, 6))
    html = _page(NAV + f"<ul class='xxgklist'><!--{items}--></ul><script>createPageHTML(4, 0, 'index', 'html');</script>")
    guess = guess_list(html)
    assert guess.container and "comment()" in guess.container
    assert [d for _, _, d in _read(html, guess.as_config())] == [f"2025-05-{i:02d}" for i in range(1, 6)]


def test_no_list_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="write list.item by hand"):
        guess_list(_page(NAV + "<div id='app'></div><script>loadList()</script>"))


def test_a_list_shipped_as_inline_json_for_a_client_side_template_becomes_an_api_inline_block() -> None:
    import json

    from core.sources import SourceConfig
    from spiders.listing import read_entries

    articles = [
        {
            "title": f"关于印发第{i}批未来产业试点工作方案的通知",
            "summary": "",
            "pubDate": f"2025-07-{i:02d} 16:59",
            "urls": json.dumps({"pc": f"/col/col1/content/content_{i}.html"}),
            "relationUrl": f"/col1/relation/{i}.json",
        }
        for i in range(1, 8)
    ]
    columns = [
        {"name": n, "releaseTime": 1755592951088, "urls": json.dumps({"pc": f"/col/{n}/index.html"})}
        for n in ("政务公开", "规范性文件", "政策解读")
    ]
    html = _page(
        NAV + "<div id='list'></div><script>var channels = " + json.dumps(columns, ensure_ascii=False) + ";\n"
        "var listData = { articleList: " + json.dumps(articles, ensure_ascii=False) + ", total: 7 };</script>"
    )
    guess = guess_list(html)
    fields = guess.source_fields()
    assert fields == {"format": "json", "api": {"inline": "articleList", "link": "urls.pc", "title": "title", "date": "pubDate"}}
    source = SourceConfig.model_validate(
        {
            "name": "t",
            "title": "t",
            "region": "江西",
            "agency": "a",
            "start_urls": ["https://www.example.gov.cn/col/col1/index.html"],
            **fields,
        }
    )
    resp = HtmlResponse(url="https://www.example.gov.cn/col/col1/index.html", body=html.encode("utf-8"), encoding="utf-8")
    entries = read_entries(resp, source)
    assert [e.url for e in entries][:2] == [
        "https://www.example.gov.cn/col/col1/content/content_1.html",
        "https://www.example.gov.cn/col/col1/content/content_2.html",
    ]
    assert entries[0].title == "关于印发第1批未来产业试点工作方案的通知" and entries[0].date == "2025-07-01 16:59"
