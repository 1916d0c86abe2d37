"""Regenerate the bundled demo replica sites from the real seed texts (developer tool).

The files under demo/sites are committed, so `radar demo` and the tests need
neither this script nor the seeds (../shared/seeds).  Three replicas, each
with the layout habits of its kind of site, because the crawler and the
extractor must cope with exactly those habits:

- ``miit/``  a ministry 文件发布 column: ``wjfb/index.html``, ``index_1.html``,
  ``index_2.html``; gov.cn-style 索引号/发文机关/发文字号 tables, body in
  ``#UCAP-CONTENT``, header/nav/share/footer furniture, PDF attachments (one
  truncated on purpose; see build_pdfs.py) and releases that are not
  future-industry policy (true negatives for classification);
- ``zj/``  a provincial department site (Hanweb-style templates) stored AND
  served as GBK, with the Zhejiang 实施意见（二次征求意见稿） as a long HTML page;
- ``thinktank/``  a 智库简报 site: one list page, each item a briefing article.

Run: python -m demo.build_sites [--seeds ../shared/seeds] [--with-pdfs]
(``--with-pdfs`` also runs build_pdfs.py, which needs the dev-only reportlab.)
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from demo.plans import BIOMANUFACTURING, EMBODIED, QUANTUM, SIX_G, ZHEJIANG_HUMANOID
from demo.seeds import DEFAULT_SEEDS, gbk_safe, load_seed, paragraphs, section

HERE = Path(__file__).resolve().parent
SITES = HERE / "sites"


@dataclass
class Item:
    """One release: list entry + detail page."""

    slug: str
    title: str
    date: str
    paragraphs: list[str]
    doc_number: str = ""
    agency: str = ""
    topic: str = "工业、交通\\科技"
    attachments: tuple[tuple[str, str], ...] = ()  # (file name, link text)
    written: str = ""  # 成文日期 when it differs from the publish date
    source: str = ""  # 来源 line of briefing articles


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def body_html(paras: list[str]) -> str:
    """Headings (一、… / （一）… / short lines) as bold centred-ish paragraphs, the rest as indented text, like CMS output."""
    out = []
    for p in paras:
        if len(p) <= 30 and not p.endswith(("。", "；", "：")):
            out.append(f'<p style="text-indent:2em"><strong>{esc(p)}</strong></p>')
        else:
            out.append(f'<p style="text-indent:2em">{esc(p)}</p>')
    return "\n".join(out)


# ------------------------------------------------------------------ ministry (gov.cn-style template)

MIIT_HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{title}_{column}_工业和信息化部</title>
<meta name="SiteName" content="工业和信息化部（演示）">
<meta name="ColumnName" content="{column}">
{extra_meta}<link rel="stylesheet" href="/miit/css/common.css">
<script>var _hmt = _hmt || []; /* 访问统计 */</script>
</head>
<body>
<div class="top-bar"><span>无障碍浏览</span> | <a href="#">English</a> | <a href="#">繁體</a> | <a href="#">手机版</a></div>
<div class="header">
  <div class="logo"><a href="/miit/index.html">中华人民共和国工业和信息化部（演示站点）</a></div>
  <form class="search" action="#"><input type="text" name="q" placeholder="请输入关键词"><button type="button">搜索</button></form>
</div>
<ul class="nav">
  <li><a href="/miit/index.html">首页</a></li><li><a href="#">机构职能</a></li><li><a href="#">新闻动态</a></li>
  <li class="on"><a href="/miit/wjfb/index.html">政务公开</a></li><li><a href="#">政务服务</a></li><li><a href="#">互动交流</a></li>
</ul>
"""

MIIT_FOOT = """<div class="footer">
  <p><a href="#">网站地图</a> | <a href="#">联系我们</a> | <a href="#">使用帮助</a> | <a href="#">隐私声明</a></p>
  <p>主办单位：中华人民共和国工业和信息化部（演示） 地址：北京市西城区西长安街13号 邮编：100804</p>
  <p>网站标识码：bm07000001 京ICP备04000001号 京公网安备11040102700068号</p>
</div>
</body>
</html>
"""

