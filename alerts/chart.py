"""The digest's weekly chart as an HTML table with inline-styled bars, and as text bars.

An image chart needs a CJK font on the sending machine; where fontconfig
finds none (or falls back to a Latin font), every label becomes □□□.  A table
needs no font on our side: the reader's mail client draws the labels with its
own fonts, every client renders tables with inline styles (no CSS classes, no
images to block), and a screen reader reads it row by row.  The text part
gets the same figures as bars of █.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR = "#9b1c1c"
BAR_OLD = "#d1a3a3"
MAX_TEXT_BAR = 20


@dataclass
class WeeklyChart:
    """(label, count) pairs oldest first; the last is the digest's own week."""

    counts: list[tuple[str, int]]
    caption: str

    @property
    def peak(self) -> int:
        return max([c for _l, c in self.counts] + [1])

    def html(self) -> Markup:
        """Rows of label · bar · count; bar widths are percentages of the busiest week."""
        rows = []
        n = len(self.counts)
        for i, (label, count) in enumerate(self.counts):
            pct = round(100 * count / self.peak)
            colour = BAR if i == n - 1 else BAR_OLD
            bar = (
                (
                    f'<div style="background:{colour};height:12px;width:{pct}%;min-width:{2 if count else 0}px;'
                    f'border-radius:2px;font-size:0;line-height:0;">&nbsp;</div>'
                )
                if count
                else ""
            )
            weight = "bold" if i == n - 1 else "normal"
            rows.append(
                f'<tr><th scope="row" style="font-weight:{weight};font-size:12px;color:#374151;text-align:right;'
                f'padding:2px 8px 2px 0;white-space:nowrap;width:64px;">{escape(label)}</th>'
                f'<td style="padding:2px 0;">{bar}</td>'
                f'<td style="font-size:12px;color:#374151;padding:2px 0 2px 8px;width:32px;text-align:right;">{count}</td></tr>'
            )
        return Markup(
            '<table role="table" data-chart="weekly" cellpadding="0" cellspacing="0" width="100%" '
            'style="border-collapse:collapse;width:100%;max-width:560px;table-layout:fixed;">'
            f'<caption style="text-align:left;font-size:13px;color:#6b7280;padding-bottom:4px;">{escape(self.caption)}</caption>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def text(self) -> str:
        """One line per week: label, bar of █ scaled to the busiest week, count."""
        width = max((_columns(label) for label, _c in self.counts), default=0)
        lines = [self.caption]
        for label, count in self.counts:
            blocks = round(MAX_TEXT_BAR * count / self.peak)
            bar = "█" * blocks if blocks or not count else "▏"
            lines.append(f"  {label}{' ' * (width - _columns(label))}  {bar}{' ' if bar else ''}{count}")
        return "\n".join(lines)


def _columns(s: str) -> int:
    """Monospace columns: CJK characters are two wide, so padding with spaces lines the bars up."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
