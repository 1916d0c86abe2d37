"""Text from release attachments: one entry point that sniffs the format and hands off.

Government sites mislabel files constantly (a .doc that is really HTML, a
PDF served as application/octet-stream, a .wps that is a Word 97 file), so
magic bytes decide first and the name or Content-Type only breaks ties.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.limits import ExtractLimits

__all__ = ["AttachmentText", "ExtractionError", "extract_attachment", "sniff_kind"]


class ExtractionError(Exception):
    """A file could not be read; str(exc) is a clear human message (e.g. 'PDF is password-protected')."""


@dataclass
class AttachmentText:
    """Extracted text of one attachment plus how much to trust it."""

    kind: str  # 'pdf', 'docx', 'doc', 'wps', 'xlsx', 'xls', 'txt', 'ofd', ...
    text: str
    page_count: int | None
    ocr: bool = False
    ocr_confidence: float | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. 'scanned pages present but no OCR package installed'
    meta: dict[str, str] = field(default_factory=dict)  # doc_number, written, issuer when found


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXT_KIND = {
    "pdf": "pdf",
    "docx": "docx",
    "docm": "docx",
    "doc": "doc",
    "wps": "wps",
    "dot": "doc",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xls": "xls",
    "et": "xls",
    "txt": "txt",
    "csv": "txt",
    "ofd": "ofd",
    "rtf": "rtf",
    "htm": "html",
    "html": "html",
    "mht": "mht",
    "mhtml": "mht",
    "odt": "odt",
    "wpt": "wps",
}
_CT_KIND = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-works": "wps",
    "application/kswps": "wps",
    "application/ofd": "ofd",
    "text/plain": "txt",
    "text/html": "html",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
}


def _name_kind(filename: str, content_type: str | None) -> str | None:
    ext = PurePosixPath(filename.split("?")[0].lower()).suffix.lstrip(".")
    if ext in _EXT_KIND:
        return _EXT_KIND[ext]
    if content_type:
        return _CT_KIND.get(content_type.split(";")[0].strip().lower())
    return None


def sniff_kind(data: bytes, filename: str = "", content_type: str | None = None) -> str:
    """Best guess at the real format: magic bytes, then container contents, then name/type."""
    head = data[:2048]
    hinted = _name_kind(filename, content_type)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return hinted or "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names or any(n.lower().endswith("ofd.xml") for n in names):
            return "ofd"
        if "content.xml" in names:
            return "odt"
        return "zip"
    if head.startswith(_OLE_MAGIC):
        try:
            import olefile

            ole = olefile.OleFileIO(BytesIO(data))
            streams = {"/".join(s) for s in ole.listdir()}
            ole.close()
        except Exception:  # noqa: BLE001 - olefile raises many kinds on a damaged file; the name then decides
            return hinted if hinted in {"doc", "wps", "xls"} else "doc"
        if "Workbook" in streams or "Book" in streams:
            return "xls"
        if "WordDocument" in streams:
            return "wps" if hinted == "wps" else "doc"
        return hinted or "ole"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    low = head.lstrip()[:200].lower()
    if low.startswith(b"mime-version") or b"content-type: multipart/related" in head.lower():
        return "mht"
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in head.lower():
        return "html"
    if hinted:
        return hinted
    return "txt" if _looks_textual(head) else "bin"


def _looks_textual(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    return b"\x00" not in head


def extract_attachment(
    data: bytes, *, filename: str, content_type: str | None = None, limits: "ExtractLimits | None" = None
) -> AttachmentText:
    """Dispatch on magic bytes first, then extension/content type; raises ExtractionError for unreadable files.

    ``limits`` bounds PDF pages and stream inflation (pipeline/limits.py); defaults apply when omitted.
    """
    if not data:
        raise ExtractionError("文件为空，0 字节（file is empty (0 bytes)）")
    kind = sniff_kind(data, filename, content_type)
    from pipeline.attachment_handlers import HANDLERS  # imports this module: not at the top

    handler = HANDLERS.get(kind)
    if handler is None:
        raise ExtractionError(f"不支持的附件格式：{kind}（{filename}）（unsupported attachment format: {kind}）")
    result = handler(data, kind=kind, filename=filename, limits=limits)
    if kind == "pdf":
        return result  # PDFs have never carried the misnamed-file warning; kept so (issue 18 changes no behaviour)
    hinted = _name_kind(filename, content_type)
    if hinted and hinted != kind and not {hinted, kind} <= {"doc", "wps"}:
        # e.g. a login or 404 page saved under report.pdf: say so rather than pass it off as the report
        result.warnings.append(f"file named as {hinted} is really {kind}")
    return result
