"""File a release under the taxonomy's tracks, with the words and the sentence that justify it.

Why this shape:
- *Where* a term occurs matters: a title that says 氢能 is a hydrogen
  document; a 60-page report that says 氢能 once is not.  Hits are weighted
  title > lead > body (attachments count like the body), and a track needs
  both enough evidence and enough *density* (evidence per 1000 characters),
  so passing mentions in long texts do not file a document.
- A track also needs a fair share of the strongest track's evidence, so a
  6G article that lists "细胞基因治疗、脑机接口、6G、量子计算" once is 未来信息
  and not every track it names.
- Every decision keeps its evidence (terms, counts, a quote) because
  auditors ask "why was this filed under 未来能源".

All terms come from the taxonomy file; nothing here knows about hydrogen.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline.cnfold import clean_whitespace, fold, fold_term
from pipeline.taxonomy import Taxonomy, load_taxonomy
from pipeline.termindex import TermIndex

QUOTE_CHARS = 120
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass
class SubLabel:
    """A sub-track the document was filed under, with the terms that put it there."""

    id: str
    name: str
    score: float
    terms: dict[str, int] = field(default_factory=dict)


@dataclass
class Label:
    """A track the document was filed under, with its evidence."""

    track_id: str
    track: str
    score: float
    subtracks: list[SubLabel] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    quote: str = ""


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: entries are Counter keys in the hot path
class _Entry:
    """Everything one folded phrase means: which (track, sub-track, weight) it feeds, which sub-tracks it vetoes."""

    term: str  # spelling shown in evidence
    targets: tuple[tuple[int, int, float], ...]  # (track index, global sub-track index or -1, weight)
    vetoes: tuple[int, ...]  # sub-track indices for which this is a negative context word
    check_left: bool  # phrase starts with an ASCII letter/digit: must not continue a word
    check_right: bool
    boundary: bool = False  # check_left or check_right
    track_w: tuple[tuple[int, float], ...] = ()  # per track once (a term in two sub-tracks of a track counts once)
    sub_w: tuple[tuple[int, float], ...] = ()
    tracks: frozenset[int] = frozenset()

    @classmethod
    def make(cls, term: str, targets: tuple[tuple[int, int, float], ...], vetoes: tuple[int, ...], left: bool, right: bool) -> "_Entry":
        per_track: dict[int, float] = {}
        for ti, _, w in targets:
            per_track[ti] = max(w, per_track.get(ti, 0.0))
        return cls(
            term=term,
            targets=targets,
            vetoes=vetoes,
            check_left=left,
            check_right=right,
            boundary=left or right,
            track_w=tuple(sorted(per_track.items())),
            sub_w=tuple((si, w) for _, si, w in targets if si >= 0),
            tracks=frozenset(per_track),
        )

    def without(self, subs: frozenset[int]) -> "_Entry":
        """This entry with some sub-tracks vetoed (a negative context word in the same sentence)."""
        kept = tuple(t for t in self.targets if t[1] < 0 or t[1] not in subs)
        return _Entry.make(self.term, kept, self.vetoes, self.check_left, self.check_right)


@dataclass
class _Evidence:
    """What one document's term hits add up to, before any filing decision."""

    display: str
    bounds: list[int] | None
    raw: list[float]
    anchor: list[float]  # per track, the heaviest term weight that matched
    top: float
    length: int
    chars: int
    sub_raw: dict[int, float]
    entry_counts: Counter[_Entry]
    hits: list[tuple[int, _Entry, float]]
    _by_sub: dict[int, dict[str, int]] | None = None

    def track_terms(self, ti: int) -> dict[str, int]:
        """Matched terms of one track → count, most frequent first."""
        out: dict[str, int] = defaultdict(int)
        for e, c in self.entry_counts.items():
            if ti in e.tracks:
                out[e.term] += c
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def sub_terms(self, si: int) -> dict[str, int]:
        """Matched terms of one sub-track → count, most frequent first."""
        if self._by_sub is None:
            by_sub: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for e, c in self.entry_counts.items():
                for s, _ in e.sub_w:
                    by_sub[s][e.term] += c
            self._by_sub = by_sub
        terms = self._by_sub.get(si, {})
        return dict(sorted(terms.items(), key=lambda kv: (-kv[1], kv[0])))

    def track_hits(self, ti: int) -> list[tuple[int, float]]:
        """(position, weighted value) of each hit of one track, for choosing the quote."""
        return [(start, f * w) for start, e, f in self.hits if ti in e.tracks for t, w in e.track_w if t == ti]

    def sentence_bounds(self) -> list[int]:
        """Sentence ends, computed once and only when a quote is needed."""
        if self.bounds is None:
            self.bounds = _sentence_bounds(self.display)
        return self.bounds


