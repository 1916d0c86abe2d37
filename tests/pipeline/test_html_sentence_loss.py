"""Layouts that used to lose article sentences, each as the team's own replica markup and text.

Every sentence of the article must reach the extracted text, and the page's furniture (breadcrumb, footer,
a side column of other news) must stay out of it.
"""

from __future__ import annotations

import re

import pytest

from pipeline.html_extract import extract_html

URL = "https://www.example.gov.cn/art/2025/4/8/art_21_678.html"
HEADLINE = "某区人民政府办公室关于做好2025年老旧小区改造工作的通知"
S1 = "各街道办事处，区政府各部门：为改善居民居住条件，提升城市品质，区政府决定继续推进老旧小区改造。"
S2 = "一、改造范围。重点改造建成年代较早、基础设施老化、居民改造意愿强烈的住宅小区。"
S3 = "二、工作要求。各街道要广泛听取居民意见，做到改造方案公开透明，施工过程文明规范。"
S4 = "三、资金保障。区财政统筹安排改造资金，各部门要加强资金监管，确保专款专用。"
ARTICLE = [S1, S2, S3, S4]
SIDE = [
    "区委召开理论学习中心组学习会议，深入学习上级会议精神，研究贯彻落实的具体措施和办法。",
    "区长带队督导重点民生项目建设进度，要求各单位倒排工期，确保按时保质完成年度目标任务。",
    "全区召开营商环境优化提升大会，总结去年工作成效，部署今年改革任务和重点工作安排。",
    "区政府召开防汛工作部署会议，分析今年汛期形势，对隐患排查和应急值守提出明确要求。",
]
_WS = re.compile(r"[\s\u00a0\u3000]+")


def _ps(*sentences: str) -> str:
    return "".join(f"<p>{s}</p>" for s in sentences)


def _page(body: str) -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{HEADLINE}_某区人民政府</title></head><body>"
        "<div class='crumb'><a href='/'>首页</a> &gt; <a href='/zwgk'>政务公开</a></div>"
        f"{body}<div class='footer'>版权所有：某区人民政府 网站标识码1100000000</div></body></html>"
    )


def _check(html: str, want: list[str], absent: tuple[str, ...] = ()) -> None:
    text = _WS.sub("", extract_html(html, URL).text)
    lost = [s for s in want if _WS.sub("", s) not in text]
    assert not lost, f"lost: {lost}"
    for piece in ("版权所有", "政务公开", *absent):
        assert piece not in text


def test_an_article_split_over_wrapped_boxes_around_an_image_is_read_whole() -> None:
    # each part of the editor field in a wrapper box of its own, an image paragraph between them
    body = (
        f"<h1>{HEADLINE}</h1><div class='detail'>"
        f"<div class='part-a'><div class='TRS_Editor'>{_ps(S1, S2)}</div></div>"
        "<p><img src='map.png'></p>"
        f"<div class='part-b'><div class='TRS_Editor'>{_ps(S3, S4)}</div></div></div>"
    )
    _check(_page(body), ARTICLE)


def test_unnamed_boxes_of_the_text_around_an_image_box_are_read_whole() -> None:
    body = f"<h1>{HEADLINE}</h1><div class='wrap'><div>{_ps(S1, S2)}</div><div><img src='a.jpg'></div><div>{_ps(S3, S4)}</div></div>"
    _check(_page(body), ARTICLE)


def test_a_short_notice_under_its_headline_beats_a_longer_column_beside_it() -> None:
    side = "<div class='right'>" + _ps(*SIDE) + "</div>"
    _check(
        _page(f"<div class='main'><div class='left'><h1>{HEADLINE}</h1><div class='zw'>{_ps(S1)}</div></div>{side}</div>"),
        [S1],
        (SIDE[0][:12],),
    )
    cells = f"<table><tr><td class='l'><h2>{HEADLINE}</h2><p>发布时间：2025-04-08</p>{_ps(S1, S2)}</td><td class='r'>{_ps(*SIDE)}</td></tr></table>"
    _check(_page(cells), [S1, S2], (SIDE[0][:12],))


def test_a_first_sentence_opening_with_a_label_word_but_no_comma_stays() -> None:
    first = "来源：区住建委去年的入户调查结果显示全区老旧小区改造需求依然十分迫切。"
    _check(_page(f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(first, *ARTICLE)}</div>"), [first, *ARTICLE])


def test_the_article_kept_as_markup_in_a_hidden_textarea_is_read() -> None:
    body = f"<h1>{HEADLINE}</h1><div class='content'><textarea id='src' style='display:none'>{_ps(*ARTICLE)}</textarea></div>"
    _check(_page(body), ARTICLE)


def test_a_textarea_copy_of_the_shown_text_is_not_read_twice() -> None:
    body = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(*ARTICLE)}</div><textarea style='display:none'>{_ps(*ARTICLE)}</textarea>"
    assert extract_html(_page(body), URL).text.count(S1) == 1


