"""HTML fragments built in Python: diffs, evidence highlighting, SVG charts.

Every piece of crawled text passes through ``html.escape`` before any markup
is added, and the result is wrapped in ``Markup`` only after that, so a title
such as ``<img src=x onerror=alert(1)>`` always renders as text.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from markupsafe import Markup

TRACK_COLORS = ["#2f6db5", "#c0504d", "#8a6bbe", "#d98c1f", "#2a9d8f", "#5b8c2a", "#7a7a7a", "#b5487a"]


def esc(s: str) -> str:
    return html.escape(s, quote=True)


# ---- evidence -------------------------------------------------------------------------------------


def highlight_terms(text: str, terms: dict[str, str]) -> Markup:
    """``text`` escaped, each evidence term wrapped in <mark class="ev" title="track">; longest terms win."""
    if not terms:
        return Markup(esc(text))
    pat = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    out: list[str] = []
    pos = 0
    for m in pat.finditer(text):
        out.append(esc(text[pos : m.start()]))
        out.append(f'<mark class="ev" title="{esc(terms[m.group(0)])}">{esc(m.group(0))}</mark>')
        pos = m.end()
    out.append(esc(text[pos:]))
    return Markup("".join(out))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


# ---- diffs ----------------------------------------------------------------------------------------


@dataclass
class DiffRow:
    """One aligned row of a side-by-side diff; ``inline`` is the same change in one column."""

    kind: str  # equal / change / insert / delete / skip
    left: Markup
    right: Markup
    inline: Markup


def _chars(old: str, new: str) -> tuple[Markup, Markup, Markup]:
    left: list[str] = []
    right: list[str] = []
    inline: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        a, b = esc(old[a1:a2]), esc(new[b1:b2])
        if op == "equal":
            left.append(a)
            right.append(b)
            inline.append(b)
            continue
        if a:
            left.append(f"<del>{a}</del>")
            inline.append(f"<del>{a}</del>")
        if b:
            right.append(f"<ins>{b}</ins>")
            inline.append(f"<ins>{b}</ins>")
    return Markup("".join(left)), Markup("".join(right)), Markup("".join(inline))


def diff_rows(old: str, new: str, context: int = 1) -> list[DiffRow]:
    """Paragraph-aligned rows; similar paragraphs are marked character by character, long unchanged runs collapse."""
    pa, pb = paragraphs(old), paragraphs(new)
    rows: list[DiffRow] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, pa, pb, autojunk=False).get_opcodes():
        if op == "equal":
            same = pa[a1:a2]
            if len(same) > 2 * context + 1:
                keep_head = same[:context] if rows else []
                keep_tail = same[-context:] if (a2 < len(pa) or b2 < len(pb)) else []
                for p in keep_head:
                    rows.append(DiffRow("equal", Markup(esc(p)), Markup(esc(p)), Markup(esc(p))))
                hidden = len(same) - len(keep_head) - len(keep_tail)
                msg = Markup(f"…… {hidden} 段未变 ……")
                rows.append(DiffRow("skip", msg, msg, msg))
                for p in keep_tail:
                    rows.append(DiffRow("equal", Markup(esc(p)), Markup(esc(p)), Markup(esc(p))))
            else:
                rows += [DiffRow("equal", Markup(esc(p)), Markup(esc(p)), Markup(esc(p))) for p in same]
            continue
        olds, news = pa[a1:a2], pb[b1:b2]
        while olds or news:
            if olds and news and difflib.SequenceMatcher(None, olds[0], news[0], autojunk=False).ratio() >= 0.4:
                left, right, inline = _chars(olds.pop(0), news.pop(0))
                rows.append(DiffRow("change", left, right, inline))
            elif olds and (not news or len(olds) >= len(news)):
                p = Markup(f"<del>{esc(olds.pop(0))}</del>")
                rows.append(DiffRow("delete", p, Markup(""), p))
            else:
                p = Markup(f"<ins>{esc(news.pop(0))}</ins>")
                rows.append(DiffRow("insert", Markup(""), p, p))
    return rows


# ---- charts (inline SVG: no script, no external library) --------------------------------------------


def stacked_bars(
    labels: list[str], series: list[tuple[str, list[int]]], width: int = 760, height: int = 230, description: str | None = None
) -> Markup:
    """Weekly counts stacked by track, with the week labels under the bars and totals above them;
    ``description`` is what a screen reader says (the default names the weeks ending now)."""
    n = len(labels)
    if n == 0:
        return Markup("")
    description = description or f"近{n}周每周发布的已归类文件数（按发布日期）"
    totals = [sum(vals[i] for _name, vals in series) for i in range(n)]
    top = max(totals + [1])
    left, bottom, plot_h = 30, 40, height - 70
    slot = (width - left - 10) / n
    bar_w = slot * 0.62
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(description)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#999"/>')
    for i in range(n):
        x = left + i * slot + (slot - bar_w) / 2
        y: float = height - bottom
        for k, (name, vals) in enumerate(series):
            v = vals[i]
            if not v:
                continue
            h = v / top * plot_h
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{TRACK_COLORS[k % len(TRACK_COLORS)]}">'
                f"<title>{esc(labels[i])} {esc(name)}：{v}</title></rect>"
            )
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" fill="#333">{totals[i]}</text>')
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 15}" text-anchor="middle" font-size="10" fill="#555">{esc(labels[i])}</text>'
        )
    lx = left
    for k, (name, _vals) in enumerate(series):
        parts.append(f'<rect x="{lx}" y="{height - 16}" width="10" height="10" fill="{TRACK_COLORS[k % len(TRACK_COLORS)]}"/>')
        parts.append(f'<text x="{lx + 14}" y="{height - 7}" font-size="11" fill="#333">{esc(name)}</text>')
        lx += 14 + 12 * len(name) + 18
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: list[int], width: int = 120, height: int = 28) -> Markup:
    """Items per week as a small polyline; the last point is dotted so "now" is visible."""
    if not values:
        return Markup("")
    top = max(values + [1])
    step = (width - 4) / max(1, len(values) - 1)
    pts = [(2 + i * step, height - 3 - v / top * (height - 6)) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    lx, ly = pts[-1]
    label = "、".join(str(v) for v in values)
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="每周条数：{label}" xmlns="http://www.w3.org/2000/svg">'
        f'<polyline points="{path}" fill="none" stroke="#2f6db5" stroke-width="1.5"/>'
        f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.2" fill="#c0504d"/><title>每周新增：{label}</title></svg>'
    )
