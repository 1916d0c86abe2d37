"""Readable diffs of Chinese text.

Word-splitting diff tools split on whitespace, which Chinese does not have,
so a one-character edit shows as a whole paragraph replaced.  We diff at the
sentence level and mark characters inside changed sentences.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?|\n")


def split_sentences(text: str) -> list[str]:
    """Sentences (ending punctuation kept); paragraph breaks are dropped."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


@dataclass
class TextDiff:
    """A sentence-level diff with a one-line Chinese summary."""

    similarity: float
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[tuple[str, str, str]] = field(default_factory=list)  # (old, new, marked)

    @property
    def summary(self) -> str:
        parts = []
        if self.added:
            parts.append(f"新增{len(self.added)}句")
        if self.removed:
            parts.append(f"删除{len(self.removed)}句")
        for old, _new, _m in self.modified[:2]:
            parts.append(f"修改“{_clip(old, 18)}”一句")
        if len(self.modified) > 2:
            parts.append(f"另修改{len(self.modified) - 2}句")
        return "，".join(parts) if parts else "仅格式变化"

    def render(self) -> str:
        """Plain-text diff: ``+`` added, ``-`` removed, ``~`` modified with [-old-]{+new+} marks."""
        lines = [f"相似度 {self.similarity:.1%}：{self.summary}"]
        lines += [f"~ {m}" for _o, _n, m in self.modified]
        lines += [f"+ {s}" for s in self.added]
        lines += [f"- {s}" for s in self.removed]
        return "\n".join(lines)


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def mark_chars(old: str, new: str) -> str:
    """Character-level marks inside one changed sentence."""
    out: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(old[a1:a2])
        if op in ("delete", "replace"):
            out.append(f"[-{old[a1:a2]}-]")
        if op in ("insert", "replace"):
            out.append(f"{{+{new[b1:b2]}+}}")
    return "".join(out)


def diff_texts(old: str, new: str) -> TextDiff:
    """Pair changed sentences that are still mostly alike as modifications; the rest are adds/removes."""
    a, b = split_sentences(old), split_sentences(new)
    sim = difflib.SequenceMatcher(None, old, new, autojunk=False).ratio() if len(old) + len(new) < 200_000 else (
        difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    )
    result = TextDiff(similarity=sim)
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = a[a1:a2], b[b1:b2]
        while olds and news and difflib.SequenceMatcher(None, olds[0], news[0], autojunk=False).ratio() >= 0.5:
            o, n = olds.pop(0), news.pop(0)
            result.modified.append((o, n, mark_chars(o, n)))
        result.removed.extend(olds)
        result.added.extend(news)
    return result
