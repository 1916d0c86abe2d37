"""Regenerate the PDF attachments of the ministry replica (developer tool).

The quantum and bio-manufacturing plans are the team's own text (demo/plans.py); the
other attachments carry seed excerpts.

reportlab is a DEV-ONLY dependency: the generated PDFs are committed under
demo/sites, so `radar demo` and the tests never need it.  The PDFs look like
the attachments ministries publish — A4, a running header line, centred page
numbers ``- 2 -``, several pages, one with a table — because the PDF
extraction step must strip exactly that furniture.  Text is set in
reportlab's built-in CID font STSong-Light (not embedded, Unicode CMap), so
pdfplumber extracts real Chinese characters.

One attachment is broken on purpose: the first 300 bytes of a good PDF, as a
server cut off mid-transfer would leave it; the crawl must log it and go on.

Run: python -m demo.build_pdfs [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from demo.plans import BIOMANUFACTURING, QUANTUM
from demo.seeds import DEFAULT_SEEDS, load_seed, section

FILES = Path(__file__).resolve().parent / "sites" / "miit" / "wjfb" / "files"
BROKEN = "hydrogen_guide.pdf"
FONT = "STSong-Light"


@dataclass
class PdfDoc:
    """One attachment: file name, cover title, running header, body paragraphs and an optional table."""

    name: str
    title: str
    header: str
    paragraphs: list[str]
    table: list[list[str]] = field(default_factory=list)
    table_title: str = ""


def _clean(paras: list[str]) -> list[str]:
    """Drop the flattened tables of the seed dumps (``表2:…``): as prose they read as noise."""
    return [p for p in paras if not p.startswith(("表", "图"))]


def documents(seeds: Path) -> list[PdfDoc]:
    """The attachments and what they carry (seed excerpts, or the team's own plan text)."""
    s002 = load_seed("002", seeds)
    return [
        PdfDoc(
            "gov_notice.pdf",
            "关于推动未来产业创新发展的实施意见",
            "工业和信息化部等七部门文件",
            [
                "为贯彻落实党中央、国务院决策部署，把握新一轮科技革命和产业变革机遇，围绕制造业主战场加快发展未来产业，支撑推进新型工业化，现提出以下意见。"
            ]
            + _clean(section(s002, "（五）六大未来产业的梯次布局与发展逻辑", "二、产业发展现状复盘"))
            + _clean(section(s002, "三、落地实施路径", "（三）夯实企业主体"))[:24],
        ),
        PdfDoc(
            "thinktank_brief.pdf",
            "《关于推动未来产业创新发展的实施意见》解读材料",
            "政策解读",
            _clean(section(s002, "核心观点", "（三）从民生福祉维度")),
        ),
        PdfDoc(
            "task_table.pdf",
            "量子科技产业创新发展行动方案",
            "工业和信息化部文件",
            QUANTUM[1:],  # the plan the notice encloses (demo/plans.py), under the cover title
            table=[
                ["序号", "重点任务", "牵头单位", "完成时限"],
                ["1", "量子计算原型机与关键器件攻关", "科技司、电子信息司", "2026年底"],
                ["2", "量子通信骨干网络与城域网建设", "信息通信发展司", "2027年底"],
                ["3", "量子精密测量仪器工程化应用", "装备工业一司", "2027年底"],
                ["4", "量子科技标准体系建设", "科技司", "2026年6月"],
                ["5", "量子科技应用场景示范", "各地工业和信息化主管部门", "持续推进"],
            ],
            table_title="附件：重点任务分工表",
        ),
        PdfDoc(
            "bio_plan.pdf",
            "生物制造产业高质量发展实施方案",
            "工业和信息化部 国家发展改革委文件",
            BIOMANUFACTURING[1:],
        ),
    ]


def render(doc: PdfDoc, path: Path) -> None:
    """Lay out one attachment: title page block, body, optional table; header line and ``- n -`` on every page."""
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1  # no timestamps or random ids: rebuilding gives byte-identical committed files
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=21, firstLineIndent=24, wordWrap="CJK", spaceAfter=4)
    head = ParagraphStyle("head", parent=body, fontSize=18, leading=28, alignment=1, firstLineIndent=0, spaceAfter=14)
    sub = ParagraphStyle("sub", parent=body, firstLineIndent=0, fontSize=13)
    cell = ParagraphStyle("cell", parent=body, fontSize=10.5, leading=15, firstLineIndent=0, spaceAfter=0)

    def furniture(canvas, _doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        width, height = A4
        canvas.drawString(25 * mm, height - 15 * mm, doc.header)
        canvas.line(25 * mm, height - 17 * mm, width - 25 * mm, height - 17 * mm)
        canvas.setFont(FONT, 11)
        canvas.drawCentredString(width / 2, 12 * mm, f"- {canvas.getPageNumber()} -")
        canvas.restoreState()

    story: list = [Paragraph(doc.title, head)]
    for p in doc.paragraphs:
        is_heading = len(p) < 40 and not p.endswith("。")
        story.append(Paragraph(p, sub if is_heading else body))
    if doc.table:
        story += [Spacer(1, 10), Paragraph(doc.table_title, sub), Spacer(1, 6)]
        data = [[Paragraph(c, cell) for c in row] for row in doc.table]
        table = Table(data, colWidths=[14 * mm, 70 * mm, 50 * mm, 26 * mm], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(table)
    pdf = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=22 * mm,
        title=doc.title,
        author=doc.header,
        creator="PolicyRadar demo",
    )
    pdf.build(story, onFirstPage=furniture, onLaterPages=furniture)


def build(seeds: Path = DEFAULT_SEEDS, out: Path = FILES) -> list[Path]:
    """Write every attachment plus the truncated one; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in documents(seeds):
        render(doc, out / doc.name)
        written.append(out / doc.name)
    # Cut off mid-transfer: a valid header, then nothing — parsers must fail on it.
    (out / BROKEN).write_bytes((out / "gov_notice.pdf").read_bytes()[:300])
    written.append(out / BROKEN)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--out", type=Path, default=FILES)
    args = ap.parse_args()
    for path in build(args.seeds, args.out):
        print(f"{path.stat().st_size:>8}  {path}")


if __name__ == "__main__":
    main()
