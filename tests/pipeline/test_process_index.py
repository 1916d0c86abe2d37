"""Storing a release writes its search-index row in the same transaction; the row equals what a rebuild writes."""

from __future__ import annotations

from sqlalchemy import text

from radar.paths import DEMO_DIR
from radar.settings import Settings
from radar.sources import load_source
from pipeline.process import PagePipeline
from storage.db import get_engine
from web.search import reindex_all

BASE = "http://replica.invalid/miit/wjfb/"
PAGES = sorted((DEMO_DIR / "sites" / "miit" / "wjfb").glob("art_*.html"))


def _row(settings: Settings, doc_id: int) -> tuple[str, str, str]:
    engine = get_engine(settings)
    sql = ("SELECT title, body, attachments FROM docsearch_fts WHERE rowid = :id" if engine.dialect.name == "sqlite"
           else "SELECT title, body, attachments FROM docsearch WHERE document_id = :id")
    with engine.connect() as conn:
        row = conn.execute(text(sql), {"id": doc_id}).one()
    return tuple(row)  # type: ignore[return-value]


def _item(body: bytes, attachment: str) -> dict:
    return {
        "url": BASE + PAGES[0].name, "body": body, "list_title": None, "validators": None,
        "attachments": [
            {"url": BASE + "files/a.txt", "data": attachment.encode(), "content_type": "text/plain", "label": "申报材料清单"},
            {"url": BASE + "files/empty.txt", "data": b" ", "content_type": "text/plain", "label": "空白"},
        ],
    }


def test_the_index_row_of_a_new_and_of_a_changed_release_equals_a_rebuilt_one(settings: Settings) -> None:
    source = load_source(DEMO_DIR / "sources" / "miit.yaml")
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))
    try:
        first = pipeline.process(_item(PAGES[0].read_bytes(), "附件一：申报材料清单（氢能示范）"), source, None)
        assert first.status == "new" and first.document_id is not None
        written = _row(settings, first.document_id)
        assert "氢能示范" in written[2] and written[0].strip()
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
