"""Regenerate the bundled demo sites from the real texts in ../shared/seeds (a developer tool).

The generated files under demo/sites are committed, so `radar demo` needs
neither this script nor the seeds.  Three replicas, each with the layout
habits of its kind of site:

- ``miit/``: a ministry 文件发布 list, index.html / index_1.html / index_2.html,
  gov.cn-style metadata tables, bodies in ``#UCAP-CONTENT``, PDF attachments
  (one deliberately truncated) and some releases that are not future-industry policy;
- ``zj/``: a provincial department site served and stored as GBK;
- ``thinktank/``: a 智库 briefing site whose items are sections of briefings.

Run: python demo/build_sites.py [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITES = HERE / "sites"
PDFS = HERE.parent / "tests" / "fixtures" / "pdf"


@dataclass
class Item:
    slug: str
    title: str
    date: str
    paragraphs: list[str]
    doc_number: str | None = None
    agency: str = ""
    topic: str = "工业、交通\\科技"
    attachments: tuple[tuple[str, str], ...] = ()  # (file name, label)


def paragraphs(raw: str) -> list[str]:
    """Rejoin the seeds' hard-wrapped lines into paragraphs."""
    lines = [ln.strip() for ln in raw.splitlines()]
    out: list[str] = []
    cur = ""
    for ln in lines:
        if not ln:
            continue
        cur += ln
        if re.search(r"[。！？：”；]$", ln) or re.match(r"^[一二三四五六七八九十]+、", ln) or ln.startswith("【") and len(ln) < 12:
            out.append(re.sub(r"\s+", "", cur) if re.search(r"[\u4e00-\u9fff]", cur) else cur)
            cur = ""
    if cur:
        out.append(re.sub(r"\s+", "", cur))
    return [p for p in out if len(p) > 1]


def section(text: str, start: str, end: str | None) -> list[str]:
    i = text.index(start)
    j = text.index(end, i + len(start)) if end else len(text)
    return paragraphs(text[i:j])


PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}"><title>{title}_{site}</title>
<meta name="firstpublishedtime" content="{date} 09:00:00"></head>
<body>
<div class="header"><a href="/">首页</a> | <a href="/{root}/index.html">{site}</a> | <a href="#">政务公开</a> | <a href="#">互动交流</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="index.html">{column}</a></div>
<table class="xxgk-info">
<tr><td>索引号：</td><td>{index_no}</td><td>主题分类：</td><td>{topic}</td></tr>
<tr><td>发文机关：</td><td>{agency}</td><td>成文日期：</td><td>{date}</td></tr>
<tr><td>标题：</td><td colspan="3">{title}</td></tr>
<tr><td>发文字号：</td><td>{doc_number}</td><td>发布日期：</td><td>{date}</td></tr>
</table>
<h1 class="title">{title}</h1>
<div class="info">发布时间：{date} 来源：{agency} 浏览次数：{views}</div>
<div id="UCAP-CONTENT" class="pages_content">
{body}
</div>
{attachments}
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> 【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
<div class="footer">主办单位：{agency} 网站标识码 bm07000001 京ICP备04000001号</div>
</body></html>
"""

LIST = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}"><title>{column}_{site}</title></head>
<body>
<div class="header"><a href="/">首页</a> | <a href="/{root}/index.html">{site}</a></div>
<h2>{column}</h2>
<ul class="list">
{items}
</ul>
<div class="page">{pager}</div>
<div class="footer">主办单位：{site}</div>
</body></html>
"""


def render_detail(item: Item, *, site: str, root: str, column: str, charset: str, n: int) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in item.paragraphs)
    atts = ""
    if item.attachments:
        links = "".join(f'<li><a href="files/{f}">{html.escape(label)}</a></li>' for f, label in item.attachments)
        atts = f'<div class="fujian"><p>附件：</p><ul>{links}</ul></div>'
    return PAGE.format(
        charset=charset, title=html.escape(item.title), site=site, root=root, column=column, date=item.date,
        index_no=f"000014349/2025-{n:05d}", topic=item.topic, agency=item.agency or site, doc_number=item.doc_number or "",
        views=100 + n * 7, body=body, attachments=atts,
    )


