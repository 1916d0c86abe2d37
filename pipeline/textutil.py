"""Small text helpers shared by the HTML, PDF and office extractors.

The one rule they encode: Chinese is written without spaces, so whitespace
between two CJK characters is layout (a wrapped line, an HTML source newline),
never content — while spaces between Latin words and numbers are content.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["CJK", "clean_inline", "join_cjk", "to_simplified", "is_cjk", "strip_controls", "neutralise_bidi"]

# CJK ideographs, CJK punctuation, full-width forms and ideographic symbols.
CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_WS_RUN = re.compile(r"[ \t\r\n\f\v\u00a0\u2002\u2003\u2009\u200b\u202f\ufeff\u3000]+")
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK}]) +(?=[{CJK}])")
_CJK_CHAR = re.compile(rf"[{CJK}]")


# C0 controls but tab/LF/CR, DEL, C1 controls, lone surrogates and the Unicode non-characters:
# no published text means them, and one ESC or U+FFFE makes an Atom feed invalid XML.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0010fffe\U0010ffff]"
)
# Bidi embeddings, overrides and isolates: U+202E can make "exe.pdf" read as "fdp.exe" in a title.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_controls(s: str, *, inline: bool = False) -> str:
    """Remove control characters and non-characters; ``inline`` (titles, agencies) turns tab/CR/LF into spaces too."""
    s = _CONTROLS.sub("", s)
    if inline:
        s = re.sub(r"[\t\r\n]+", " ", s)
    return s


def neutralise_bidi(s: str) -> str:
    """Drop bidi override/embedding/isolate characters so text shows in its logical order."""
    return _BIDI.sub("", s)


def clean_title(s: str) -> str:
    """A title, agency or document number as stored: one line, no controls, no bidi overrides."""
    return neutralise_bidi(strip_controls(s, inline=True)).strip()


def shown_text(value: object) -> object:
    """Jinja ``finalize`` for pages and mails: plain strings lose controls and bidi overrides; markup and other values pass."""
    if type(value) is str:
        return neutralise_bidi(strip_controls(value))
    return value


def is_cjk(ch: str) -> bool:
    """True for a character after which a line break is not a word boundary."""
    return bool(ch) and bool(_CJK_CHAR.match(ch))


def clean_inline(s: str) -> str:
    """Collapse layout whitespace inside one paragraph; keep Latin/number spacing.

    Ideographic spaces (U+3000) are indentation or padding, so they fold like
    any other layout space.
    """
    s = _WS_RUN.sub(" ", s)
    s = _SPACE_NEAR_CJK.sub("", s)
    return s.strip(" ")


def join_cjk(left: str, right: str) -> str:
    """Join two wrapped line fragments: no space across a CJK boundary, one space between Latin words."""
    if not left:
        return right
    if not right:
        return left
    a, b = left[-1], right[0]
    if is_cjk(a) or is_cjk(b) or a == "-" and left[-2:-1].isalpha():
        if a == "-" and not is_cjk(b) and left[-2:-1].isalpha() and b.islower():
            return left[:-1] + right  # hyphenated English word broken across lines
        return left + right
    if a == " " or b == " ":
        return left + right
    if a.isdigit() and b.isdigit():
        return left + right  # a number wrapped mid-way (202|7): typesetters break digits without a space
    return left + " " + right


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified fold used only for matching; the published text is kept separately."""
    if not text:
        return text
    return _t2s().convert(text)
