"""Named groups of regular expressions, tested against many short texts, with a literal prefilter.

Why: a digest summary tests every sentence of every stored page against some
eighty cue and furniture patterns (``config/summary.yaml``).  Each
``re.search`` on a 60-character sentence costs far more in Python's call
overhead than in matching, and almost every one fails.  Nearly every pattern
can only match where some literal occurs (印发给你们, 到 … 年, 给予 …): one
Aho-Corasick pass over the sentence finds which of those literals are present,
and only patterns (and whole groups) whose literals are there are searched.
The answer is exactly that of searching every pattern: a pattern is skipped
only when a text it would need is absent, and a pattern whose required text
cannot be worked out is always searched.
"""

from __future__ import annotations

import re
import re._constants as opcodes  # the parser's opcodes: stable across 3.11+, and only used to read, never to build
import re._parser as sre_parse
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import ahocorasick_rs as _rs

_REPEATS = (opcodes.MAX_REPEAT, opcodes.MIN_REPEAT, getattr(opcodes, "POSSESSIVE_REPEAT", opcodes.MAX_REPEAT))


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` contains at least one; None when that cannot be told.

    ``(不少于|超过)\\s*\\d+`` → {不少于, 超过}; ``到\\d{4}年`` → {到} or {年} (the longer literal wins a tie
    only by length); ``[？?]$`` → {？, ?}.  Case-insensitive patterns get None (a literal check would be
    case-sensitive).
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    return _required(list(parsed))


def _required(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    found: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is opcodes.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append(frozenset({"".join(run)}))
            run = []
        got: frozenset[str] | None = None
        if op is opcodes.SUBPATTERN:
            add_flags = av[1]
            got = None if add_flags & re.IGNORECASE else _required(list(av[-1]))
        elif op is opcodes.BRANCH:
            alts = [_required(list(b)) for b in av[1]]
            got = _union(alts)
        elif op in _REPEATS:
            lo, _hi, sub = av
            got = _required(list(sub)) if lo >= 1 else None
        elif op is opcodes.IN:
            members = av
            if members and all(m_op is opcodes.LITERAL for m_op, _ in members):
                got = frozenset(chr(v) for _, v in members)
        # anything else (classes, anchors, look-arounds, ANY, NOT_LITERAL) requires no literal we can use
        if got:
            found.append(got)
    if run:
        found.append(frozenset({"".join(run)}))
    if not found:
        return None
    # the most selective: longest shortest member, then fewest alternatives
    return max(found, key=lambda lits: (min(map(len, lits)), -len(lits)))


def _union(sets: list[frozenset[str] | None]) -> frozenset[str] | None:
    """All of them together; None if there are none or any is None (something unknown may match)."""
    out: frozenset[str] = frozenset()
    for one in sets:
        if one is None:
            return None
        out |= one
    return out if sets else None


class PatternGroups:
    """Which named groups of patterns a text matches ("a group matches when any of its patterns does")."""

    def __init__(self, groups: Mapping[str, Iterable[str]], prefilter: bool = True) -> None:
        self._groups: dict[str, tuple[frozenset[str] | None, list[tuple[re.Pattern[str], frozenset[str] | None]]]] = {}
        literals: set[str] = set()
        for name, patterns in groups.items():
            compiled = []
            for p in patterns:
                lits = required_literals(p) if prefilter else None
                compiled.append((re.compile(p), lits))
                literals |= lits or set()
            gate = _union([lits for _, lits in compiled])
            self._groups[name] = (gate, compiled)
        self.names = list(self._groups)
        self._ac = _rs.AhoCorasick(sorted(literals), matchkind=_rs.MatchKind.Standard) if literals else None
        self._present = lru_cache(maxsize=256)(self._find_literals)

    def _find_literals(self, text: str) -> frozenset[str]:
        if self._ac is None:
            return frozenset()
        return frozenset(self._ac.find_matches_as_strings(text, overlapping=True))

    def has(self, name: str, text: str) -> bool:
        """Whether ``text`` matches group ``name`` (False for a group that does not exist)."""
        group = self._groups.get(name)
        if group is None:
            return False
        gate, patterns = group
        present = self._present(text)
        if gate is not None and gate.isdisjoint(present):
            return False
        return any((lits is None or not lits.isdisjoint(present)) and p.search(text) is not None for p, lits in patterns)

    def matching(self, text: str) -> list[str]:
        """The groups ``text`` matches, in the order they were given."""
        present = self._present(text)
        out = []
        for name, (gate, patterns) in self._groups.items():
            if gate is not None and gate.isdisjoint(present):
                continue
            if any((lits is None or not lits.isdisjoint(present)) and p.search(text) is not None for p, lits in patterns):
                out.append(name)
        return out
