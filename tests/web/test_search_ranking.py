"""Search ranks by relevance: title hits before hits in the body or attachments, then the newest; or by date on request."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.settings import Settings
from storage.db import get_engine, session_scope
from storage.models import Attachment, Document, DocumentVersion
from storage.search_index import ensure_index, index_document
from web.search import SearchFilters, search


@pytest.fixture
def library(settings: Settings) -> dict[str, int]:
    """Four releases that mention 氢能 in different places, crawled in an order unrelated to either ranking."""
    ensure_index(get_engine(settings))
    rows = [  # (key, title, body, attachment text, published)
        ("body", "城市更新工作方案", "推进老旧小区改造，探索氢能公交示范线路。", None, date(2025, 6, 1)),
        ("title_old", "关于推动氢能产业发展的通知", "加快制氢、储运和加注设施建设。", None, date(2024, 1, 1)),
        ("attachment", "人才引进政策", "引进高层次人才。", "附件：重点领域目录 氢能 储能", date(2025, 7, 1)),
        ("title_new", "氢能与储能专项行动方案", "统筹发展氢能和新型储能。", None, date(2025, 2, 1)),
    ]
    ids: dict[str, int] = {}
    with session_scope(settings) as s:
        for key, title, body, att, published in rows:
            doc = Document(source_name="t", url=f"http://127.0.0.1/{key}.html", title=title, published=published, current_version=1)
            s.add(doc)
            s.flush()
            assert doc.id is not None
            s.add(DocumentVersion(document_id=doc.id, version_no=1, text_hash=key, title=title, text=body))
            if att:
                s.add(Attachment(document_id=doc.id, url=f"http://127.0.0.1/{key}.pdf", filename="目录.pdf", text=att))
            s.flush()
            index_document(s, doc.id)
            ids[key] = doc.id
    return ids


def _order(settings: Settings, q: str, sort: str = "relevance") -> list[int]:
    with Session(get_engine(settings)) as s:
        return [h.document_id for h in search(s, q, SearchFilters(), sort=sort).hits]


def test_title_hits_come_first_then_the_rest_each_newest_first(settings: Settings, library: dict[str, int]) -> None:
    assert _order(settings, "氢能") == [library[k] for k in ("title_new", "title_old", "attachment", "body")]


def test_more_query_terms_in_the_title_rank_higher(settings: Settings, library: dict[str, int]) -> None:
    assert _order(settings, "氢能 储能")[:1] == [library["title_new"]]


def test_date_sort_is_newest_publication_first(settings: Settings, library: dict[str, int]) -> None:
    assert _order(settings, "氢能", "date") == [library[k] for k in ("attachment", "body", "title_new", "title_old")]


def test_an_unknown_sort_is_refused(settings: Settings, library: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        _order(settings, "氢能", "random")


def test_the_api_and_the_page_offer_the_switch(settings: Settings, library: dict[str, int]) -> None:
    from web.app import create_app
    from web.security import WebConfig

    with TestClient(create_app(settings, WebConfig(RADAR_PUBLIC_READ="1"))) as client:
        rel = client.get("/api/search", params={"q": "氢能"}).json()["items"]
        by_date = client.get("/api/search", params={"q": "氢能", "sort": "date"}).json()["items"]
        assert client.get("/api/search", params={"q": "氢能", "sort": "random"}).status_code == 422
        page = client.get("/search", params={"q": "氢能", "sort": "date"}).text
    assert [i["document_id"] for i in rel][0] == library["title_new"]
    assert [i["document_id"] for i in by_date][0] == library["attachment"]
    assert '<option value="date" selected>发布日期</option>' in page and "相关度</a>" in page
