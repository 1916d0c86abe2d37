"""Registries: a mapping from a name the YAML speaks to the code that implements it.

Why a check of its own: the source schema (core/sources.py) sits in the base
layer and declares the names a file may use (``pagination.type``, ``format``);
the implementations need Scrapy and live higher up (spiders/).  Both sides
name the same vocabulary, a ``Literal`` declared once in the schema, and
``complete`` refuses, at import time, a registry whose keys are not exactly
that vocabulary: a name the schema accepts always has an implementation, and
an implementation added without its name in the schema fails loudly instead
of being unreachable.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar, get_args

T = TypeVar("T")


def names(vocabulary: Any) -> tuple[str, ...]:
    """The names of a ``Literal[...]`` vocabulary, in declaration order."""
    return tuple(get_args(vocabulary))


def complete(what: str, vocabulary: Any, entries: Mapping[str, T]) -> Mapping[str, T]:
    """``entries`` as a read-only registry, after checking it implements every name of ``vocabulary`` and no other."""
    declared = set(names(vocabulary))
    missing = sorted(declared - set(entries))
    unknown = sorted(set(entries) - declared)
    if missing or unknown:
        raise RuntimeError(f"{what} registry does not match its schema vocabulary: missing {missing}, undeclared {unknown}")
    return MappingProxyType(dict(entries))
