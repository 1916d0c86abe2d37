"""One pass over a text that finds every taxonomy phrase, leftmost-longest.

Hundreds of terms times ``str.count`` would rescan a page hundreds of times;
an Aho-Corasick automaton scans it once.  Leftmost-longest matching is also
what makes exclusion phrases work: "量子之歌" swallows the "量子" inside it.

The automaton is ``ahocorasick_rs`` (Rust, a DFA: about 3x faster than
pyahocorasick on Chinese text, whose root node has hundreds of children).
With ``ahocorasick_rs`` the text is scanned as UTF-16-LE bytes by a byte DFA:
two bytes per Chinese character instead of three in UTF-8, and byte offsets
halve to character offsets with no conversion.  A match at an odd offset
would straddle two characters; if one turns up, the text is scanned again
as ``str`` (if every match is at an even offset, the leftmost-longest
matches are exactly those of the ``str`` scan).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import ahocorasick_rs as _rs

_START = itemgetter(1)
_ODD = (1).__and__


class TermIndex:
    """Maps folded phrases to payloads; ``scan_indexes`` lists non-overlapping leftmost-longest matches."""

    _rs16: Any = None

    def __init__(self, phrases: dict[str, Any]):
        if not phrases:
            raise ValueError("no phrases to index")
        keys = list(phrases)
        self._payloads = [phrases[k] for k in keys]
        kind, dfa = _rs.MatchKind.LeftmostLongest, _rs.Implementation.DFA
        self._rs = _rs.AhoCorasick(keys, matchkind=kind, implementation=dfa)
        encoded = [k.encode("utf-16-le", "surrogatepass") for k in keys]
        if all(len(b) == 2 * len(k) for b, k in zip(encoded, keys)):  # BMP-only phrases
            self._rs16 = _rs.BytesAhoCorasick(encoded, matchkind=kind, implementation=dfa)

    @property
    def payloads(self) -> list[Any]:
        """Payloads by the index that :meth:`scan_indexes` reports."""
        return self._payloads

    def scan_indexes(self, text: str, utf16: bytes | None = None) -> list[tuple[int, int, int]]:
        """Matches as (payload index, start, end_exclusive) in characters, in text order, never overlapping.

        ``utf16`` may pass ``text.encode("utf-16-le", "surrogatepass")`` if the caller already has it.
        """
        if self._rs16 is not None:
            if utf16 is None:
                utf16 = text.encode("utf-16-le", "surrogatepass")
            if len(utf16) == 2 * len(text):  # no characters outside the BMP: two bytes each
                found = self._rs16.find_matches_as_indexes(utf16)
                if not any(map(_ODD, map(_START, found))):
                    return [(i, s >> 1, e >> 1) for i, s, e in found]
        return self._rs.find_matches_as_indexes(text)
