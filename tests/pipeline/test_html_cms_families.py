"""Title, publish date, 发文字号 and body edges on the big government CMS families, and the rules behind them.

The pages in tests/fixtures/cms are the team's replicas of each family's detail
template (see its README); the real pages are scored by bench/eval_html.py.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from pipeline.html_extract import HtmlExtract, extract_html

CMS = Path(__file__).resolve().parents[1] / "fixtures" / "cms"
URL = "https://www.example.gov.cn/art/2024/1/1/art_1_2.html"


def _cms(name: str) -> HtmlExtract:
    return extract_html((CMS / f"{name}.html").read_text(encoding="utf-8"), URL)


# page, title, published, date_source, written, 发文字号, first body line starts, last body line
FAMILIES = [
    (
        "govcn_zhengce",
        "某某部关于加快推进数据要素流通试点工作的通知",
        date(2024, 3, 20),
        "label:发布日期",
        date(2024, 3, 15),
        "某信部数〔2024〕27号",
        "某信部数〔2024〕27号",
        "（此件公开发布）",
    ),
    (
        "govcn_news",
        "国务院常务会议部署推进设备更新工作",
        date(2024, 5, 11),
        "time-class",
        None,
        None,
        "新华社北京5月11日电",
        "会议还研究了其他事项。",
    ),
    (
        "trs_province",
        "某省人民政府办公厅关于印发某省促进民营经济发展若干措施的通知",
        date(2023, 3, 29),
        "label:发布时间",
        date(2023, 3, 24),
        "某政办发〔2023〕9号",
        "各市人民政府",
        "三、优化服务。各级政府部门要公开办事指南，来源、时间、编辑等信息应当准确标注。",
    ),
    (
        "trs_ueditor",
        "市场监管局开展春季食品安全专项检查",
        date(2025, 4, 1),
        "label:发布时间",
        None,
        None,
        "为保障春季食品安全",
        "执法人员在农贸市场检查",
    ),
    (
        "hanweb_dept",
        "某市发展和改革委员会关于开展2024年度节能监察工作的通知",
        date(2024, 4, 8),
        "label:发布日期",
        date(2024, 4, 3),
        "某发改环资〔2024〕58号",
        "各区县发展改革局",
        "2024年4月3日",
    ),
    (
        "gkmlpt",
        "某市人民政府关于公布2024年政府定价目录的通知",
        date(2024, 5, 10),
        "label:发布日期",
        date(2024, 5, 6),
        "某府〔2024〕31号",
        "各县（市、区）人民政府",
        "2024年5月6日",
    ),
    (
        "zoomcon",
        "关于做好2025年高校毕业生就业创业工作的通知",
        date(2025, 2, 18),
        "label:发布日期",
        date(2025, 2, 14),
        None,
        "各区人力资源和社会保障局",
        "二〇二五年二月十四日",
    ),
]


@pytest.mark.parametrize(("page", "title", "published", "source", "written", "doc_number", "first", "last"), FAMILIES)
def test_each_cms_family_gives_title_date_number_and_a_clean_body(
    page: str, title: str, published: date, source: str, written: date | None, doc_number: str | None, first: str, last: str
) -> None:
    ext = _cms(page)
    assert ext.title == title
    assert (ext.published, ext.date_source) == (published, source)
    assert ext.written == written
    assert ext.doc_number == doc_number
    lines = ext.text.split("\n")
    assert lines[0].startswith(first), lines[:3]
    assert lines[-1] == last, lines[-3:]
    for furniture in ("首页", "打印", "分享", "责任编辑", "相关", "版权所有", "上一篇", "扫一扫", "浏览次数", "字体", "附件下载"):
        assert not any(line.startswith(furniture) for line in lines), furniture


def test_a_number_cited_inside_a_sentence_is_not_the_pages_own() -> None:
    # trs_province cites 某政发〔2021〕15号 in a sentence; its own number comes from the 文号 label
    assert _cms("trs_province").doc_number == "某政办发〔2023〕9号"
    body = "<p>根据《某省人民政府关于金融支持实体经济的意见》（某政发〔2021〕15号），现就有关事项通知如下，请认真贯彻执行。</p><p>各地要抓好落实。</p>"
    page = extract_html(
        f"<html><head><title>关于金融支持的通知_某省人民政府</title></head><body><div class='TRS_Editor'>{body}</div></body></html>", URL
    )
    assert page.doc_number is None


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("某政办发〔2024〕7号", "某政办发〔2024〕7号"),
        ("某财税[2024]第8号", "某财税〔2024〕第8号"),
        ("国家某某总局公告2024年第3号", "国家某某总局公告2024年第3号"),
        ("某某部令第12号", "某某部令第12号"),
        ("某发〔2024〕5号　　签发人：张某", "某发〔2024〕5号"),
    ],
)
def test_a_number_on_a_line_of_its_own_under_the_headline_is_read(line: str, want: str) -> None:
    body = f"<p>{line}</p><p>各有关单位：</p><p>为加强管理，现就有关事项公告如下，请遵照执行。</p><p>特此公告。</p>"
    page = extract_html(
        f"<html><head><title>关于加强管理的公告_某省人民政府</title></head><body><div class='TRS_Editor'>{body}</div></body></html>", URL
    )
    assert page.doc_number == want


def test_a_short_line_naming_another_documents_number_is_not_the_pages_own() -> None:
    body = "<p>附件：某政发〔2020〕3号文件</p><p>各有关单位：</p><p>为加强管理，现就有关事项通知如下，请遵照执行。</p>"
    page = extract_html(
        f"<html><head><title>关于加强管理的通知_某省人民政府</title></head><body><div class='TRS_Editor'>{body}</div></body></html>", URL
    )
    assert page.doc_number is None


def test_a_number_closing_the_title_is_read_when_no_label_or_line_gives_one() -> None:
    body = "<p>各有关单位：</p><p>为加强管理，现就有关事项通知如下，请遵照执行。</p>"
    title = "某市人民政府关于加强管理的通知（某府〔2024〕12号）"
    page = extract_html(
        f"<html><head><title>{title}_某市人民政府</title></head><body><h1>{title}</h1><div id='zoom'>{body}</div></body></html>", URL
    )
    assert page.doc_number == "某府〔2024〕12号"


HEADLINE = "某市关于推动未来产业创新发展的通知"
PROSE = "<div class='TRS_Editor'><p>为贯彻落实国家关于推动未来产业创新发展的部署，加快培育新质生产力，现就有关事项通知如下。</p><p>各地要结合实际抓好落实，确保各项措施落地见效。</p></div>"

LAST_SENTENCE = "各地要结合实际抓好落实，确保各项措施落地见效。"


def _with_tail(tail: str) -> HtmlExtract:
    """A 某市人民政府 page whose text box ends with ``tail`` after the article's last sentence."""
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{PROSE.replace('</div>', tail + '</div>')}</body></html>"
    return extract_html(html, URL)


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ("<title>某市人民政府</title>", f"<h1>{HEADLINE}</h1>"),  # <title> names only the site
        ("<title>某市人民政府门户网站</title>", f"<div class='article-title'>{HEADLINE}</div>"),
        (f"<title>某市人民政府-{HEADLINE}</title>", ""),  # the site name first
        (f"<title>{HEADLINE}－某某市政府网</title>", ""),  # a full-width hyphen before the site
        ("<title>某市关于推动未来产业创新...</title>", f"<h2>{HEADLINE}</h2>"),  # cut short by the CMS
        (f"<title>{HEADLINE}_某市人民政府</title>", f"<h1>某市人民政府门户网站</h1><h2>{HEADLINE}</h2>"),  # logo in h1
        ("", f"<table><tr><td class='biaoti'>{HEADLINE}</td></tr></table>"),  # no <title> at all
        (f"<title>{HEADLINE}_通知公告_某市人民政府</title>", f"<h2>通知公告</h2><p class='xl'>{HEADLINE}</p>"),  # column name heading
        ("<title>某某新闻网_(新闻)</title>", f"<table><tr><td class='bt_title'>{HEADLINE}</td></tr></table>"),  # site + column only
        ("<title>某某科普-辟谣文章</title>", f"<div class='rumor-title'>{HEADLINE}</div><div class='tj-title'>相关推荐</div>"),
        # the headline set as a picture under a <title> naming only the site: the picture's alt text
        ("<title>某市人民政府</title>", f"<div class='bt'><img src='bt.png' alt='{HEADLINE}'></div>"),
        # <title> writes the heading's —— as a hyphen, and the h1 with its date under it is the headline
        ("<title>某市关于推动未来产业创新发展的通知-某某头条</title>", "<h1>某市关于推动未来产业——创新发展的通知</h1>"),
    ],
)
def test_the_headline_is_found_whatever_the_title_tag_says(head: str, body: str) -> None:
    page = extract_html(f"<html><head>{head}</head><body>{body}{PROSE}</body></html>", URL)
    assert page.title == (HEADLINE if "——" not in body else "某市关于推动未来产业——创新发展的通知")


