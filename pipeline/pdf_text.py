"""PDF → clean paragraphs: the layout work that makes government PDFs readable.

Engines: pypdfium2 reads the text layer (30–50× faster than pdfminer, same
characters) as positioned line segments; pdfplumber is only opened for pages
that carry ruled lines, where its table finder turns grids into rows; pages
without any text layer go to OCR (pipeline.ocr).  Everything after that —
running headers/footers, page numbers, footnotes, paragraph rejoining — works
on one engine-neutral list of positioned lines per page, so OCR'd pages get
the same cleaning as born-digital ones.

Furniture is found by *position and repetition* (the same digit-folded text
at the same height on many pages), never by a list of known strings.
"""

from __future__ import annotations

import logging
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

from pipeline.attachment_extract import AttachmentText, ExtractionError
from pipeline.dates import find_cn_dates
from pipeline.textutil import clean_inline, is_cjk, join_cjk

if TYPE_CHECKING:
    from pipeline.limits import ExtractLimits

log = logging.getLogger(__name__)

__all__ = ["extract_pdf", "Line", "Table", "PageLayout", "assemble", "find_pdf_meta"]

#: Bump when output changes, so the content-hash cache does not serve stale text.
PDF_EXTRACTOR_VERSION = "pdf-4"

# pdfium page-object types
_OBJ_TEXT, _OBJ_PATH, _OBJ_IMAGE = 1, 2, 3
# A page needs this many vector paths before pdfplumber's (slow) table finder is worth running.
_TABLE_PATH_THRESHOLD = 6
_FURNITURE_ZONE = 0.12  # top/bottom share of the page height where running heads live


@dataclass
class Line:
    """One visual line, top-down coordinates in points."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Table:
    """A table found on a page: its box and its rows of cell texts."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]


