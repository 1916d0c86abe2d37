"""本期要点 picks the items a reader should see first, and each of them has something to say."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime, timezone

from alerts.period import week_containing
from alerts.select import Digest, DigestItem
from storage.models import Document, DocumentVersion, TrackLabel


def _item(n: int, priority: float, summary: str | None) -> DigestItem:
    doc = Document(id=n, source_name="miit", url=f"http://127.0.0.1:9/{n}", title=f"文件{n}", published=date(2025, 3, n))
    ver = DocumentVersion(document_id=n, version_no=1, text_hash=str(n), title=f"文件{n}", text="正文。", summary=summary)
    label = TrackLabel(document_id=n, version_no=1, track="未来信息", track_id="info", score=1.0, terms={"6G": 2})
    return DigestItem(document=doc, version=ver, labels=[label], changed=False, source_title="工信部", priority=priority)


def _digest(items: list[DigestItem]) -> Digest:
    d = Digest(period=week_containing(datetime(2025, 3, 5, tzinfo=timezone.utc)))
    d.groups = OrderedDict({"未来信息": OrderedDict({"全国": items})})
    return d


def test_highlights_are_the_highest_ranked_items() -> None:
    items = [_item(i, float(i), f"到2027年，建成{i}个试验平台。") for i in range(1, 6)]
    assert [it.document.id for it in _digest(items).highlights] == [5, 4, 3]


def test_an_item_with_nothing_to_quote_gives_way_to_items_that_say_what_they_do() -> None:
    # the top-ranked notice's only text was a broken attachment: no summary, so no key figure to show
    items = [_item(1, 9.0, None), _item(2, 9.0, "  ")] + [_item(i, float(i), f"到2027年，培育{i}家骨干企业。") for i in range(3, 6)]
    assert [it.document.id for it in _digest(items).highlights] == [5, 4, 3]


def test_items_without_summaries_still_fill_the_highlights_when_nothing_else_is_left() -> None:
    items = [_item(1, 9.0, None), _item(2, 1.0, "到2027年，建成2个集聚区。"), _item(3, 2.0, "设立100亿元产业基金。")]
    assert [it.document.id for it in _digest(items).highlights] == [3, 2, 1]


def test_an_item_whose_key_figure_has_a_number_leads_a_release_hook() -> None:
    # a 解读 filed under four tracks outranks a single-track plan by priority, but its summary only says it was issued
    hook = _item(1, 30.0, "近日，省工信厅等五部门联合印发《关于推动未来产业发展的实施意见》。")
    plans = [_item(i, float(i), f"到2027年，培育{i}家骨干企业。") for i in range(2, 5)]
    assert [it.document.id for it in _digest([hook, *plans]).highlights] == [4, 3, 2]
    words = _item(5, 1.0, "设立三类产业基金，支持十家链主企业开展并购。")
    assert [it.document.id for it in _digest([hook, words, plans[0]]).highlights] == [2, 5, 1]
