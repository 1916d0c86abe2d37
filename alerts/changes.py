"""What changed in a document, sentence by sentence, old → new, with the changed characters marked.

"修改“预计到2027年…”一句" tells a reader *that* something changed, not what it
became.  A digest shows each modified sentence twice: the old text with the
removed characters marked, the new text with the added ones marked (HTML:
<del>/<ins> with inline colours; text part: the changed characters in [ ]).
Long sentences are shortened around the change so the edit stays visible.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from pipeline.diff import diff_texts

CONTEXT = 28  # characters of unchanged text kept on each side of an edit in a long sentence
LONG = 90


@dataclass
class SentenceChange:
    """One sentence: ``kind`` is 修改 (old and new), 新增 (new only) or 删除 (old only)."""

    kind: str
    old: str
    new: str

    def _segments(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(old side, new side) as [(equal|changed, text)], each trimmed around the edits."""
        old_side: list[tuple[str, str]] = []
        new_side: list[tuple[str, str]] = []
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, self.old, self.new, autojunk=False).get_opcodes():
            if op == "equal":
                old_side.append(("equal", self.old[a1:a2]))
                new_side.append(("equal", self.new[b1:b2]))
                continue
            if a2 > a1:
                old_side.append(("changed", self.old[a1:a2]))
            if b2 > b1:
                new_side.append(("changed", self.new[b1:b2]))
        return _trim(old_side), _trim(new_side)

    def html(self) -> Markup:
        if self.kind == "新增":
            return Markup(f'<div><ins style="background:#dcfce7;color:#166534;text-decoration:none;">{escape(self.new)}</ins></div>')
        if self.kind == "删除":
            return Markup(f'<div style="color:#6b7280;"><del style="background:#fee2e2;color:#991b1b;">{escape(self.old)}</del></div>')
        old, new = self._segments()
        parts: list[str] = []
        if self.old:
            parts.append(
                '<div style="color:#6b7280;"><span style="font-size:12px;">原：</span>'
                + "".join(
                    f'<del style="background:#fee2e2;color:#991b1b;">{escape(t)}</del>' if k == "changed" else escape(t) for k, t in old
                )
                + "</div>"
            )
        if self.new:
            parts.append(
                '<div><span style="font-size:12px;color:#6b7280;">现：</span>'
                + "".join(
                    f'<ins style="background:#dcfce7;color:#166534;text-decoration:none;font-weight:bold;">{escape(t)}</ins>'
                    if k == "changed"
                    else escape(t)
                    for k, t in new
                )
                + "</div>"
            )
        return Markup("".join(parts))

    def text_lines(self) -> list[str]:
        if self.kind != "修改":  # a whole sentence added or removed: the kind says so, brackets would add nothing
            return [self.new or self.old]
        old, new = self._segments()
        out = []
        if self.old:
            out.append("原：" + "".join(f"[{t}]" if k == "changed" else t for k, t in old))
        if self.new:
            out.append("现：" + "".join(f"[{t}]" if k == "changed" else t for k, t in new))
        return out


def _trim(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Shorten unchanged stretches of a long sentence to CONTEXT characters next to each edit."""
    if sum(len(t) for _k, t in segments) <= LONG:
        return segments
    out: list[tuple[str, str]] = []
    last = len(segments) - 1
    for i, (kind, text) in enumerate(segments):
        if kind != "equal" or len(text) <= 2 * CONTEXT:
            out.append((kind, text))
        elif i == 0:
            out.append((kind, "…" + text[-CONTEXT:]))
        elif i == last:
            out.append((kind, text[:CONTEXT] + "…"))
        else:
            out.append((kind, text[:CONTEXT] + "…" + text[-CONTEXT:]))
    return out


def sentence_changes(old_text: str, new_text: str, limit: int = 3) -> list[SentenceChange]:
    """Up to ``limit`` changes, modified sentences first (they are what readers miss), then added, then removed."""
    d = diff_texts(old_text, new_text)
    out = [SentenceChange("修改", o, n) for o, n, _m in d.modified]
    out += [SentenceChange("新增", "", s) for s in d.added + d.added_paragraphs]
    out += [SentenceChange("删除", s, "") for s in d.removed + d.removed_paragraphs]
    return out[:limit]