@dataclass
class PageLayout:
    """What one page contributes: lines outside tables, tables, and how the text was obtained."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ocr_confidence: float | None = None  # set when the lines came from OCR
    needs_ocr: bool = False


# ------------------------------------------------------------------ character hygiene

# Kangxi radicals (U+2F00–2FD5) and CJK radical supplements come out of some
# fonts' ToUnicode maps instead of the ordinary ideograph (⽅ for 方): fold them.
_COMPAT = re.compile(r"[\u2e80-\u2fdf\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe4f]")
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\u00ad\u200b\ufeff]")


def fix_chars(s: str) -> str:
    s = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), s)
    s = s.replace("\u0002", "-")  # pdfium's soft hyphen marker
    return _CTRL.sub("", s)


# ------------------------------------------------------------------ reading pages


def _open_pdfium(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise ExtractionError("PDF 有密码保护（PDF is password-protected）") from exc
        if "security" in msg:
            raise ExtractionError("PDF 使用了不受支持的加密方式（PDF uses an unsupported security handler）") from exc
        if "format" in msg or "file" in msg:
            raise ExtractionError("PDF 文件损坏或不完整，无法解析（PDF is corrupt or truncated, cannot be parsed）") from exc
        raise ExtractionError(f"PDF 无法打开（PDF cannot be opened: {exc}）") from exc


def _object_types(page) -> Counter[int]:
    import pypdfium2.raw as raw

    n = raw.FPDFPage_CountObjects(page.raw)
    return Counter(raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) for i in range(n))


def _pdfium_lines(tp, height: float) -> list[Line]:
    """Visual lines from pdfium's own line segmentation, each boxed by its first and last glyph.

    One text call per page plus two glyph-box calls per line keeps this at
    hundreds of pages per second; pdfium's character indices match the
    returned string one-to-one (it reports generated spaces and CR/LF as chars).
    """
    import pypdfium2.raw as raw

    n = tp.count_chars()
    if n <= 0:
        return []
    text = tp.get_text_range(0, n)
    if len(text) != n:  # astral characters break the index mapping; fall back to the slower rect path
        return _pdfium_rect_lines(tp, height)
    if " " in text:
        text = _drop_generated_spaces(tp, text)
    rect = raw.FS_RECTF()
    out: list[Line] = []
    start = 0
    for m in _LINE_BREAK.finditer(text + "\n"):
        end = m.start()
        seg = text[start:end]
        lo, hi = start, end - 1
        start = m.end()
        while lo <= hi and text[lo] in " \x00\t":
            lo += 1
        while hi >= lo and text[hi] in " \x00\t":
            hi -= 1
        if lo > hi:
            continue
        raw.FPDFText_GetLooseCharBox(tp.raw, lo, rect)
        x0, top, bottom = rect.left, rect.top, rect.bottom
        raw.FPDFText_GetLooseCharBox(tp.raw, hi, rect)
        x1 = rect.right
        top, bottom = max(top, rect.top), min(bottom, rect.bottom)
        body = fix_chars(clean_inline(seg.replace("\x00", "")))
        if body:
            out.append(Line(body, min(x0, x1), max(x0, x1), height - top, height - bottom))
    return out


_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_SPACE = re.compile(" ")


def _drop_generated_spaces(tp, text: str) -> str:
    """Remove spaces pdfium invented from glyph gaps next to CJK or inside numbers; keep written ones.

    pdfium synthesises a space wherever two glyphs sit far apart — justified
    CJK lines and Asian/Western autospacing produce "2027 年" and "202 7".
    Spaces that exist in the content stream are the author's and stay, as do
    invented ones between Latin words (producers often omit real spaces there).
    Replacement keeps string length so character indices stay valid.
    """
    import pypdfium2.raw as raw

    chars = None
    n = len(text)
    for m in _SPACE.finditer(text):
        i = m.start()
        if not raw.FPDFText_IsGenerated(tp.raw, i):
            continue
        a = text[i - 1] if i > 0 else ""
        b = text[i + 1] if i + 1 < n else ""
        if is_cjk(a) or is_cjk(b) or (a.isdigit() and b.isdigit()):
            if chars is None:
                chars = list(text)
            chars[i] = "\x00"  # placeholder, removed after boxing (keeps indices aligned)
    return text if chars is None else "".join(chars)


def _pdfium_rect_lines(tp, height: float) -> list[Line]:
    """Slower path: pdfium's text rectangles merged into lines by vertical overlap."""
    segs = []
    for i in range(tp.count_rects()):
        left, bottom, right, top = tp.get_rect(i)
        text = tp.get_text_bounded(left, bottom, right, top)
        if text and text.strip():
            segs.append(Line(fix_chars(text), left, right, height - top, height - bottom))
    return merge_segments(segs)


def merge_segments(segs: list[Line]) -> list[Line]:
    """Group segments whose vertical extents overlap by half the smaller height; order by x inside a line."""
    segs.sort(key=lambda s: (s.top, s.x0))
    lines: list[list[Line]] = []
    for s in segs:
        placed = False
        for group in reversed(lines[-4:]):
            g_top = min(x.top for x in group)
            g_bot = max(x.bottom for x in group)
            overlap = min(g_bot, s.bottom) - max(g_top, s.top)
            if overlap >= 0.5 * min(s.height, g_bot - g_top) and not _x_collides(group, s):
                group.append(s)
                placed = True
                break
        if not placed:
            lines.append([s])
    out = []
    for group in lines:
        group.sort(key=lambda s: s.x0)
        text = ""
        prev_x1 = 0.0
        for s in group:
            piece = s.text.replace("\r", "").replace("\n", " ")
            if text and not text.endswith(" ") and not piece.startswith(" ") and s.x0 - prev_x1 > 12:
                text += " "  # a visible horizontal gap between segments is a word/column gap
            text += piece
            prev_x1 = s.x1
        body = [s for s in group]
        out.append(
            Line(
                clean_inline(text), min(s.x0 for s in body), max(s.x1 for s in body), min(s.top for s in body), max(s.bottom for s in body)
            )
        )
    return [ln for ln in out if ln.text]


def _x_collides(group: list[Line], s: Line) -> bool:
    """Two segments occupying the same x range are different lines (tight leading), not one."""
    return any(min(g.x1, s.x1) - max(g.x0, s.x0) > 2 for g in group)