MIIT_DETAIL = """<div class="crumb">当前位置：<a href="/miit/index.html">首页</a> &gt; <a href="#">政务公开</a> &gt; <a href="index.html">{column}</a></div>
<div class="xxgk-box">
<table class="xxgk-info" cellspacing="0" cellpadding="0">
<tbody>
<tr><th>索&nbsp;引&nbsp;号：</th><td>{index_no}</td><th>主题分类：</th><td>{topic}</td></tr>
<tr><th>发文机关：</th><td>{agency}</td><th>成文日期：</th><td>{written}</td></tr>
<tr><th>标　　题：</th><td colspan="3">{title}</td></tr>
<tr><th>发文字号：</th><td class="fwzh">{doc_number}</td><th>发布日期：</th><td class="fbrq">{date}</td></tr>
</tbody>
</table>
</div>
<div class="article">
<h1 class="title" id="con_title">{title}</h1>
<div class="info"><span>发布时间：<span id="con_time">{date}</span></span><span>来源：{agency}</span><span>浏览次数：<span class="views">{views}</span></span>
<span class="font">字号：[<a href="#">大</a>] [<a href="#">中</a>] [<a href="#">小</a>]</span></div>
<div class="ccontent">
<div id="UCAP-CONTENT" class="pages_content">
{body}
</div>
</div>
{attachments}<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a> 【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div class="related"><h3>相关链接</h3><ul><li><a href="#">政策解读</a></li><li><a href="#">在线访谈</a></li><li><a href="#">意见征集</a></li></ul></div>
</div>
"""

MIIT_LIST = """<div class="crumb">当前位置：<a href="/miit/index.html">首页</a> &gt; <a href="#">政务公开</a> &gt; {column}</div>
<div class="lmy_main">
<div class="side"><h3>政务公开</h3><ul><li class="on"><a href="index.html">文件发布</a></li><li><a href="#">政策解读</a></li><li><a href="#">征求意见</a></li></ul></div>
<div class="lmy_list">
<h2>{column}</h2>
<ul class="list">
{items}
</ul>
<div class="page">{pager}</div>
</div>
</div>
"""


