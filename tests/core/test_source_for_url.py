"""Which configured source a page address belongs to (what `radar extract URL` reads it with)."""

from __future__ import annotations

from typing import Any

from core.sources import SourceConfig, source_for_url


def _src(name: str, start: str, **extra: Any) -> SourceConfig:
    return SourceConfig.model_validate(
        {"name": name, "title": name, "region": "全国", "agency": "某部", "start_urls": [start], "list": {"item": "li"}, **extra}
    )


WJFB = _src("bu-wjfb", "https://www.bu.gov.cn/zwgk/zcwj/wjfb/index.html", detail={"body": "#UCAP-CONTENT"})
ZCJD = _src("bu-zcjd", "https://www.bu.gov.cn/zwgk/zcjd/index.html", detail={"body": "div.article"})
SHENG = _src("sheng", "https://www.sheng.gov.cn/col/col1/index.html")


def test_the_column_sharing_the_most_folders_wins_on_a_shared_site() -> None:
    found, _tied = source_for_url("https://www.bu.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_17.html", [ZCJD, WJFB, SHENG])
    assert found is WJFB
    found, _tied = source_for_url("https://www.bu.gov.cn/zwgk/zcjd/art/2025/art_3.html", [WJFB, ZCJD, SHENG])
    assert found is ZCJD


def test_a_subdomain_of_the_site_belongs_to_it_another_port_of_the_host_does_not() -> None:
    assert source_for_url("http://bu.gov.cn/zwgk/zcwj/wjfb/a.html", [WJFB])[0] is WJFB  # without www.
    assert source_for_url("https://wap.sheng.gov.cn/art/1.html", [SHENG])[0] is SHENG
    local = _src("replica", "http://127.0.0.1:8765/miit/index.html")
    assert source_for_url("http://127.0.0.1:9999/miit/a.html", [local]) == (None, [])
    assert source_for_url("https://elsewhere.example.org/a.html", [WJFB, SHENG]) == (None, [])


def test_include_patterns_decide_between_columns_on_one_folder() -> None:
    notices = _src("bu-tz", "https://www.bu.gov.cn/zwgk/index.html", include_patterns=[r"/tz/"], detail={"body": "#a"})
    news = _src("bu-xw", "https://www.bu.gov.cn/zwgk/index.html", include_patterns=[r"/xw/"], detail={"body": "#b"})
    assert source_for_url("https://www.bu.gov.cn/zwgk/xw/1.html", [notices, news])[0] is news


def test_a_tie_between_sources_that_read_pages_differently_names_both_and_picks_neither() -> None:
    a = _src("bu-a", "https://www.bu.gov.cn/zwgk/index.html", detail={"body": "#a"})
    b = _src("bu-b", "https://www.bu.gov.cn/zwgk/index.html", detail={"body": "#b"})
    found, tied = source_for_url("https://www.bu.gov.cn/zwgk/1.html", [a, b])
    assert found is None and {s.name for s in tied} == {"bu-a", "bu-b"}
    same = _src("bu-c", "https://www.bu.gov.cn/zwgk/index.html", detail={"body": "#a"})
    assert source_for_url("https://www.bu.gov.cn/zwgk/1.html", [a, same])[0] is a  # they would read it identically