class Classifier:
    """Multi-label classifier driven by a taxonomy file."""

    def __init__(self, taxonomy: Taxonomy, backend: str | None = None):
        self.taxonomy = taxonomy
        self.scoring = taxonomy.scoring
        self._tracks = taxonomy.tracks
        self._subs: list[tuple[int, str, str]] = []  # global sub index -> (track index, id, name)
        self._entries: list[_Entry] = []
        self._index = self._build(backend)
        self._order = {t.id: i for i, t in enumerate(self._tracks)}

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> "Classifier":
        """Build a classifier from a taxonomy file (default ``config/tracks.yaml``)."""
        return cls(load_taxonomy(path))

    def _build(self, backend: str | None) -> TermIndex:
        spelled: dict[str, str] = {}
        targets: dict[str, dict[tuple[int, int], float]] = defaultdict(dict)
        vetoes: dict[str, set[int]] = defaultdict(set)
        absorbers: set[str] = set()

        def add_term(raw: str, ti: int, si: int, weight: float) -> None:
            key = fold_term(raw)
            spelled.setdefault(key, raw)
            slot = targets[key]
            slot[(ti, si)] = max(weight, slot.get((ti, si), 0.0))

        for phrase in self.taxonomy.exclude:
            absorbers.add(fold_term(phrase))
        alias_default = self.scoring.alias_weight
        for ti, track in enumerate(self._tracks):
            for term, w in track.terms.items():
                add_term(term, ti, -1, w)
            for sub in track.subtracks:
                si = len(self._subs)
                self._subs.append((ti, sub.id, sub.name))
                for term, w in {**sub.alias_weights(alias_default), **sub.terms}.items():
                    add_term(term, ti, si, w)
                for phrase in sub.exclude:
                    absorbers.add(fold_term(phrase))
                for word in sub.negative:
                    vetoes[fold_term(word)].add(si)

        global_excl = {fold_term(p) for p in self.taxonomy.exclude}
        phrases: dict[str, _Entry] = {}
        for key in sorted(set(targets) | absorbers | set(vetoes)):
            tg = () if key in global_excl else tuple((ti, si, w) for (ti, si), w in sorted(targets.get(key, {}).items()))
            self._entries.append(
                _Entry.make(spelled.get(key, key), tg, tuple(sorted(vetoes.get(key, ()))), key[0] in _ASCII_ALNUM, key[-1] in _ASCII_ALNUM)
            )
            phrases[key] = self._entries[-1]
        return TermIndex(phrases, backend)

    @property
    def backend(self) -> str:
        """The string-matching engine in use."""
        return self._index.backend

    # ---- classification ----------------------------------------------------------------------
    def classify(self, title: str, body: str, attachments: str = "") -> list[Label]:
        """Labels sorted by score (highest first); an empty list means the document fits no track."""
        ev = self._evidence(title, body, attachments)
        if ev is None:
            return []
        labels: list[Label] = []
        for ti, r in enumerate(ev.raw):
            if self._verdict(ev, ti) != "filed":
                continue
            track = self._tracks[ti]
            labels.append(
                Label(
                    track_id=track.id,
                    track=track.name,
                    score=self._score(r * 1000.0 / ev.length),
                    subtracks=self._sublabels(ti, ev),
                    terms=ev.track_terms(ti),
                    quote=_quote(ev.display, ev.sentence_bounds(), ev.track_hits(ti)),
                )
            )
        labels.sort(key=lambda lb: (-lb.score, self._order[lb.track_id]))
        return labels

    def explain(self, title: str, body: str, attachments: str = "") -> dict[str, dict[str, Any]]:
        """Per track: weighted evidence, density and why it was or was not filed (for auditors and tuning)."""
        ev = self._evidence(title, body, attachments)
        out: dict[str, dict[str, Any]] = {}
        for ti, track in enumerate(self._tracks):
            if ev is None or ev.raw[ti] == 0:
                out[track.name] = {"evidence": 0.0, "density": 0.0, "verdict": "no terms", "terms": {}}
                continue
            out[track.name] = {
                "evidence": round(ev.raw[ti], 3),
                "density": round(ev.raw[ti] * 1000.0 / ev.length, 3),
                "verdict": self._verdict(ev, ti),
                "terms": ev.track_terms(ti),
            }
        return out

    def _verdict(self, ev: "_Evidence", ti: int) -> str:
        sc = self.scoring
        r = ev.raw[ti]
        if ev.anchor[ti] < sc.anchor_weight:
            return "only weak terms"
        if r < (sc.min_evidence_short if ev.chars <= sc.short_text_chars else sc.min_evidence):
            return "too little evidence"
        if r * 1000.0 / ev.length < sc.min_density:
            return "passing mention (low density)"
        if r < sc.relative * ev.top and r < sc.independent_evidence:
            return "minor next to the main track"
        return "filed"

    def _evidence(self, title: str, body: str, attachments: str) -> "_Evidence | None":
        sc = self.scoring
        title_d, body_d, att_d = clean_whitespace(title or ""), clean_whitespace(body or ""), clean_whitespace(attachments or "")
        display = f"{title_d}\n{body_d}\n{att_d}"
        text = fold(display)
        body_start = len(title_d) + 1
        lead_end = body_start + sc.lead_chars
        att_start = body_start + len(body_d) + 1
        n = len(text)

        tw, lw, bw, aw = sc.title_weight, sc.lead_weight, sc.body_weight, sc.attachment_weight
        alnum = _ASCII_ALNUM
        hits: list[tuple[int, _Entry, float]] = []
        neg: list[tuple[int, tuple[int, ...]]] = []
        for start, end, e in self._index.scan(text):
            if e.boundary:
                if e.check_left and start > 0 and text[start - 1] in alnum:
                    continue
                if e.check_right and end < n and text[end] in alnum:
                    continue
            if e.vetoes:
                neg.append((start, e.vetoes))
            if e.targets:
                if start >= att_start:
                    hits.append((start, e, aw))
                elif start >= lead_end:
                    hits.append((start, e, bw))
                elif start >= body_start:
                    hits.append((start, e, lw))
                else:
                    hits.append((start, e, tw))
        if not hits:
            return None

        bounds: list[int] | None = None
        if neg:
            hits, bounds = _apply_vetoes(display, hits, neg)

        raw = [0.0] * len(self._tracks)
        anchor = [0.0] * len(self._tracks)
        sub_raw: dict[int, float] = defaultdict(float)
        for _, e, f in hits:
            for ti, w in e.track_w:
                raw[ti] += w * f
                if w > anchor[ti]:
                    anchor[ti] = w
            for si, w in e.sub_w:
                sub_raw[si] += w * f
        entry_counts = Counter(e for _, e, _ in hits)
        chars = len(body_d) + len(att_d)
        length = max(chars, sc.density_floor_chars)
        return _Evidence(display, bounds, raw, anchor, max(raw), length, chars, sub_raw, entry_counts, hits)

    def _score(self, density: float) -> float:
        return round(1.0 - math.exp(-density / self.scoring.score_scale), 4)

    def _sublabels(self, ti: int, ev: _Evidence) -> list[SubLabel]:
        mine = [(si, r) for si, r in ev.sub_raw.items() if self._subs[si][0] == ti and r > 0]
        if not mine:
            return []
        best = max(r for _, r in mine)
        sc = self.scoring
        keep = [(si, r) for si, r in mine if r >= sc.min_subtrack_evidence and r >= sc.subtrack_relative * best]
        if not keep:
            keep = [max(mine, key=lambda x: x[1])]
        keep.sort(key=lambda x: (-x[1], x[0]))
        out = []
        for si, r in keep:
            _, sid, name = self._subs[si]
            out.append(SubLabel(id=sid, name=name, score=self._score(r * 1000.0 / ev.length), terms=ev.sub_terms(si)))
        return out