def test_list_items_of_sentences_keep_the_paragraph_above_them() -> None:
    body = f"<h1>{HEADLINE}</h1><div class='wz'>{_ps(S1)}<ul><li>{S2}</li><li>{S3}</li><li>{S4}</li></ul></div>"
    _check(_page(body), ARTICLE)


def test_a_lead_box_before_the_text_container_is_the_articles_own() -> None:
    body = f"<h1>{HEADLINE}</h1><div class='daodu'>{S1}</div><div class='TRS_Editor'>{_ps(S2, S3, S4)}</div>"
    _check(_page(body), ARTICLE)
    # a site's tip in the same place shares none of the headline's words and stays out
    tip = "温馨提示：为获得更好的浏览效果，建议使用新版浏览器访问本网站。"
    _check(_page(f"<h1>{HEADLINE}</h1><div class='tips'>{tip}</div><div class='TRS_Editor'>{_ps(*ARTICLE)}</div>"), ARTICLE, ("温馨提示",))


@pytest.mark.parametrize(
    "lead",
    [
        "<div class='summary'>{s}</div>",  # named as the lead by the template
        "<div class='box'><p>【摘要】{s}</p></div>",  # labelled as the lead (the label may stay with it)
        "<div class='article-daoyu'><b>导语：</b>{s}</div>",
    ],
)
def test_a_named_or_labelled_lead_box_is_kept_whatever_words_it_uses(lead: str) -> None:
    # the lead sums up in words of its own: it need not share the headline's (改造 … 通知)
    summary = "今年全区计划整治住宅楼四百余栋，惠及居民一万两千多户，年底前全部完工。"
    body = f"<h1>{HEADLINE}</h1>{lead.format(s=summary)}<div class='TRS_Editor'>{_ps(*ARTICLE)}</div>"
    _check(_page(body), [summary, *ARTICLE])


def test_a_lead_box_before_the_box_that_wraps_the_container_is_kept_and_a_tip_there_is_not() -> None:
    summary = "今年全区计划整治住宅楼四百余栋，惠及居民一万两千多户，年底前全部完工。"
    wrapped = f"<div class='con'><div class='TRS_Editor'>{_ps(*ARTICLE)}</div></div>"
    body = f"<h1>{HEADLINE}</h1><div class='zhaiyao'>{summary}</div><div class='clear'></div>{wrapped}"
    _check(_page(body), [summary, *ARTICLE])
    tip = "温馨提示：为获得更好的浏览效果，建议使用新版浏览器访问本网站。"
    _check(_page(f"<h1>{HEADLINE}</h1><div class='tips'>{tip}</div>{wrapped}"), ARTICLE, ("温馨提示",))


def test_a_column_beside_the_text_is_not_joined_for_sharing_its_container_name() -> None:
    body = (
        f"<h1>{HEADLINE}</h1><div class='main'><div class='l'><div class='TRS_Editor'>{_ps(*ARTICLE)}</div></div>"
        f"<div class='r'><div class='TRS_Editor'>{_ps(SIDE[0], SIDE[1])}</div></div></div>"
    )
    _check(_page(body), ARTICLE, (SIDE[0][:12],))


def test_a_related_block_at_the_end_goes_whole_teaser_sentences_included() -> None:
    # under 相关阅读 a portal prints other articles' first sentences: teasers, not this article's last section
    teaser = "市交通运输局近日召开会议，部署今冬道路除雪保畅工作，要求各区提前储备融雪物资。"
    body = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(*ARTICLE)}<p>相关阅读</p>{_ps(teaser)}</div>"
    _check(_page(body), ARTICLE, ("除雪保畅",))
    links = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(*ARTICLE)}<p>相关文件：</p><p><a href='/f'>区政府关于加强物业管理的通知</a></p></div>"
    _check(_page(links), ARTICLE, ("加强物业管理",))


