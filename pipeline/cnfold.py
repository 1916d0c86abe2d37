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
from functools import lru_cache
from pathlib import Path

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# Full-width forms that can occur inside a term (letters, digits, + - . /).
_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF0B, 0xFF0D, 0xFF0E, 0xFF0F]}
_DASHES = {"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-"}


# ASCII characters that are not whitespace (str.split's whitespace: \t-\r, \x1c-\x1f, space).
_ASCII_SOLID = "\\x00-\\x08\\x0e-\\x1b\\x21-\\x7f"
# A whitespace run between two ASCII characters: the only runs that survive (as one space).
_ASCII_GAP = re.compile(f"([{_ASCII_SOLID}])\\s+(?=[{_ASCII_SOLID}])")
_GAP_MARK = "\x00"


def clean_whitespace(text: str) -> str:
    """Drop line-wrap whitespace inside CJK text, collapse the rest to single spaces.

    Whitespace next to a non-ASCII character is a line-wrap artefact (CJK has
    no spaces); between two ASCII characters it separates words.  Everything
    runs in C: ``split``/``join`` drop all whitespace, and the runs between two
    ASCII characters (found by one regex, often none) are first marked with a
    character the text does not contain, then turned into single spaces.
    Same result as :func:`_clean_whitespace_reference`.
    """
    if not text:
        return ""
    if "\u200b" in text or "\ufeff" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text:
        text = _ZERO_WIDTH.sub("", text)
    if _ASCII_GAP.search(text) is None:
        return "".join(text.split())
    if _GAP_MARK in text:  # pragma: no cover - NUL in a policy text; the marker is taken
        return _join_parts(text.split())
    return "".join(_ASCII_GAP.sub("\\1" + _GAP_MARK, text).split()).replace(_GAP_MARK, " ")


def _join_parts(parts: list[str]) -> str:
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


def _clean_whitespace_reference(text: str) -> str:
    """The straightforward version of :func:`clean_whitespace` (kept for equivalence tests)."""
    if not text:
        return ""
    text = _ZERO_WIDTH.sub("", text)
    return _join_parts(text.split())


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
def _fast_fold_machinery() -> tuple[re.Pattern[str], re.Pattern[str], dict[int, str]]:
    """Per BMP character, what :func:`_fold_reference` turns it into when taken alone.

    The reference substitutes the table and then lower-cases the whole text;
    that is one character to one character except for characters whose lower
    case is longer ('İ') and for 'Σ' (final-sigma rule looks at neighbours).
    Those are "special": a text containing one takes the reference path.
    """
    _, table = _fold_machinery()
    changed: dict[int, str] = {}
    special: list[str] = []
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue  # lone surrogates: lower() leaves them alone and the table has none
        c = chr(code)
        d = table.get(c, c)
        low = d.lower()
        if d == "\u03a3" or len(low) != 1:
            special.append(c)
        elif low != c:
            changed[code] = low
    klass = "".join(re.escape(chr(c)) for c in sorted(changed)) + "".join(re.escape(c) for c in special)
    spec = "".join(re.escape(c) for c in special) or "\\x00"
    return re.compile(f"[{klass}]+"), re.compile(f"[{spec}]"), changed


def fold(text: str) -> str:
    """Traditional→Simplified, full-width→ASCII, lower case; same length as the input.

    One C scan for characters that change (Simplified Chinese mostly has only
    a few upper-case ASCII letters); only runs of those are rewritten.  Same
    result as :func:`_fold_reference` (non-BMP characters, rare, take that path).
    """
    changes, special, mapping = _fast_fold_machinery()
    if changes.search(text) is None:
        if text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
            return text
        return _fold_reference(text)
    if special.search(text) is not None:
        return _fold_reference(text)
    out = changes.sub(lambda m: m.group().translate(mapping), text)
    if len(out.encode("utf-16-le", "surrogatepass")) != 2 * len(out):  # non-BMP characters: lower() them too
        return _fold_reference(text)
    return out


def _fold_reference(text: str) -> str:
    """The straightforward version of :func:`fold` (kept for equivalence tests and rare texts)."""
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
