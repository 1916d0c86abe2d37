"""Who issued a release decides how high it ranks: a think tank writing about the national plan did not issue it."""

from __future__ import annotations

import pytest

from alerts.rank import LEVELS, issuing_level


@pytest.mark.parametrize(
    ("agency", "region", "level"),
    [
        ("国务院办公厅", "全国", "国务院"),
        ("工业和信息化部", "全国", "部委"),
        ("国家发展改革委", "全国", "部委"),
        ("浙江省经济和信息化厅", "浙江", "省"),
        ("杭州市人民政府", "杭州", "市"),
        ("苏州太湖智库", "全国", "智库"),
        ("中国信息通信研究院", "全国", "智库"),
        ("国务院发展研究中心", "全国", "智库"),
        ("某某证券研究所", "全国", "智库"),
        ("某省日报社", "全国", "智库"),
        ("某省科学技术协会", "某省", "智库"),
        ("某市大数据管理局", "杭州", "市"),
    ],
)
def test_issuing_level(agency: str, region: str, level: str) -> None:
    assert issuing_level(agency, region) == level


def test_a_think_tank_ranks_below_every_government_level() -> None:
    assert LEVELS["智库"] < min(v for k, v in LEVELS.items() if k != "智库")
