"""Every attachment format the sniffer can name has a handler, PDF included, all called the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.attachment_extract import _CT_KIND, _EXT_KIND, ExtractionError, extract_attachment
from pipeline.attachment_handlers import HANDLERS

PDF_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"


def test_every_named_format_has_a_handler() -> None:
    assert set(_EXT_KIND.values()) | set(_CT_KIND.values()) == set(HANDLERS)


def test_a_pdf_goes_through_the_registry_like_any_other_format() -> None:
    pdf = PDF_DIR / "gov_notice.pdf"
    via_registry = HANDLERS["pdf"](pdf.read_bytes(), kind="pdf", filename=pdf.name, limits=None)
    assert via_registry.kind == "pdf" and via_registry.text.strip()
    assert extract_attachment(pdf.read_bytes(), filename=pdf.name).text == via_registry.text


def test_a_format_without_a_handler_is_a_clear_error() -> None:
    with pytest.raises(ExtractionError, match="unsupported attachment format: zip"):
        extract_attachment(b"PK\x03\x04 not really a zip", filename="bundle.zip")
