"""Which items an analyst needs first: a documented priority score.

priority = issuing level      国务院 100 · 部委 (national) 80 · 省 60 · 市 40 · 智库/研究机构/媒体 30
                              (a think tank's analysis of the national plan is not a national document)
         + document type      政策文件/实施意见 20 · 行动计划·方案 18 · 征求意见稿 15 · 通知公告 10 ·
                              政策解读 6 · 研究报告 4 · 新闻动态 2
         + 5 per track the item is filed under
         + sub-track evidence (matched term occurrences of the leading track, capped at 10)
         + 8 if it changes a document subscribers already know
         + 5 per other site that republished it (capped at 20)
Ties are broken by publish date, newest first.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from core.paths import CONFIG_DIR

if TYPE_CHECKING:
    from alerts.select import DigestItem

LEVELS = {"国务院": 100, "部委": 80, "省": 60, "市": 40, "智库": 30}
# who writes about policy without issuing it: think tanks, research institutes, brokers' research, newspapers
_NOT_AN_ISSUER = re.compile(r"智库|研究院|研究所|研究中心|研究会|学会|协会|证券|咨询|观察|日报|晚报|报社|新闻|传媒|网$")
DOCTYPE_WEIGHT = {
    "政策文件": 20,
    "实施意见": 20,
    "行动计划·方案": 18,
    "征求意见稿": 15,
    "通知公告": 10,
    "政策解读": 6,
    "研究报告": 4,
    "新闻动态": 2,
}


@lru_cache(maxsize=1)
def _provinces() -> frozenset[str]:
    data = yaml.safe_load(Path(CONFIG_DIR / "regions.yaml").read_text(encoding="utf-8"))
    return frozenset(p["name"] for p in data.get("provinces", []))


def issuing_level(agency: str | None, region: str | None) -> str:
    if agency and _NOT_AN_ISSUER.search(agency) and not re.search(r"(部|委|局|厅|办公室|政府)$", agency):
        return "智库"  # 国务院发展研究中心 included: it studies policy, it does not issue it
    if agency and ("国务院" in agency or "中共中央" in agency):
        return "国务院"
    if region in (None, "", "全国"):
        return "部委"
    return "省" if region in _provinces() else "市"


def priority(item: "DigestItem") -> float:
    doc = item.document
    score: float = LEVELS[issuing_level(doc.agency, doc.region)]
    score += DOCTYPE_WEIGHT.get(doc.doctype or "", 0)
    score += 5 * len(item.labels)
    score += min(10, sum(item.primary.terms.values()))
    score += 8 if item.changed else 0
    score += republication_bonus(len(item.also))
    return float(score)


def republication_bonus(copies: int) -> float:
    """5 per other site that republished the release, capped at 20."""
    return float(min(20, 5 * copies))
