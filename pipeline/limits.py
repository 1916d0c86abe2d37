"""Per-document limits on attachment extraction, so one hostile file cannot stall or sink a crawl.

A PDF is a program for a parser: a few megabytes can hold a content stream
that inflates to gigabytes (pdfium then allocates it all and aborts when
memory runs out), thousands of pages, or structures that keep a parser busy
for minutes.  Three independent bounds apply, each reported as a clear
ExtractionError recorded against the attachment's URL:

- ``max_pages``: checked right after opening, before any page is read;
- ``max_inflated_bytes``: every non-image Flate stream is inflated in bounded
  chunks *before* pdfium sees the file, and the file is refused once one
  stream passes the cap (images are skipped: text extraction never decodes
  them, and scanned pages legitimately hold large ones);
- ``time_limit`` and ``memory_bytes``: enforced by the extraction worker
  process (a killed or crashed worker becomes an error, the pool goes on).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from pipeline.attachment_extract import ExtractionError

__all__ = ["ExtractLimits", "check_inflated_size"]


@dataclass(frozen=True)
class ExtractLimits:
    """Bounds for one document; defaults fit real government PDFs with a wide margin."""

    max_pages: int = 3000
    max_inflated_bytes: int = 256 * 1024 * 1024
    time_limit: float = 180.0
    memory_bytes: int = 2 * 1024 * 1024 * 1024


_STREAM = re.compile(rb"stream\r?\n")
_CHUNK = 1 << 20


def _inflated_size(raw: bytes, cap: int) -> int:
    """Bytes ``raw`` inflates to, counting at most up to just past ``cap``; 0 when it is not zlib data."""
    d = zlib.decompressobj()
    total = 0
    buf = raw
    try:
        while buf and total <= cap:
            total += len(d.decompress(buf, _CHUNK))
            buf = d.unconsumed_tail
    except zlib.error:
        return total  # not Flate, encrypted, or truncated: pdfium will judge the rest
    return total


def check_inflated_size(data: bytes, cap: int) -> None:
    """Raise ExtractionError when one non-image stream of the PDF inflates past ``cap`` bytes."""
    for m in _STREAM.finditer(data):
        start = m.end()
        head = data[max(0, m.start() - 2048) : m.start()]
        head = head[head.rfind(b"obj") :]
        if b"/Image" in head or b"endstream" in head[-16:]:
            continue  # images are never decoded for text; "endstream\n" itself also matches the pattern
        end = data.find(b"endstream", start)
        size = _inflated_size(data[start : end if end >= 0 else len(data)], cap)
        if size > cap:
            raise ExtractionError(
                f"PDF 第 {start} 字节处的数据流解压后超过 {cap // (1024 * 1024)} MB（疑似解压炸弹），未读取（PDF stream inflates to more than {cap // (1024 * 1024)} MB; refused）"
            )
