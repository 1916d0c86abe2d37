"""HTML extraction: main text without page furniture, and the metadata government templates carry.

Real pages come from ../shared/fixtures/real-html (saved as published); the
gov.cn 政策文件库-style page below is written here because its metadata
table is the case the product depends on most.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.html_extract import HtmlExtract, decode_html, extract_html

REAL = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real-html"

POLICY_PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>工业和信息化部等七部门关于推动未来产业创新发展的实施意见_国务院部门文件_中国政府网</title></head>
<body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zhengce/">政策</a></li>
<li><a href="/hudong/">互动</a></li><li><a href="/fuwu/">服务</a></li></ul></div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/zhengce/">政策</a> &gt; 政策文件库</div>
<table class="bd1">
 <tr><td><b>索 引 号：</b></td><td>000014349/2024-00012</td><td><b>主题分类：</b></td><td>工业、交通\\信息产业（含电信）</td></tr>
 <tr><td><b>发文机关：</b></td><td>工业和信息化部等七部门</td><td><b>成文日期：</b></td><td>2024年01月18日</td></tr>
 <tr><td><b>标　　题：</b></td><td colspan="3">工业和信息化部等七部门关于推动未来产业创新发展的实施意见</td></tr>
 <tr><td><b>发文字号：</b></td><td>工信部联科〔2024〕12号</td><td><b>发布日期：</b></td><td>2024年01月31日</td></tr>
</table>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a><a href="#">QQ空间</a></div>
<div id="UCAP-CONTENT" class="pages_content">
 <p style="text-align:center">工业和信息化部等七部门关于推动未来产业创新发展的实施意见</p>
 <p style="text-align:center">工信部联科〔2024〕12号</p>
 <p>各省、自治区、直辖市及计划单列市、新疆生产建设兵团工业和信息化、教育、科技、交通运输、文化和旅游、国资主管部门，中国科学院各分院：</p>
 <p>　　未来产业由前沿技术驱动，当前处于孕育萌发阶段或产业化初期，是具有显著战略性、引领性、颠覆性和不确定性的前瞻性新兴产业。
 大力发展未来产业，是引领科技进步、带动产业升级、开辟新赛道、塑造新质生产力的战略选择。</p>
 <p>　　到2025年，未来产业技术创新、产业培育、安全治理等全面发展，部分领域达到国际先进水平，产业规模稳步提升。</p>
 <p>附件：<a href="P020240131.pdf">1.未来产业创新任务揭榜挂帅清单.pdf</a><br><a href="P020240132.doc">2.申报书模板.doc</a></p>
</div>
<div class="editor">【我要打印】【关闭窗口】</div>
<div class="footer"><p>版权所有：中国政府网 | 网站标识码bm01000001 | 京ICP备05070218号</p><a href="/sitemap">网站地图</a></div>
</body></html>"""


def policy_page_bytes() -> bytes:
    return POLICY_PAGE.encode("gb18030")


# ---------------------------------------------------------------- decoding


def test_gbk_page_decoded_even_when_the_http_header_claims_utf8() -> None:
    html = decode_html(policy_page_bytes(), declared="utf-8")
    assert "工信部联科〔2024〕12号" in html


def test_gb2312_label_is_read_as_gb18030_so_gbk_only_characters_survive() -> None:
    # 〔 〕 and 镕 are outside GB2312 but sites labelled GB2312 use them all the time
    body = '<meta charset="gb2312"><p>朱镕基 国发〔2001〕1号</p>'.encode("gb18030")
    assert "朱镕基 国发〔2001〕1号" in decode_html(body, declared="gb2312")


def test_utf8_page_decoded_when_header_wrongly_says_gbk() -> None:
    body = "<p>关于推动未来产业创新发展的实施意见</p>".encode("utf-8")
    assert "未来产业" in decode_html(body, declared="gbk")


def _with_broken_bytes(body: bytes) -> bytes:
    """Two stray lead bytes, as a CMS leaves when it cuts a multibyte character in half."""
    cut = body.index("</title>".encode())
    return body[:cut] + b"\xd6" + body[cut:].replace(b"</body>", b"\xb5</body>")


STYLED_NOTICE = (
    "<html><head><title>通知</title><style>" + ".nav a:link { COLOR: #ffffff; TEXT-DECORATION: none}\n" * 40 + "</style></head>"
    "<body><table><tr><td>关于做好春季农业生产工作的通知。各县要抓好种子供应，确保农资价格稳定。</td></tr></table></body></html>"
)


