"""The edit `radar demo` makes before its second run, so one document visibly changes.

A real revision: the target year in one sentence moves and a paragraph is
added, as when a ministry republishes a corrected notice at the same URL.
"""

from __future__ import annotations

from pathlib import Path

EDITED = "miit/wjfb/art_2025_0305_01.html"
OLD = "预计到2027年，我国未来产业的综合实力将显著提升"
NEW = "预计到2028年，我国未来产业的综合实力将显著提升"
ADDED = "<p>各地工业和信息化主管部门要结合实际制定配套措施，每年12月底前将年度进展情况报送工业和信息化部。</p>"


def apply_demo_edit(site_root: Path) -> str:
    """Edit the demo copy of the ministry replica; idempotent; returns the edited path (relative)."""
    path = Path(site_root) / EDITED
    text = path.read_text(encoding="utf-8")
    if NEW in text:
        return EDITED
    if OLD not in text:
        raise ValueError(f"{path} does not contain the sentence the demo edits; rebuild the demo sites")
    text = text.replace(OLD, NEW).replace('</div>\n<div class="fujian">', f'{ADDED}\n</div>\n<div class="fujian">', 1)
    path.write_text(text, encoding="utf-8")
    return EDITED