def miit_items(seeds: Path) -> list[Item]:
    """Ten releases, newest first: six future-industry items, four true negatives.

    The four future-industry notices carry the team's own policy text (demo/plans.py): what they decide.
    """
    p003 = paragraphs(load_seed("003", seeds))
    goals = next(p for p in p003 if "七部门近日联合印发" in p)
    six_tracks = next(p for p in p003 if "六大产业" in p)
    agency = "工业和信息化部"
    to_provinces = "各省、自治区、直辖市及计划单列市、新疆生产建设兵团工业和信息化主管部门，有关中央企业："
    return [
        Item(
            "art_2025_0305_01",
            "工业和信息化部等七部门关于推动未来产业创新发展的实施意见",
            "2025-03-05",
            [
                to_provinces,
                "现将《关于推动未来产业创新发展的实施意见》印发给你们，请结合实际认真贯彻落实。",
                goals[goals.index("工业和信息化部、教育部") :].replace("近日联合印发了", "联合制定了"),
                six_tracks,
                "各地要加强组织实施，建立工作推进机制，及时总结推广典型经验做法。",
            ],
            "工信部联科〔2024〕12号",
            agency,
            written="2024-01-18",
            attachments=(("gov_notice.pdf", "关于推动未来产业创新发展的实施意见.pdf"),),
        ),
        Item(
            "art_2025_0304_02",
            "关于推动人形机器人与具身智能产业创新发展的通知",
            "2025-03-04",
            [to_provinces, "为加快具身智能技术创新和产业化，推动人形机器人在制造、物流、家庭服务等场景应用，现就有关事项通知如下。"]
            + EMBODIED,
            "工信部科〔2025〕21号",
            agency,
        ),
        Item(
            "art_2025_0303_03",
            "关于开展2025年“一起益企”中小企业服务行动的通知",
            "2025-03-03",
            [
                "各省、自治区、直辖市及计划单列市、新疆生产建设兵团中小企业主管部门：",
                "为深入贯彻落实党中央、国务院关于促进中小企业发展的决策部署，持续优化营商环境，工业和信息化部决定开展2025年“一起益企”中小企业服务行动。",
                "一、组织服务机构深入企业开展政策宣讲、融资对接、法律咨询、管理诊断等服务，帮助企业纾困解难。",
                "二、聚焦惠企政策直达快享，推动涉企政策“免申即享”，清理规范涉企收费。",
                "三、请于2025年12月10日前将工作总结报送工业和信息化部（中小企业局）。",
            ],
            "工信厅企业函〔2025〕45号",
            agency,
            topic="中小企业",
        ),
        Item(
            "art_2025_0302_04",
            "关于加快推动氢能和核聚变能等未来能源产业发展的指导意见",
            "2025-03-02",
            [to_provinces, "现将《关于加快推动氢能和核聚变能等未来能源产业发展的指导意见》印发给你们，请认真贯彻执行。全文见附件。"],
            "工信部联节〔2025〕9号",
            agency,
            attachments=(("hydrogen_guide.pdf", "关于加快推动氢能和核聚变能等未来能源产业发展的指导意见.pdf"),),
        ),
        Item(
            "art_2025_0228_05",
            "关于印发《量子科技产业创新发展行动方案》的通知",
            "2025-02-28",
            [to_provinces, "现将《量子科技产业创新发展行动方案》印发给你们，请结合实际抓好落实。"] + QUANTUM,
            "工信部科〔2025〕18号",
            agency,
            attachments=(("task_table.pdf", "量子科技产业创新发展行动方案（含重点任务分工表）.pdf"),),
        ),
        Item(
            "art_2025_0227_06",
            "关于做好2025年全国“两会”期间安全生产工作的通知",
            "2025-02-27",
            [
                "各省、自治区、直辖市工业和信息化主管部门：",
                "为确保全国“两会”期间工业领域安全生产形势稳定，现就有关事项通知如下。",
                "一、压实安全生产责任，开展隐患排查整治，严防重特大事故发生。",
                "二、加强值班值守和应急准备，及时报送突发事件信息。",
            ],
            "工信厅安全函〔2025〕31号",
            agency,
            topic="安全生产",
        ),
        Item(
            "art_2025_0226_07",
            "关于印发《生物制造产业高质量发展实施方案》的通知",
            "2025-02-26",
            [to_provinces, "为加快培育生物制造等未来产业，现将《生物制造产业高质量发展实施方案》印发给你们，请认真组织实施。"]
            + BIOMANUFACTURING,
            "工信部联消费〔2025〕7号",
            agency,
            attachments=(("bio_plan.pdf", "生物制造产业高质量发展实施方案.pdf"),),
        ),
        Item(
            "art_2025_0225_08",
            "《关于推动未来产业创新发展的实施意见》解读",
            "2025-02-25",
            [
                p003[0],
                "近日，工业和信息化部等七部门联合印发《关于推动未来产业创新发展的实施意见》。为便于理解和执行，现将有关内容解读如下，解读材料全文见附件。",
            ],
            "",
            agency,
            topic="政策解读",
            attachments=(("thinktank_brief.pdf", "解读材料.pdf"),),
        ),
        Item(
            "art_2025_0224_09",
            "关于推进6G与卫星互联网融合发展的通知",
            "2025-02-24",
            [to_provinces, "为抢抓第六代移动通信（6G）和卫星互联网发展机遇，推动空天地一体化信息网络建设，现就有关事项通知如下。"] + SIX_G,
            "工信部通信〔2025〕15号",
            agency,
        ),
        Item(
            "art_2025_0221_10",
            "关于征集2025年工业文化旅游精品线路的通知",
            "2025-02-21",
            [
                "各省、自治区、直辖市工业和信息化主管部门：",
                "为推动工业文化与旅游融合发展，丰富文旅消费供给，现组织征集2025年工业文化旅游精品线路。",
                "请各地推荐工业遗产、工业博物馆和企业开放参观点，于2025年4月30日前报送推荐材料。",
            ],
            "工信厅产业函〔2025〕12号",
            agency,
            topic="工业文化",
        ),
    ]