def write_site(root: str, site: str, column: str, items: list[Item], *, charset: str = "utf-8", per_page: int = 4, list_dir: str = "") -> None:
    base = SITES / root / list_dir if list_dir else SITES / root
    base.mkdir(parents=True, exist_ok=True)
    (base / "files").mkdir(exist_ok=True)
    pages = [items[k : k + per_page] for k in range(0, len(items), per_page)]
    for p, chunk in enumerate(pages):
        lis = "\n".join(f'<li><a href="{it.slug}.html" title="{html.escape(it.title)}">{html.escape(it.title)}</a><span class="date">{it.date}</span></li>' for it in chunk)
        pager = " ".join(f'<a href="{"index.html" if k == 0 else f"index_{k}.html"}">{k + 1}</a>' for k in range(len(pages)))
        name = "index.html" if p == 0 else f"index_{p}.html"
        (base / name).write_bytes(LIST.format(charset=charset, column=column, site=site, root=root, items=lis, pager=pager).encode(charset))
    for n, it in enumerate(items, 1):
        (base / f"{it.slug}.html").write_bytes(render_detail(it, site=site, root=root, column=column, charset=charset, n=n).encode(charset))
    (SITES / root / "_site.json").write_text(json.dumps({"charset": charset}), encoding="utf-8")