def test_a_gbk_page_with_a_few_broken_bytes_is_still_read_as_gbk() -> None:
    # no strict decode works, and detection on a style-heavy page with little Chinese guesses a Thai or
    # Icelandic code page
    for page in (STYLED_NOTICE, POLICY_PAGE.replace("; charset=gb2312", "")):
        html = decode_html(_with_broken_bytes(page.encode("gb18030")))
        assert html.count("\ufffd") <= 2
        assert "各县要抓好种子供应" in html or "工信部联科〔2024〕12号" in html
    labelled = _with_broken_bytes(policy_page_bytes())
    assert "工信部联科〔2024〕12号" in decode_html(labelled, declared="gb2312")


def test_a_utf8_page_with_a_broken_byte_is_still_read_as_utf8() -> None:
    broken = _with_broken_bytes(POLICY_PAGE.replace("; charset=gb2312", "").encode("utf-8"))
    assert "工信部联科〔2024〕12号" in decode_html(broken)


def test_a_page_of_mostly_broken_bytes_is_left_to_detection() -> None:
    noise = bytes(range(0x80, 0x100)) * 40  # not text in any of the guessed encodings
    assert isinstance(decode_html(b"<p>" + noise + b"</p>"), str)


def test_source_override_wins_over_everything() -> None:
    body = "<p>繁體中文頁面</p>".encode("big5")
    assert "繁體中文頁面" in decode_html(body, declared="utf-8", override="big5")


# ---------------------------------------------------------------- gov.cn metadata table


@pytest.fixture(scope="module")
def policy() -> HtmlExtract:
    return extract_html(
        decode_html(policy_page_bytes(), declared="utf-8"), "https://www.gov.cn/zhengce/zhengceku/202401/content_6929021.htm"
    )


def test_metadata_table_fields(policy: HtmlExtract) -> None:
    assert policy.title == "工业和信息化部等七部门关于推动未来产业创新发展的实施意见"
    assert policy.doc_number == "工信部联科〔2024〕12号"
    assert policy.index_number == "000014349/2024-00012"
    assert policy.topic == "工业、交通\\信息产业（含电信）"
    assert policy.agency == "工业和信息化部等七部门"
    assert policy.written == date(2024, 1, 18)
    assert policy.published == date(2024, 1, 31)


def test_body_is_paragraphs_without_navigation_share_bar_attachments_or_footer(policy: HtmlExtract) -> None:
    text = policy.text
    assert text.startswith("工信部联科〔2024〕12号\n各省、自治区")
    assert "引领科技进步" in text
    # the source newline inside a CJK sentence is layout, not a space
    assert "前瞻性新兴产业。大力发展未来产业" in text
    for furniture in ("首页", "分享到", "微博", "揭榜挂帅清单.pdf", "附件", "打印", "关闭窗口", "版权所有", "网站地图", "索引号"):
        assert furniture not in text
    assert all(line.strip() == line and line for line in text.split("\n"))


def test_simplified_text_is_its_own_normalized_form(policy: HtmlExtract) -> None:
    assert policy.text_normalized == policy.text


# ---------------------------------------------------------------- date formats and inline labels


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<span>发布日期：2025-03-05</span>", date(2025, 3, 5)),
        ("<span>发布时间：2025年3月5日</span>", date(2025, 3, 5)),
        ("<div>日期：2025/03/05 10:20　来源：浙江省经信厅</div>", date(2025, 3, 5)),
        ("<p><i>发布时间：</i><em>2025.3.5</em></p>", date(2025, 3, 5)),
    ],
)
def test_publish_date_in_the_formats_sites_use(snippet: str, expected: date) -> None:
    body = "<p>" + "为加快培育未来产业，现提出如下意见。" * 5 + "</p>"
    page = extract_html(
        f"<html><head><title>通知</title></head><body>{snippet}<div class='content'>{body}</div></body></html>", "https://x.gov.cn/a.html"
    )
    assert page.published == expected


def test_inline_source_after_date_is_the_agency() -> None:
    html = (
        "<html><body><h1>关于印发实施方案的通知</h1><div>发布时间：2025-03-05 来源：浙江省经济和信息化厅</div><div class='content'><p>"
        + "各有关单位：现将方案印发给你们。" * 4
        + "</p></div></body></html>"
    )
    page = extract_html(html, "https://jxt.zj.gov.cn/art/2025/3/5/art_1.html")
    assert page.agency == "浙江省经济和信息化厅"
    assert page.title == "关于印发实施方案的通知"
    assert "发布时间" not in page.text


