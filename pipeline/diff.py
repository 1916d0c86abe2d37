"""Readable diffs of Chinese text.

Word-splitting diff tools split on whitespace, which Chinese does not have,
so a one-character edit shows as a whole paragraph replaced.  We align
paragraphs first, then sentences inside changed paragraphs, and mark
characters inside changed sentences.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;」”]*")


def split_sentences(text: str) -> list[str]:
    """Sentences with their ending punctuation; paragraph breaks are dropped."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass
class TextDiff:
    """What changed between two versions, at paragraph, sentence and character level."""

    similarity: float
    added_paragraphs: list[str] = field(default_factory=list)
    removed_paragraphs: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # sentences added inside kept paragraphs
    removed: list[str] = field(default_factory=list)
    modified: list[tuple[str, str, str]] = field(default_factory=list)  # (old, new, marked)

    @property
    def changed(self) -> bool:
        return bool(self.added_paragraphs or self.removed_paragraphs or self.added or self.removed or self.modified)

    @property
    def summary(self) -> str:
        """One line an analyst can read at a glance, e.g. 新增3段，删除1段，修改“到2027年……”一句."""
        parts = []
        if self.added_paragraphs:
            parts.append(f"新增{len(self.added_paragraphs)}段")
        if self.removed_paragraphs:
            parts.append(f"删除{len(self.removed_paragraphs)}段")
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
        """Plain-text diff: ``~`` modified with [-old-]{+new+} marks, ``+``/``-`` sentences, ``++``/``--`` paragraphs."""
        lines = [f"相似度 {self.similarity:.1%}：{self.summary}"]
        lines += [f"~ {m}" for _o, _n, m in self.modified]
        lines += [f"+ {s}" for s in self.added]
        lines += [f"- {s}" for s in self.removed]
        lines += [f"++ {p}" for p in self.added_paragraphs]
        lines += [f"-- {p}" for p in self.removed_paragraphs]
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


def _diff_sentences(old_block: list[str], new_block: list[str], result: TextDiff) -> None:
    a = [s for p in old_block for s in split_sentences(p)]
    b = [s for p in new_block for s in split_sentences(p)]
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = a[a1:a2], b[b1:b2]
        while olds and news and _ratio(olds[0], news[0]) >= 0.5:
            o, n = olds.pop(0), news.pop(0)
            result.modified.append((o, n, mark_chars(o, n)))
        result.removed.extend(olds)
        result.added.extend(news)


def diff_texts(old: str, new: str) -> TextDiff:
    """Align paragraphs; whole paragraphs added or removed count as such, the rest is diffed by sentence."""
    pa, pb = _paragraphs(old), _paragraphs(new)
    similarity = _ratio(old, new) if len(old) + len(new) < 100_000 else difflib.SequenceMatcher(None, pa, pb, autojunk=False).ratio()
    result = TextDiff(similarity=similarity)
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, pa, pb, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "insert":
            result.added_paragraphs.extend(pb[b1:b2])
        elif op == "delete":
            result.removed_paragraphs.extend(pa[a1:a2])
        else:
            olds, news = pa[a1:a2], pb[b1:b2]
            # A paragraph with no similar counterpart was added or removed whole.
            kept_old = [p for p in olds if any(_ratio(p, q) >= 0.4 for q in news)]
            kept_new = [q for q in news if any(_ratio(p, q) >= 0.4 for p in olds)]
            result.removed_paragraphs.extend(p for p in olds if p not in kept_old)
            result.added_paragraphs.extend(q for q in news if q not in kept_new)
            _diff_sentences(kept_old, kept_new, result)
    return result
