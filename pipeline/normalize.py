"""Text normalization that decides what counts as "the same text".

The version hash is taken over the normalized text, so anything that varies
without the policy changing (whitespace, full-width spaces, view counters,
"page generated at" stamps) must be folded here, or every recrawl would look
like a change.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

from pipeline.textutil import neutralise_bidi, strip_controls

# Page furniture that changes on every load without the document changing.
_NOISE_LINES = [
    re.compile(r"^(浏览|阅读|访问|点击)(次数|量)?[:：]?\s*\d+\s*次?$"),
    re.compile(r"^(页面)?(生成|更新)(时间|日期)[:：].*$"),
    re.compile(r"^【?(打印|关闭|收藏|分享)(本页|窗口)?】?(\s*【?(打印|关闭|收藏|分享)(本页|窗口)?】?)*$"),
]
_INLINE_NOISE = re.compile(r"(浏览|阅读|访问|点击)(次数|量)[:：]\s*\d+\s*次?")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def normalize_text(text: str, noise: Sequence[re.Pattern[str]] = ()) -> str:
    """Fold whitespace and page noise; keep wording and punctuation exactly as published.

    ``noise`` are a source's own patterns (its YAML ``noise_patterns``) for
    furniture only that site has; matches are removed before hashing.

    NFKC is deliberately not applied to the whole text: it would turn
    full-width Chinese punctuation (，：（）) into ASCII and make quotes in the
    digest look unlike the original.  Only compatibility spaces are folded.
    """
    text = unicodedata.normalize("NFC", neutralise_bidi(strip_controls(text)))
    out: list[str] = []
    for raw in text.splitlines():
        line = _SPACES.sub(" ", raw).strip()
        line = _SPACE_BETWEEN_CJK.sub("", line)
        if not line or any(p.match(line) for p in _NOISE_LINES):
            continue
        line = _INLINE_NOISE.sub("", line)
        for pattern in noise:
            line = _sub(pattern, line)
        line = line.strip()
        if line:
            out.append(line)
    return "\n".join(out)


NOISE_TIMEOUT = 0.25  # seconds per line per pattern


def _sub(pattern: re.Pattern[str], line: str) -> str:
    """Remove a noise pattern; ``regex`` patterns (source files) get a time limit and a timeout names the pattern."""
    if "regex" in type(pattern).__module__:
        try:
            return pattern.sub("", line, timeout=NOISE_TIMEOUT)  # type: ignore[call-overload]
        except TimeoutError:
            raise TimeoutError(
                f"noise_patterns pattern {pattern.pattern[:200]!r} took longer than {NOISE_TIMEOUT} s on one line; simplify the pattern"
            ) from None
    return pattern.sub("", line)


def text_hash(text: str) -> str:
    """Stable identity of a normalized text (sha256 hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def summarize(text: str, limit: int = 120) -> str:
    """The lead of a document, cut at a sentence end where possible, for two-line digest summaries."""
    flat = text.replace("\n", "")
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = max(cut.rfind(ch) for ch in "。！？；")
    return cut[: end + 1] if end >= limit // 2 else cut + "…"
