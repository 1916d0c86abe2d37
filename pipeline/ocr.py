"""OCR for pages that have no text layer (scans, photographed notices).

Uses RapidOCR on ONNX Runtime because its PP-OCR Chinese models ship inside
the PyPI wheel (rapidocr-onnxruntime/models/*.onnx): nothing is downloaded at
run time, which our offline workers require.  OCR output becomes ordinary
positioned lines, so the layout cleaning in pipeline.pdf_text applies as is.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.textutil import clean_inline

if TYPE_CHECKING:
    from pipeline.pdf_text import PageLayout

__all__ = ["available", "ocr_page", "OCR_ENGINE"]

OCR_ENGINE = "rapidocr-onnxruntime (PP-OCRv4, models bundled in the wheel)"
_RENDER_DPI = 150  # PP-OCR wants ~20-40 px glyphs: 150 dpi gives ~30 px for 14-16 pt type at half the cost of 200
_lock = threading.Lock()


def available() -> bool:
    """True when an OCR engine can run here; callers flag items instead of dropping them when not."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:  # noqa: BLE001 - onnxruntime fails in many ways on a machine without its libraries
        return False
    return True


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def ocr_page(data: bytes, page: "PageLayout") -> None:
    """Render one PDF page, OCR it and fill ``page.lines`` / ``page.ocr_confidence`` in place."""
    import numpy as np
    import pypdfium2 as pdfium

    from pipeline.pdf_text import Line, fix_chars, merge_segments

    pdf = pdfium.PdfDocument(data)
    try:
        scale = _RENDER_DPI / 72
        bitmap = pdf[page.number - 1].render(scale=scale, grayscale=True)
        img = np.ascontiguousarray(bitmap.to_numpy())
    finally:
        pdf.close()
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    with _lock:  # one ONNX session per process; calls are not re-entrant
        result, _elapse = _engine()(img)
    segs: list[Line] = []
    scores: list[tuple[float, int]] = []
    for box, text, score in result or []:
        xs = [p[0] / scale for p in box]
        ys = [p[1] / scale for p in box]
        text = clean_inline(fix_chars(text))
        if not text:
            continue
        segs.append(Line(text, min(xs), max(xs), min(ys), max(ys)))
        scores.append((float(score), len(text)))
    page.lines = merge_segments(segs)
    page.needs_ocr = False
    if scores:
        page.ocr_confidence = sum(s * n for s, n in scores) / sum(n for _, n in scores)
