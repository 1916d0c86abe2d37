"""A release's HTML page is extracted in the extraction workers when one is free, and the result is the same.

The crawl process stores every release and is a crawl's bottleneck; the
extraction workers mostly wait for PDFs.  Pages go to a worker when one is
free and are extracted in the caller otherwise, so a page never waits behind
a long PDF; either way the stored text is identical.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from hostile_site import pdf_bomb
from pipeline.attachment_extract import ExtractionError
from pipeline.extract_pool import ExtractPool
from pipeline.html_extract import extract_release_page
from pipeline.limits import ExtractLimits
from core.paths import DEMO_DIR
from core.release import Release
from core.sources import load_source

SITES = {name: load_source(DEMO_DIR / "sources" / f"{name}.yaml") for name in ("miit", "zj", "thinktank")}


def _pages() -> list[tuple[str, Path]]:
    return [(name, page) for name in SITES for page in sorted((DEMO_DIR / "sites" / name).rglob("*.htm*"))[:4]]


def test_a_page_extracted_in_a_worker_equals_one_extracted_here() -> None:
    pages = _pages()
    assert {name for name, _ in pages} == set(SITES), "each demo site (UTF-8 and GBK, with and without selectors)"
    with ExtractPool(workers=1) as pool:
        for name, page in pages:
            source = SITES[name]
            item = Release(source=source.name, url=f"http://replica.invalid/{page.name}", body=page.read_bytes())
            fut = pool.try_submit_page(page.read_bytes(), item.url, None, source.encoding, source.detail)
            assert fut is not None, "an idle worker takes the page"
            assert fut.result(timeout=30) == extract_release_page(item, source), page


def test_with_every_worker_busy_the_caller_extracts_the_page_itself() -> None:
    limits = ExtractLimits(max_inflated_bytes=1 << 40, memory_bytes=0, time_limit=3.0)
    source = SITES["miit"]
    body = next((DEMO_DIR / "sites" / "miit" / "wjfb").glob("art_*.html")).read_bytes()
    with ExtractPool(workers=1, limits=limits) as pool:
        slow = pool.submit(pdf_bomb(1024), "bomb.pdf")  # keeps the one worker busy until its time limit
        queued = pool.try_submit_page(body, "http://replica.invalid/a.html", None, source.encoding, source.detail)
        assert queued is not None, "one page may wait for the worker"
        assert pool.try_submit_page(body, "http://replica.invalid/b.html", None, source.encoding, source.detail) is None
        assert isinstance(slow.result(timeout=30), ExtractionError)
        assert queued.result(timeout=30).title
        again = pool.try_submit_page(body, "http://replica.invalid/c.html", None, source.encoding, source.detail)
        assert again is not None, "free again once the work is done"
        again.result(timeout=30)


def test_without_worker_processes_pages_are_never_sent_anywhere() -> None:
    with ExtractPool(workers=0) as pool:
        assert pool.try_submit_page(b"<html><title>x</title></html>", "http://replica.invalid/x.html") is None


@pytest.mark.parametrize("workers", [0, 1])
def test_the_stored_release_does_not_depend_on_where_its_page_was_extracted(settings, workers: int) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from pipeline.process import PagePipeline
    from storage.db import session_scope
    from storage.models import Document, DocumentVersion

    source = SITES["zj"]
    page = sorted((DEMO_DIR / "sites" / "zj").rglob("*.htm*"))[-1]
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": workers}))
    try:
        out = pipeline.process(Release(source=source.name, url="http://replica.invalid/zj.html", body=page.read_bytes()), source, None)
    finally:
        pipeline.close()
    expected = extract_release_page(Release(source=source.name, url="http://replica.invalid/zj.html", body=page.read_bytes()), source)
    with session_scope(settings) as s:
        doc = s.exec(select(Document).where(Document.id == out.document_id)).one()
        version = s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)).one()
    assert out.status == "new" and doc.title == (expected.title or "").strip()
    assert expected.text.splitlines()[0][:20] in version.text


def test_the_stored_document_says_where_its_publish_date_was_read(settings) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from pipeline.process import PagePipeline
    from storage.db import session_scope
    from storage.models import Document

    source = SITES["zj"]
    page = DEMO_DIR / "sites" / "zj" / "tzgg" / "art_1229_01.html"
    item = Release(source=source.name, url="http://replica.invalid/zj-art.html", body=page.read_bytes())
    expected = extract_release_page(item, source)
    assert expected.published is not None and expected.date_source, "the replica page shows its date"
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))
    try:
        out = pipeline.process(item, source, None)
        listed = Release(
            source=source.name,
            url="http://replica.invalid/undated.html",
            body=b"<html><body><p>x</p></body></html>",
            list_date="2025-03-05",
        )
        undated = pipeline.process(listed, source, None)
    finally:
        pipeline.close()
    with session_scope(settings) as s:
        doc = s.exec(select(Document).where(Document.id == out.document_id)).one()
        other = s.exec(select(Document).where(Document.id == undated.document_id)).one()
    assert (doc.published, doc.date_source) == (expected.published, expected.date_source)
    assert (str(other.published), other.date_source) == ("2025-03-05", "list")


def test_the_stored_document_keeps_its_signing_date(settings) -> None:  # type: ignore[no-untyped-def]
    """成文日期 from the page's 信息公开 table, or from an attachment that ends with its signing date."""
    import datetime as dt

    from sqlmodel import select

    from pipeline.process import PagePipeline
    from pipeline.release_fields import _attachment_written
    from storage.db import session_scope
    from storage.models import Document

    source = SITES["zj"]
    page = DEMO_DIR / "sites" / "zj" / "tzgg" / "art_1229_01.html"
    item = Release(source=source.name, url="http://replica.invalid/zj-signed.html", body=page.read_bytes())
    expected = extract_release_page(item, source)
    assert expected.written is not None, "the replica's table gives 成文日期"
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))
    try:
        out = pipeline.process(item, source, None)
    finally:
        pipeline.close()
    with session_scope(settings) as s:
        doc = s.exec(select(Document).where(Document.id == out.document_id)).one()
    assert doc.written == expected.written
    assert _attachment_written([{"written": None}, {"written": "2024-01-18"}]) == dt.date(2024, 1, 18)
    assert _attachment_written([{"written": "2024年1月"}]) is None
