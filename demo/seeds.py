"""Reading the real seed texts (../shared/seeds) into clean paragraphs for the replica builders.

The seeds are text dumps of PDFs: lines are hard-wrapped at the page width,
often with a blank line between wrapped lines, and running headers / page
numbers of the original are mixed in.  The replica pages must read like the
published HTML, so the builders rejoin lines into paragraphs here, once, and
both ``build_sites.py`` and ``build_pdfs.py`` use the same excerpts.

Developer tool only: ``radar demo`` reads the committed files under demo/sites.
"""

from __future__ import annotations

import re
from pathlib import Path

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》、"
_FURNITURE = [
    re.compile(r"^\s*-\s*\d+\s*-\s*$"),  # centred page numbers "- 6 -"
    re.compile(r"^\s*\d{1,3}\s*$"),  # bare page numbers
    re.compile(r"双周决策观察"),  # running header of seed 000
]
_HEADING = re.compile(
    r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|【[^】]{1,8}】\s*$|专栏\s*\d|\d+\.|◆|第[一二三四五六七八九十]+[章节条])"
)
_END = re.compile(r"([。！？：]|[。！？][”’）)]|（[^（）]*\d{8}）)\s*$")


def load_seed(prefix: str, seeds: Path = DEFAULT_SEEDS) -> str:
    """The text of the seed whose file name starts with ``prefix`` (e.g. ``"004"``)."""
    return next(Path(seeds).glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    """Drop the spaces a PDF dump leaves around CJK text (``到 2027 年`` → ``到2027年``), keep them between Latin words."""
    text = re.sub(rf"\s+(?=[{_CJK}])", "", text.strip())
    return re.sub(rf"(?<=[{_CJK}])\s+", "", text)


def paragraphs(raw: str) -> list[str]:
    """Rejoin hard-wrapped lines into paragraphs; headings stay paragraphs of their own.

    A paragraph ends at a line ending in sentence punctuation (or a closing
    quote after it, or a ``（来源 20250305）`` credit), or at a heading line.
    A heading that fills the whole line wrapped onto the next one, so it ends
    one line later.
    """
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip() and not any(p.search(ln) for p in _FURNITURE)]
    out: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not cur and (_HEADING.match(line) or (len(line) <= 22 and not line.endswith(("，", "、")))):
            wraps = len(line) >= 30 and not _END.search(line) and 0 < len(nxt) <= 20 and not _HEADING.match(nxt)
            out.append(squeeze(line + (" " + nxt if wraps else "")))
            i += 2 if wraps else 1
            continue
        cur.append(line)
        if _END.search(line):
            out.append(squeeze(" ".join(cur)))
            cur = []
        i += 1
    if cur:
        out.append(squeeze(" ".join(cur)))
    return [p for p in out if len(p) > 1]


def section(text: str, start: str, end: str | None = None, *, skip_first: bool = False) -> list[str]:
    """Paragraphs from the first ``start`` up to (not including) the next ``end``.

    Raises ValueError when a marker is missing, so a changed seed fails the
    build loudly instead of producing an empty page.
    """
    i = text.index(start)
    j = text.index(end, i + len(start)) if end else len(text)
    paras = paragraphs(text[i:j])
    return paras[1:] if skip_first else paras


def gbk_safe(text: str) -> str:
    """Replace the few characters GBK cannot encode (the provincial replica is stored in GBK)."""
    table = {"\u2022": "·", "\u00a0": " ", "\u2009": " ", "\u2002": " ", "\u2003": " ", "\u200b": "", "\ufeff": ""}
    out = []
    for ch in text:
        ch = table.get(ch, ch)
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            ch = "?" if not ch.isspace() else " "
        out.append(ch)
    return "".join(out)
