"""parse_cn_date: every date spelling Chinese government pages use, and what is not a date."""

from datetime import date

import pytest

from pipeline.dates import find_cn_dates, parse_cn_date


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-05",
        "2025-3-5",
        "2025/03/05 10:20",
        "2025/3/5",
        "2025.03.05",
        "2025年3月5日",
        "2025年03月05日",
        "2025 年 3 月 5 日",
        "发布日期：2025-03-05",
        "发布时间：2025年3月5日 09:30:00",
        "【发布时间】2025/03/05 10:20",
        "２０２５－０３－０５",
        "二〇二五年三月五日",
        "二○二五年三月五日",
        "t20250305_123456.html",
    ],
)
def test_parses_every_spelling_of_the_same_day(text: str) -> None:
    assert parse_cn_date(text) == date(2025, 3, 5)


def test_chinese_numeral_tens() -> None:
    assert parse_cn_date("二〇二四年十二月三十一日") == date(2024, 12, 31)
    assert parse_cn_date("二〇二四年十月十日") == date(2024, 10, 10)


@pytest.mark.parametrize("text", ["", "无", "2025-13-01", "2025年2月30日", "第2025号", "浏览次数：20250"])
def test_non_dates_and_impossible_days_give_none(text: str) -> None:
    assert parse_cn_date(text) is None


def test_first_date_wins_and_all_are_found_in_order() -> None:
    s = "成文日期：2024年1月18日 发布日期：2024-01-31"
    assert parse_cn_date(s) == date(2024, 1, 18)
    assert [d for _, d in find_cn_dates(s)] == [date(2024, 1, 18), date(2024, 1, 31)]
