"""Where a publish date came from, in the words an auditor reads on the document page."""

from __future__ import annotations

import pytest

from core.status_words import date_source_zh


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("label:发布日期", "页面标注“发布日期”"),
        ("label:生成日期", "页面标注“生成日期”"),
        ("meta:pubdate", "页面元数据 pubdate"),
        ("time-element", "页面时间元素"),
        ("beside-title", "标题旁的日期"),
        ("url", "网址中的日期"),
        ("list", "列表页上的日期"),
        ("selector", "来源配置的日期选择器"),
    ],
)
def test_every_stored_date_source_reads_in_chinese(stored: str, shown: str) -> None:
    assert date_source_zh(stored) == shown


def test_no_source_shows_nothing_and_an_unknown_one_shows_as_stored() -> None:
    assert date_source_zh(None) == "" == date_source_zh("")
    assert date_source_zh("something-new") == "something-new"
