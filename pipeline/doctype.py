"""What kind of document a release is, from its title and a little metadata.

Subscribers read a 征求意见稿 (they can still comment) differently from a
final 政策文件 or a news item about one, so the digest shows the type.  Titles
are formulaic enough for ordered keyword rules; the rules are data
(``config/doctypes.yaml``).  "关于印发《X》的通知" is judged by X: the notice
only wraps the real document.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline.cnfold import clean_whitespace, fold
from core.paths import CONFIG_DIR
from core.yamlconfig import load_model

DOCTYPES = ("政策文件", "征求意见稿", "行动计划·方案", "实施意见", "通知公告", "政策解读", "新闻动态", "研究报告")

_WRAPPED = re.compile(r"(?:印发|转发|发布|公布|出台)[^《]{0,20}《([^》]+)》")


class Rule(BaseModel):
    """One document type and the title words that indicate it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    title: list[str]
    not_title: list[str] = Field(default_factory=list)


class DoctypeRules(BaseModel):
    """The doctypes file."""

    model_config = ConfigDict(extra="forbid")
    order: list[Rule]
    default: str = "新闻动态"
    default_with_doc_number: str = "政策文件"
    kinds: dict[str, str] = Field(default_factory=dict)


@lru_cache(maxsize=4)
def _rules(path: str) -> DoctypeRules:
    rules = load_model(Path(path), DoctypeRules, expand_env=False)
    for name in [r.name for r in rules.order] + [rules.default, rules.default_with_doc_number, *rules.kinds.values()]:
        if name not in DOCTYPES:
            raise ValueError(f"{path}: unknown document type {name!r}; expected one of {', '.join(DOCTYPES)}")
    return rules


def _match(rules: DoctypeRules, title: str) -> str | None:
    for rule in rules.order:
        if any(fold(w) in title for w in rule.title) and not any(fold(w) in title for w in rule.not_title):
            return rule.name
    return None


def detect_doctype(title: str, meta: dict[str, Any] | None = None, *, rules_path: str | Path | None = None) -> str:
    """One of DOCTYPES.  ``meta`` may carry ``doc_number`` (发文字号) and ``kind`` (source kind)."""
    rules = _rules(str(rules_path or CONFIG_DIR / "doctypes.yaml"))
    meta = meta or {}
    t = fold(clean_whitespace(title or ""))
    inner = _WRAPPED.search(t)
    if inner:
        found = _match(rules, inner.group(1))
        if found == "征求意见稿" or (found and not any(fold(w) in t for w in rules.order[0].title)):
            return found
    found = _match(rules, t)
    if found:
        return found
    kind = meta.get("kind")
    if meta.get("doc_number"):
        return rules.default_with_doc_number
    if kind and kind in rules.kinds:
        return rules.kinds[kind]
    return rules.default
