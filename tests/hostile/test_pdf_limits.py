"""Per-document extraction limits: a hostile PDF costs bounded time and memory, and the pool keeps working.

The inflation and page caps are checked in the crawl suite
(test_hostile_crawl.py); here the two limits the worker process enforces are
pushed directly, with the inflation pre-check switched off so that pdfium
itself meets the bomb.
"""

from __future__ import annotations

import re

from hostile_site import GOOD_PDF, pdf_bomb
from pipeline.attachment_extract import AttachmentText, ExtractionError
from pipeline.extract_pool import ExtractPool
from pipeline.limits import ExtractLimits

NO_PRECHECK = 1 << 40


def test_a_bomb_over_the_time_limit_is_stopped_and_the_pool_goes_on() -> None:
    limits = ExtractLimits(max_inflated_bytes=NO_PRECHECK, memory_bytes=0, time_limit=0.5)
    with ExtractPool(workers=1, limits=limits) as pool:
        bomb, good = pool.map([(pdf_bomb(1024), "bomb.pdf", None), (GOOD_PDF, "good.pdf", None)])
    assert isinstance(bomb, ExtractionError) and "took longer than 0.5s" in str(bomb)
    assert isinstance(good, AttachmentText) and good.page_count and good.text, "the killed worker was replaced"


def test_a_bomb_under_a_memory_cap_becomes_an_error_not_a_machine_wide_oom() -> None:
    limits = ExtractLimits(max_inflated_bytes=NO_PRECHECK, memory_bytes=512 * 1024 * 1024, time_limit=5)
    with ExtractPool(workers=1, limits=limits) as pool:
        bomb, good = pool.map([(pdf_bomb(1024), "bomb.pdf", None), (GOOD_PDF, "good.pdf", None)])
    # pdfium either aborts on the failed allocation (worker died) or stalls until the time limit.
    assert isinstance(bomb, ExtractionError)
    assert re.search(r"worker died .*memory limit of 512 MB|took longer than 5s|ran out of memory", str(bomb)), str(bomb)
    assert isinstance(good, AttachmentText) and good.text


def test_the_inflation_precheck_refuses_before_pdfium_allocates() -> None:
    from pipeline.pdf_text import extract_pdf

    try:
        extract_pdf(pdf_bomb(128), ExtractLimits(max_inflated_bytes=64 * 1024 * 1024))
    except ExtractionError as exc:
        assert "inflates to more than 64 MB" in str(exc)
    else:
        raise AssertionError("a 128 MB stream passed a 64 MB cap")
    assert extract_pdf(GOOD_PDF, ExtractLimits(max_inflated_bytes=64 * 1024 * 1024)).text  # real PDFs pass