def build_miit(seeds: Path) -> int:
    column = "文件发布"
    items = miit_items(seeds)
    base = SITES / "miit" / "wjfb"
    base.mkdir(parents=True, exist_ok=True)
    per_page = 4
    pages = [items[k : k + per_page] for k in range(0, len(items), per_page)]
    for p, chunk in enumerate(pages):
        lis = "\n".join(
            f'<li><a href="{it.slug}.html" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a><span class="date">{it.date}</span></li>'
            for it in chunk
        )
        on = ' class="on"'
        links = " ".join(
            f'<a href="{"index.html" if k == 0 else f"index_{k}.html"}"{on if k == p else ""}>{k + 1}</a>' for k in range(len(pages))
        )
        pager = f"共{len(items)}条 {links}" + (f' <a href="index_{p + 1}.html">下一页</a>' if p + 1 < len(pages) else "")
        page = (
            MIIT_HEAD.format(title=column, column=column, extra_meta="")
            + MIIT_LIST.format(column=column, items=lis, pager=pager)
            + MIIT_FOOT
        )
        (base / ("index.html" if p == 0 else f"index_{p}.html")).write_text(page, encoding="utf-8")
    for n, it in enumerate(items, 1):
        atts = ""
        if it.attachments:
            links = "".join(f'<p><a href="files/{f}" target="_blank">{esc(label)}</a></p>' for f, label in it.attachments)
            atts = f'<div class="fujian"><p>附件：</p>\n{links}\n</div>\n'
        meta = (
            f'<meta name="firstpublishedtime" content="{it.date} 09:30:00">\n<meta name="lastmodifiedtime" content="{it.date} 09:30:00">\n'
        )
        page = (
            MIIT_HEAD.format(title=esc(it.title), column=column, extra_meta=meta)
            + MIIT_DETAIL.format(
                column=column,
                index_no=f"000014349/2025-{120 - n:05d}",
                topic=it.topic,
                agency=it.agency,
                written=it.written or it.date,
                title=esc(it.title),
                doc_number=it.doc_number,
                date=it.date,
                views=1000 + 37 * n,
                body=body_html(it.paragraphs),
                attachments=atts,
            )
            + MIIT_FOOT
        )
        (base / f"{it.slug}.html").write_text(page, encoding="utf-8")
    (SITES / "miit" / "_site.json").write_text(json.dumps({"charset": "utf-8"}) + "\n", encoding="utf-8")
    return len(items)


# ------------------------------------------------------------------ province (Hanweb-style, GBK)