@pytest.mark.parametrize(
    "body",
    [
        f"<div class='wz'>{S1}<br><br>{S2}<br><br>{S3}<br><br>{S4}</div>",  # <br>-only paragraphs
        f"<div class='wz'><font size='3'><span>{S1}</span></font><br><font><span>{S2}</span><span>{S3}</span></font><br><span><font>{S4}</font></span></div>",
        f"<div class='x'><table><tr><td>{S1}<br>{S2}</td></tr><tr><td>{S3}<br>{S4}</td></tr></table></div>",  # text right in <td>
        f"<div id='zoom'>{_ps(S1, S2)}<p>附件：</p><p><a href='a.doc'>1.改造任务清单.doc</a></p><p><a href='b.xls'>2.进度表.xls</a></p>{_ps(S3, S4)}</div>",
        f"<div id='zoom'>{_ps(S1)}<table border='1'><tr><td>序号</td><td>任务</td></tr><tr><td>1</td><td>{S2}</td></tr><tr><td>2</td><td>{S3}</td></tr></table>{_ps(S4)}</div>",
        f"<div id='zoom'>{_ps(S1, S2)}<div class='more' style='display:none'>{_ps(S3, S4)}</div><div class='zk'>展开全文</div></div>",
    ],
)
def test_markup_shapes_inside_the_text_keep_every_sentence(body: str) -> None:
    _check(_page(f"<h1>{HEADLINE}</h1>{body}"), ARTICLE)


def test_the_article_a_script_writes_into_the_page_is_read() -> None:
    markup = _ps(*ARTICLE).replace("/", "\\/")
    body = f"<h1>{HEADLINE}</h1><div id='zoom'></div><script>var content = \"{markup}\";\ndocument.getElementById('zoom').innerHTML = content;</script>"
    _check(_page(body), ARTICLE)


def test_a_script_copy_of_the_shown_text_is_not_read_twice() -> None:
    body = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(*ARTICLE)}</div><script>var printCopy = '{_ps(*ARTICLE)}';</script>"
    assert extract_html(_page(body), URL).text.count(S1) == 1


def test_a_script_feed_of_other_articles_is_not_read() -> None:
    feed = f"<p>{SIDE[0]}</p><p>{SIDE[1]}</p>".replace("/", "\\/")
    body = f'<h1>{HEADLINE}</h1><div id=\'zoom\'>{_ps(*ARTICLE)}</div><script>var related = [{{"html": "{feed}"}}];</script>'
    _check(_page(body), ARTICLE, (SIDE[0][:12],))


def test_a_one_line_lead_in_a_title_box_does_not_displace_the_article_below() -> None:
    headline = "全区部署春季重点任务"
    text = [
        "各街道要抓紧组织人员清理背街小巷，确保月底之前全部完成环境整治任务。",
        "城管部门派出执法人员深入一线巡查，及时纠正占道经营和乱堆乱放行为。",
        "财政部门及时拨付资金，保障整治工程顺利推进，杜绝拖欠施工款项问题。",
    ]
    html = (
        f"<html><head><title>{headline}</title></head><body><div class='titlebox'><h1>{headline}</h1>"
        f"<p>本报讯 全区上下正在积极行动起来，确保各项任务按时完成到位。</p></div><div class='wz'>{_ps(*text)}</div></body></html>"
    )
    _check(html, text)


def _promo_tail(more: str) -> str:
    """A portal's trailer inside the text box: app promos (a linked caption over a picture), a 重点推荐 heading
    with other stories' links, and a "more in our channel" link."""
    return (
        "<table><tr><td><p><a href='/app'><b>某区发布<br>看政务的客户端：</b></a></p><p><img src='qr1.png'></p></td>"
        "<td><p><a href='/wx'><b>某区发布携手政务服务网<br>推出“办事指南”：</b></a></p><p><img src='qr2.png'></p></td></tr></table>"
        f"<div class='biaoqian'><h2>重点推荐</h2><span><a href='/yw'>{more}</a></span></div>"
        "<div><p><a href='/a1'>区长调研春耕生产</a> <a href='/a2'>全区召开防汛会议</a></p></div>"
    )


@pytest.mark.parametrize("more", ["更多精彩资讯请点击 某区发布", "更多精彩内容请进入政务要闻频道"])
def test_a_portal_trailer_of_promos_and_recommendations_goes_and_the_article_ends_at_its_last_sentence(more: str) -> None:
    body = f"<h1>{HEADLINE}</h1><div id='endText'>{_ps(*ARTICLE)}{_promo_tail(more)}</div>"
    html = _page(body)
    _check(html, ARTICLE, ("客户端", "办事指南", "重点推荐", "更多精彩", "区长调研"))
    assert extract_html(html, URL).text.rstrip().endswith(S4)


def test_an_article_ending_in_a_colon_before_its_picture_keeps_that_line() -> None:
    # "以下为通知全文：" over a scanned page is the article's own line: not a link, so not a promo caption
    last = "以下为通知全文："
    body = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(*ARTICLE)}<p>{last}</p><p><img src='scan.png'></p></div>"
    _check(_page(body), [*ARTICLE, last])