def test_a_name_column_of_a_table_in_the_body_is_not_the_title() -> None:
    table = "<table><tr><td>名称</td><td>规格型号说明</td></tr><tr><td>办公桌椅一批</td><td>标准</td></tr></table>"
    body = PROSE.replace("</div>", table + "</div>")
    page = extract_html(f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{body}</body></html>", URL)
    assert page.title == HEADLINE


def test_a_heading_that_shares_the_headlines_words_stays_but_the_repeated_headline_goes() -> None:
    report = "<div class='TRS_Editor'><p>未来产业发展报告</p><p>目录：</p><p>第一章 总体形势</p><p>第一章 总体形势</p><p>未来产业正在成为新一轮科技革命的主战场，各国加快布局。</p></div>"
    page = extract_html(
        f"<html><head><title>《未来产业发展报告》全文_某研究院</title></head><body><h1>《未来产业发展报告》全文</h1>{report}</body></html>",
        URL,
    )
    assert page.text.split("\n")[:2] == ["未来产业发展报告", "目录："]
    repeated = PROSE.replace("<div class='TRS_Editor'>", f"<div class='TRS_Editor'><p>{HEADLINE}</p><p>2024-05-10 来源：某市政府办公室</p>")
    page = extract_html(f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{repeated}</body></html>", URL)
    assert page.text.split("\n")[0].startswith("为贯彻落实")
    split = PROSE.replace("<div class='TRS_Editor'>", "<div class='TRS_Editor'><p>某市关于推动未来产业</p><p>创新发展的通知</p>")
    page = extract_html(f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{split}</body></html>", URL)
    assert page.text.split("\n")[0].startswith("为贯彻落实")


def test_a_time_label_inside_the_body_does_not_beat_the_date_under_the_headline() -> None:
    byline = "<p class='ly'>2024-05-10 16:26 来源：某市政府办公室</p>"
    notice = "<div class='TRS_Editor'><p>定于近期召开全市未来产业推进会，现将有关事项通知如下。</p><p>时间：2024年5月20日上午9:00</p><p>地点：市政府第一会议室</p></div>"
    page = extract_html(
        f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{byline}{notice}</body></html>", URL
    )
    assert (page.published, page.date_source) == (date(2024, 5, 10), "beside-title")
    assert page.agency == "某市政府办公室"


def test_a_signing_date_at_the_end_stays_but_a_publication_stamp_goes() -> None:
    signed = PROSE.replace("</div>", "<p>某市人民政府</p><p>2024年5月6日</p></div>")
    page = extract_html(f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{signed}</body></html>", URL)
    assert page.text.split("\n")[-2:] == ["某市人民政府", "2024年5月6日"]
    assert page.written == date(2024, 5, 6)
    stamped = PROSE.replace("</div>", "<p>2024-05-06 10:20</p></div>")
    page = extract_html(f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{stamped}</body></html>", URL)
    assert page.text.split("\n")[-1] == "各地要结合实际抓好落实，确保各项措施落地见效。"
    assert page.written is None


def test_a_short_article_in_a_container_named_like_furniture_is_kept() -> None:
    notice = "<div id='print-content'><p>经研究，决定于2025年5月10日起调整某路段通行管理措施，请广大市民提前规划出行路线。</p><p>特此通知。</p></div>"
    page = extract_html(
        f"<html><head><title>交通管理通知_某市人民政府</title></head><body><h1>交通管理通知</h1>{notice}</body></html>", URL
    )
    assert page.text.split("\n") == ["经研究，决定于2025年5月10日起调整某路段通行管理措施，请广大市民提前规划出行路线。", "特此通知。"]


def test_a_cms_class_on_a_sidebar_box_does_not_hide_the_article_elsewhere() -> None:
    box = "<div class='leftbox'><div class='content'>本站提供政策查询、办事指南、互动交流等服务，欢迎访问使用本网站，如有意见建议请通过留言板反映，我们将及时回复。</div></div>"
    article = "".join(f"<p>第{i}条：各地要结合实际抓好落实，确保各项措施落地见效，及时总结推广经验做法。</p>" for i in range(1, 7))
    page = extract_html(
        f"<html><head><title>某某通知_某市人民政府</title></head><body>{box}<h1>某某通知</h1><div class='wz_zw'>{article}</div></body></html>",
        URL,
    )
    lines = page.text.split("\n")
    assert len(lines) == 6 and lines[0].startswith("第1条") and "本站提供" not in page.text


def test_the_text_between_template_markers_is_the_body() -> None:
    inside = "<p>为贯彻落实国家关于推动未来产业创新发展的部署，现就有关事项通知如下。</p><p>各地要结合实际抓好落实。</p>"
    outside = "<div class='content'><p>网站声明：本网站所载文字、图片等内容，未经授权不得转载，违者依法追究责任。</p><p>联系电话见页面底部，欢迎来信来电反映情况。</p></div>"
    for begin, end in (("<!--ContentStart-->", "<!--ContentEnd-->"), ("<meta name='ContentStart'>", "<meta name='ContentEnd'>")):
        html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><div class='main'>{begin}{inside}{end}{outside}</div></body></html>"
        page = extract_html(html, URL)
        assert page.text.split("\n") == ["为贯彻落实国家关于推动未来产业创新发展的部署，现就有关事项通知如下。", "各地要结合实际抓好落实。"]


def test_a_fbsj_span_under_the_headline_and_bracketed_reading_aids_are_read_as_such() -> None:
    top = "<p><span class='fbsj'>2024-05-10</span><span class='ly'>某市政府办公室</span></p>"
    body = PROSE.replace("<div class='TRS_Editor'>", "<div class='TRS_Editor'><p>[ 大 中 小 ]</p><p>【视力保护色】 朗读</p>")
    page = extract_html(
        f"<html><head><title>{HEADLINE}_某市人民政府</title><meta name='PubDate' content='2019-01-01'></head><body><h1>{HEADLINE}</h1>{top}{body}</body></html>",
        URL,
    )
    assert (page.published, page.date_source) == (date(2024, 5, 10), "time-class")
    assert page.text.split("\n")[0].startswith("为贯彻落实")


def test_the_site_and_column_a_template_declares_are_not_the_headline() -> None:
    head = "<title>工作动态_关于召开全市未来产业推进会的通知</title><meta name='ColumnName' content='工作动态'><meta name='SiteName' content='某市科技局'>"
    page = extract_html(f"<html><head>{head}</head><body>{PROSE}</body></html>", URL)
    assert page.title == "关于召开全市未来产业推进会的通知"


def test_a_headline_read_by_a_source_selector_keeps_its_ideographic_space() -> None:
    from core.sources import DetailSelectors

    html = f"<html><head><title>x</title></head><body><div class='tt'>国务院办公厅\u3000关于印发方案的通知</div>{PROSE}</body></html>"
    page = extract_html(html, URL, DetailSelectors(title=".tt"))
    assert page.title == "国务院办公厅\u3000关于印发方案的通知"


def test_a_news_portal_page_keeps_its_inline_keyword_links_and_sheds_counters_notices_and_comments() -> None:
    """tests/fixtures/cms/news_portal.html: a news portal / self-media platform detail page (see its README)."""
    page = _cms("news_portal")
    assert page.title == "某市推进老旧小区改造惠及三万户居民"
    assert page.published == date(2025, 3, 18)
    lines = page.text.split("\n")
    assert lines[0].startswith("记者日前从某市住房和城乡建设局获悉")  # the view counter above the article goes
    # a keyword link inside a sentence is part of it, whatever its class says
    assert "其中加装电梯项目由居民自主申请" in page.text and "做到改前问需、改中问计" in page.text
    # the platform's notice (and its English twin), the keyword line, the like counter and the comments go
    assert lines[-1] == "市住房和城乡建设局有关负责人表示，改造过程中将充分听取居民意见，做到改前问需、改中问计、改后问效。"
    assert "评论" not in page.text and "特别声明" not in page.text and "Notice" not in page.text


def test_a_sites_disclaimer_is_not_taken_for_a_short_article() -> None:
    article = "<div class='art_box'><p>据某报记者消息，今日从交通运输部门新闻发布会获悉，区域交通一体化建设各项工作取得积极成效，下一步将着力打造综合立体交通网络。</p></div>"
    notice = (
        "<div class='statement'><p>【免责声明】文中看法属于作者个人，本站登载只为传递更多消息。本站对文章所述事实与判断不作核实，"
        "也不对其是否准确完整作任何担保，读者据此行事请自担风险。</p></div>"
    )
    html = f"<html><head><title>区域交通网络建设_某某网</title></head><body><h1>区域交通网络建设</h1>{article}{notice}</body></html>"
    page = extract_html(html, URL)
    assert page.text.startswith("据某报记者消息") and "免责声明" not in page.text


@pytest.mark.parametrize("heading", ["最新评论", "热门评论", "网友评论：", "查看全部1024条评论 >"])
def test_a_reader_comment_block_goes_however_long_but_a_sentence_about_comments_stays(heading: str) -> None:
    comments = "".join(f"<p>这是第{i}条网友留言，内容较长，表达了对这项工作的看法和期待，希望有关部门认真听取。</p>" for i in range(20))
    assert _with_tail(f"<p>{heading}</p>{comments}").text.split("\n")[-1] == LAST_SENTENCE
    said = PROSE.replace("</div>", "<p>网友评论认为，这项措施回应了群众关切，各地应抓紧落实。</p></div>")
    page = extract_html(f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{said}</body></html>", URL)
    assert page.text.split("\n")[-1] == "网友评论认为，这项措施回应了群众关切，各地应抓紧落实。"


@pytest.mark.parametrize("cls", ["wt_article_link", "keyword-link", "links", "share"])
def test_a_link_inside_a_sentence_stays_whatever_its_class_says(cls: str) -> None:
    sentence = f"<p>会议强调，各地要落实<a class='{cls}' href='/tag/1'>设备更新</a>政策，确保各项措施落地见效。</p>"
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{PROSE.replace('</div>', sentence + '</div>')}</body></html>"
    assert extract_html(html, URL).text.split("\n")[-1] == "会议强调，各地要落实设备更新政策，确保各项措施落地见效。"


def test_a_heading_whose_dashes_the_title_tag_rewrites_still_gives_the_date_under_it() -> None:
    head = "<title>多项指标持续回升-前三季度某市工业运行稳中有进-某某头条</title>"
    top = "<h1>多项指标持续回升——前三季度某市工业运行稳中有进</h1><div class='article-meta'><span>2024-05-09 22:30</span><span>·</span><span>某某社</span></div>"
    page = extract_html(f"<html><head>{head}</head><body>{top}{PROSE}</body></html>", URL)
    assert page.title == "多项指标持续回升——前三季度某市工业运行稳中有进"
    assert (page.published, page.date_source) == (date(2024, 5, 9), "beside-title")


@pytest.mark.parametrize(
    "tail",
    [
        "<p>声明：本站转载的文章只作参考，不作为买卖依据，据此操作风险自负。</p><p>为你推荐</p>"
        + "".join(
            f"<p>第{i}条推荐文章的标题写在这里</p><p>推荐文章的摘要同样是一句完整的话，读者点开就能看到全文内容。</p><p>2019-09-30 07:42</p>"
            for i in range(8)
        ),
        "<p>阅读数(15878）</p><p>不感兴趣</p><p>广告软文</p><p>重复、旧闻</p><p>确定</p><p>感谢您的反馈，我们将会减少此类文章的推荐</p><p>投诉</p>",
        "<p>推荐阅读：某区启动秋季道路安全专项检查</p>",
    ],
)
def test_recommendations_feedback_boxes_and_disclaimers_after_the_article_go(tail: str) -> None:
    assert _with_tail(tail).text.split("\n")[-1] == LAST_SENTENCE


def test_a_table_row_of_numbers_at_the_end_is_data_not_a_counter() -> None:
    table = "<table><tr><td>一季度</td><td>二季度</td><td>三季度</td></tr><tr><td>120</td><td>135</td><td>150</td></tr></table>"
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{PROSE.replace('</div>', table + '</div>')}</body></html>"
    assert extract_html(html, URL).text.split("\n")[-1].replace(" ", "") == "120|135|150"


def test_a_disclosure_table_inside_the_text_area_goes_with_its_title_row() -> None:
    """信息公开 pages put 索引号 / 发布机构 / 标题 rows above the text, sometimes inside its container."""
    table = (
        "<table><tr><td>索引号：</td><td>11440100/2025-00123</td><td>分类：</td><td>科技</td></tr>"
        "<tr><td>发布机构：</td><td>市科技局</td><td>成文日期：</td><td>2025-02-28</td></tr>"
        f"<tr><td>标　题：</td><td>{HEADLINE}</td></tr></table>"
    )
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{PROSE.replace('<p>', table + '<p>', 1)}</body></html>"
    page = extract_html(html, URL)
    assert page.text.startswith("为贯彻落实国家关于推动未来产业创新发展的部署")
    # a labelled line that is not the headline is the document's own and stays
    other = PROSE.replace("<p>", "<p>标题：关于开展第一批试点的补充说明</p><p>", 1)
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{other}</body></html>"
    assert extract_html(html, URL).text.startswith("标题：关于开展第一批试点的补充说明")


@pytest.mark.parametrize(
    "tail",
    [
        "<p>扫一扫</p><p>在手机上查看当前页面</p>",
        "<p>用手机扫描二维码</p>",
        "<p>最后更新：2025-03-02 10:15</p>",
        "<p>相关政策解读：</p><p><a href='/a'>一图读懂若干措施</a></p><p><a href='/b'>专家解读若干措施</a></p>",
        "<p>相关文件</p><p><a href='/c'>某市未来产业发展规划</a></p>",
    ],
)
def test_qr_captions_update_stamps_and_related_policy_links_after_the_text_go(tail: str) -> None:
    assert _with_tail(tail).text.split("\n")[-1] == LAST_SENTENCE


@pytest.mark.parametrize(
    ("head", "top"),
    [
        # the site's logo is the only <h1>; the headline is an <h2>
        ("<title>某市人民政府</title><!--header--><h1 class='logo'>某市人民政府门户网站</h1>", f"<h2>{HEADLINE}</h2>"),
        # <title> in site → column → headline order, no heading element
        (f"<title>某市人民政府 - 通知公告 - {HEADLINE}</title>", ""),
        # only the share card names the headline
        (f"<title>某市人民政府</title><meta property='og:title' content='{HEADLINE}_某市人民政府'>", ""),
        # an old page pasted from Word: the headline is the text's first centred bold line
        ("<title>某市人民政府</title>", f"<p style='text-align: center'><strong>{HEADLINE}</strong></p>"),
    ],
)
def test_the_headline_is_found_where_old_templates_put_it(head: str, top: str) -> None:
    meta, _, header = head.partition("<!--header-->")
    html = (
        f"<html><head>{meta}</head><body>{header}<div class='nav'>首页 政务公开</div>{PROSE.replace('<p>', top + '<p>', 1)}</body></html>"
    )
    page = extract_html(html, URL)
    assert page.title == HEADLINE
    assert page.text.startswith("为贯彻落实国家关于推动未来产业创新发展的部署")


def test_a_centred_line_is_not_taken_for_the_headline_when_a_heading_names_it() -> None:
    centred = "<p style='text-align:center'><strong>第一部分 总体要求</strong></p>"
    html = (
        f"<html><head><title>某市人民政府</title></head><body><h1>{HEADLINE}</h1>{PROSE.replace('<p>', centred + '<p>', 1)}</body></html>"
    )
    assert extract_html(html, URL).title == HEADLINE


@pytest.mark.parametrize(
    "tail",
    [
        "<p>本文链接：https://www.example.gov.cn/art/2024/1/1/art_1_2.html</p>",
        "<p>（记者 张某 通讯员 李某）</p><p>（完）</p>",
        "<p>录入：管理员 审核：李某</p>",
        "<p>供稿：市科技局</p><p>发布于 2025-03-01</p>",
        "<p>原标题：某地出台新措施</p><p>（本文来源：某某日报）</p>",
        "<p>网站地图 | 联系我们</p>",
    ],
)
def test_links_bylines_end_marks_and_credits_under_the_text_go(tail: str) -> None:
    assert _with_tail(tail).text.split("\n")[-1] == LAST_SENTENCE


def test_who_posted_it_above_the_text_goes() -> None:
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{PROSE.replace('<p>', '<p>发布者：管理员 发布时间：2025-03-01</p><p>', 1)}</body></html>"
    assert extract_html(html, URL).text.startswith("为贯彻落实国家关于推动未来产业创新发展的部署")


@pytest.mark.parametrize("label", ["文件编号", "发文号", "文件字号", "文 件 编 号"])
def test_the_number_is_read_under_the_labels_sites_give_it(label: str) -> None:
    table = f"<table><tr><td>{label}：</td><td>某科规〔2025〕3号</td><td>发布日期：</td><td>2025-03-01</td></tr></table>"
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{table}{PROSE}</body></html>"
    page = extract_html(html, URL)
    assert page.doc_number == "某科规〔2025〕3号"
    assert page.text.startswith("为贯彻落实国家关于推动未来产业创新发展的部署")


@pytest.mark.parametrize("where", ["before", "after", "table"])
def test_a_short_notice_beats_a_longer_prose_box_elsewhere_on_the_page(where: str) -> None:
    """Density alone picks a 市情概况 box over a two-sentence notice; the notice is what follows the headline and shares its words."""
    headline = "某市召开未来产业发展推进会"
    notice = "<p>3月5日，某市召开未来产业发展推进会，研究部署下一阶段重点工作。</p><p>会议要求，各区各部门要加快项目落地，确保全年目标任务顺利完成。</p>"
    box = (
        "<div class='city-intro'><h3>市情概况</h3>"
        + "".join(
            f"<p>某市位于某省中部，是国家历史文化名城，全市总面积{1000 + i}平方公里，常住人口约{300 + i}万人，下辖若干区县，经济社会发展取得显著成效。</p>"
            for i in range(6)
        )
        + "</div>"
    )
    article = f"<h1>{headline}</h1><div class='text'>{notice}</div>"
    layout = {
        "before": box + article,
        "after": article + box,
        "table": f"<table><tr><td class='title'>{headline}</td></tr><tr><td>{notice}</td></tr></table>{box}",
    }[where]
    html = f"<html><head><title>{headline}_某市人民政府</title></head><body><div class='nav'>首页 政务公开</div>{layout}</body></html>"
    assert extract_html(html, URL).text.split("\n") == [
        "3月5日，某市召开未来产业发展推进会，研究部署下一阶段重点工作。",
        "会议要求，各区各部门要加快项目落地，确保全年目标任务顺利完成。",
    ]


def test_dashes_that_separate_title_pieces_are_told_from_a_headlines_own_dash() -> None:
    """<title>标题——通知公告——某市人民政府</title>: the site's name at the end shows the dashes are separators."""
    html = f"<html><head><title>{HEADLINE}——通知公告——某市人民政府</title></head><body>{PROSE}</body></html>"
    assert extract_html(html, URL).title == HEADLINE
    own = "某市召开未来产业推进会——访某市科技局局长"  # a headline's own ——副题 stays
    html = f"<html><head><title>{own}</title></head><body>{PROSE}</body></html>"
    assert extract_html(html, URL).title == own


@pytest.mark.parametrize(
    ("heading", "want"),
    [
        (f"{HEADLINE}（征求意见稿）", f"{HEADLINE}（征求意见稿）"),
        (f"{HEADLINE}——某市科技局有关负责人答记者问", f"{HEADLINE}——某市科技局有关负责人答记者问"),
        (f"{HEADLINE}<span class='time'>2025-03-01</span>", HEADLINE),  # a date run into the heading is not part of it
    ],
)
def test_a_heading_that_says_a_little_more_than_the_title_tag_is_the_headline(heading: str, want: str) -> None:
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{heading}</h1>{PROSE}</body></html>"
    assert extract_html(html, URL).title == want


@pytest.mark.parametrize("line", ["某市科技局　2025-03-01 10:00", "某市人民政府办公室　　2025年03月01日"])
def test_a_byline_of_issuing_body_and_day_under_the_headline_gives_the_date_and_leaves_the_text(line: str) -> None:
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1><div class='info'>{line}</div>{PROSE}</body></html>"
    page = extract_html(html, URL)
    assert (page.published, page.date_source) == (date(2025, 3, 1), "beside-title")
    inside = PROSE.replace("<p>", f"<p>{line}</p><p>", 1)
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{inside}</body></html>"
    assert extract_html(html, URL).text.startswith("为贯彻落实国家关于推动未来产业创新发展的部署")


def test_a_label_over_the_text_goes() -> None:
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{PROSE.replace('<p>', '<p>正文：</p><p>', 1)}</body></html>"
    assert extract_html(html, URL).text.startswith("为贯彻落实国家关于推动未来产业创新发展的部署")


SENTENCES = [f"第{i}条，支持企业在第{i}个领域开展关键技术攻关，对承担重大项目的企业给予资助。" for i in range(1, 7)]


def _paras(lines: list[str]) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


@pytest.mark.parametrize(
    "body",
    [
        # the CMS split its editor box around a table: two sibling boxes, the table between them
        f"<div class='TRS_Editor'>{_paras(SENTENCES[:3])}</div><table><tr><td>序号</td><td>单位</td></tr></table>"
        f"<div class='TRS_Editor'>{_paras(SENTENCES[3:])}</div>",
        # broken markup closed the box early: the last paragraphs hang after it
        f"<div class='content'>{_paras(SENTENCES[:4])}</div>{_paras(SENTENCES[4:])}",
    ],
)
def test_an_article_split_over_sibling_boxes_is_read_whole(body: str) -> None:
    html = f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body><h1>{HEADLINE}</h1>{body}<div class='footer'>版权所有 某市人民政府办公厅</div></body></html>"
    text = extract_html(html, URL).text
    assert all(sentence in text for sentence in SENTENCES)
    assert "版权所有" not in text


@pytest.mark.parametrize("mark", ["[1]", "［2］", "①", "*"])
def test_the_headlines_copy_over_the_body_goes_with_its_note_reference(mark: str) -> None:
    # a statistical bulletin's heading over its text carries a note reference; the note itself is at the foot
    headline = "青禾县2031年农业生产情况统计公报"
    html = (
        f"<html><head><meta name='ArticleTitle' content='{headline}'></head><body>"
        f"<div id='zoom'><p>{headline}{mark}</p><p>青禾县统计局</p>"
        "<p>2031年，全县粮食播种面积稳中有增，秋粮单产比上年提高明显，设施蔬菜种植规模继续扩大。</p>"
        "<p>一、种植业</p><p>全年粮食总产量比上年增长百分之三，其中稻谷、玉米产量均创新高。</p>"
        f"<p>{mark}本公报数据为初步统计数。</p></div></body></html>"
    )
    text = extract_html(html, URL).text
    assert text.startswith("青禾县统计局")
    assert f"{mark}本公报数据为初步统计数。" in text


def test_a_heading_ending_in_a_star_that_is_not_the_headline_stays() -> None:
    html = (
        "<html><head><meta name='ArticleTitle' content='青禾县2031年农业生产情况统计公报'></head><body>"
        "<div id='zoom'><p>附表*</p><p>全年粮食总产量比上年增长百分之三，其中稻谷、玉米产量均创新高。</p></div></body></html>"
    )
    assert extract_html(html, URL).text.startswith("附表*")


@pytest.mark.parametrize(
    ("heading", "want"),
    [
        ("青禾省人民政府令", "青禾省人民政府令第58号"),
        ("中华人民共和国数字资源与公共服务管理委员会令", "中华人民共和国数字资源与公共服务管理委员会令第58号"),
        ("第一章　总则", None),  # a heading that is no order: its next line is not a number
    ],
)
def test_an_order_heading_over_its_number_line_gives_the_number_as_printed(heading: str, want: str | None) -> None:
    html = (
        "<html><head><title>青禾省林下经济促进办法_青禾省人民政府</title></head><body>"
        f"<div class='TRS_Editor'><p>{heading}</p><p>第58号</p>"
        "<p>《青禾省林下经济促进办法》已经省人民政府常务会议通过，现予公布，自2032年3月1日起施行。</p>"
        "<p>省长　林一禾</p></div></body></html>"
    )
    assert extract_html(html, URL).doc_number == want


# An office's profile in the side column: more prose than a short notice, and outside the article's container.
_PROFILE = (
    "<div class='side'><h3>机构概况</h3>"
    + "".join(
        f"<p>某市住房和城乡建设局是市政府工作部门，负责全市住房保障、城市建设、建筑市场监管等工作，内设机构{i}个，下属单位若干。</p>"
        for i in range(8)
    )
    + "</div>"
)
_ITEMS = [f"第{i}项：各区要结合实际制定实施方案，明确责任分工和进度安排，确保试点任务按期完成。" for i in range(1, 7)]


def _text_lines(body: str) -> list[str]:
    """The lines of text extracted from a page with the test headline in <title> and ``body`` in <body>."""
    return extract_html(f"<html><head><title>{HEADLINE}</title></head><body>{body}</body></html>", URL).text.split("\n")


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<div id='ivs_content'>", "</div>"),  # Shanghai's 集约化 platform (市、区、委办局 sites)
        ("<ucapcontent>", "</ucapcontent>"),  # 开普云 UCAP templates' own element
    ],
)
def test_a_platforms_own_text_container_beats_a_longer_profile_in_the_side_column(opening: str, closing: str) -> None:
    headline = "某市关于开展2025年度城市更新试点工作的通知"
    article = f"{opening}<p>各区人民政府，市各委、办、局：</p>{_paras(_ITEMS[:3])}<table><tr><td>序号</td><td>区</td></tr></table>{_paras(_ITEMS[3:])}{closing}"
    html = (
        f"<html><head><title>{headline}_某市人民政府</title></head><body>{_PROFILE}"
        f"<div class='main'><div class='bt'>{headline}</div>{article}</div><div class='footer'>版权所有 某市人民政府办公厅</div></body></html>"
    )
    lines = extract_html(html, URL).text.split("\n")
    assert lines[0] == "各区人民政府，市各委、办、局：" and lines[-1] == _ITEMS[-1]
    assert all(item in lines for item in _ITEMS) and not any("机构" in line for line in lines)


@pytest.mark.parametrize("where", ["over the headline", "after a long tool bar", "before a 时间 line in the text"])
def test_the_date_a_template_puts_in_its_own_publishtime_element_is_read(where: str) -> None:
    """开普云 UCAP templates (苏州, 海南, 茂名 district sites) give the date an element of its own, unlabelled."""
    headline = "某区关于做好2025年春季植树造林工作的通知"
    tools = "".join(
        f"<span>{w}</span>"
        for w in ["字号", "大", "中", "小", "打印", "关闭", "分享", "微信", "微博", "收藏", "纠错", "朗读", "无障碍", "繁體"]
    )
    stamp = "<div class='info'><publishtime>2025-03-05 09:30</publishtime></div>"
    text = f"<div><p>时间：2025年3月20日上午9时</p>{_paras(_ITEMS)}</div>"
    layout = {
        "over the headline": f"{stamp}<h1>{headline}</h1>{text}",
        "after a long tool bar": f"<h1>{headline}</h1><div class='tools'>{tools}</div>{stamp}{_paras(_ITEMS)}",
        "before a 时间 line in the text": f"<h1>{headline}</h1><div class='tools'>{tools}</div>{stamp}{text}",
    }[where]
    page = extract_html(
        f"<html><head><title>{headline}</title></head><body>{layout}</body></html>", "https://www.example.gov.cn/col/col12/index.html"
    )
    assert (page.published, page.date_source) == (date(2025, 3, 5), "element:publishtime")


@pytest.mark.parametrize("cls", ["article", "text"])
@pytest.mark.parametrize("layout", ["salutation and signature", "parts"])
def test_a_generic_text_box_holds_the_whole_article(cls: str, layout: str) -> None:
    """div.article / div.text (杭州 政务服务, 药监局 templates …): the box is the article when the densest text is inside it."""
    headline = "某市关于开展2025年度城市更新试点工作的通知"
    side = "<div class='side'><h3>机构概况</h3><p>某市住房和城乡建设局是市政府工作部门，负责全市住房保障、城市建设等工作。</p></div>"
    inner, first, last = {
        "salutation and signature": (
            f"<p>各区人民政府，市各委、办、局：</p><div>{_paras(_ITEMS)}</div><p style='text-align:right'>某市住房和城乡建设局</p>",
            "各区人民政府，市各委、办、局：",
            "某市住房和城乡建设局",
        ),
        "parts": (f"<div class='p1'>{_paras(_ITEMS[:3])}</div><div class='p2'>{_paras(_ITEMS[3:])}</div>", _ITEMS[0], _ITEMS[-1]),
    }[layout]
    html = (
        f"<html><head><title>{headline}_某市人民政府</title></head><body><div class='nav'>首页 &gt; 通知公告</div>{side}"
        f"<div class='main'><h1>{headline}</h1><div class='{cls}'>{inner}</div></div>"
        "<div class='footer'>版权所有 某市人民政府办公厅</div></body></html>"
    )
    lines = extract_html(html, URL).text.split("\n")
    assert lines[0] == first and lines[-1] == last
    assert all(item in lines for item in _ITEMS) and not any("机构" in line for line in lines)


def test_a_generic_text_class_on_a_caption_does_not_hide_the_article_elsewhere() -> None:
    caption = (
        "<div class='pic'><img src='a.jpg'><div class='text'>图为某市城市更新试点项目现场，施工人员正在作业，项目预计年内完工。</div></div>"
    )
    html = (
        f"<html><head><title>{HEADLINE}_某市人民政府</title></head><body>{caption}<h1>{HEADLINE}</h1>"
        f"<div class='wz_zw'>{_paras(_ITEMS)}</div></body></html>"
    )
    text = extract_html(html, URL).text
    assert all(item in text for item in _ITEMS) and "图为" not in text


@pytest.mark.parametrize("wrapper", ["article oneColumn pub_border", "content"])
def test_a_generic_name_on_the_pages_wrapper_gives_way_to_the_cms_container_inside_it(wrapper: str) -> None:
    """gov.cn's news template wraps headline, byline, #UCAP-CONTENT and the editor line in div.article."""
    html = (CMS / "govcn_news.html").read_text(encoding="utf-8").replace("article oneColumn pub_border", wrapper)
    lines = extract_html(html, URL).text.split("\n")
    assert lines[0].startswith("新华社北京5月11日电") and lines[-1] == "会议还研究了其他事项。"


_LINKED = {
    "cited documents": "依据<a href='/a.html'>《某省数据条例》</a>、<a href='/b.html'>《某市公共数据管理办法》</a>和<a href='/c.html'>《某市信用条例》</a>，各部门应当落实主体责任。",
    "every noun a link": "<a href='/a.html'>市数据局</a>、<a href='/b.html'>市财政局</a>、<a href='/c.html'>市商务局</a>、<a href='/d.html'>市市场监管局</a>按职责分工负责。",
}


@pytest.mark.parametrize("sentence", list(_LINKED.values()), ids=list(_LINKED))
def test_a_sentence_made_mostly_of_links_is_not_taken_for_a_link_list(sentence: str) -> None:
    related = "<div class='xgwz'><a href='/x.html'>某市召开数据工作会议</a> <a href='/y.html'>某区推进数据开放</a> <a href='/z.html'>某县数据条例解读</a></div>"
    html = (
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        f"<div class='TRS_Editor'>{_paras(_ITEMS[:3])}<p>{sentence}</p>{_paras(_ITEMS[3:])}</div>{related}</body></html>"
    )
    lines = extract_html(html, URL).text.split("\n")
    assert lines == _ITEMS[:3] + [re.sub("<[^>]+>", "", sentence)] + _ITEMS[3:]


_LABEL_WORD_SENTENCES = {
    "来源 at the end": (None, "来源：本措施所需资金由市财政统筹安排，各区按比例配套。"),
    "推荐阅读 at the end": (None, "推荐阅读：各区应当组织企业学习本通知，做到应知尽知、应享尽享。"),
    "版权所有 at the end": (None, "版权所有人的合法权益受法律保护，侵权行为将依法查处。"),
    "来源 at the start": ("来源：本市将拓宽企业诉求收集渠道，建立问题清单和销号制度。", None),
}


@pytest.mark.parametrize("first, last", list(_LABEL_WORD_SENTENCES.values()), ids=list(_LABEL_WORD_SENTENCES))
def test_a_sentence_that_opens_with_a_furniture_word_stays_at_either_edge(first: str | None, last: str | None) -> None:
    body = ([first] if first else []) + _ITEMS + ([last] if last else [])
    assert (
        _text_lines(f"<h1>{HEADLINE}</h1><div class='TRS_Editor'>{_paras(body)}</div><div class='footer'>版权所有：某市人民政府</div>")
        == body
    )


def test_a_disclaimer_sentence_after_the_article_still_goes() -> None:
    notice = "声明：本站登载此文只为多提供一个消息来源，不代表认同文中看法，如涉版权请与本站联系。"
    assert _text_lines(f"<h1>{HEADLINE}</h1><div class='TRS_Editor'>{_paras(_ITEMS)}<p>{notice}</p></div>") == _ITEMS


@pytest.mark.parametrize(
    "after",
    [
        "<p class='MsoNormal'>{0}</p><p class='MsoNormal'>{1}</p>",
        "<font>{0}</font><br><font>{1}</font>",
        "<div><p>{0}</p><p>{1}</p></div>",
    ],
    ids=["word paragraphs", "font runs", "unnamed div"],
)
def test_paragraphs_left_after_a_box_that_closed_early_are_read(after: str) -> None:
    html = (
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        f"<div class='TRS_Editor'>{_paras(_ITEMS[:4])}</div>{after.format(*_ITEMS[4:])}"
        "<div class='footer'>版权所有：某市人民政府</div></body></html>"
    )
    assert extract_html(html, URL).text.split("\n") == _ITEMS


_PROFILE = "<div class='part3'><h3>市情概况</h3><p>某市位于某省东部，总面积约三千平方公里。</p><p>全市辖五个区两个县，常住人口约三百万人。</p></div>"


def test_an_article_split_over_unnamed_boxes_is_read_whole_without_the_box_beside_it() -> None:
    """No CMS name on any box: density picks the fuller half; its sibling halves of sentences join it, a profile box does not."""
    assert (
        _text_lines(
            f"<h1>{HEADLINE}</h1><div class='wrap'>"
            f"<div class='part1'>{_paras(_ITEMS[:2])}</div><div class='part2'>{_paras(_ITEMS[2:])}</div>{_PROFILE}</div>"
        )
        == _ITEMS
    )


@pytest.mark.parametrize("copy", [False, True], ids=["rest of the article", "copy of shown text"])
def test_the_hidden_rest_of_an_article_is_read_but_a_hidden_copy_is_not(copy: bool) -> None:
    """A 展开全文 button shows the rest of the text from a display:none box; a hidden duplicate adds nothing."""
    hidden = _ITEMS[:3] if copy else _ITEMS[3:]
    shown = _ITEMS if copy else _ITEMS[:3]
    assert (
        _text_lines(
            f"<h1>{HEADLINE}</h1><div class='TRS_Editor'>{_paras(shown)}"
            f"<div style='display: none'>{_paras(hidden)}</div></div><div style='display:none' class='layer'><a href='/s'>分享</a></div>"
        )
        == _ITEMS
    )


@pytest.mark.parametrize("box", ["<div class='wz'>{}</div>", "<div class='content'>{}</div>", "<div class='TRS_Editor'>{}</div>"])
def test_a_page_wrapped_whole_in_a_form_keeps_its_text_and_its_date(box: str) -> None:
    """ASP.NET WebForms templates put the whole page in <form id="form1">."""
    html = (
        f"<html><head><title>{HEADLINE}</title></head><body><form id='form1' method='post'><h1>{HEADLINE}</h1>"
        f"<div class='info'>发布日期：2025-03-01</div>{box.format(_paras(_ITEMS))}</form></body></html>"
    )
    page = extract_html(html, URL)
    assert page.text.split("\n") == _ITEMS and page.published == date(2025, 3, 1)


def test_a_login_form_beside_the_article_is_still_furniture() -> None:
    login = "<form action='/login'><p>您尚未登录，请输入用户名和密码登录后参与互动交流。</p><input type='password' name='pw'></form>"
    assert _text_lines(f"<h1>{HEADLINE}</h1><div class='wz'>{_paras(_ITEMS)}{login}</div>") == _ITEMS


def test_a_header_the_template_never_closes_does_not_take_the_article_with_it() -> None:
    """The parser hangs everything after an unclosed <header> inside it; a <footer> of site sentences still goes."""
    footer = (
        "<footer><p>本网站由某市人民政府办公厅主办，某市大数据中心承办。</p><p>建议使用谷歌浏览器或者火狐浏览器访问本网站。</p></footer>"
    )
    assert (
        _text_lines(
            f"<header><div class='logo'>某市人民政府</div>"
            f"<div class='main'><h1>{HEADLINE}</h1><div class='wz'>{_paras(_ITEMS)}</div></div>{footer}"
        )
        == _ITEMS
    )


@pytest.mark.parametrize(
    "opener",
    ["<embed src='/v/a.swf' width='400'>", "<iframe src='/v/player.html'>", "<object data='/v/a.swf'>", "<select><option>某市</option>"],
    ids=["void embed", "unclosed iframe", "unclosed object", "unclosed select"],
)
def test_the_text_after_an_element_left_open_is_not_lost(opener: str) -> None:
    """The parser hangs what follows an open <embed>/<iframe>/<object>/<select> inside it; the article comes back out."""
    assert _text_lines(f"<h1>{HEADLINE}</h1><div class='wz'>{_paras(_ITEMS[:2])}{opener}{_paras(_ITEMS[2:])}</div>") == _ITEMS


_LONG_ITEM = "第7项：" + "各区要结合实际制定实施方案，明确责任分工和进度安排，" * 6 + "确保试点任务按期完成。"


@pytest.mark.parametrize(
    "text",
    [
        "<div class='wz'>{}</div>".format("".join(f"<div>{x}</div>" for x in [*_ITEMS[:3], _LONG_ITEM])),
        "<dl class='wz'>{}</dl>".format("".join(f"<dd>{x}</dd>" for x in [*_ITEMS[:3], _LONG_ITEM])),
        "<table class='wz'>{}</table>".format("".join(f"<tr><td>{x}</td></tr>" for x in [*_ITEMS[:3], _LONG_ITEM])),
        "<div class='wz'>{}</div>".format("".join(f"<div><div><p>{x}</p></div></div>" for x in [*_ITEMS[:3], _LONG_ITEM])),
    ],
    ids=["div per paragraph", "dd per paragraph", "row per paragraph", "wrapped paragraphs"],
)
def test_one_long_paragraph_does_not_outweigh_the_article_it_belongs_to(text: str) -> None:
    """Editors write a <div> (or a <dd>, a table row) per paragraph: density credits the box, not the longest paragraph."""
    side = "<div class='right'><h3>市情概况</h3><p>某市位于某省东部，总面积约三千平方公里，全市辖五个区两个县。</p></div>"
    html = f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>{text}{side}</body></html>"
    assert extract_html(html, URL).text.split("\n") == [*_ITEMS[:3], _LONG_ITEM]


def test_an_article_in_sections_with_their_own_headings_is_read_whole() -> None:
    """One box per section, each with its heading: the sections beside the densest one are the same article."""
    sections = "".join(f"<div class='sec'><h3>第{i}部分</h3><p>{x}</p></div>" for i, x in enumerate([*_ITEMS[:3], _LONG_ITEM], 1))
    html = f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1><div class='wz'>{sections}</div>{_PROFILE}</body></html>"
    lines = extract_html(html, URL).text.split("\n")
    assert [line for line in lines if not line.startswith("第") or "项" in line] == [*_ITEMS[:3], _LONG_ITEM]
    assert not any("某市位于" in line for line in lines)


# ---------------------------------------------------------------- issue 17: weak fields on real pages

_NOTICE = "某县人民政府办公室关于做好2024年秋冬季森林防火工作的通知"
_OPENING = "各乡镇人民政府，县政府各部门：为切实做好今年秋冬季森林防火工作，现将有关事项通知如下。"
_CLOSING = "各乡镇要加强值班值守，发现火情及时报告，确保森林资源安全。"
_NOTICE_TEXT = f"<p>{_OPENING}</p><p>{_CLOSING}</p>"


@pytest.mark.parametrize(
    ("head", "table"),
    [
        (
            "<title>某县人民政府门户网站</title>",
            f"<table><tr><td>索引号：</td><td>0012/2024-00031</td></tr><tr><td>标题：</td><td>{_NOTICE}</td></tr></table>",
        ),
        (
            "<title>信息公开</title>",
            f"<table><tr><th>名　　称</th><td>{_NOTICE}</td></tr><tr><th>发布日期</th><td>2024-10-08</td></tr></table>",
        ),
    ],
    ids=["site-name title", "column-name title"],
)
def test_a_labelled_title_in_a_table_is_the_headline_when_the_title_tag_names_no_headline(head: str, table: str) -> None:
    """A 信息公开 table's 标题/名称 cell names the headline; a <title> of site or column names only cannot contradict it."""
    html = f"<html><head>{head}</head><body>{table}<div id='zoom'>{_NOTICE_TEXT}</div></body></html>"
    assert extract_html(html, URL).title == _NOTICE


def test_a_heading_that_is_the_site_name_again_gives_way_to_the_headline() -> None:
    """<title> and <h1> both name the site (某县林业局); the headline is a lower heading in the text box."""
    html = (
        "<html><head><title>某县林业局</title></head><body><h1>某县林业局</h1>"
        f"<div class='main'><h3>{_NOTICE}</h3><div class='txt'>{_NOTICE_TEXT}</div></div></body></html>"
    )
    assert extract_html(html, URL).title == _NOTICE


@pytest.mark.parametrize("number", ["某县政办发〔2024〕31号", "（某县政办发〔2024〕31号）"])
def test_the_number_printed_in_the_heading_block_is_the_doc_number(number: str) -> None:
    """The heading block prints the number under the headline, outside the text box; the text cites none of its own."""
    html = (
        f"<html><head><title>{_NOTICE}</title></head><body><div class='title'><h1>{_NOTICE}</h1><p>{number}</p></div>"
        f"<div class='info'>发布日期：2024-10-08</div><div id='zoom'>{_NOTICE_TEXT}</div></body></html>"
    )
    page = extract_html(html, URL)
    assert page.doc_number == "某县政办发〔2024〕31号"
    assert page.text.split("\n")[0] == _OPENING


def test_a_number_cited_under_the_headline_in_a_sentence_is_not_the_doc_number() -> None:
    """Only a piece that is the number alone counts: a sentence citing another document gives none (never invented)."""
    cited = "<p>根据《某市森林防火条例》（某市人大常委会公告〔2021〕第5号）要求，结合本县实际，制定本通知。</p>"
    html = f"<html><head><title>{_NOTICE}</title></head><body><h1>{_NOTICE}</h1><div id='zoom'>{cited}{_NOTICE_TEXT}</div></body></html>"
    assert extract_html(html, URL).doc_number is None


@pytest.mark.parametrize(
    "header",
    [
        "<p>【图集】</p>",
        "<p>[视频]</p>",
        "<dl><dt>信息来源：</dt><dd>县林业局</dd><dt>发布时间：</dt><dd>2024-10-08</dd></dl>",
        "<table><tr><td>发布机构：</td><td>县政府办公室</td></tr></table>",
    ],
    ids=["bracketed gallery label", "bracketed video label", "labels over their values", "label cell over its value"],
)
def test_the_header_block_above_the_text_goes_whatever_its_layout(header: str) -> None:
    """A label on its own line takes its value line with it; bracketed gallery labels are furniture like bare ones."""
    html = (
        f"<html><head><title>{_NOTICE}</title></head><body><h1>{_NOTICE}</h1><div class='detail'>{header}{_NOTICE_TEXT}</div></body></html>"
    )
    assert extract_html(html, URL).text.split("\n") == [_OPENING, _CLOSING]


def test_an_addressee_under_an_empty_label_stays() -> None:
    """An empty 发文字号 cell above the text does not take the addressee line (各乡镇人民政府：) with it."""
    html = (
        f"<html><head><title>{_NOTICE}</title></head><body><h1>{_NOTICE}</h1><div class='detail'><p>发文字号：</p>"
        f"<p>各乡镇人民政府：</p>{_NOTICE_TEXT}</div></body></html>"
    )
    assert extract_html(html, URL).text.split("\n")[0] == "各乡镇人民政府："


def test_a_column_name_heading_gives_way_to_the_share_card_headline() -> None:
    """<title> names a column and the site, the page's only heading is the column (通知公告): og:title is the headline."""
    html = (
        f"<html><head><title>通知公告_某县人民政府</title><meta property='og:title' content='{_NOTICE}'></head>"
        f"<body><h2>通知公告</h2><div class='con'>{_NOTICE_TEXT}</div></body></html>"
    )
    assert extract_html(html, URL).title == _NOTICE


@pytest.mark.parametrize("placeholder", ["暂无", "——", "无", "空"])
def test_a_placeholder_in_the_number_cell_is_no_doc_number(placeholder: str) -> None:
    """A 发文字号 cell that says there is none gives none: a number has digits."""
    html = (
        f"<html><head><title>{_NOTICE}</title></head><body><table><tr><td>发文字号：</td><td>{placeholder}</td></tr></table>"
        f"<h1>{_NOTICE}</h1><div id='zoom'>{_NOTICE_TEXT}</div></body></html>"
    )
    assert extract_html(html, URL).doc_number is None


def test_a_boxed_passage_between_paragraphs_is_the_articles() -> None:
    """An <aside> of sentences between the text's paragraphs is a boxed passage of the article, not a sidebar."""
    boxed = "<aside><p>县林业局提醒：进入林区严禁携带火种，发现火情请立即拨打报警电话。</p></aside>"
    html = f"<html><head><title>{_NOTICE}</title></head><body><h1>{_NOTICE}</h1><div class='detail'><p>{_OPENING}</p>{boxed}<p>{_CLOSING}</p></div></body></html>"
    assert "县林业局提醒" in extract_html(html, URL).text


def test_a_related_link_on_its_headings_line_goes_at_the_end() -> None:
    """相关链接：<one link> after the last sentence is furniture like the heading alone."""
    assert _with_tail("<p>相关链接：<a href='/a.html'>某市森林防火问答</a></p>").text.split("\n")[-1] == LAST_SENTENCE


@pytest.mark.parametrize(
    "title_tag",
    [
        f"{_NOTICE} 某县人民政府",  # a space before the site's name
        f"某县人民政府-政务公开-{_NOTICE}",  # site and column before the headline, by bare hyphens
        f"【某县人民政府】{_NOTICE}",  # the site's name in brackets before it
    ],
)
def test_the_sites_name_glued_to_the_headline_in_the_title_tag_goes(title_tag: str) -> None:
    """A page with no heading: the headline is <title> without the site's name, however the two are joined."""
    html = f"<html><head><title>{title_tag}</title></head><body><div class='con'>{_NOTICE_TEXT}</div></body></html>"
    assert extract_html(html, URL).title == _NOTICE


def test_a_headline_whose_first_part_ends_like_an_office_keeps_it() -> None:
    """主题 and 副题 split by a space, the first ending in 局 as offices do (识破骗局): both stay the headline."""
    head = "年末识破三类理财骗局 专家提醒谨慎投资"
    html = f"<html><head><title>{head}</title></head><body><div class='con'>{_NOTICE_TEXT}</div></body></html>"
    assert re.sub(r"\s", "", extract_html(html, URL).title or "") == head.replace(" ", "")


def test_the_date_tucked_into_the_heading_is_not_part_of_the_headline() -> None:
    html = (
        "<html><head><title>某县人民政府</title></head><body>"
        f"<h1>{_NOTICE}<span class='time'>2024-10-08</span></h1><div class='zw'>{_NOTICE_TEXT}</div></body></html>"
    )
    assert extract_html(html, URL).title == _NOTICE


@pytest.mark.parametrize("byline", ["记者 王某某 通讯员 赵某", "文/图 钱某某", "本报记者 孙某"])
def test_a_byline_without_a_colon_above_the_text_goes(byline: str) -> None:
    html = f"<html><head><title>{_NOTICE}</title></head><body><h1>{_NOTICE}</h1><div class='detail'><p>{byline}</p>{_NOTICE_TEXT}</div></body></html>"
    assert extract_html(html, URL).text.split("\n") == [_OPENING, _CLOSING]


def test_a_disclosure_table_without_colons_above_the_text_goes() -> None:
    """索 引 号 | … rows whose label cells carry no colon are the header block, 名称 row and 文号 row included."""
    table = (
        "<table><tr><td>索 引 号</td><td>0012/2024-00031</td><td>分　　类</td><td>林业</td></tr>"
        "<tr><td>发布机构</td><td>县政府办公室</td><td>发文日期</td><td>2024-10-08</td></tr>"
        f"<tr><td>名　　称</td><td colspan='3'>{_NOTICE}</td></tr>"
        "<tr><td>文　　号</td><td>某县政办发〔2024〕31号</td><td>主 题 词</td><td></td></tr></table>"
    )
    html = f"<html><head><title>{_NOTICE}_某县人民政府</title></head><body><div id='zoom'>{table}{_NOTICE_TEXT}</div></body></html>"
    page = extract_html(html, URL)
    assert page.text.split("\n") == [_OPENING, _CLOSING]
    assert page.doc_number == "某县政办发〔2024〕31号"