ZJ_HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}</title>
{extra_meta}<script type="text/javascript" src="/zj/script/jquery.min.js"></script>
</head>
<body>
<div class="top"><div class="logo">浙江省经济和信息化厅（演示站点）</div><div class="topnav"><a href="#">无障碍</a> | <a href="#">长者模式</a> | <a href="#">浙里办</a></div></div>
<div class="mainnav"><a href="/zj/index.html">首页</a><a href="#">机构概况</a><a href="/zj/tzgg/index.html">通知公告</a><a href="#">政策文件</a><a href="#">政策解读</a><a href="#">互动交流</a></div>
"""

ZJ_FOOT = """<div class="bottom">
<p>主办：浙江省经济和信息化厅（演示） 地址：杭州市省府路8号 邮编：310025</p>
<p>浙ICP备05000001号 浙公网安备33010002000001号 网站标识码：3300000001</p>
</div>
</body>
</html>
"""

ZJ_LIST = """<div class="position">您现在的位置：<a href="/zj/index.html">首页</a> &gt; {column}</div>
<div class="lm_list">
<ul>
{items}
</ul>
</div>
<div class="pagebar">{pager}</div>
"""

ZJ_DETAIL = """<div class="position">您现在的位置：<a href="/zj/index.html">首页</a> &gt; <a href="index.html">{column}</a> &gt; 正文</div>
<table class="xxgk_table" width="100%">
<tr><td class="lab">索引号</td><td>{index_no}</td><td class="lab">公开方式</td><td>主动公开</td></tr>
<tr><td class="lab">发布机构</td><td>{agency}</td><td class="lab">成文日期</td><td>{written}</td></tr>
<tr><td class="lab">发文字号</td><td>{doc_number}</td><td class="lab">发布日期</td><td>{date}</td></tr>
</table>
<div class="zw_title"><h1>{title}</h1></div>
<div class="zw_info">发布日期：<span class="fbrq">{date}</span>　信息来源：{agency}　字体：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</div>
<div id="zoom">
{body}
</div>
<div class="zw_tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a> 分享：<a href="#">微信</a></div>
"""


def zj_items(seeds: Path) -> list[Item]:
    s004 = load_seed("004", seeds)
    draft = paragraphs(s004[s004.index("为贯彻落实创新驱动发展战略") :])
    agency = "浙江省经济和信息化厅"
    notice = [
        "为广泛听取社会各界意见，现将《关于加快培育未来产业的实施意见（二次征求意见稿）》全文公布，公开征求意见。"
        "意见反馈截止时间为2025年3月20日，请通过电子邮件将意见发送至 wlcy@zjjxt.example.gov.cn（邮件标题注明“未来产业意见反馈”）。",
        "附：关于加快培育未来产业的实施意见（二次征求意见稿）",
    ]
    air_space = [p for p in draft if p.startswith(("低空经济。", "商业航天。"))]
    return [
        Item(
            "art_1229_01",
            "关于公开征求《关于加快培育未来产业的实施意见（二次征求意见稿）》意见的公告",
            "2025-03-06",
            notice + draft,
            "",
            agency,
            topic="征求意见",
        ),
        Item(
            "art_1229_05",
            "关于组织开展2025年浙江省“数字生活新服务”消费季活动的通知",
            "2025-03-03",
            [
                "各市经信局：",
                "为进一步激发文旅消费活力，丰富数字生活服务供给，决定组织开展2025年“数字生活新服务”消费季活动。",
                "一、活动时间为2025年4月至6月，各地结合春季文旅消费旺季组织线上线下促消费活动。",
                "二、请各地于2025年3月25日前报送活动方案。",
            ],
            "浙经信服务〔2025〕8号",
            agency,
            topic="消费",
        ),
        Item(
            "art_1229_02",
            "浙江省人形机器人产业创新发展实施方案",
            "2025-03-01",
            ZHEJIANG_HUMANOID,
            "浙经信产业〔2025〕11号",
            agency,
        ),
        Item(
            "art_1229_03",
            "关于做好2025年春季农业生产资料保供稳价工作的通知",
            "2025-02-20",
            [
                "各市经信局：为保障春耕生产，现就做好化肥、农药等农资保供稳价工作通知如下。",
                "一、加强生产调度，确保重点企业稳定生产。",
                "二、强化市场监测，及时协调解决运输问题。",
            ],
            "浙经信材料〔2025〕6号",
            agency,
            topic="农业",
        ),
        Item(
            "art_1229_06",
            "关于进一步优化涉企服务 持续提升营商环境的若干措施",
            "2025-02-18",
            [
                "为深入实施营商环境优化提升“一号改革工程”，进一步降低企业制度性交易成本，制定以下措施。",
                "一、推行涉企事项“一件事”集成办理，压缩审批时限。",
                "二、规范涉企检查，推行“综合查一次”。",
                "三、健全企业诉求直达机制，实行闭环办理。",
            ],
            "浙经信政法〔2025〕3号",
            agency,
            topic="营商环境",
        ),
        Item(
            "art_1229_04",
            "关于推进低空经济和商业航天发展的若干措施",
            "2025-02-15",
            ["为抢抓低空经济和商业航天发展机遇，培育未来空间产业，提出以下措施。"]
            + air_space
            + ["支持eVTOL、无人机物流等低空应用场景示范，建设商业航天卫星制造基地。"],
            "浙经信航空〔2025〕4号",
            agency,
        ),
    ]


def build_zj(seeds: Path) -> int:
    column = "通知公告"
    items = zj_items(seeds)
    base = SITES / "zj" / "tzgg"
    base.mkdir(parents=True, exist_ok=True)
    per_page = 3

    def write(path: Path, text: str) -> None:
        path.write_bytes(gbk_safe(text).encode("gbk"))

    pages = [items[k : k + per_page] for k in range(0, len(items), per_page)]
    for p, chunk in enumerate(pages):
        lis = "\n".join(
            f'<li><span class="bt_time">{it.date}</span><a href="{it.slug}.html" title="{esc(it.title)}" target="_blank">{esc(it.title)}</a></li>'
            for it in chunk
        )
        pager = f"共{len(items)}条记录 页次{p + 1}/{len(pages)} " + " ".join(
            f'<a href="{"index.html" if k == 0 else f"index_{k}.html"}">{k + 1}</a>' for k in range(len(pages))
        )
        write(
            base / ("index.html" if p == 0 else f"index_{p}.html"),
            ZJ_HEAD.format(title=f"{column}_浙江省经济和信息化厅", extra_meta="")
            + ZJ_LIST.format(column=column, items=lis, pager=pager)
            + ZJ_FOOT,
        )
    for n, it in enumerate(items, 1):
        meta = f'<meta name="ArticleTitle" content="{esc(it.title)}" />\n<meta name="PubDate" content="{it.date} 16:20" />\n'
        write(
            base / f"{it.slug}.html",
            ZJ_HEAD.format(title=esc(it.title), extra_meta=meta)
            + ZJ_DETAIL.format(
                column=column,
                index_no=f"002482136/2025-{300 + n:05d}",
                agency=it.agency,
                written=it.written or it.date,
                doc_number=it.doc_number,
                date=it.date,
                title=esc(it.title),
                body=body_html(it.paragraphs),
            )
            + ZJ_FOOT,
        )
    (SITES / "zj" / "_site.json").write_text(json.dumps({"charset": "gbk"}) + "\n", encoding="utf-8")
    return len(items)


# ------------------------------------------------------------------ think tank briefings

TT_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - 太湖智库简报</title>
{extra_meta}</head>
<body>
<header class="site-header"><a class="brand" href="/thinktank/index.html">太湖智库简报（演示站点）</a>
<nav><a href="/thinktank/index.html">简报</a> <a href="#">专题研究</a> <a href="#">关于我们</a> <a href="#">订阅</a></nav></header>
<main>
{main}
</main>
<footer class="site-footer">苏州太湖智库（演示） 版权所有 · 转载请注明出处 · 苏ICP备00000001号</footer>
</body>
</html>
"""

