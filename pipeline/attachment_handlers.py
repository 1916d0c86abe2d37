"""Attachment formats: the kind ``sniff_kind`` names → the function that reads its text.

One registry for every format, PDF included: the PDF reader takes the
extraction limits (pages, inflated bytes) the others do not need, so each
entry is called the same way and ignores what it has no use for.  A new
format is one entry here and one line in pipeline/attachment_extract.py's
name tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from pipeline import office_text
from pipeline.attachment_extract import AttachmentText

if TYPE_CHECKING:
    from pipeline.limits import ExtractLimits

Handler = Callable[..., AttachmentText]
"""Called as ``handler(data, kind=..., filename=..., limits=...)``."""


def _pdf(data: bytes, *, kind: str = "pdf", filename: str = "", limits: "ExtractLimits | None" = None) -> AttachmentText:
    from pipeline.pdf_text import extract_pdf  # pdfium and the OCR hook load only when a PDF comes

    return extract_pdf(data, limits)


def _office(read: office_text.Handler) -> Handler:
    def handle(data: bytes, *, kind: str, filename: str = "", limits: "ExtractLimits | None" = None) -> AttachmentText:
        return read(data, kind=kind, filename=filename)

    handle.__name__ = handle.__qualname__ = getattr(read, "__name__", "handle")
    return handle


HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        "pdf": _pdf,
        **{kind: _office(read) for kind, read in office_text.HANDLERS.items()},
    }
)