def _plumber_tables(plumber_pdf, index: int, tp, height: float) -> list[Table]:
    """Ruled tables on one page: pdfplumber finds the grid, pdfium reads each cell.

    Cell text comes from pdfium (same engine as the body) because pdfminer's
    character spacing heuristics split Latin runs inside CJK cells ("AR/V R").
    """
    page = plumber_pdf.pages[index]
    out = []
    try:
        found = page.find_tables()
    except Exception as exc:  # noqa: BLE001 - a malformed page must not sink the document
        log.debug("table finder failed on page %d: %s", index + 1, exc)
        return []
    for t in found:
        rows = []
        for row in t.rows:
            cells = []
            for bbox in row.cells:
                if bbox is None:  # covered by a merged cell
                    continue
                x0, top, x1, bottom = bbox
                cells.append(_cell_text(tp.get_text_bounded(x0, height - bottom, x1, height - top)))
            if any(cells):
                rows.append(cells)
        x0, top, x1, bottom = t.bbox
        # a single-cell "table" is a framed paragraph (a box around a 专栏), not a table
        if rows and (len(rows) > 1 or len(rows[0]) > 1):
            out.append(Table(x0, top, x1, bottom, rows))
    page.flush_cache()
    return out


_AUTOSPACE = re.compile(r"(?<=[A-Za-z0-9%])[ ](?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])[ ](?=[A-Za-z0-9])")


def _cell_text(cell: str) -> str:
    parts = [clean_inline(fix_chars(p)) for p in cell.replace("\r", "").split("\n")]
    text = ""
    for p in parts:
        text = join_cjk(text, p)
    # the table finder turns the word processor's Han-Latin auto-spacing gap into a space ("6G 通信"); it is not text
    return _AUTOSPACE.sub("", text)


def _merge_split_rows(pages: list["PageLayout"]) -> None:
    """A row broken by a page break continues on the next page with an empty first cell: glue it back."""
    prev: Table | None = None
    for page in pages:
        tables = sorted(page.tables, key=lambda t: t.top)
        if prev is not None and tables and not [ln for ln in page.lines if ln.top < tables[0].top]:
            first = tables[0]
            if first.rows and prev.rows and len(first.rows[0]) == len(prev.rows[-1]) and not first.rows[0][0]:
                cont = first.rows.pop(0)
                prev.rows[-1] = [join_cjk(a, b) for a, b in zip(prev.rows[-1], cont)]
        if tables and not [ln for ln in page.lines if ln.top > tables[-1].bottom]:
            prev = tables[-1]
        else:
            prev = None


def read_layout(data: bytes, *, want_tables: bool = True, max_pages: int | None = None) -> tuple[list[PageLayout], dict[str, str]]:
    """Every page as positioned lines (+ tables); document info as a dict. Raises ExtractionError."""
    pdf = _open_pdfium(data)
    plumber_pdf = None
    pages: list[PageLayout] = []
    try:
        n = len(pdf)
        if n == 0:
            raise ExtractionError("PDF 没有页面，文件损坏或不完整（PDF has no pages, corrupt or truncated）")
        if max_pages is not None and n > max_pages:
            raise ExtractionError(
                f"PDF 共 {n} 页，超过上限 {max_pages} 页（RADAR_PDF_MAX_PAGES），未读取（PDF has {n} pages, more than the limit of {max_pages}; refused）"
            )
        for i in range(n):
            try:
                page = pdf[i]
            except Exception as exc:
                raise ExtractionError(
                    f"PDF 第 {i + 1} 页无法读取，文件损坏或不完整（PDF page {i + 1} cannot be read, corrupt or truncated）"
                ) from exc
            width, height = page.get_size()
            layout = PageLayout(i + 1, width, height)
            types = _object_types(page)
            tp = page.get_textpage()
            try:
                layout.lines = _pdfium_lines(tp, height)
                if not layout.lines and types.get(_OBJ_IMAGE, 0) > 0:
                    layout.needs_ocr = True
                elif want_tables and types.get(_OBJ_PATH, 0) >= _TABLE_PATH_THRESHOLD:
                    if plumber_pdf is None:
                        plumber_pdf = _open_plumber(data)
                    if plumber_pdf is not None:
                        layout.tables = _plumber_tables(plumber_pdf, i, tp, height)
                        if layout.tables:
                            layout.lines = [ln for ln in layout.lines if not _inside_any(ln, layout.tables)]
            finally:
                tp.close()
                page.close()
            pages.append(layout)
        info = {}
        try:
            info = {k: v for k, v in pdf.get_metadata_dict().items() if v}
        except Exception:  # noqa: BLE001 - metadata is a bonus; a broken info dict must not lose the text
            pass
    finally:
        pdf.close()
        if plumber_pdf is not None:
            plumber_pdf.close()
    return pages, info


