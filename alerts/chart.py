"""The digest's small trend chart: items this week against the previous eight, as a PNG.

Drawn with Pillow (a bar chart needs no plotting library).  Chinese labels
need a CJK font; the system's (fonts-noto-cjk or fonts-wqy-microhei, both in
Debian and in our Docker image) is found by path or fc-match.  Without one
the chart is drawn with Latin labels and ``ChartImage.cjk`` says so.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
]


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    for path in CANDIDATES:
        if Path(path).exists():
            return path
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if out and Path(out).exists() and Path(out).suffix.lower() in (".ttc", ".ttf", ".otf"):
            return out
    return None


@dataclass
class ChartImage:
    png: bytes
    cjk: bool  # False: no CJK font on this machine, labels fell back to Latin


def weekly_chart(counts: list[tuple[str, int]], *, title: str = "每周新增与更新条数", latin_title: str = "Items per week") -> ChartImage:
    """Bars for (label, count) pairs, oldest first; the last bar (this week) is highlighted."""
    w, h, pad, top = 560, 180, 28, 34
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    path = cjk_font_path()
    font = ImageFont.truetype(path, 13) if path else ImageFont.load_default()
    small = ImageFont.truetype(path, 11) if path else ImageFont.load_default()
    draw.text((pad, 8), title if path else latin_title, fill="#1f2328", font=font)
    peak = max([c for _l, c in counts] + [1])
    n = max(1, len(counts))
    slot = (w - 2 * pad) / n
    base = h - 24
    for i, (label, count) in enumerate(counts):
        x0 = pad + i * slot + slot * 0.18
        x1 = pad + (i + 1) * slot - slot * 0.18
        y0 = base - (base - top) * count / peak
        draw.rectangle([x0, y0, x1, base], fill="#9b1c1c" if i == n - 1 else "#d1a3a3")
        draw.text((x0, y0 - 14), str(count), fill="#374151", font=small)
        shown = label if path else label.replace("本周", "now").replace("周", "w")
        draw.text((x0, base + 4), shown, fill="#6b7280", font=small)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return ChartImage(buf.getvalue(), path is not None)
