"""The edit `radar demo` makes before its second run, so one document visibly changes.

A real revision, as when a ministry republishes a corrected notice at the
same URL: the target year in one sentence moves (2027 → 2028) and one
paragraph is added to the body.  Only the body changes — not the list page,
not the page furniture — so the crawl must find exactly one changed document
and the diff must show exactly these two changes.
"""

from __future__ import annotations

import json
from pathlib import Path

EDITED = "miit/wjfb/art_2025_0305_01.html"
OLD = "预计到2027年，我国未来产业的综合实力将显著提升"
NEW = "预计到2028年，我国未来产业的综合实力将显著提升"
ANCHOR = "及时总结推广典型经验做法。</p>"
ADDED = '<p style="text-indent:2em">各地工业和信息化主管部门要结合实际制定配套措施，每年12月底前将年度进展情况报送工业和信息化部。</p>'


def _charset(site_root: Path, rel: str) -> str:
    """The encoding the site's pages are stored in (``_site.json``), so the edit never re-encodes a GBK page as UTF-8."""
    meta = site_root / rel.split("/", 1)[0] / "_site.json"
    return json.loads(meta.read_text(encoding="utf-8")).get("charset", "utf-8") if meta.exists() else "utf-8"


def apply_demo_edit(site_root: Path) -> str:
    """Edit the demo's copy of the ministry replica; idempotent; returns the edited path relative to ``site_root``.

    Raises ValueError if the page no longer holds the sentence to edit (the
    replica was rebuilt without it), rather than silently editing nothing.
    """
    root = Path(site_root)
    path = root / EDITED
    encoding = _charset(root, EDITED)
    text = path.read_bytes().decode(encoding)
    if NEW in text and ADDED in text:
        return EDITED  # already applied
    if OLD not in text or ANCHOR not in text:
        raise ValueError(f"{path} does not contain the sentence the demo edits; rebuild the demo sites (python -m demo.build_sites)")
    text = text.replace(OLD, NEW, 1).replace(ANCHOR, f"{ANCHOR}\n{ADDED}", 1)
    path.write_bytes(text.encode(encoding))
    return EDITED