def build(seeds: Path) -> None:
    def seed(prefix: str) -> str:
        return next(seeds.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")

    s000, s001, s002, s003, s004 = (seed(p) for p in ("000", "001", "002", "003", "004"))
    if SITES.exists():
        shutil.rmtree(SITES)
    SITES.mkdir(parents=True)
    (SITES / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")

    p003 = paragraphs(s003)
    six = section(s002, "（五）六大未来产业的梯次布局与发展逻辑", "二、产业发展现状复盘")
    embodied = section(s000, "一、具身智能", "二、生物制造")
    bio = section(s000, "二、生物制造", "三、量子科技")
    quantum = section(s000, "三、量子科技", "【上海】提出，围绕细胞基因治疗")
    miit_agency = "工业和信息化部"
    miit = [
        Item("art_2025_0305_01", "工业和信息化部等七部门关于推动未来产业创新发展的实施意见", "2025-03-05",
             [p for p in p003 if "七部门" in p or "到 2025 年" in p or "到2025年" in p][:3] or p003[4:7],
             "工信部联科〔2024〕12号", miit_agency, attachments=(("gov_notice.pdf", "关于推动未来产业创新发展的实施意见.pdf"),)),
        Item("art_2025_0304_02", "关于推动人形机器人与具身智能产业创新发展的通知", "2025-03-04", embodied[:10],
             "工信部科〔2025〕21号", miit_agency),
        Item("art_2025_0303_03", "关于开展2025年“一起益企”中小企业服务行动的通知", "2025-03-03",
             ["为深入贯彻落实党中央、国务院关于促进中小企业发展的决策部署，持续优化营商环境，工业和信息化部决定开展2025年“一起益企”中小企业服务行动。",
              "各地中小企业主管部门要组织服务机构深入企业开展政策宣讲、融资对接、法律咨询等服务，帮助企业纾困解难。",
              "请于2025年12月10日前报送工作总结。"], "工信厅企业函〔2025〕45号", miit_agency, topic="中小企业"),
        Item("art_2025_0302_04", "关于加快推动氢能和核聚变能等未来能源产业发展的指导意见", "2025-03-02",
             [p for p in six if any(k in p for k in ("氢能", "核聚变", "能源"))][:8] or six[:8], "工信部联节〔2025〕9号", miit_agency,
             attachments=(("hydrogen_guide.pdf", "指导意见全文.pdf"),)),
        Item("art_2025_0228_05", "关于印发《量子科技产业创新发展行动方案》的通知", "2025-02-28", quantum[:10], "工信部科〔2025〕18号", miit_agency,
             attachments=(("task_table.pdf", "重点任务分工表.pdf"),)),
        Item("art_2025_0227_06", "关于做好2025年全国“两会”期间安全生产工作的通知", "2025-02-27",
             ["各省、自治区、直辖市工业和信息化主管部门：", "为确保全国“两会”期间工业领域安全生产形势稳定，现就有关事项通知如下。",
              "一、压实安全生产责任，开展隐患排查整治。", "二、加强值班值守和应急准备，及时报送突发事件信息。"],
             "工信厅安全函〔2025〕31号", miit_agency, topic="安全生产"),
        Item("art_2025_0226_07", "关于推动生物制造产业高质量发展的实施方案", "2025-02-26", bio[:10], "工信部联消费〔2025〕7号", miit_agency),
        Item("art_2025_0225_08", "解读：《关于推动未来产业创新发展的实施意见》", "2025-02-25", p003[7:14], None, miit_agency, topic="政策解读",
             attachments=(("thinktank_brief.pdf", "解读材料.pdf"),)),
        Item("art_2025_0224_09", "关于推进6G与卫星互联网融合发展的通知", "2025-02-24",
             [p for p in six if any(k in p for k in ("6G", "第六代", "卫星", "通信"))][:8] or six[8:16], "工信部通信〔2025〕15号", miit_agency),
        Item("art_2025_0221_10", "关于征集2025年工业文化旅游精品线路的通知", "2025-02-21",
             ["为推动工业文化与旅游融合发展，现组织征集工业文化旅游精品线路。", "请各地推荐工业遗产、工业博物馆和企业开放参观点，丰富文旅消费供给。"],
             "工信厅产业函〔2025〕12号", miit_agency, topic="工业文化"),
    ]
    write_site("miit", "工业和信息化部", "文件发布", miit, list_dir="wjfb")
    files = SITES / "miit" / "wjfb" / "files"
    shutil.copy(PDFS / "gov_notice.pdf", files / "gov_notice.pdf")
    shutil.copy(PDFS / "task_table.pdf", files / "task_table.pdf")
    shutil.copy(PDFS / "thinktank_brief.pdf", files / "thinktank_brief.pdf")
    (files / "hydrogen_guide.pdf").write_bytes((PDFS / "city_digest.pdf").read_bytes()[:300])  # truncated on purpose

    zj_agency = "浙江省经济和信息化厅"
    p004 = paragraphs(s004)
    zj = [
        Item("art_1229_01", "关于加快培育未来产业的实施意见（二次征求意见稿）", "2025-03-06", p004, "", zj_agency, topic="征求意见"),
        Item("art_1229_02", "浙江省人形机器人产业创新发展实施方案", "2025-03-01",
             [p for p in embodied if "杭州" in p or "浙江" in p][:6] or embodied[10:16], "浙经信产业〔2025〕11号", zj_agency),
        Item("art_1229_03", "关于做好2025年春季农业生产资料保供稳价工作的通知", "2025-02-20",
             ["各市经信局：为保障春耕生产，现就做好化肥、农药等农资保供稳价工作通知如下。", "一、加强生产调度，确保重点企业稳定生产。", "二、强化市场监测，及时协调解决运输问题。"],
             "浙经信材料〔2025〕6号", zj_agency, topic="农业"),
        Item("art_1229_04", "关于推进低空经济和商业航天发展的若干措施", "2025-02-15",
             [p for p in p004 if "低空" in p or "航天" in p][:4] + ["支持eVTOL、无人机物流等低空应用场景示范，建设商业航天卫星制造基地。"],
             "浙经信航空〔2025〕4号", zj_agency),
    ]
    write_site("zj", "浙江省经济和信息化厅", "通知公告", zj, charset="gbk", per_page=2, list_dir="tzgg")

    think = [
        Item("brief_2025_10", "政府工作报告“点题”四大未来产业 这些城市抢跑（具身智能篇）", "2025-03-10", embodied, None, "苏州太湖智库", topic="研究报告"),
        Item("brief_2025_11", "政府工作报告“点题”四大未来产业 这些城市抢跑（生物制造篇）", "2025-03-11", bio, None, "苏州太湖智库", topic="研究报告"),
        Item("brief_2025_12", "广州加快布局未来产业 蓄能产业未来发展", "2025-05-08", p003, None, "苏州太湖智库", topic="研究报告"),
        Item("brief_2025_13", "关于推动广东生物医药产业高质量发展的系列提案", "2025-09-15", paragraphs(s001)[:25], None, "广东省政协提案委员会", topic="研究报告"),
    ]
    write_site("thinktank", "太湖智库简报", "智库简报", think, per_page=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=Path, default=HERE.parent.parent / "shared" / "seeds")
    build(ap.parse_args().seeds)
    print(f"wrote {sum(1 for _ in SITES.rglob('*') if _.is_file())} files under {SITES}")


if __name__ == "__main__":
    main()
