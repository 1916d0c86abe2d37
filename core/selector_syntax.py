"""Selector syntax is checked when a source file is validated, not when a crawl first uses it.

A typo such as ``ul.list li[[[`` used to pass ``radar sources validate`` and
then fail on every list page of every crawl.  The check compiles each
selector with the same libraries the spider uses (parsel's CSS translator,
which knows Scrapy's ``::text`` and ``::attr(name)``; lxml's XPath compiler),
so what passes here parses there.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

XPATH_PREFIX = "xpath:"


@lru_cache(maxsize=1)
def _css_translator() -> Any:
    from parsel.csstranslator import HTMLTranslator

    return HTMLTranslator()


def check_selector(expr: str) -> str:
    """Return ``expr`` unchanged, or raise ValueError naming the syntax problem (CSS by default, ``xpath:`` for XPath)."""
    if not expr or not expr.strip():
        raise ValueError("empty selector")
    if expr.startswith(XPATH_PREFIX):
        from lxml import etree

        try:
            etree.XPath(expr[len(XPATH_PREFIX) :])
        except etree.XPathError as exc:
            raise ValueError(f"invalid XPath {expr[len(XPATH_PREFIX) :]!r}: {exc}") from exc
        return expr
    from cssselect import SelectorError

    try:
        _css_translator().css_to_xpath(expr)
    except (SelectorError, ValueError, NotImplementedError) as exc:
        raise ValueError(f"invalid CSS selector {expr!r}: {exc} (prefix XPath with 'xpath:')") from exc
    return expr
