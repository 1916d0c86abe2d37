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

from array import array
from operator import itemgetter
from typing import Any

import ahocorasick_rs as _rs

from pipeline.cnfold import _fold_table, _textprep, fold_utf16, sentence_ends

_START = itemgetter(1)
_ODD = (1).__and__


class TermIndex:
    """Maps folded phrases to payloads; ``scan_indexes`` lists non-overlapping leftmost-longest matches."""

    _rs16: Any = None
    _c: "tuple[bytes, ...] | None" = None

    def __init__(self, phrases: dict[str, Any]):
        if not phrases:
            raise ValueError("no phrases to index")
        keys = list(phrases)
        self.phrases = keys  # folded phrases, by the index scan_indexes reports
        self._payloads = [phrases[k] for k in keys]
        kind, dfa = _rs.MatchKind.LeftmostLongest, _rs.Implementation.DFA
        self._rs = _rs.AhoCorasick(keys, matchkind=kind, implementation=dfa)
        encoded = [k.encode("utf-16-le", "surrogatepass") for k in keys]
        if all(len(b) == 2 * len(k) for b, k in zip(encoded, keys)):  # BMP-only phrases
            self._rs16 = _rs.BytesAhoCorasick(encoded, matchkind=kind, implementation=dfa)
            if _textprep is not None and all(len(k) >= 2 and "\uffff" not in k for k in keys):
                self._c = (_fold_table(), *_c_index(keys))

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

    def fold_scan(self, text: str, ends: str = "") -> tuple[str, list[tuple[int, int, int]], list[int] | None]:
        """``(fold(text), scan_indexes(fold(text)), sentence_ends(text, ends))`` in one C pass where it can.

        Folding and scanning are the classifier's two biggest costs after
        Python itself; the C pass folds into a buffer and finds phrases by a
        bigram filter, never materialising UTF-16 bytes or stepping a DFA for
        every byte, and notes the sentence ends on the way.  Same results as
        the separate passes (tests compare them); the ends are None where the
        C extension is not built.
        """
        if self._c is not None:
            out = _textprep.foldscan(text, ends, *self._c)
            if out is not None:
                return out
        folded, utf16 = fold_utf16(text)
        return folded, self.scan_indexes(folded, utf16), sentence_ends(text, ends) if ends else None


def _bigram_hash(c0: int, c1: int) -> int:
    """The C scanner's hash of a phrase's first two code units (pipeline/_textprep.c, bigram_hash)."""
    return (((c0 << 16 | c1) * 0x9E3779B1) & 0xFFFFFFFF) >> 16


def _c_index(keys: list[str]) -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """The five buffers of the C scanner's index (layout in pipeline/_textprep.c, foldscan)."""
    by_bigram: dict[int, list[int]] = {}
    for n, k in enumerate(keys):
        by_bigram.setdefault(ord(k[0]) << 16 | ord(k[1]), []).append(n)
    filt = bytearray(8192)
    size = 1
    while size < 2 * len(by_bigram):
        size *= 2
    slots = array("I", [0xFFFFFFFF, 0, 0] * size)
    cands = array("I")
    for key, members in by_bigram.items():
        h = _bigram_hash(key >> 16, key & 0xFFFF)
        filt[h >> 3] |= 1 << (h & 7)
        s = h & (size - 1)
        while slots[3 * s] != 0xFFFFFFFF:
            s = (s + 1) & (size - 1)
        members.sort(key=lambda n: -len(keys[n]))  # longest first: the first that fits is the match
        slots[3 * s : 3 * s + 3] = array("I", [key, len(cands), len(members)])
        cands.extend(members)
    units = array("H")
    offsets = array("I", [0])
    for k in keys:
        units.frombytes(k.encode("utf-16-le"))
        offsets.append(len(units))
    return bytes(filt), slots.tobytes(), cands.tobytes(), units.tobytes(), offsets.tobytes()
