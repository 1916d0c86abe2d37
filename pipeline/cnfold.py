"""Folding Chinese text so one term list matches every way a release is written.

Releases arrive in Simplified and Traditional script, with full-width
letters and digits (６Ｇ), and — when they come out of PDFs — with line
breaks and spaces in the middle of words.  The classifier matches terms on a
*folded* copy of the text, and quotes evidence from a *display* copy.

The folding is one character to one character, so a position in the folded
text is the same position in the display text.  OpenCC's converter is pure
Python and far too slow for a 10 KB page, so we take OpenCC's own character
table once and apply only the characters that differ, with one compiled
character class: Simplified text (the usual case) has almost nothing to
replace.
"""

from __future__ import annotations

import re
import sys
from array import array
from functools import lru_cache
from pathlib import Path

try:  # the two passes in C (pipeline/_textprep.c); optional, the Python below is the reference
    from pipeline import _textprep
except ImportError:  # pragma: no cover - an install without a C compiler
    _textprep = None  # type: ignore[assignment]  # the optional-module idiom
if sys.byteorder != "little":  # pragma: no cover - the C fold writes native uint16, the matcher reads UTF-16-LE
    _textprep = None  # type: ignore[assignment]

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# Full-width forms that can occur inside a term (letters, digits, + - . /).
_FULLWIDTH = {
    chr(c): chr(c - 0xFEE0)
    for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF0B, 0xFF0D, 0xFF0E, 0xFF0F]
}
_DASHES = {"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-"}


def clean_whitespace(text: str) -> str:
    """Drop line-wrap whitespace inside CJK text, collapse the rest to single spaces.

    Whitespace next to a non-ASCII character is a line-wrap artefact (CJK has
    no spaces); between two ASCII characters it separates words.  ``split``
    and ``join`` run in C; a regex with look-arounds was ten times slower.
    """
    if not text:
        return ""
    if _textprep is not None:
        out = _textprep.clean(text)
        if out is not None:
            return out
    return _clean_whitespace_py(text)


def _clean_whitespace_py(text: str) -> str:
    """:func:`clean_whitespace` in Python: the reference, and the path for text beyond the BMP."""
    if "\u200b" in text or "\ufeff" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text:
        text = _ZERO_WIDTH.sub("", text)
    parts = text.split()
    if len(parts) <= 1:
        return parts[0] if parts else ""
    out = [parts[0]]
    prev = parts[0]
    for part in parts[1:]:
        if prev[-1] < "\x80" and part[0] < "\x80":
            out.append(" ")
        out.append(part)
        prev = part
    return "".join(out)


def _opencc_dictionary() -> Path | None:
    try:
        import opencc
    except ImportError:  # pragma: no cover - dependency of the project
        return None
    d = Path(opencc.__file__).parent / "dictionary"
    return d if d.is_dir() else None


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        target = values.split(" ")[0] if values else ""
        if len(key) == 1 and len(target) == 1:
            pairs.append((key, target))
    return pairs


@lru_cache(maxsize=1)
def t2s_table() -> dict[str, str]:
    """OpenCC's Traditional→Simplified character map (plus TW/HK variant forms), single characters only."""
    d = _opencc_dictionary()
    table: dict[str, str] = {}
    if d is None:  # pragma: no cover
        return _t2s_via_converter()
    ts = dict(_read_pairs(d / "TSCharacters.txt"))
    for k, v in ts.items():
        if k != v:
            table[k] = v
    for name in ("TWVariantsRev.txt", "HKVariantsRev.txt"):
        f = d / name
        if f.exists():
            for variant, std in _read_pairs(f):
                target = ts.get(std, std)
                if variant != target and variant not in table:
                    table[variant] = target
    return table


def _t2s_via_converter() -> dict[str, str]:  # pragma: no cover - only if the dictionary files move
    from opencc import OpenCC

    cc = OpenCC("t2s")
    table = {}
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        out = cc.convert(ch)
        if len(out) == 1 and out != ch:
            table[ch] = out
    return table


