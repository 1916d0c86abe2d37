"""Chinese date parsing shared by HTML, PDF and office extraction.

Government sites write the same day a dozen ways (``2025-03-05``,
``2025年3月5日``, ``2025/03/05 10:20``, ``2025.3.5``, full-width digits, and
on signed documents ``二〇二五年三月五日``).  One parser keeps every stage
agreeing on what a date is.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["parse_cn_date", "find_cn_dates"]

_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")

# Arabic-digit forms: 2025-03-05, 2025/3/5, 2025.03.05, 2025年3月5日, 2025 年 3 月 5 日.
_NUMERIC = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)")
# Compact form used in URLs and file names: 20250305 (only as a whole token).
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
# Chinese-numeral form found on signed documents: 二〇二五年三月五日, 二○二四年十二月三十一日.
_CN_DIGIT = "〇○零一二三四五六七八九"
_HANZI = re.compile(rf"(?P<y>[{_CN_DIGIT}]{{4}})\s*年\s*(?P<m>[{_CN_DIGIT}十]{{1,3}})\s*月\s*(?P<d>[{_CN_DIGIT}十]{{1,3}})\s*日")
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}


def _cn_number(s: str) -> int | None:
    """Read 一..三十一 (the only numbers a month or day needs)."""
    if "十" not in s:
        return _CN_VALUE.get(s) if len(s) == 1 else None
    tens, _, units = s.partition("十")
    t = _CN_VALUE.get(tens, 0) if tens else 1
    u = _CN_VALUE.get(units, 0) if units else 0
    if (tens and tens not in _CN_VALUE) or (units and units not in _CN_VALUE):
        return None
    return t * 10 + u


def _make(y: int, m: int, d: int) -> dt.date | None:
    """Reject impossible calendar days instead of raising: a bad date is 'no date'."""
    if not (1949 <= y <= 2100):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_cn_dates(s: str) -> list[tuple[int, dt.date]]:
    """Every date in ``s`` with its position, in text order."""
    if not s:
        return []
    s = s.translate(_FULLWIDTH)
    found: list[tuple[int, dt.date]] = []
    for m in _NUMERIC.finditer(s):
        day = _make(int(m["y"]), int(m["m"]), int(m["d"]))
        if day:
            found.append((m.start(), day))
    for m in _HANZI.finditer(s):
        y = "".join(str(_CN_VALUE[c]) for c in m["y"])
        mo, d = _cn_number(m["m"]), _cn_number(m["d"])
        if mo and d:
            day = _make(int(y), mo, d)
            if day:
                found.append((m.start(), day))
    if not found:
        for m in _COMPACT.finditer(s):
            day = _make(int(m["y"]), int(m["m"]), int(m["d"]))
            if day:
                found.append((m.start(), day))
    found.sort(key=lambda p: p[0])
    return found


def parse_cn_date(s: str) -> dt.date | None:
    """The first plausible date in ``s``, or None; time-of-day and labels are ignored."""
    dates = find_cn_dates(s or "")
    return dates[0][1] if dates else None
