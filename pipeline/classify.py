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
from collections import defaultdict
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


@dataclass(frozen=True)
class _Entry:
    """Everything one folded phrase means: which (track, sub-track, weight) it feeds, which sub-tracks it vetoes."""

    term: str  # spelling shown in evidence
    targets: tuple[tuple[int, int, float], ...]  # (track index, global sub-track index or -1, weight)
    vetoes: tuple[int, ...]  # sub-track indices for which this is a negative context word
    check_left: bool  # phrase starts with an ASCII letter/digit: must not continue a word
    check_right: bool


class Classifier:
    """Multi-label classifier driven by a taxonomy file."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.scoring = taxonomy.scoring
        self._tracks = taxonomy.tracks
        self._subs: list[tuple[int, str, str]] = []  # global sub index -> (track index, id, name)
        self._entries: list[_Entry] = []
        self._index = self._build()

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> "Classifier":
        """Build a classifier from a taxonomy file (default ``config/tracks.yaml``)."""
        return cls(load_taxonomy(path))

    def _build(self) -> TermIndex:
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
                _Entry(
                    term=spelled.get(key, key),
                    targets=tg,
                    vetoes=tuple(sorted(vetoes.get(key, ()))),
                    check_left=key[0] in _ASCII_ALNUM,
                    check_right=key[-1] in _ASCII_ALNUM,
                )
            )
            phrases[key] = self._entries[-1]
        return TermIndex(phrases)

    @property
    def backend(self) -> str:
        """The string-matching engine in use."""
        return self._index.backend

    # ---- classification ----------------------------------------------------------------------
    def classify(self, title: str, body: str, attachments: str = "") -> list[Label]:
        """Labels sorted by score (highest first); an empty list means the document fits no track."""
        sc = self.scoring
        title_d, body_d, att_d = clean_whitespace(title), clean_whitespace(body), clean_whitespace(attachments)
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
        for last, (size, e) in self._index.scan(text):
            start = last - size + 1
            if e.check_left and start > 0 and text[start - 1] in alnum:
                continue
            if e.check_right and last + 1 < n and text[last + 1] in alnum:
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
            return []

        bounds: list[int] | None = None
        vetoed: set[tuple[int, int]] = set()  # (sentence no, sub index)
        if neg:
            bounds = _sentence_bounds(display)
            for start, subs in neg:
                sno = bisect.bisect_right(bounds, start)
                vetoed.update((sno, si) for si in subs)

        nt = len(self._tracks)
        raw = [0.0] * nt
        sub_raw: dict[int, float] = defaultdict(float)
        sub_terms: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        track_terms: list[dict[str, int]] = [defaultdict(int) for _ in range(nt)]
        track_hits: list[list[tuple[int, float]]] = [[] for _ in range(nt)]
        for start, e, f in hits:
            sno = -1
            if vetoed:
                assert bounds is not None
                sno = bisect.bisect_right(bounds, start)
            counted_tracks: set[int] = set()
            for ti, si, w in e.targets:
                if si >= 0 and vetoed and (sno, si) in vetoed:
                    continue
                v = w * f
                if si >= 0:
                    sub_raw[si] += v
                    sub_terms[si][e.term] += 1
                if ti in counted_tracks:
                    continue  # a term listed in two sub-tracks of one track counts once for the track
                counted_tracks.add(ti)
                raw[ti] += v
                track_terms[ti][e.term] += 1
                track_hits[ti].append((start, v))

        top = max(raw)
        length = max(len(body_d) + len(att_d), sc.density_floor_chars)
        labels: list[Label] = []
        for ti, r in enumerate(raw):
            density = r * 1000.0 / length
            if r < sc.min_evidence or density < sc.min_density or r < sc.relative * top:
                continue
            track = self._tracks[ti]
            if bounds is None:
                bounds = _sentence_bounds(display)
            labels.append(
                Label(
                    track_id=track.id,
                    track=track.name,
                    score=self._score(density),
                    subtracks=self._sublabels(ti, sub_raw, sub_terms, length),
                    terms=dict(sorted(track_terms[ti].items(), key=lambda kv: (-kv[1], kv[0]))),
                    quote=_quote(display, bounds, track_hits[ti]),
                )
            )
        labels.sort(key=lambda lb: (-lb.score, [t.id for t in self._tracks].index(lb.track_id)))
        return labels

    def _score(self, density: float) -> float:
        return round(1.0 - math.exp(-density / self.scoring.score_scale), 4)

    def _sublabels(self, ti: int, sub_raw: dict[int, float], sub_terms: dict[int, dict[str, int]], length: int) -> list[SubLabel]:
        mine = [(si, r) for si, r in sub_raw.items() if self._subs[si][0] == ti and r > 0]
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
            terms = dict(sorted(sub_terms[si].items(), key=lambda kv: (-kv[1], kv[0])))
            out.append(SubLabel(id=sid, name=name, score=self._score(r * 1000.0 / length), terms=terms))
        return out


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