@lru_cache(maxsize=1)
def _fold_machinery() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {**t2s_table(), **_FULLWIDTH, **_DASHES}
    # A character class is matched in C, with a callback only for the rare hits.  Keys
    # outside the BMP (obscure Extension-B forms) would turn sre's bitmap into a slow
    # range list, so they are left out.
    table = {k: v for k, v in table.items() if ord(k) < 0x10000}
    klass = "".join(re.escape(c) for c in sorted(table))
    return re.compile(f"[{klass}]"), table


@lru_cache(maxsize=1)
def _change_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two character classes: every BMP character :func:`_fold_reference` may change, and the same without A-Z.

    A character may change if the table has it, if it has a different lower
    case, or if its lower case is longer ('İ').  Big classes are matched by
    sre with a bitmap, a few nanoseconds per character.
    """
    _, table = _fold_machinery()
    changing = set(table)
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        c = chr(code)
        if c.lower() != c:
            changing.add(c)

    def klass(chars: set[str]) -> re.Pattern[str]:
        return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")

    return klass(changing), klass(changing - set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def fold_utf16(text: str) -> tuple[str, bytes | None]:
    """``(fold(text), its UTF-16-LE bytes)``; the bytes are None if the text has characters outside the BMP.

    Simplified Chinese (the usual case) has nothing to fold but a few ASCII
    capitals: one C scan finds that out, and ``lower()`` is then the whole
    fold.  Anything else (Traditional script, full-width forms, …) takes
    :func:`_fold_reference`.
    """
    if _textprep is not None:
        out = _textprep.fold16(text, _fold_table())
        if out is not None:
            return out
    return _fold_utf16_py(text)


def _fold_utf16_py(text: str) -> tuple[str, bytes | None]:
    """:func:`fold_utf16` in Python: the reference for the C version, and its fallback."""
    anything, beyond_ascii = _change_classes()
    m = anything.search(text)
    if m is None:
        folded = text  # (unless there are non-BMP capitals: checked below)
    elif beyond_ascii.search(text, m.start()) is None:
        folded = text.lower()  # only A-Z to fold: the table has nothing to replace
        if len(folded) != len(text):  # pragma: no cover - a non-BMP character with a longer lower case
            folded = _fold_reference(text)
    else:
        folded = _fold_reference(text)
    utf16 = folded.encode("utf-16-le", "surrogatepass")
    if len(utf16) != 2 * len(folded):
        return _fold_reference(text), None
    return folded, utf16


@lru_cache(maxsize=1)
def _fold_table() -> bytes:
    """:func:`_fold_reference` of every BMP character on its own, as 65536 native uint16 (for the C fold).

    0xFFFF marks a character the C fold hands back to Python: its fold is not
    one BMP character (a few rare forms fold to Extension-B characters, dotted
    capital I lower-cases to two) or depends on context (capital sigma's final
    form).  Surrogates never occur (BMP-only text).
    """
    _, table = _fold_machinery()
    out = array("H", range(0x10000))
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        c = chr(code)
        f = table.get(c, c).lower()
        out[code] = ord(f) if len(f) == 1 and ord(f) < 0x10000 and code != 0x03A3 else 0xFFFF
    out[0xFFFF] = 0xFFFF
    return out.tobytes()


def fold(text: str) -> str:
    """Traditional→Simplified, full-width→ASCII, lower case; same length as the input.

    Same result as :func:`_fold_reference`, faster on Simplified text.
    """
    return fold_utf16(text)[0]


def _fold_reference(text: str) -> str:
    """Traditional→Simplified, full-width→ASCII, lower case, the straightforward way (same length as the input)."""
    pattern, table = _fold_machinery()
    if pattern.search(text) is not None:
        text = pattern.sub(lambda m: table[m.group()], text)
    low = text.lower()
    if len(low) != len(text):  # e.g. 'İ' lower-cases to two characters; keep positions aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def fold_term(term: str) -> str:
    """The form a taxonomy term takes in the folded text."""
    return fold(clean_whitespace(term))


def sentence_ends(text: str, chars: str) -> list[int] | None:
    """Positions in ``text`` of any of ``chars`` (sentence ends), by the C pass; None without it.

    A regex pass over a Chinese page costs more than the whole term scan;
    callers that get None find sentence ends lazily from their hits instead.
    """
    if _textprep is None:  # pragma: no cover - an install without a C compiler
        return None
    return _textprep.positions(text, chars)