TT_ARTICLE = """<article class="brief">
<p class="column">{column}</p>
<h1 class="brief-title">{title}</h1>
<p class="meta"><time class="pubdate" datetime="{date}">{date}</time> · 来源：{source}</p>
<div class="brief-body">
{body}
</div>
<p class="editor">责任编辑：研究部</p>
</article>
<aside class="more">更多简报请见 <a href="index.html">简报列表</a></aside>"""


def thinktank_items(seeds: Path) -> list[Item]:
    s000, s001, s002, s003 = (load_seed(p, seeds) for p in ("000", "001", "002", "003"))
    weekly = "双周决策观察 2025年第3期"

    def regional(tag: str, end: str) -> list[str]:
        """A 【地区】 item of the weekly briefing, without its tag and headline (they become the page title)."""
        paras = section(s000, f"【{tag}】 ", end, skip_first=True)
        return paras[1:] if len(paras[0]) <= 30 else paras

    status = s001[s001.index("【现状】\n") :]
    return [
        Item(
            "brief_2025_17",
            "广东：推动生物医药产业高质量发展的系列提案",
            "2025-09-15",
            section(status, "◆ 中国从医药大国加速迈进创新药强国", "◆ 数据孤岛", skip_first=True)
            + section(status, "◆ 广东：生物医药创新能级", "◆ 深圳：", skip_first=True)[:8],
            source="广东省政协《提案工作研究参考》2025年第11期",
            topic="未来健康",
        ),
        Item(
            "brief_2025_16",
            "“十五五”六大未来产业的梯次布局与发展逻辑",
            "2025-06-20",
            [
                p
                for p in section(s002, "（五）六大未来产业的梯次布局与发展逻辑", "二、产业发展现状复盘", skip_first=True)
                if not p.startswith("表")
            ][:10],
            source="《前瞻布局和发展未来产业》学习体会",
            topic="研究报告",
        ),
        Item(
            "brief_2025_15",
            "广州加快布局未来产业 蓄能产业未来发展",
            "2025-05-08",
            paragraphs(s003[s003.index("未来产业是指由前沿技术驱动") :]),
            source="苏州太湖智库《领导学刊》第6期",
        ),
        Item(
            "brief_2025_14",
            "【北京】具身智能：北京实现全球首例纯电驱全尺寸人形机器人拟人奔跑",
            "2025-03-12",
            section(s000, "【北京】北京在去年", "【深圳】深圳日前印发")
            + section(s000, "【北京】在积极布局建设未来产业部分", "【合肥】提出"),
            source=weekly,
        ),
        Item("brief_2025_13", "【江苏】江苏出台氢能产业发展行动方案", "2025-03-11", regional("江苏", "【四川】"), source=weekly),
        Item("brief_2025_12", "【深圳】两天四计划 深圳密集布局重塑产业链", "2025-03-11", regional("深圳", "【江苏】")[:8], source=weekly),
        Item(
            "brief_2025_11",
            "【上海】上海打造虹桥并购集聚区 做强上市公司海外并购",
            "2025-03-10",
            regional("上海", "【深圳】 ")[:6],
            source=weekly,
        ),
        Item(
            "brief_2025_10",
            "【海南】海南省鼓励存量房用于康养产业",
            "2025-03-10",
            section(s000, "【海南】", None, skip_first=True)[1:],
            source=weekly,
        ),
    ]