# ---------------------------------------------------------------- Traditional Chinese


def test_traditional_text_is_kept_as_published_and_folded_for_matching() -> None:
    html = "<html><head><title>關於推動未來產業創新發展的實施意見</title></head><body><div id='content'><p>發展人工智慧與量子科技，培育新質生產力。促進產業轉型升級，鞏固經濟發展基礎。</p></div></body></html>"
    page = extract_html(decode_html(html.encode("big5hkscs"), declared="big5"), "https://www.gov.hk/x.htm")
    assert "發展人工智慧與量子科技" in page.text
    assert "发展人工智慧与量子科技" in page.text_normalized
    assert page.title == "關於推動未來產業創新發展的實施意見"


# ---------------------------------------------------------------- per-source selectors


def test_source_selectors_override_generic_extraction() -> None:
    from core.sources import DetailSelectors

    html = """<html><body><div class="tt">真正的标题在这里</div><h1>网站名称</h1>
    <div class="when">2024-12-01</div><div class="org">某某市科技局</div><div class="wh">某科发〔2024〕7号</div>
    <div class="main"><p>正文第一段，说明政策背景和目的。</p><p>正文第二段，提出具体措施。</p></div>
    <div class="content"><p>侧栏的长文本不是正文，侧栏的长文本不是正文，侧栏的长文本不是正文，侧栏的长文本不是正文。</p></div></body></html>"""
    sel = DetailSelectors(title=".tt", body=".main", date=".when", agency=".org", doc_number=".wh")
    page = extract_html(html, "https://kjj.example.gov.cn/a.html", sel)
    assert page.title == "真正的标题在这里"
    assert page.text == "正文第一段，说明政策背景和目的。\n正文第二段，提出具体措施。"
    assert page.published == date(2024, 12, 1)
    assert page.agency == "某某市科技局"
    assert page.doc_number == "某科发〔2024〕7号"


# ---------------------------------------------------------------- real saved pages


def _real(name: str) -> HtmlExtract:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} not present (shared fixtures)")
    return extract_html(decode_html(path.read_bytes()), f"https://example.gov.cn/{name}")


def test_real_govcn_gongbao_page() -> None:
    page = _real("govcn-gongbao-2007-23.html")
    assert page.title is not None and page.title.startswith("全国人民代表大会常务委员会关于批准财政部发行特别国债")
    assert "批准发行15500亿元特别国债购买外汇" in page.text
    assert page.published is not None and page.published.year == 2007
    for furniture in ("分享", "打印", "网站", "版权", "首页"):
        assert furniture not in page.text


def test_real_shanxi_trs_page() -> None:
    page = _real("shanxi-gov-article.html")
    assert page.title == "山西品牌丝路行（南美站）正式启动"
    assert page.published == date(2019, 9, 18)
    assert page.agency == "山西日报"
    assert page.text.startswith("图为山西品牌丝路行（南美站）启动仪式。")
    assert page.text.endswith("南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）")
    assert "createPageHTML" not in page.text and "来源" not in page.text


def test_real_zjdpc_page_with_heavy_furniture() -> None:
    page = _real("zjdpc-article.html")
    assert page.title == "1-10月德清县固定资产投资结构趋稳趋优"
    assert page.published == date(2016, 11, 22)
    assert page.agency == "省发改委"
    assert page.text.startswith("1-10月，全县固定资产投资完成246.79亿元")
    assert page.text.endswith("（德清县发改局）")
    assert len(page.text) < 400  # 198 KB of page, one paragraph of news


def test_empty_and_broken_markup_do_not_raise() -> None:
    assert extract_html("", "https://x").text == ""
    assert extract_html("<html><body><div><p>未闭合的段落", "https://x").text == "未闭合的段落"


def test_detail_selectors_may_be_xpath_like_list_selectors() -> None:
    from core.sources import DetailSelectors

    html = "<html><body><div class='x'><h2>标题甲</h2></div><div id='main'><p>正文内容第一段，关于氢能。</p><p>第二段。</p></div><div class='f'>页脚</div></body></html>"
    got = extract_html(html, "http://x/", DetailSelectors(title="xpath://div[@class='x']/h2", body="xpath://div[@id='main']"))
    assert got.title == "标题甲"
    assert got.text == "正文内容第一段，关于氢能。\n第二段。"
