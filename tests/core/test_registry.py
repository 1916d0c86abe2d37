"""Every name a config may use has exactly one implementation, and every implementation has a name."""

from __future__ import annotations

from typing import Literal

import pytest

from core.registry import complete, names
from core.sources import ListFormat, PaginationType, SourceConfig


def test_a_registry_must_implement_its_vocabulary_exactly() -> None:
    vocabulary = Literal["a", "b"]
    assert dict(complete("demo", vocabulary, {"a": 1, "b": 2})) == {"a": 1, "b": 2}
    with pytest.raises(RuntimeError, match=r"missing \['b'\], undeclared \[\]"):
        complete("demo", vocabulary, {"a": 1})
    with pytest.raises(RuntimeError, match=r"missing \[\], undeclared \['c'\]"):
        complete("demo", vocabulary, {"a": 1, "b": 2, "c": 3})


def test_a_registry_cannot_be_changed_after_the_check() -> None:
    registry = complete("demo", Literal["a"], {"a": 1})
    with pytest.raises(TypeError):
        registry["b"] = 2  # type: ignore[index]


def test_the_spider_registries_implement_what_the_source_schema_accepts() -> None:
    from spiders.listing import LIST_READERS
    from spiders.pagination import PAGINATORS

    assert tuple(PAGINATORS) == names(PaginationType)
    assert tuple(LIST_READERS) == names(ListFormat)


def test_the_schema_rejects_a_name_no_registry_implements() -> None:
    base = {
        "name": "x",
        "title": "测试",
        "region": "全国",
        "agency": "测试",
        "start_urls": ["http://127.0.0.1/"],
        "list": {"item": "li", "link": "a::attr(href)"},
    }
    SourceConfig.model_validate(base | {"pagination": {"type": "next", "next_selector": "a.next::attr(href)"}})
    with pytest.raises(ValueError, match="createpage"):  # the message lists the registry's names
        SourceConfig.model_validate(base | {"pagination": {"type": "infinite-scroll"}})
    with pytest.raises(ValueError, match="sitemap"):
        SourceConfig.model_validate(base | {"format": "xml"})
