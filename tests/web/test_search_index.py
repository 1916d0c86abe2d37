"""The search index: kept in sync by index_document, Chinese substrings of any length, filters, rebuilds."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.settings import Settings
from storage.db import get_engine, session_scope
from storage.models import Attachment, Document, DocumentVersion
from storage.search_index import ensure_index, index_document, normalize_doc_number, reindex_all
from web.search import SearchFilters, highlight, parse_query, search, term_variants
from webdata import Seeded


def _ids(settings: Settings, q: str, **filters: object) -> list[int]:
    with Session(get_engine(settings)) as s:
        return [h.document_id for h in search(s, q, SearchFilters(**filters)).hits]  # type: ignore[arg-type]


def test_substrings_of_every_length(seeded: Seeded) -> None:
    st = seeded.settings
    assert _ids(st, "示范城市群") == [seeded.doc]
    assert sorted(_ids(st, "氢能")) == sorted([seeded.draft, seeded.doc, seeded.reprint])  # two characters
    assert len(_ids(st, "氢")) == 3 and _ids(st, "X") == [seeded.xss]  # one character falls back to a scan
    assert _ids(st, "氢能 示范") == [seeded.doc]  # all terms must match
    assert _ids(st, "IMG") == [seeded.xss]  # case-insensitive
    assert _ids(st, "施行。") != []  # a term ending at the end of a column
    assert _ids(st, "不存在") == []
    assert _ids(st, "氢能", region="浙江") == [seeded.reprint]
    assert _ids(st, "氢能", track="未来能源", doctype="实施意见") == [seeded.doc]
    assert _ids(st, "氢能", since=date(2025, 3, 6)) == [seeded.reprint]


def test_index_follows_new_versions_and_attachments(seeded: Seeded) -> None:
    st = seeded.settings
    with session_scope(st) as s:
        doc = s.get(Document, seeded.draft)
        assert doc is not None
        doc.current_version = 2
        s.add(DocumentVersion(document_id=doc.id, version_no=2, text_hash="d2", title=doc.title, text="修订稿\n发展固态电池产业。"))  # type: ignore[arg-type]
        s.add(Attachment(document_id=doc.id, url="http://x/a.pdf", filename="a.pdf", text="附表 钠离子电池项目清单"))  # type: ignore[arg-type]
        index_document(s, doc.id)  # type: ignore[arg-type]
    assert _ids(st, "固态电池") == [seeded.draft]
    assert _ids(st, "钠离子电池") == [seeded.draft]
    assert seeded.draft not in _ids(st, "发展氢能产业")  # the old text left the index
    assert reindex_all(get_engine(st)) == 4 and _ids(st, "钠离子电池") == [seeded.draft]


def test_ensure_index_backfills_an_existing_database(settings: Settings) -> None:
    engine = get_engine(settings)
    with session_scope(settings) as s:
        d = Document(source_name="x", url="http://x/1", title="关于低空经济的若干措施")
        s.add(d)
        s.flush()
        s.add(DocumentVersion(document_id=d.id, version_no=1, text_hash="h", title=d.title, text="支持无人机物流。"))  # type: ignore[arg-type]
    import storage.search_index

    storage.search_index._ready.discard(str(engine.url))
    ensure_index(engine)
    assert len(_ids(settings, "低空经济")) == 1 and len(_ids(settings, "无人机")) == 1


def test_query_parsing_and_escaping() -> None:
    assert parse_query("  氢能　示范 “燃料 电池” 氢能 ") == ["氢能", "示范", "燃料 电池"]
    assert str(highlight("<b>氢能</b>", ["氢能"])) == "&lt;b&gt;<mark>氢能</mark>&lt;/b&gt;"
    assert str(highlight("a%_b", ["%_"])) == "a<mark>%_</mark>b"


def test_like_metacharacters_are_literal(seeded: Seeded) -> None:
    assert _ids(seeded.settings, "%") == [] and _ids(seeded.settings, "_") == []
    assert _ids(seeded.settings, '"') == [] and _ids(seeded.settings, 'a"b OR c') == []


def test_a_doc_number_is_found_whole_in_part_and_with_any_brackets(seeded: Seeded, client: TestClient) -> None:
    """发文字号 live in the page's metadata table, not the body: the index holds them (and the agency) too."""
    st = seeded.settings
    for q in ("工信部联规〔2025〕12号", "工信部联规", "〔2025〕12号", "工信部联规[2025]12号", "［2025］12号", "【2025】12号", "联规[2025"):
        assert _ids(st, q) == [seeded.doc], q
    assert _ids(st, "工信部联规〔2024〕12号") == []
    assert _ids(st, "浙江省经济和信息化厅") == [seeded.reprint]  # the agency, which its text never names
    got = client.get("/api/search", params={"q": "工信部联规[2025]12号"}).json()
    assert [item["document_id"] for item in got["items"]] == [seeded.doc]
    page = client.get("/search", params={"q": "工信部联规〔2025〕12号"})
    assert page.status_code == 200 and f"/documents/{seeded.doc}" in page.text


def test_a_document_citing_a_number_ranks_below_the_one_that_carries_it(seeded: Seeded) -> None:
    st = seeded.settings
    with session_scope(st) as s:
        cite = Document(source_name="x", url="http://x/cite", title="关于转发有关文件的通知", published=date(2030, 1, 1))
        s.add(cite)
        s.flush()
        s.add(
            DocumentVersion(document_id=cite.id, version_no=1, text_hash="c", title=cite.title, text="根据工信部联规〔2025〕12号文件精神。")
        )  # type: ignore[arg-type]
        index_document(s, cite.id)  # type: ignore[arg-type]
    assert _ids(st, "工信部联规〔2025〕12号") == [seeded.doc, cite.id]


def test_doc_number_normalisation() -> None:
    assert normalize_doc_number("工信部科 [2025] 18号") == "工信部科〔2025〕18号"
    assert normalize_doc_number("国办发（2024）3号") == "国办发〔2024〕3号"
    assert normalize_doc_number("京政发〔2025〕1号") == "京政发〔2025〕1号"
    assert term_variants("燃料 电池") == ["燃料 电池"]  # other terms are searched as typed
    assert term_variants("[2025]18号") == ["[2025]18号", "〔2025〕18号"]
