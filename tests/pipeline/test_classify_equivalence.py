"""The classifier's fast path gives exactly the labels of a straightforward reference computation.

The reference below uses the taxonomy build of the classifier (entries, sub-tracks)
but none of its speed-ups: whitespace cleanup part by part, the table-then-lower()
fold, one regex alternation (longest first) instead of the UTF-16 DFA, sums hit by
hit in text order, every sentence split for the quote (when the heaviest sentence holds table cells, the
classifier's own ``_quote_by_rows`` re-cuts the text at the rows, and ``_past_headings`` drops heading lines run
into the sentence: what is compared here is when they are asked).
No timing here.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from pipeline.classify import QUOTE_CHARS, RUN_CHARS, Classifier, _past_headings, _quote_by_rows
from pipeline.cnfold import _fold_reference, fold, fold_term

SEEDS = next((d for d in (Path("/work/shared/seeds"), Path(__file__).resolve().parents[3] / "shared" / "seeds") if d.is_dir()), None)
_ZW = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_END = re.compile(r"[。！？!?；;\n]")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _clean(text: str) -> str:
    """Drop whitespace next to non-ASCII text, one space between ASCII words."""
    parts = _ZW.sub("", text or "").split()
    out = parts[:1]
    for prev, part in zip(parts, parts[1:]):
        out.append((" " if prev[-1] < "\x80" and part[0] < "\x80" else "") + part)
    return "".join(out)


class Reference:
    def __init__(self, clf: Classifier):
        self.clf = clf
        self.sc = clf.scoring
        # the classifier indexes each entry under its folded key, in sorted key order
        names = self._keys(clf)
        assert len(names) == len(clf._entries)
        keys = dict(zip(names, clf._entries))
        self.entries = keys
        ordered = sorted(keys, key=lambda p: (-len(p), p))
        self.regex = re.compile("|".join(re.escape(p) for p in ordered))

    @staticmethod
    def _keys(clf: Classifier) -> list[str]:
        idx = clf._index
        if hasattr(idx, "_index_of"):
            return list(idx._index_of)
        # same order as the classifier's _build: sorted folded keys
        tax = clf.taxonomy
        keys = {fold_term(p) for p in tax.exclude} | {fold_term(w) for w in tax.negative}
        for track in tax.tracks:
            keys |= {fold_term(t) for t in track.terms}
            for sub in track.subtracks:
                keys |= {fold_term(t) for t in {**sub.alias_weights(clf.scoring.alias_weight), **sub.terms}}
                keys |= {fold_term(p) for p in sub.exclude} | {fold_term(w) for w in sub.negative}
        return sorted(keys)

    def labels(self, title: str, body: str, attachments: str = "") -> list[tuple]:
        sc, clf = self.sc, self.clf
        t, b, a = _clean(title), _clean(body), _clean(attachments)
        display = f"{t}\n{b}\n{a}"
        text = _fold_reference(display)
        body_start, n = len(t) + 1, len(text)
        lead_end, att_start = body_start + sc.lead_chars, body_start + len(b) + 1
        hits, neg = [], []
        ends: dict[int, int] = {}
        for m in self.regex.finditer(text):
            start, end, e = m.start(), m.end(), self.entries[m.group()]
            if e.check_left and start > 0 and text[start - 1] in _ALNUM:
                continue
            if e.check_right and end < n and text[end] in _ALNUM:
                continue
            if e.vetoes:
                neg.append((start, e.vetoes))
            if e.targets:
                f = (
                    sc.attachment_weight
                    if start >= att_start
                    else sc.body_weight
                    if start >= lead_end
                    else sc.lead_weight
                    if start >= body_start
                    else sc.title_weight
                )
                hits.append((start, e, f))
                ends[start] = end
        if not hits:
            return []
        bounds = [m.start() for m in _END.finditer(display)]
        if neg:
            vetoed = defaultdict(set)
            for start, subs in neg:
                vetoed[bisect.bisect_right(bounds, start)].update(subs)
            kept = []
            for start, e, f in hits:
                subs = vetoed.get(bisect.bisect_right(bounds, start))
                if subs and any(si in subs for si, _ in e.sub_w):
                    e = e.without(frozenset(subs))
                    if not e.track_w:
                        continue
                kept.append((start, e, f))
            hits = kept
        nt = len(clf._tracks)
        raw, anchor, sub_raw = [0.0] * nt, [0.0] * nt, defaultdict(float)
        for _, e, f in hits:
            for ti, w in e.track_w:
                raw[ti] += w * f
                anchor[ti] = max(anchor[ti], w)
            for si, w in e.sub_w:
                sub_raw[si] += w * f
        counts = Counter(e for _, e, _ in hits)
        chars = len(b) + len(a)
        length = max(chars, sc.density_floor_chars)
        top = max(raw)

        def score(r: float) -> float:
            import math

            return round(1.0 - math.exp(-(r * 1000.0 / length) / sc.score_scale), 4)

        def by_count(d: dict[str, int]) -> dict[str, int]:
            return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))

        out = []
        for ti, r in enumerate(raw):
            if anchor[ti] < sc.anchor_weight:
                # only weak terms: filed only when terms of weight >= 1 alone are plenty and dense
                core = sum(f * w for _, e, f in hits for tt, w in e.track_w if tt == ti and w >= 1.0)
                if sc.weak_only_evidence is None or r < sc.weak_only_evidence:
                    continue
                if core < sc.weak_only_evidence or core * 1000.0 / length < sc.weak_only_density:
                    continue
            if r < (sc.min_evidence_short if chars <= sc.short_text_chars else sc.min_evidence):
                continue
            if r * 1000.0 / length < sc.min_density:
                continue
            if r < sc.relative * top and r < sc.independent_evidence:
                continue
            if not sc.list_items_file:
                # one word of the track, every time as an item of a 、-list, never in the title: not filed
                spans = [(start, ends[start]) for start, e, _ in hits if ti in e.tracks]
                words = {display[x:y] for x, y in spans}
                in_list = all(display[x - 1 : x] in ("、", "､") or display[y : y + 1] in ("、", "､") for x, y in spans)
                if len(words) == 1 and in_list and min(x for x, _ in spans) > len(t):
                    continue
            terms: dict[str, int] = defaultdict(int)
            for e, c in counts.items():
                if ti in e.tracks:
                    terms[e.term] += c
            mine = [(si, x) for si, x in sub_raw.items() if clf._subs[si][0] == ti and x > 0]
            subs = []
            if mine:
                best = max(x for _, x in mine)
                keep = [(si, x) for si, x in mine if x >= sc.min_subtrack_evidence and x >= sc.subtrack_relative * best]
                if not keep:
                    keep = [max(mine, key=lambda y: y[1])]
                keep.sort(key=lambda y: (-y[1], y[0]))
                for si, x in keep:
                    st: dict[str, int] = defaultdict(int)
                    for e, c in counts.items():
                        if any(s == si for s, _ in e.sub_w):
                            st[e.term] += c
                    subs.append((clf._subs[si][1], clf._subs[si][2], score(x), by_count(st)))
            track_hits = [(start, f * w) for start, e, f in hits if ti in e.tracks for tt, w in e.track_w if tt == ti]
            out.append(
                (
                    clf._tracks[ti].id,
                    clf._tracks[ti].name,
                    score(r),
                    subs,
                    by_count(terms),
                    self._quote(display, bounds, track_hits, (title, body, attachments)),
                )
            )
        order = {tr.id: i for i, tr in enumerate(clf._tracks)}
        out.sort(key=lambda lb: (-lb[2], order[lb[0]]))
        return out

    @staticmethod
    def _quote(display: str, bounds: list[int], hits: list[tuple[int, float]], original: tuple[str, str, str]) -> str:
        """The heaviest sentence, earliest on a tie; if it holds table cells or is a run, the text re-cut at the rows."""
        if not hits:
            return ""
        per, first = defaultdict(float), {}
        for start, v in hits:
            s = bisect.bisect_right(bounds, start)
            per[s] += v
            first.setdefault(s, start)
        best = max(per, key=lambda s: (per[s], -s))
        lo = bounds[best - 1] + 1 if best > 0 else 0
        hi = bounds[best] + 1 if best < len(bounds) else len(display)
        if hi - lo > RUN_CHARS or "|" in display[lo:hi]:
            return _quote_by_rows(display, hits, original)
        lo = _past_headings(display, lo, first[best], original)
        sentence = display[lo:hi].strip()
        if display[hi - 1 : hi] == "\n":
            sentence = display[lo : hi - 1].strip()
        if len(sentence) <= QUOTE_CHARS:
            return sentence
        begin = max(0, min(first[best] - lo - QUOTE_CHARS // 3, len(sentence) - QUOTE_CHARS))
        piece = sentence[begin : begin + QUOTE_CHARS]
        return ("…" if begin > 0 else "") + piece + ("…" if begin + QUOTE_CHARS < len(sentence) else "")


def _as_tuples(labels) -> list[tuple]:
    return [
        (lb.track_id, lb.track, round(lb.score, 4), [(s.id, s.name, round(s.score, 4), s.terms) for s in lb.subtracks], lb.terms, lb.quote)
        for lb in labels
    ]


def _chunks() -> list[tuple[str, str, str]]:
    if SEEDS is None:
        pytest.skip("seed texts not found")
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        for i in range(0, len(text), 2000):
            chunk = text[i : i + 2000]
            out.append(("", chunk, ""))
            out.append((chunk[:30], chunk[30:1400], chunk[1400:]))  # title, body and attachments
            out.append(("关于加快培育未来产业的实施意见", chunk.upper(), ""))  # ASCII capitals to fold
            out.append(("標題", chunk.replace("。", "。\u3000 ").replace("能", "能 \n"), "６Ｇ—"))  # Traditional, full-width, wraps
    # weak terms only: filed when plenty and dense (算力, 机器人), never on context words (光伏)
    out.append(("", "统筹布局算力设施，提升算力规模，推动算力互联互通，降低用算力门槛，开展算力应用试点，算力服务平台。", ""))
    out.append(("机器人", "机器人企业。机器人应用。机器人产品进入工厂和家庭，机器人租赁，机器人培训。", "光伏光伏光伏"))
    out.append(("", "分布式光伏项目备案。光伏组件验收，光伏支架安装，光伏逆变器检测。" * 8, ""))
    return out


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


@pytest.fixture(scope="module")
def ref(clf: Classifier) -> Reference:
    return Reference(clf)


def test_fast_path_matches_reference_on_seed_chunks(clf: Classifier, ref: Reference) -> None:
    chunks = _chunks()
    filed = 0
    for title, body, att in chunks:
        got = _as_tuples(clf.classify(title, body, att))
        assert got == ref.labels(title, body, att), (title, body[:80])
        filed += bool(got)
    assert filed > len(chunks) // 4  # the comparison is not vacuous


def test_in_order_sums_match_reference(clf: Classifier, ref: Reference) -> None:
    """With grouped sums switched off (as for a taxonomy whose weights are not exact binary fractions)."""
    saved = clf._max_chars
    clf._max_chars = None
    try:
        for title, body, att in _chunks()[::3]:
            assert _as_tuples(clf.classify(title, body, att)) == ref.labels(title, body, att)
    finally:
        clf._max_chars = saved


def test_fold_matches_reference_on_odd_characters() -> None:
    samples = ["ΣΑΣ ΟΔΟΣ", "İstanbul 6G", "𐐀𐐁 deseret 量子", "發展氫能 ＡＩ—５Ｇ", "plain 中文 text", "\ud800 lone surrogate ABC"]
    for s in samples:
        assert fold(s) == _fold_reference(s)


def test_pure_python_passes_match_reference(clf: Classifier, ref: Reference, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the C extension (an install with no compiler): same labels, sentence ends found from the hits."""
    from pipeline import cnfold

    monkeypatch.setattr(cnfold, "_textprep", None)
    for title, body, att in _chunks()[::2]:
        assert _as_tuples(clf.classify(title, body, att)) == ref.labels(title, body, att)