def _apply_vetoes(
    display: str, hits: list[tuple[int, _Entry, float]], neg: list[tuple[int, tuple[int, ...]]]
) -> tuple[list[tuple[int, _Entry, float]], list[int]]:
    """Drop the sub-track targets of hits that share a sentence with one of that sub-track's negative words."""
    bounds = _sentence_bounds(display)
    vetoed: dict[int, set[int]] = defaultdict(set)  # sentence no -> vetoed sub-tracks
    for start, subs in neg:
        vetoed[bisect.bisect_right(bounds, start)].update(subs)
    out = []
    for start, e, f in hits:
        subs = vetoed.get(bisect.bisect_right(bounds, start))
        if subs and any(si in subs for si, _ in e.sub_w):
            e = e.without(frozenset(subs))
            if not e.track_w:
                continue
        out.append((start, e, f))
    return out, bounds


def _sentence_bounds(display: str) -> list[int]:
    """Positions of sentence ends; sentence number of position p is bisect_right(bounds, p)."""
    return [m.start() for m in _SENTENCE_END.finditer(display)]


def _quote(display: str, bounds: list[int], hits: list[tuple[int, float]]) -> str:
    """The sentence carrying most of a track's evidence, trimmed around its first hit."""
    if not hits:
        return ""
    per_sentence: dict[int, float] = defaultdict(float)
    first_hit: dict[int, int] = {}
    for start, v in hits:
        sno = bisect.bisect_right(bounds, start)
        per_sentence[sno] += v
        first_hit.setdefault(sno, start)
    best = max(per_sentence, key=lambda s: (per_sentence[s], -s))
    lo = bounds[best - 1] + 1 if best > 0 else 0
    hi = bounds[best] + 1 if best < len(bounds) else len(display)
    sentence = display[lo:hi].strip()
    if display[hi - 1 : hi] == "\n":
        sentence = display[lo : hi - 1].strip()
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    anchor = first_hit[best] - lo
    begin = max(0, min(anchor - QUOTE_CHARS // 3, len(sentence) - QUOTE_CHARS))
    piece = sentence[begin : begin + QUOTE_CHARS]
    return ("…" if begin > 0 else "") + piece + ("…" if begin + QUOTE_CHARS < len(sentence) else "")


# ---- batch interface --------------------------------------------------------------------------
def label_record(doc_id: Any, labels: list[Label]) -> dict[str, Any]:
    """The JSON-lines record for one document (also what the CLI prints)."""
    return {
        "id": doc_id,
        "tracks": [lb.track for lb in labels],
        "subtracks": {lb.track: [s.name for s in lb.subtracks] for lb in labels},
        "scores": {lb.track: lb.score for lb in labels},
        "evidence": {lb.track: {"terms": lb.terms, "quote": lb.quote} for lb in labels},
    }


def classify_jsonl(in_path: str | Path, out: TextIO, taxonomy: str | Path | None = None) -> int:
    """Classify a JSON-lines file of {id, text[, title, attachments]}; write one result line each; return the count."""
    clf = Classifier.load(taxonomy)
    count = 0
    with Path(in_path).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            labels = clf.classify(rec.get("title") or "", rec.get("text") or "", rec.get("attachments") or "")
            out.write(json.dumps(label_record(rec.get("id"), labels), ensure_ascii=False) + "\n")
            count += 1
    return count
