"""One pass over a text that finds every taxonomy phrase, leftmost-longest.

Hundreds of terms times ``str.count`` would rescan a page hundreds of times;
an Aho-Corasick automaton (pyahocorasick, C) scans it once.  Leftmost-longest
matching is also what makes exclusion phrases work: "量子之歌" swallows the
"量子" inside it.  If pyahocorasick is missing we fall back to one compiled
regex alternation, longest alternatives first, which gives the same matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:  # pragma: no cover - exercised by whichever is installed
    import ahocorasick as _ac
except ImportError:  # pragma: no cover
    _ac = None


class TermIndex:
    """Maps folded phrases to payloads; ``scan`` yields matches without overlaps."""

    def __init__(self, phrases: dict[str, Any]):
        if not phrases:
            raise ValueError("no phrases to index")
        self._lengths = {p: len(p) for p in phrases}
        if _ac is not None:
            auto = _ac.Automaton()
            for phrase, payload in phrases.items():
                auto.add_word(phrase, (len(phrase), payload))
            auto.make_automaton()
            self._auto = auto
            self._regex = None
        else:
            ordered = sorted(phrases, key=lambda p: (-len(p), p))
            self._regex = re.compile("|".join(re.escape(p) for p in ordered))
            self._payload = dict(phrases)
            self._auto = None

    @property
    def backend(self) -> str:
        """Which matcher is in use, for benchmarks and reports."""
        return "pyahocorasick" if self._auto is not None else "regex"

    def scan(self, text: str) -> Iterator[tuple[int, tuple[int, Any]]]:
        """Non-overlapping leftmost-longest matches as (last index, (length, payload)).

        The odd shape is pyahocorasick's own, passed through untouched because
        the caller's loop is the hot path of classification.
        """
        if self._auto is not None:
            return self._auto.iter_long(text)  # type: ignore[no-any-return]
        return self._regex_scan(text)

    def _regex_scan(self, text: str) -> Iterator[tuple[int, tuple[int, Any]]]:
        assert self._regex is not None
        payload = self._payload
        for m in self._regex.finditer(text):
            g = m.group()
            yield m.end() - 1, (len(g), payload[g])