def build_thinktank(seeds: Path) -> int:
    items = thinktank_items(seeds)
    base = SITES / "thinktank"
    base.mkdir(parents=True, exist_ok=True)
    lis = "\n".join(
        f'<li><a href="{it.slug}.html">{esc(it.title)}</a><span class="date">{it.date}</span><p class="summary">{esc(it.paragraphs[0][:60])}…</p></li>'
        for it in items
    )
    main = f'<h2>智库简报</h2>\n<ul class="brief-list">\n{lis}\n</ul>'
    (base / "index.html").write_text(TT_PAGE.format(title="智库简报", extra_meta="", main=main), encoding="utf-8")
    for it in items:
        meta = f'<meta name="PubDate" content="{it.date}">\n<meta name="author" content="苏州太湖智库">\n'
        article = TT_ARTICLE.format(
            column="区域动态" if it.title.startswith("【") else "研究简报",
            title=esc(it.title),
            date=it.date,
            source=esc(it.source),
            body=body_html(it.paragraphs),
        )
        (base / f"{it.slug}.html").write_text(TT_PAGE.format(title=esc(it.title), extra_meta=meta, main=article), encoding="utf-8")
    (base / "_site.json").write_text(json.dumps({"charset": "utf-8"}) + "\n", encoding="utf-8")
    return len(items)


def build(seeds: Path = DEFAULT_SEEDS, with_pdfs: bool = False) -> dict[str, int]:
    """Rewrite every HTML page (keeping committed PDFs unless ``with_pdfs``); returns items per site."""
    pdf_dir = SITES / "miit" / "wjfb" / "files"
    keep = {p.name: p.read_bytes() for p in pdf_dir.glob("*.pdf")} if pdf_dir.exists() else {}
    for site in ("miit", "zj", "thinktank"):
        shutil.rmtree(SITES / site, ignore_errors=True)
    SITES.mkdir(parents=True, exist_ok=True)
    (SITES / "robots.txt").write_text("# Demo replicas: everything may be crawled.\nUser-agent: *\nAllow: /\n", encoding="utf-8")
    counts = {"miit": build_miit(seeds), "zj": build_zj(seeds), "thinktank": build_thinktank(seeds)}
    pdf_dir.mkdir(parents=True, exist_ok=True)
    if with_pdfs:
        from demo.build_pdfs import build as build_pdfs

        build_pdfs(seeds, pdf_dir)
    else:
        for name, data in keep.items():
            (pdf_dir / name).write_bytes(data)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--with-pdfs", action="store_true", help="also regenerate the PDFs (needs reportlab)")
    args = ap.parse_args()
    counts = build(args.seeds, args.with_pdfs)
    print(f"items per site: {counts}; {sum(1 for p in SITES.rglob('*') if p.is_file())} files under {SITES}")


if __name__ == "__main__":
    main()