def _open_plumber(data: bytes):
    try:
        import pdfplumber

        return pdfplumber.open(BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - pdfium read it; tables are a bonus, not a requirement
        log.debug("pdfplumber cannot open the file: %s", exc)
        return None


def _inside_any(ln: Line, tables: list[Table]) -> bool:
    cx, cy = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
    return any(t.x0 - 2 <= cx <= t.x1 + 2 and t.top - 2 <= cy <= t.bottom + 2 for t in tables)


# ------------------------------------------------------------------ furniture: headers, footers, page numbers

_DIGITS = re.compile(r"\d+")
_PAGE_SHAPE = re.compile(r"^[\s\-—–_·•.|/第页共Pagep（()）\d]+$", re.I)


def _fold(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def _in_zone(ln: Line, page: PageLayout) -> bool:
    return ln.bottom <= page.height * _FURNITURE_ZONE or ln.top >= page.height * (1 - _FURNITURE_ZONE)


def _is_page_number(ln: Line, page: PageLayout, total: int) -> bool:
    """A short number-shaped line in the margin whose number is this page's (or 'n/N')."""
    t = re.sub(r"\s+", "", ln.text)
    if len(t) > 16 or not _PAGE_SHAPE.match(t):
        return False
    nums = [int(x) for x in _DIGITS.findall(t)]
    return bool(nums) and (
        nums[0] == page.number or (len(nums) == 2 and nums[1] in (total, nums[0])) or len(nums) == 1 and abs(nums[0] - page.number) <= 2
    )


def remove_furniture(pages: list[PageLayout]) -> int:
    """Drop running heads/feet and page numbers in place; returns how many lines went."""
    total = len(pages)
    counts: Counter[tuple[str, int]] = Counter()
    keyed: list[list[tuple[Line, tuple[str, int]]]] = []
    for page in pages:
        row = []
        seen = set()
        for ln in page.lines:
            if _in_zone(ln, page):
                key = (_fold(ln.text), round(ln.top / 6))
                row.append((ln, key))
                if key not in seen:
                    counts[key] += 1
                    seen.add(key)
        keyed.append(row)
    needed = max(2, round(0.3 * total))
    # watermarks and stamps: identical text at the identical spot on most pages, anywhere on the page
    spots: Counter[tuple[str, int, int]] = Counter()
    if total >= 3:
        for page in pages:
            spots.update({(ln.text, round(ln.top / 6), round(ln.x0 / 6)) for ln in page.lines})
    stamp_needed = max(3, round(0.6 * total))
    removed = 0
    for page, row in zip(pages, keyed):
        doomed = {id(ln) for ln in page.lines if spots and spots[(ln.text, round(ln.top / 6), round(ln.x0 / 6))] >= stamp_needed}
        for ln, key in row:
            # allow the same text a few points higher/lower on other pages
            near = counts[key] + counts[(key[0], key[1] - 1)] + counts[(key[0], key[1] + 1)]
            if (total >= 2 and near >= needed) or _is_page_number(ln, page, total):
                doomed.add(id(ln))
        if doomed:
            removed += len(doomed)
            page.lines = [ln for ln in page.lines if id(ln) not in doomed]
    return removed


# ------------------------------------------------------------------ footnotes

_NOTE_MARK = re.compile(r"^(\d{1,3}|[①-⑳]|[⑴-⒇]|\[\d{1,3}\]|〔\d{1,3}〕|注\s*\d*[:：]|[*＊†])")


def split_footnotes(page: PageLayout, body_height: float) -> list[Line]:
    """Remove and return the page's footnote lines: small type below the body, opening with a marker."""
    if len(page.lines) < 3:
        return []
    lines = sorted(page.lines, key=lambda ln: ln.top)
    # walk up from the bottom while lines are small; the block must start with a marker
    i = len(lines)
    while i > 0 and lines[i - 1].height < 0.8 * body_height and lines[i - 1].top > page.height * 0.45:
        i -= 1
    block = lines[i:]
    if not block or i == 0 or not _NOTE_MARK.match(block[0].text):
        return []
    gone = {id(ln) for ln in block}
    page.lines = [ln for ln in page.lines if id(ln) not in gone]  # keep reading order for the rest
    return block


def _join_notes(lines: list[Line]) -> list[str]:
    out: list[str] = []
    for ln in lines:
        if _NOTE_MARK.match(ln.text) or not out:
            out.append(ln.text)
        else:
            out[-1] = join_cjk(out[-1], ln.text)
    return out


# ------------------------------------------------------------------ paragraphs


@dataclass
class _Block:
    kind: str  # 'line' | 'table'
    page: int
    line: Line | None = None
    table: Table | None = None

    @property
    def top(self) -> float:
        return self.line.top if self.line else self.table.top  # type: ignore[union-attr]


def assemble(pages: list[PageLayout]) -> tuple[str, list[str]]:
    """Rejoin lines into paragraphs across wraps and page breaks; tables as ' | ' rows; footnotes last.

    A line ends its paragraph when it stops short of the right margin, when
    the next line is indented or starts after a larger gap, changes type size,
    or is a table.  Margins and the normal line pitch are measured on this
    document, not assumed.
    """
    body_lines = [ln for p in pages for ln in p.lines]
    if not body_lines and not any(p.tables for p in pages):
        return "", []
    heights = [ln.height for ln in body_lines if ln.height > 2] or [12.0]
    body_h = statistics.median(heights)
    notes: list[Line] = []
    for p in pages:
        notes.extend(split_footnotes(p, body_h))
    body_lines = [ln for p in pages for ln in p.lines]
    left = _mode([round(ln.x0) for ln in body_lines]) if body_lines else 0
    full = [ln.x1 for ln in body_lines if ln.x1 - ln.x0 > 0.6 * max((b.x1 - b.x0) for b in body_lines)] if body_lines else []
    right = statistics.median(full) if full else max((ln.x1 for ln in body_lines), default=0)
    pitch = _line_pitch(pages) or body_h * 1.6
    ragged = _is_ragged(pages, left, right, body_h)

    blocks: list[_Block] = []
    for p in pages:
        # keep the engine's reading order (it follows columns); tables go before the first line below them
        items = [_Block("line", p.number, line=ln) for ln in p.lines]
        for t in sorted(p.tables, key=lambda t: t.top, reverse=True):
            at = next((i for i, b in enumerate(items) if b.kind == "line" and b.top > t.top), len(items))
            items.insert(at, _Block("table", p.number, table=t))
        blocks.extend(items)

    paras: list[str] = []
    cur = ""
    prev: _Block | None = None
    for b in blocks:
        if b.kind == "table":
            if cur:
                paras.append(cur)
                cur = ""
            paras.extend(" | ".join(row) for row in b.table.rows)  # type: ignore[union-attr]
            prev = b
            continue
        ln = b.line
        assert ln is not None
        if cur and prev is not None and prev.kind == "line" and not _breaks(prev, b, left, right, body_h, pitch, ragged):
            cur = join_cjk(cur.rstrip(), ln.text.lstrip())
        else:
            if cur:
                paras.append(cur)
            cur = ln.text
        prev = b
    if cur:
        paras.append(cur)
    return "\n".join(p for p in paras if p.strip()), _join_notes(notes)


_RAGGED_GAP = 3.5  # character widths a left-aligned line may stop short: a word or 2-3 glyphs kept together by line-break rules


def _is_ragged(pages: list[PageLayout], left: float, right: float, body_h: float) -> bool:
    """Left-aligned (ragged-right) type: many lines continue their paragraph although they stop short of the margin.

    Measured on the document: justified type ends every continuing line at the
    margin, so the short-but-continuing share is near zero there.
    """
    char_w = max(body_h, 6.0)
    continuing = short = 0
    for p in pages:
        ls = sorted(p.lines, key=lambda ln: ln.top)
        for a, b in zip(ls, ls[1:]):
            if abs(b.x0 - left) < 0.5 * char_w and abs(a.x0 - left) < 0.5 * char_w and abs(a.height - b.height) < 0.1 * a.height:
                continuing += 1
                if 0.8 * char_w < right - a.x1 < _RAGGED_GAP * char_w and a.text.rstrip()[-1:] not in _SENTENCE_END:
                    short += 1
    return continuing >= 5 and short >= 0.2 * continuing


def _breaks(a_blk: _Block, b_blk: _Block, left: float, right: float, body_h: float, pitch: float, ragged: bool = False) -> bool:
    a, b = a_blk.line, b_blk.line
    assert a is not None and b is not None
    char_w = max(body_h, 6.0)
    gap = right - a.x1
    # ragged type: a line a few glyphs short that does not end a sentence runs on (also over a page end)
    runs_on = ragged and gap < _RAGGED_GAP * char_w and a.text.rstrip()[-1:] not in _SENTENCE_END and b.x0 - left < 0.5 * char_w
    if gap > 1.2 * char_w and not runs_on:  # stops short of the margin: last line of its paragraph...
        # ...unless the next line opens with an unbreakable Latin/number run that did not fit in the gap
        fits_gap = gap < _leading_unit_width(b) + char_w
        if not (fits_gap and b.x0 - left < 0.5 * char_w):
            return True
    if b.x0 - left > 1.2 * char_w:  # indented first line, or a centred / right-aligned line
        # ...unless a full-width line of a centred title wraps onto a centred remainder
        centred = abs((b.x0 + b.x1) / 2 - (left + right) / 2) < char_w
        a_full = (a.x1 - a.x0) >= (right - left) - 1.5 * a.height  # no room left for one more glyph of its size
        same_size = abs(a.height - b.height) < 0.1 * a.height
        if not (centred and a_full and same_size and a.height > 1.15 * body_h and a.text[-1] not in _SENTENCE_END):
            return True
    if a.x0 - left > 1.2 * char_w and b.x0 - left < 0.5 * char_w and a_blk.page == b_blk.page and a.x1 < right - char_w and not runs_on:
        return True
    if abs(a.height - b.height) > 0.3 * max(a.height, b.height):  # type size change: heading vs body
        return True
    if a_blk.page == b_blk.page and (b.top - a.top) > 1.45 * pitch:  # extra space between paragraphs
        return True
    return False


_SENTENCE_END = set("。！？；：.!?;:")
_LEADING_NON_CJK = re.compile(r"[A-Za-z0-9(（\[【《“\"'./%+\-–—:]+[^\s\u4e00-\u9fff]*")
# What line-breaking keeps together at the start of a line: an opening bracket or quote with the glyph after it and
# any closing marks ("（套）", "《规划》"'s first glyph), or a run of Latin letters and digits.
_LEADING_UNIT = re.compile(r"^[（(\[【《“‘\"']*(?:[A-Za-z0-9.%+\-–—/:]+|[\u3400-\u9fff])[）)\]】》”’\"'，,、。；;：:！!？?]*")


def _leading_unit_width(b: Line) -> float:
    """Estimated width of the unit the previous line could not take: full-width glyphs one em, Latin 0.6 em."""
    m = _LEADING_UNIT.match(b.text) or _LEADING_NON_CJK.match(b.text)
    if not m:
        return 0.0
    return sum(b.height * (0.6 if ch.isascii() else 1.0) for ch in m.group(0))


def _mode(values: list[int]) -> int:
    return Counter(values).most_common(1)[0][0]


def _line_pitch(pages: list[PageLayout]) -> float | None:
    """Typical baseline-to-baseline distance of body text on this document."""
    gaps: list[float] = []
    for p in pages:
        ls = sorted(p.lines, key=lambda ln: ln.top)
        gaps.extend(round(b.top - a.top, 0) for a, b in zip(ls, ls[1:]) if 0 < b.top - a.top < 80)
    return float(_mode([int(g) for g in gaps])) if gaps else None


# ------------------------------------------------------------------ metadata

_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*(\d{1,5})\s*号")
_ORG_TAIL = re.compile(r"(人民政府|办公厅|办公室|委员会|厅|部|委|局|院|署|会|政府|中心|总局|集团|公司|协会|研究院|研究会|小组)$")


def find_pdf_meta(first_page: str, last_page: str) -> dict[str, str]:
    """发文字号 from the first page (else last), 成文日期 and 印发机关 from the signature block on the last page."""
    meta: dict[str, str] = {}
    for text in (first_page, last_page):
        m = _DOC_NO.search(text)
        if m:
            meta["doc_number"] = (
                re.sub(r"\s+", "", m.group(0)).replace("[", "〔").replace("]", "〕").replace("［", "〔").replace("］", "〕")
            )
            break
    lines = [ln.strip() for ln in last_page.split("\n") if ln.strip()]
    for idx in range(len(lines) - 1, -1, -1):
        ln = lines[idx]
        if len(ln) > 40:
            continue
        dates = find_cn_dates(ln)
        if not dates:
            continue
        stripped = re.sub(r"\s+", "", ln)
        if "印发" in stripped:  # 抄送 block: "XX办公厅 2025年3月6日印发"
            org = stripped[: dates[0][0]].strip() if dates[0][0] > 0 else ""
            if org and _ORG_TAIL.search(org):
                meta.setdefault("issuer", org)
            meta.setdefault("printed", dates[0][1].isoformat())
            continue
        if len(stripped) <= 16:  # a bare date line: the signature date
            meta.setdefault("written", dates[0][1].isoformat())
            prev = re.sub(r"\s+", "", lines[idx - 1]) if idx > 0 else ""
            if prev and len(prev) <= 30 and _ORG_TAIL.search(prev):
                meta["issuer"] = prev
            break
    return meta


# ------------------------------------------------------------------ entry point


def extract_pdf(data: bytes, limits: "ExtractLimits | None" = None) -> AttachmentText:
    """Clean text of a PDF; scanned pages OCR'd when an OCR package is installed."""
    from pipeline.limits import ExtractLimits, check_inflated_size

    limits = limits or ExtractLimits()
    if not data:
        raise ExtractionError("PDF 文件为空，0 字节（PDF is empty (0 bytes)）")
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("不是 PDF 文件，缺少 %PDF 文件头（not a PDF: no %PDF header）")
    check_inflated_size(data, limits.max_inflated_bytes)
    pages, _info = read_layout(data, max_pages=limits.max_pages)
    warnings: list[str] = []
    ocr_used = False
    conf: float | None = None
    scanned = [p for p in pages if p.needs_ocr]
    if scanned:
        from pipeline import ocr

        if not ocr.available():
            warnings.append(f"scanned pages present ({len(scanned)} of {len(pages)}) but no OCR package installed; their text is missing")
        else:
            scores = []
            for p in scanned:
                try:
                    ocr.ocr_page(data, p)
                except Exception as exc:  # noqa: BLE001 - OCR failing on one page must not lose the others
                    warnings.append(f"OCR failed on page {p.number}: {exc}")
                    continue
                if p.ocr_confidence is not None:
                    scores.append((p.ocr_confidence, max(1, sum(len(ln.text) for ln in p.lines))))
            if scores:
                ocr_used = True
                conf = round(sum(c * w for c, w in scores) / sum(w for _, w in scores), 4)
    remove_furniture(pages)
    _merge_split_rows(pages)
    first_text = "\n".join(ln.text for ln in pages[0].lines) if pages else ""
    last_text = "\n".join(ln.text for ln in pages[-1].lines) if pages else ""
    text, notes = assemble(pages)
    if notes:
        text = text + "\n" + "\n".join(notes) if text else "\n".join(notes)
    if not text.strip() and not scanned:
        warnings.append("PDF has no extractable text")
    meta = find_pdf_meta(first_text, last_text)
    return AttachmentText(
        kind="pdf",
        text=text,
        page_count=len(pages),
        ocr=ocr_used,
        ocr_confidence=conf,
        warnings=warnings,
        meta=meta,
    )
