"""Storing a release writes its search-index row: a new document's in a batch once it has committed, a changed
one's in its own transaction; either row equals what a rebuild writes, and a row lost with a killed crawl is
written by the next process that opens the index."""

from __future__ import annotations

from sqlalchemy import text

from core.paths import DEMO_DIR
from core.settings import Settings
from core.sources import load_source
from pipeline.process import PagePipeline
from core.release import AttachmentPayload, Release
from storage.db import get_engine
from storage import search_index
from storage.search_index import reindex_all

BASE = "http://replica.invalid/miit/wjfb/"
PAGES = sorted((DEMO_DIR / "sites" / "miit" / "wjfb").glob("art_*.html"))


def _row(settings: Settings, doc_id: int) -> tuple[str, str, str] | None:
    engine = get_engine(settings)
    sql = (
        "SELECT title, body, attachments FROM docsearch_fts WHERE rowid = :id"
        if engine.dialect.name == "sqlite"
        else "SELECT title, body, attachments FROM docsearch WHERE document_id = :id"
    )
    with engine.connect() as conn:
        row = conn.execute(text(sql), {"id": doc_id}).first()
    return None if row is None else tuple(row)  # type: ignore[return-value]


def _index_rows(settings: Settings) -> int:
    engine = get_engine(settings)
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM " + ("docsearch_fts" if engine.dialect.name == "sqlite" else "docsearch"))).scalar_one()
        )


def _item(body: bytes, attachment: str, url: str = BASE + PAGES[0].name) -> Release:
    return Release(
        source="miit",
        url=url,
        body=body,
        attachments=[
            AttachmentPayload(url=BASE + "files/a.txt", data=attachment.encode(), content_type="text/plain", label="申报材料清单"),
            AttachmentPayload(url=BASE + "files/empty.txt", data=b" ", content_type="text/plain", label="空白"),
        ],
    )


def test_the_index_row_of_a_new_and_of_a_changed_release_equals_a_rebuilt_one(settings: Settings) -> None:
    source = load_source(DEMO_DIR / "sources" / "miit.yaml")
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))
    try:
        first = pipeline.process(_item(PAGES[0].read_bytes(), "附件一：申报材料清单（氢能示范）"), source, None)
        assert first.status == "new" and first.document_id is not None
        assert _row(settings, first.document_id) is None and pipeline.index.pending == 1  # waits for its batch
        assert pipeline.index.flush() == 1
        written = _row(settings, first.document_id)
        assert written is not None and "氢能示范" in written[2] and written[0].strip()
        assert reindex_all(get_engine(settings)) == 1
        assert _row(settings, first.document_id) == written  # a new document's row, built from what was in hand

        changed = pipeline.process(_item(PAGES[1].read_bytes(), "附件一：申报材料清单（修订）"), source, None)
        assert changed.status == "changed" and changed.document_id == first.document_id
        rewritten = _row(settings, first.document_id)
        assert rewritten != written and "修订" in rewritten[2]
        reindex_all(get_engine(settings))
        assert _row(settings, first.document_id) == rewritten  # read back from the tables for an existing one
    finally:
        pipeline.close()


def test_new_documents_are_indexed_a_batch_at_a_time_and_a_closed_pipeline_leaves_none_behind(settings: Settings) -> None:
    source = load_source(DEMO_DIR / "sources" / "miit.yaml")
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))
    pipeline.index.max_rows = 2
    try:
        ids = []
        for n, page in enumerate(PAGES[:3]):
            item = _item(page.read_bytes(), f"附件{n}", url=f"{BASE}batch{n}.html")
            ids.append(pipeline.process(item, source, None).document_id)
        assert _index_rows(settings) == 2 and pipeline.index.pending == 1  # the first two went out together
    finally:
        pipeline.close()
    assert _index_rows(settings) == 3 and all(_row(settings, i) is not None for i in ids)


def test_a_document_stored_without_its_index_row_is_indexed_by_the_next_process(settings: Settings) -> None:
    """What a crawl killed between a release's commit and its batch leaves: the next start writes the row."""
    source = load_source(DEMO_DIR / "sources" / "miit.yaml")
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))
    try:
        kept = pipeline.process(_item(PAGES[0].read_bytes(), "附件一：已索引"), source, None).document_id
        pipeline.index.flush()
        lost = pipeline.process(_item(PAGES[1].read_bytes(), "附件二：未索引", url=BASE + "lost.html"), source, None).document_id
        pipeline.index._rows.clear()  # the process dies with the batch unwritten
    finally:
        pipeline.close()
    assert kept is not None and lost is not None
    assert _row(settings, lost) is None
    before = _row(settings, kept)

    search_index._ready.clear()  # a new process
    search_index.ensure_index(get_engine(settings))

    row = _row(settings, lost)
    assert row is not None and "未索引" in row[2]
    assert _row(settings, kept) == before and _index_rows(settings) == 2
    reindex_all(get_engine(settings))
    assert _row(settings, lost) == row  # the repaired row is the row a rebuild writes
    assert search_index.index_missing(get_engine(settings)) == 0
