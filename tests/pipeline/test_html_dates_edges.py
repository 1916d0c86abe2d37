"""Publish dates as a reader sees them, and bodies without the furniture templates put around them.

Pages here are the team's own replicas of real CMS templates (TRS, Hanweb, 方正
ENP, news portals); the real pages are scored by bench/eval_html.py and by
tests/pipeline/test_html_real_pages.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.html_extract import extract_html

PROSE = "<p>为贯彻落实国家关于推动未来产业创新发展的部署，加快培育新质生产力，现就有关事项通知如下。</p><p>各地要结合实际抓好落实，确保各项措施落地见效。</p>"


def _page(head: str = "", top: str = "", body: str = PROSE, bottom: str = "", title: str = "关于推动未来产业创新发展的通知") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}_某省人民政府</title>{head}</head><body>"
        f"<div class='nav'><a href='/'>首页</a><a href='/zw/'>政务</a><a href='/hd/'>互动</a></div>"
        f"<h1>{title}</h1>{top}<div class='TRS_Editor'>{body}</div>{bottom}</body></html>"
    )


@pytest.mark.parametrize(
    ("top", "want", "source"),
    [
        ("<div class='info'>生成日期：2017-05-15</div>", date(2017, 5, 15), "label:生成日期"),
        ("<div>发文日期：2023年3月29日</div>", date(2023, 3, 29), "label:发文日期"),
        ("<div>成文日期：2024-01-18 发布日期：2024-01-31</div>", date(2024, 1, 31), "label:发布日期"),
        ("<div>时间：2023-03-29 09:59</div>", date(2023, 3, 29), "label:时间"),
    ],
)
def test_a_visible_label_wins_over_meta_tags_in_the_configured_order(top: str, want: date, source: str) -> None:
    page = extract_html(_page(head="<meta name='PubDate' content='2019-01-01 00:00'>", top=top), "https://www.example.gov.cn/art/1.html")
    assert page.published == want
    assert page.date_source == source


def test_a_date_in_a_time_class_beside_the_headline_is_found() -> None:
    top = "<div class='h-title-info'><span class='h-time'>2019-12-10 07:57:40</span><span>来源：新华网</span></div>"
    page = extract_html(_page(top=top), "https://www.example.cn/news/1.html")
    assert page.published == date(2019, 12, 10)
    assert page.date_source == "time-class"


def test_a_time_element_is_found() -> None:
    page = extract_html(_page(top="<p><time datetime='2024-05-09T10:00:00+08:00'>5月9日</time></p>"), "https://www.example.cn/a")
    assert (page.published, page.date_source) == (date(2024, 5, 9), "time-element")


def test_an_unlabelled_byline_date_under_the_headline_is_found_but_prose_dates_are_not() -> None:
    byline = "<p class='ly'><span>来源：某某晚报</span> <span>2021-11-25 16:26:07</span></p>"
    page = extract_html(_page(top=byline), "https://www.example.cn/a")
    assert (page.published, page.date_source) == (date(2021, 11, 25), "beside-title")
    prose_first = "<p>2024年5月9日，省政府召开常务会议，研究部署未来产业发展工作，会议强调要抓好落实。</p>"
    page = extract_html(_page(body=prose_first + PROSE), "https://www.example.cn/a")
    assert page.published is None and page.date_source is None


def test_meta_tags_then_the_cms_property_comment_then_the_url_are_fallbacks() -> None:
    page = extract_html(_page(head="<meta name='PubDate' content='2022-02-11 09:00'>"), "https://www.example.cn/a")
    assert (page.published, page.date_source) == (date(2022, 2, 11), "meta:pubdate")
    enp = "<!--enpproperty <articleid>1</articleid><date>2022-02-13 00:00:00:0</date><author></author>/enpproperty-->"
    page = extract_html(_page(body=PROSE + enp), "https://www.example.cn/a")
    assert (page.published, page.date_source) == (date(2022, 2, 13), "meta:enpproperty")
    page = extract_html(_page(), "https://www.example.gov.cn/art/2025/3/5/t20250305_12.html")
    assert (page.published, page.date_source) == (date(2025, 3, 5), "url")


def test_furniture_at_the_start_of_the_body_goes() -> None:
    top = ""
    body = (
        "<p>首页 &gt; 新闻中心 &gt;</p><p>来源：访问量：199 发布日期：2017-05-15 10:49:00</p><p>字体：小 大</p>"
        "<p>打印 关闭 分享</p><p>图集</p>" + PROSE
    )
    page = extract_html(_page(top=top, body=body), "https://www.example.cn/a")
    assert page.text.split("\n")[0].startswith("为贯彻落实")


def test_furniture_at_the_end_goes_but_the_same_words_inside_the_article_stay() -> None:
    inside = "<p>责任编辑：要对稿件负责，这是本办法的一条要求。</p>"
    bottom_lines = "<p>【纠错】【责任编辑:张三】</p><p>关联稿件：</p><p><a href='/x.html'>另一条新闻标题</a></p>"
    body = PROSE + inside + "<p>各地要及时报送进展情况。</p>" + bottom_lines
    page = extract_html(_page(body=body), "https://www.example.cn/a")
    lines = page.text.split("\n")
    assert lines[-1] == "各地要及时报送进展情况。"
    assert "责任编辑：要对稿件负责，这是本办法的一条要求。" in lines


def test_an_attachment_list_at_the_end_goes() -> None:
    bottom = "<p>（责任编辑：系统管理员）</p><p>附件下载</p><p>统计表.xls</p>"
    page = extract_html(_page(body=PROSE + bottom), "https://www.example.cn/a")
    assert page.text.split("\n")[-1] == "各地要结合实际抓好落实，确保各项措施落地见效。"


def test_titles_keep_their_ideographic_space_and_lose_markup_from_article_title() -> None:
    page = extract_html(_page(title="国务院办公厅\u3000关于印发方案的通知"), "https://www.example.gov.cn/a")
    assert page.title == "国务院办公厅\u3000关于印发方案的通知"
    head = "<meta name='ArticleTitle' content=\"<font color='#0066FF'>[电子化]</font>某某物业服务项目磋商公告\">"
    page = extract_html(_page(head=head), "https://www.example.gov.cn/a")
    assert page.title == "[电子化]某某物业服务项目磋商公告"


def test_a_site_name_after_a_bare_hyphen_leaves_the_title_but_number_ranges_stay() -> None:
    def title_only(t: str) -> str | None:
        return extract_html(
            f"<html><head><title>{t}</title></head><body><div>{PROSE}</div></body></html>", "https://www.example.cn/a"
        ).title

    assert title_only("省政府召开未来产业推进会-某某省科普网") == "省政府召开未来产业推进会"
    assert title_only("1-10月全县固定资产投资结构趋稳趋优") == "1-10月全县固定资产投资结构趋稳趋优"


def test_reposting_notes_and_article_pagers_at_the_end_go() -> None:
    tail = "<p>本文来源：新华社责任编辑：某某_NN1</p><p>【1】【2】【3】</p><p>（本文来自某某新闻，更多原创资讯请下载客户端）</p>"
    page = extract_html(_page(body=PROSE + tail), "https://www.example.cn/a")
    assert page.text.split("\n")[-1] == "各地要结合实际抓好落实，确保各项措施落地见效。"


@pytest.mark.parametrize(
    "pager",
    [
        "<p>|&lt;&lt;<a href='?p=1'>1</a><a href='?p=2'>2</a><a href='?p=3'>3</a><a href='?p=2'>下一页</a>&gt;&gt;|</p>",
        "<p><a href='?p=1'>上一页</a> 1 2 3 <a href='?p=3'>尾页</a></p>",
        "<p>«前一页 2 3 4 后一页»</p>",
    ],
)
def test_a_numbered_pager_under_the_first_page_of_a_long_article_goes(pager: str) -> None:
    page = extract_html(_page(body=PROSE + pager), "https://www.example.cn/a")
    assert page.text.split("\n")[-1] == "各地要结合实际抓好落实，确保各项措施落地见效。"


def test_radar_extract_json_shows_where_the_date_came_from(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import json

    from pipeline.extract_cli import extract_command

    path = tmp_path / "page.html"
    path.write_text(_page(head="<meta name='PubDate' content='2019-01-01'>", top="<div>生成日期：2017-05-15</div>"), encoding="utf-8")
    assert extract_command(str(path), True) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["published"] == "2017-05-15" and out["date_source"] == "label:生成日期"


def test_the_headline_repeated_in_a_menu_does_not_hide_the_date_under_the_real_one() -> None:
    title = "某地再次出现严重交通拥堵"
    html = (
        f"<html><head><meta charset='utf-8'><title>{title}-新闻网</title></head><body>"
        f"<div class='nav'><span><a href='/a.htm'>{title}</a></span><span><a href='/b.htm'>另一条新闻的标题</a></span>"
        + "".join(f"<span><a href='/c{i}.htm'>第{i}条推荐新闻</a></span>" for i in range(14))
        + f"</div><div class='h-news'><div class='h-title'>{title}</div><div class='h-info'><span class='h-time'> 2019-12-10 07:57:40</span>"
        f"<span>来源：新华网</span></div></div><div id='detail'>{PROSE}</div></body></html>"
    )
    page = extract_html(html, "https://www.example.cn/a")
    assert (page.published, page.date_source) == (date(2019, 12, 10), "time-class")