def test_one_paragraph_in_a_table_layout_with_a_long_menu_is_kept() -> None:
    # an old portal or forum template: menu, login box, topic line and the one paragraph of text all sit in one
    # layout table, so the table as a whole is mostly link text
    menu = "".join(f"<a href='/c{i}'>栏目{i}频道</a> | " for i in range(60))
    notice = "区住建局提醒：老旧小区改造期间，请居民妥善保管财物，施工单位每日十八时后停止噪声作业，有问题可向街道反映。"
    body = (
        f"<table><tr><td>{menu}</td></tr><tr><td><form action='/login'><input name='u'></form></td></tr>"
        f"<tr><td><table><tr><td><b>主题：</b>{HEADLINE}</td></tr></table>"
        f"<table><tr><td><table><tr><td><p class='large'>{notice}</p></td></tr></table></td></tr></table></td></tr></table>"
    )
    _check(_page(body), [notice], ("栏目3频道",))


def test_a_list_of_linked_names_between_the_articles_paragraphs_is_the_articles_own() -> None:
    # a 名单 whose entries link to each project's page, introduced by the paragraph above and followed by more text
    names = ["东湖街道幸福里小区", "西山街道和平新村", "南岸街道建设里小区"]
    items = "".join(f"<li><a href='/xm/{i}.html'>{n}</a></li>" for i, n in enumerate(names))
    body = f"<h1>{HEADLINE}</h1><div class='TRS_Editor'>{_ps(S1, '今年纳入改造计划的小区名单如下：')}<ul>{items}</ul>{_ps(S2, S3)}</div>"
    text = extract_html(_page(body), URL).text
    assert all(n in text for n in names)
    _check(_page(body), [S1, S2, S3])
    # entries that are sentences, under a paragraph of prose
    done = ["东湖街道幸福里小区已完成外墙保温改造。", "西山街道和平新村正在更换供水管网。", "南岸街道建设里小区已加装电梯六部。"]
    items = "".join(f"<li><a href='/xm/{i}.html'>{d}</a></li>" for i, d in enumerate(done))
    _check(_page(f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(S1)}<ul>{items}</ul>{_ps(S2)}</div>"), [S1, *done, S2])


def test_a_link_list_at_the_edge_of_the_text_or_under_a_related_heading_still_goes() -> None:
    links = "".join(f"<li><a href='/n/{i}.html'>{s[:14]}</a></li>" for i, s in enumerate(SIDE))
    at_end = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(*ARTICLE)}<ul>{links}</ul></div>"
    _check(_page(at_end), ARTICLE, (SIDE[0][:12],))
    # a 相关链接 heading introduces the list, and a line of the site's own follows it: still not the article's list
    note = "本栏目信息由区政府办公室负责维护，欢迎广大市民提出意见建议。"
    under_heading = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(*ARTICLE)}<p>相关链接：</p><ul>{links}</ul>{_ps(note)}</div>"
    _check(_page(under_heading), ARTICLE, (SIDE[0][:12],))


def test_a_promo_link_above_the_first_sentence_goes_but_a_linked_document_name_stays() -> None:
    promo = "<p><a href='http://sms.example.cn/intro'><b>发送短信到12345 随时查询办件进度</b></a></p>"
    html = _page(f"<h1>{HEADLINE}</h1><div id='zoom'>{promo}{_ps(*ARTICLE)}</div>")
    _check(html, ARTICLE, ("发送短信",))
    assert extract_html(html, URL).text.startswith(S1)
    # the parser closes a <p> at a table, leaving the promo link loose in the container
    loose = f"<h1>{HEADLINE}</h1><div id='zoom'><p><table><tr><td><a href='/a'>栏目推荐</a></td></tr></table><a href='/sms'>发送短信到12345 随时查询办件进度</a></p>{_ps(*ARTICLE)}</div>"
    assert extract_html(_page(loose), URL).text.startswith(S1)
    # the policy an explainer is about, named as a link over the text, is the article's own line
    named = "<p><a href='/zc/1.html'>《某区老旧小区改造实施办法》</a></p>"
    text = extract_html(_page(f"<h1>{HEADLINE}</h1><div id='zoom'>{named}{_ps(*ARTICLE)}</div>"), URL).text
    assert text.startswith("《某区老旧小区改造实施办法》")


def test_a_stray_control_character_in_the_page_does_not_lose_the_whole_text() -> None:
    # Word pastes leave \x14 field marks in the markup; the parser keeps them, writing the text back refused them
    body = f"<h1>{HEADLINE}</h1><div id='zoom'>{_ps(S1, S2)}<script>var n = 1;</script>\x14{_ps(S3, S4)}</div>"
    _check(_page(body), ARTICLE)
