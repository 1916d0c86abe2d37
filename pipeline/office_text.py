"""Text from non-PDF attachments: Word (DOCX, DOC), WPS, Excel (XLSX, XLS), OFD, TXT, HTML/MHT, RTF, ODT.

Library choices, and why:
- DOCX / ODT / OFD are zip + XML: read directly with lxml (no dependency, and
  OFD has no maintained text reader on PyPI — easyofd converts to images/PDF).
  OFD pages reuse the PDF layout code, since they are positioned glyph runs too.
- DOC and WPS (Kingsoft's .wps is a Word-97 compound file): LibreOffice
  headless when installed (best fidelity: fields, tables), else a small
  built-in Word-97 piece-table reader on olefile.
- XLS: xlrd; XLSX: openpyxl. Both become ' | '-joined rows per sheet.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from email import message_from_bytes, policy
from io import BytesIO
from pathlib import Path

from lxml import etree

from pipeline.attachment_extract import AttachmentText, ExtractionError
from pipeline.textutil import clean_inline

__all__ = ["HANDLERS", "decode_text_bytes", "libreoffice_available"]

Handler = Callable[..., AttachmentText]


# ------------------------------------------------------------------ helpers


def decode_text_bytes(data: bytes) -> str:
    """Plain-text attachments: BOM, then strict UTF-8, then GB18030 (what Chinese Windows writes)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    for enc in ("utf-8", "gb18030", "big5hkscs"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace")


def _paragraphs(lines: list[str]) -> str:
    out = [clean_inline(ln) for ln in lines]
    return "\n".join(ln for ln in out if ln)


def _meta_from_text(text: str) -> dict[str, str]:
    from pipeline.pdf_text import find_pdf_meta

    lines = text.split("\n")
    return find_pdf_meta("\n".join(lines[:40]), "\n".join(lines[-15:]))


def _result(kind: str, text: str, pages: int | None = None, warnings: list[str] | None = None) -> AttachmentText:
    warn = list(warnings or [])
    if not text.strip():
        warn.append(f"{kind.upper()} has no extractable text")
    return AttachmentText(kind=kind, text=text, page_count=pages, warnings=warn, meta=_meta_from_text(text))


def _zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(
            f"{what} 文件损坏或不完整，不是可读的 zip 容器（{what} is corrupt or truncated, not a readable zip container）"
        ) from exc


def _xml(blob: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(blob, parser=etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"{what} 内部 XML 已损坏（{what} XML is corrupt）") from exc


# ------------------------------------------------------------------ DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_para(p: etree._Element) -> str:
    parts = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen", f"{_W}delText"):
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}tab":
            parts.append(" ")
        elif el.tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif el.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        # deleted text (tracked changes) is not part of the document
    return "".join(parts)


def _docx_body(el: etree._Element, out: list[str]) -> None:
    for child in el:
        if child.tag == f"{_W}p":
            out.extend(_docx_para(child).split("\n"))
        elif child.tag == f"{_W}tbl":
            for tr in child.iter(f"{_W}tr"):
                cells = []
                for tc in tr.findall(f"{_W}tc"):
                    cell = "".join(_docx_para(p) for p in tc.iter(f"{_W}p"))
                    cells.append(clean_inline(cell))
                if any(cells):
                    out.append(" | ".join(cells))
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins"):
            _docx_body(child, out)


def extract_docx(data: bytes, *, kind: str = "docx", filename: str = "") -> AttachmentText:
    z = _zip(data, "DOCX")
    try:
        root = _xml(z.read("word/document.xml"), "DOCX")
    except KeyError as exc:
        raise ExtractionError("DOCX 缺少 word/document.xml，文件已损坏（DOCX has no word/document.xml, corrupt）") from exc
    body = root.find(f"{_W}body")
    lines: list[str] = []
    if body is not None:
        _docx_body(body, lines)
    notes = []
    if "word/footnotes.xml" in z.namelist():
        fn = _xml(z.read("word/footnotes.xml"), "DOCX footnotes")
        for note in fn.findall(f"{_W}footnote"):
            if note.get(f"{_W}type") in (None, "normal"):
                txt = clean_inline("".join(_docx_para(p) for p in note.iter(f"{_W}p")))
                if txt:
                    notes.append(txt)
    return _result("docx", _paragraphs(lines + notes))


# ------------------------------------------------------------------ ODT

_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def extract_odt(data: bytes, *, kind: str = "odt", filename: str = "") -> AttachmentText:
    z = _zip(data, "ODT")
    root = _xml(z.read("content.xml"), "ODT")
    lines: list[str] = []
    for el in root.iter(f"{_TEXT_NS}p", f"{_TEXT_NS}h", f"{_TABLE_NS}table-row"):
        if el.tag == f"{_TABLE_NS}table-row":
            lines.append(" | ".join(clean_inline("".join(c.itertext())) for c in el.findall(f"{_TABLE_NS}table-cell")))
        elif not any(a.tag == f"{_TABLE_NS}table-cell" for a in el.iterancestors()):
            lines.append("".join(el.itertext()))
    return _result("odt", _paragraphs(lines))


# ------------------------------------------------------------------ DOC / WPS


def libreoffice_available() -> str | None:
    """Path of soffice/libreoffice if installed (Debian: libreoffice-writer-nogui); RADAR_NO_LIBREOFFICE=1 forces the built-in reader."""
    if os.environ.get("RADAR_NO_LIBREOFFICE"):
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _libreoffice_convert(data: bytes, suffix: str, target: str, out_ext: str) -> bytes:
    """Convert with a private profile dir so parallel workers don't fight over LibreOffice's lock."""
    soffice = libreoffice_available()
    assert soffice
    with tempfile.TemporaryDirectory(prefix="radar-lo-") as tmp:
        src = Path(tmp) / f"in.{suffix}"
        src.write_bytes(data)
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    target,
                    "--outdir",
                    tmp,
                    str(src),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ExtractionError(
                f"LibreOffice 无法转换该 {suffix.upper()} 文件（LibreOffice could not convert the {suffix.upper()} file）"
            ) from exc
        out = Path(tmp) / f"in.{out_ext}"
        if not out.exists() or out.stat().st_size == 0:
            raise ExtractionError(
                f"{suffix.upper()} 文件无法读取：损坏、加密或格式不受支持（{suffix.upper()} could not be read: corrupt, encrypted or unsupported）"
            )
        return out.read_bytes()


def _word97_text(data: bytes) -> str:
    """Main-document text of a Word 97-2003 / WPS compound file from its piece table (no LibreOffice)."""
    import struct

    import olefile

    try:
        ole = olefile.OleFileIO(BytesIO(data))
    except Exception as exc:
        raise ExtractionError("DOC 文件已损坏，不是可读的 OLE 复合文件（DOC file is corrupt, not a readable OLE compound file）") from exc
    try:
        if not ole.exists("WordDocument"):
            raise ExtractionError("DOC 文件缺少 WordDocument 流，不是 Word/WPS 文档（DOC file has no WordDocument stream）")
        wd = ole.openstream("WordDocument").read()
        if len(wd) < 0x01AA:
            raise ExtractionError("DOC 文件不完整（DOC file is truncated）")
        flags = struct.unpack_from("<H", wd, 0x0A)[0]
        if flags & 0x0100:
            raise ExtractionError("DOC 文件有密码保护（DOC is password-protected）")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise ExtractionError("DOC 文件已损坏，缺少表流（DOC file is corrupt, table stream missing）")
        table = ole.openstream(table_name).read()
        ccp_text = struct.unpack_from("<i", wd, 0x004C)[0]
        fc_clx, lcb_clx = struct.unpack_from("<Ii", wd, 0x01A2)
        clx = table[fc_clx : fc_clx + lcb_clx]
        pos = 0
        while pos < len(clx) and clx[pos] == 0x01:  # skip Prc (formatting) entries
            pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
        if pos >= len(clx) or clx[pos] != 0x02:
            raise ExtractionError("DOC 文件已损坏，缺少片段表（DOC file is corrupt, no piece table）")
        lcb = struct.unpack_from("<I", clx, pos + 1)[0]
        plc = clx[pos + 5 : pos + 5 + lcb]
        n = (lcb - 4) // 12
        cps = struct.unpack_from(f"<{n + 1}i", plc, 0)
        parts = []
        for i in range(n):
            fc = struct.unpack_from("<I", plc, (n + 1) * 4 + i * 8 + 2)[0]
            count = cps[i + 1] - cps[i]
            if fc & 0x40000000:
                start = (fc & 0x3FFFFFFF) // 2
                parts.append(wd[start : start + count].decode("cp1252", errors="replace"))
            else:
                parts.append(wd[fc : fc + 2 * count].decode("utf-16-le", errors="replace"))
        text = "".join(parts)[:ccp_text]
    except (struct.error, OSError) as exc:
        raise ExtractionError("DOC 文件损坏或不完整（DOC file is corrupt or truncated）") from exc
    finally:
        ole.close()
    # fields: keep the displayed result (\x14..\x15), drop the instruction (\x13..\x14)
    text = re.sub(r"\x13[^\x13\x14\x15]*\x14", "", text)
    text = re.sub(r"\x13[^\x13\x14\x15]*\x15", "", text).replace("\x15", "")
    text = text.replace("\x07\x07", "\n").replace("\x07", " | ").replace("\x0b", "\n").replace("\x0c", "\n")
    return re.sub(r"[\x00-\x08\x0e-\x1f]", "", text.replace("\r", "\n"))


def extract_doc(data: bytes, *, kind: str = "doc", filename: str = "") -> AttachmentText:
    warnings = []
    if libreoffice_available():
        # via DOCX rather than plain text: LibreOffice's text export flattens tables to one cell per line
        try:
            docx = _libreoffice_convert(data, "wps" if kind == "wps" else "doc", "docx:MS Word 2007 XML", "docx")
        except ExtractionError as exc:
            warnings.append(f"LibreOffice failed ({exc}); used the built-in Word-97 reader")
        else:
            res = extract_docx(docx)
            res.kind = kind
            res.warnings = warnings + res.warnings
            return res
    text = _word97_text(data)
    lines = [re.sub(r"(\s*\|\s*)+$", "", ln) for ln in text.split("\n")]
    return _result(kind, _paragraphs(lines), warnings=warnings)


def extract_rtf(data: bytes, *, kind: str = "rtf", filename: str = "") -> AttachmentText:
    if not libreoffice_available():
        raise ExtractionError("读取 RTF 需要 LibreOffice，本机未安装（RTF needs LibreOffice, which is not installed）")
    res = extract_docx(_libreoffice_convert(data, "rtf", "docx:MS Word 2007 XML", "docx"))
    res.kind = "rtf"
    return res


# ------------------------------------------------------------------ spreadsheets


def _cell_str(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return clean_inline(str(v))


def _sheet_lines(name: str, rows: list[list[str]], many: bool) -> list[str]:
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    width = max(max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows)
    out = [f"【{name}】"] if many else []
    out += [" | ".join(r[:width]) for r in rows]
    return out


def extract_xlsx(data: bytes, *, kind: str = "xlsx", filename: str = "") -> AttachmentText:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ExtractionError(f"XLSX 文件损坏或无法读取（XLSX is corrupt or unreadable: {type(exc).__name__}）") from exc
    lines: list[str] = []
    many = len(wb.sheetnames) > 1
    for ws in wb.worksheets:
        rows = [[_cell_str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        lines += _sheet_lines(ws.title, rows, many)
    wb.close()
    return _result("xlsx", "\n".join(lines), pages=len(wb.sheetnames))


def extract_xls(data: bytes, *, kind: str = "xls", filename: str = "") -> AttachmentText:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        msg = str(exc).lower()
        if "encrypt" in msg or "password" in msg:
            raise ExtractionError("XLS 文件有密码保护（XLS is password-protected）") from exc
        raise ExtractionError(f"XLS 文件损坏或无法读取（XLS is corrupt or unreadable: {type(exc).__name__}）") from exc
    lines: list[str] = []
    many = book.nsheets > 1
    for sh in book.sheets():
        rows = [[_cell_str(sh.cell_value(r, c)) for c in range(sh.ncols)] for r in range(sh.nrows)]
        lines += _sheet_lines(sh.name, rows, many)
    return _result(kind, "\n".join(lines), pages=book.nsheets)


# ------------------------------------------------------------------ OFD (GB/T 33190)


def extract_ofd(data: bytes, *, kind: str = "ofd", filename: str = "") -> AttachmentText:
    """OFD pages are positioned TextCode runs in millimetres: turn them into Lines and reuse the PDF layout."""
    from pipeline.pdf_text import Line, PageLayout, assemble, find_pdf_meta, merge_segments, remove_furniture

    z = _zip(data, "OFD")
    names = z.namelist()
    page_files = sorted(
        (n for n in names if re.search(r"Pages/Page_?\d+/Content\.xml$", n, re.I)),
        key=lambda n: [int(x) for x in re.findall(r"\d+", n)],
    )
    if not page_files:
        raise ExtractionError("OFD 文件没有页面：损坏或版式不受支持（OFD has no pages, corrupt or unsupported layout）")
    mm = 72 / 25.4
    pages: list[PageLayout] = []
    for i, name in enumerate(page_files, 1):
        root = _xml(z.read(name), "OFD page")
        segs: list[Line] = []
        for obj in root.iter():
            if not isinstance(obj.tag, str) or not obj.tag.endswith("TextObject"):
                continue
            box = [float(v) for v in (obj.get("Boundary") or "0 0 0 0").split()[:4]]
            size = float(obj.get("Size") or 3.5)
            for code in obj:
                if not isinstance(code.tag, str) or not code.tag.endswith("TextCode") or not code.text:
                    continue
                x = box[0] + float(code.get("X") or 0)
                y = box[1] + float(code.get("Y") or 0)  # baseline, top-down
                width = size * len(code.text)
                segs.append(Line(code.text, x * mm, (x + width) * mm, (y - size) * mm, y * mm))
        pages.append(PageLayout(i, 210 * mm, 297 * mm, lines=merge_segments(segs)))
    remove_furniture(pages)
    first = "\n".join(ln.text for ln in pages[0].lines)
    last = "\n".join(ln.text for ln in pages[-1].lines)
    text, notes = assemble(pages)
    if notes:
        text += "\n" + "\n".join(notes)
    res = _result("ofd", text, pages=len(pages))
    res.meta = find_pdf_meta(first, last)
    return res


# ------------------------------------------------------------------ text-like


def extract_txt(data: bytes, *, kind: str = "txt", filename: str = "") -> AttachmentText:
    return _result("txt", _paragraphs(decode_text_bytes(data).splitlines()))


def extract_html_attachment(data: bytes, *, kind: str = "html", filename: str = "") -> AttachmentText:
    """Sites save Word files 'as web page' and serve them as .doc: read them as HTML."""
    from pipeline.html_extract import decode_html, extract_html

    page = extract_html(decode_html(data), filename)
    res = _result(kind, page.text)
    if page.doc_number:
        res.meta.setdefault("doc_number", page.doc_number)
    return res


def extract_mht(data: bytes, *, kind: str = "mht", filename: str = "") -> AttachmentText:
    msg = message_from_bytes(data, policy=policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                payload = b""
            charset = part.get_content_charset()
            from pipeline.html_extract import decode_html, extract_html

            page = extract_html(decode_html(payload, declared=charset), filename)
            return _result("mht", page.text)
    raise ExtractionError("MHT 归档中没有 HTML 部分（MHT archive has no HTML part）")


HANDLERS: dict[str, Handler] = {
    "docx": extract_docx,
    "odt": extract_odt,
    "doc": extract_doc,
    "wps": extract_doc,
    "rtf": extract_rtf,
    "xlsx": extract_xlsx,
    "xls": extract_xls,
    "ofd": extract_ofd,
    "txt": extract_txt,
    "html": extract_html_attachment,
    "mht": extract_mht,
}
