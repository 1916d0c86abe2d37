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
- A track needs one strong term (weight >= 2), or else many weak ones at a
  high density: real releases name an industry in everyday words (算力,
  人工智能) again and again and may never use a phrase of the MIIT document.
- Every decision keeps its evidence (terms, counts, a quote) because
  auditors ask "why was this filed under 未来能源".

All terms come from the taxonomy file; nothing here knows about hydrogen.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from pipeline.cnfold import clean_whitespace, fold_term
from pipeline.taxonomy import Taxonomy, load_taxonomy, taxonomy_version
from pipeline.termindex import TermIndex

QUOTE_CHARS = 120
# ``explain``'s verdicts in Chinese, beside the English key that scripts match on (``verdict`` never changes wording).
VERDICT_ZH = {
    "filed": "归入",
    "no terms": "无匹配词",
    "only weak terms": "只有弱相关词",
    "too little evidence": "证据不足",
    "passing mention (low density)": "顺带提及（密度低）",
    "minor next to the main track": "相对主赛道为次要",
    "named only as one item of a list": "仅作为列举中的一项出现",
}
_SENTENCE_END_CHARS = "。！？!?；;\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_END_CHARS}]")
# the enumeration comma (and its half-width stand-ins seen in real pages) between the items of a list
_LIST_SEPARATORS = frozenset("、､")
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
    """What one document's term hits add up to, before any filing decision.

    Only the sums the filing decision needs are computed up front; per-term
    counts, sub-track detail and quotes are built on demand, for filed tracks.
    """

    display: str
    bounds: list[int] | None  # sentence ends, if the vetoes needed them
    raw: list[float]
    anchor: list[float]  # per track, the heaviest term weight that matched
    top: float
    length: int
    chars: int
    sub_raw: dict[int, float]  # in order of first hit
    entry_counts: dict[_Entry, int]
    hits: list[tuple[int, _Entry, float]] | None
    # fast path: (region factor, matches (payload index, start, end)) in text order, and the payloads
    spans: list[tuple[float, list[tuple[int, int, int]]]] | None = None
    counts: dict[int, int] | None = None  # fast path: payload index -> hits
    clf: "Classifier | None" = None
    _by_sub: dict[int, dict[str, int]] | None = None
    # title, body, attachments as given: their line breaks (gone from ``display``) show a table's rows
    original: tuple[str, str, str] = ("", "", "")

    def track_terms(self, ti: int) -> dict[str, int]:
        """Matched terms of one track → count, most frequent first."""
        out: dict[str, int] = {}
        if self.counts is not None:
            assert self.clf is not None
            members, terms = self.clf._track_members[ti], self.clf._terms
            for i, c in self.counts.items():
                if i in members:
                    t = terms[i]
                    out[t] = out.get(t, 0) + c
        else:
            for e, c in self.entry_counts.items():
                if ti in e.tracks:
                    out[e.term] = out.get(e.term, 0) + c
        return _by_count(out)

    def all_track_terms(self, tracks: list[int]) -> dict[int, dict[str, int]]:
        """:meth:`track_terms` of several tracks in one pass over the matched terms."""
        if self.counts is None or self.clf is None or len(tracks) < 2:
            return {ti: self.track_terms(ti) for ti in tracks}
        per: dict[int, dict[str, int]] = {ti: {} for ti in tracks}
        track_w, terms = self.clf._track_w_of, self.clf._terms
        for i, c in self.counts.items():
            for ti, _ in track_w[i]:
                out = per.get(ti)
                if out is not None:
                    t = terms[i]
                    out[t] = out.get(t, 0) + c
        return {ti: _by_count(d) for ti, d in per.items()}

    def sub_terms(self, si: int) -> dict[str, int]:
        """Matched terms of one sub-track → count, most frequent first."""
        if self._by_sub is None:
            by_sub: dict[int, dict[str, int]] = {}
            if self.counts is not None:
                assert self.clf is not None
                subs_of, terms_of = self.clf._subs_of, self.clf._terms
                pairs = [(subs_of[i], terms_of[i], c) for i, c in self.counts.items()]
            else:
                pairs = [(tuple(s for s, _ in e.sub_w), e.term, c) for e, c in self.entry_counts.items()]
            for subs, term, c in pairs:
                for s in subs:
                    terms = by_sub.setdefault(s, {})
                    terms[term] = terms.get(term, 0) + c
            self._by_sub = by_sub
        return _by_count(self._by_sub.get(si, {}))

    def track_hits(self, ti: int, min_weight: float = 0.0) -> list[tuple[int, float]]:
        """(position, weighted value) of each hit of one track (terms of at least ``min_weight``), for the quote."""
        if self.hits is not None:
            return [(start, f * w) for start, e, f in self.hits if ti in e.tracks for t, w in e.track_w if t == ti and w >= min_weight]
        assert self.spans is not None and self.clf is not None
        weight = self.clf._track_weight[ti]  # payload index -> weight for this track
        out: list[tuple[int, float]] = []
        for f, matches in self.spans:
            out += [(start, f * weight[i]) for i, start, _ in matches if i in weight and weight[i] >= min_weight]
        return out

    def named_only_in_lists(self, ti: int) -> bool:
        """Whether every hit of a track is the same word, and each time one item of an enumeration.

        "支持新一代信息技术、生物医药、新能源等企业" names 生物医药 and says nothing
        about it; the Scope rules file a listed area only where the text says
        something about it.  A second word of the area, or the word in the title,
        or the word outside a list is saying something.  Asked only of a track
        that passed every other test, so the hot path never pays for it.
        """
        display = self.display
        title_end = display.find("\n")
        words: set[str] = set()
        for start, end in self._single_word_spans(ti):
            if start < title_end:
                return False
            words.add(display[start:end])
            if len(words) > 1:
                return False
            before = display[start - 1] if start > 0 else ""
            after = display[end] if end < len(display) else ""
            if before not in _LIST_SEPARATORS and after not in _LIST_SEPARATORS:
                return False
        return bool(words)

    def _single_word_spans(self, ti: int) -> list[tuple[int, int]]:
        """(start, end) in ``display`` of each hit of one track if one term made them all, else []."""
        if self.hits is not None:
            entries = [e for e in self.entry_counts if ti in e.tracks]
            if len(entries) != 1:
                return []
            return [(start, start + len(e.term)) for start, e, _ in self.hits if e is entries[0]]
        assert self.spans is not None and self.clf is not None and self.counts is not None
        members = self.clf._track_members[ti]
        found = [i for i in self.counts if i in members]
        if len(found) != 1:
            return []
        only = found[0]
        return [(start, end) for _, matches in self.spans for i, start, end in matches if i == only]

    def quotes(self, tracks: list[int]) -> dict[int, str]:
        """The quote of each filed track (see :func:`_quote`), in one pass over the hits for all of them.

        Every hit's sentence is looked up once, not once per track that wants
        it, and sums are added in text order exactly as :func:`_quote` adds
        them, so the quotes are the same.
        """
        if self.spans is None or self.bounds is None or self.clf is None or len(tracks) < 2:
            return {ti: self.quote(ti) for ti in tracks}
        bounds = self.bounds
        bisect_right = bisect.bisect_right
        want = frozenset(tracks)
        track_w = self.clf._track_w_of
        per: dict[int, dict[int, float]] = {ti: {} for ti in tracks}
        first: dict[int, dict[int, int]] = {ti: {} for ti in tracks}
        for f, matches in self.spans:
            for i, start, _ in matches:
                sno = -1
                for ti, w in track_w[i]:
                    if ti in want:
                        if sno < 0:
                            sno = bisect_right(bounds, start)
                        sums = per[ti]
                        if sno in sums:
                            sums[sno] += f * w
                        else:
                            sums[sno] = f * w
                            first[ti][sno] = start
        out = {}
        display = self.display
        for ti in tracks:
            sums = per[ti]
            if not sums:
                out[ti] = ""
                continue
            out[ti] = _quote_from(
                display, sums, first[ti], lambda s: _numbered_span(display, bounds, s), self.original, partial(self.track_hits, ti)
            )
        return out

    def quote(self, ti: int) -> str:
        """The quote for one track (see :func:`_quote`)."""
        if self.bounds is not None:
            return _quote(self.display, self.bounds, self.track_hits(ti), self.original)
        return _quote_near(self.display, self.track_hits(ti), self.original)


class Classifier:
    """Multi-label classifier driven by a taxonomy file."""

    def __init__(self, taxonomy: Taxonomy, version: str | None = None):
        self.taxonomy = taxonomy
        # Which rules filed a label: the file's hash (see load); an in-memory taxonomy hashes its content.
        self.taxonomy_version = version or hashlib.sha256(taxonomy.model_dump_json().encode("utf-8")).hexdigest()[:16]
        self.scoring = taxonomy.scoring
        self._tracks = taxonomy.tracks
        self._subs: list[tuple[int, str, str]] = []  # global sub index -> (track index, id, name)
        self._entries: list[_Entry] = []
        self._index = self._build()
        self._payloads: list[_Entry] = self._index.payloads
        self._order = {t.id: i for i, t in enumerate(self._tracks)}
        self._prepare_fast_path()

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> "Classifier":
        """Build a classifier from a taxonomy file (default ``config/tracks.yaml``)."""
        return cls(load_taxonomy(path), version=taxonomy_version(path))

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
        # taxonomy-wide context words (a market report naming a concept) veto every sub-track alike
        for word in self.taxonomy.negative:
            vetoes[fold_term(word)].update(range(len(self._subs)))

        global_excl = {fold_term(p) for p in self.taxonomy.exclude}
        phrases: dict[str, _Entry] = {}
        for key in sorted(set(targets) | absorbers | set(vetoes)):
            tg = () if key in global_excl else tuple((ti, si, w) for (ti, si), w in sorted(targets.get(key, {}).items()))
            self._entries.append(
                _Entry.make(spelled.get(key, key), tg, tuple(sorted(vetoes.get(key, ()))), key[0] in _ASCII_ALNUM, key[-1] in _ASCII_ALNUM)
            )
            phrases[key] = self._entries[-1]
        return TermIndex(phrases)

    # ---- classification ----------------------------------------------------------------------
    def classify(self, title: str, body: str, attachments: str = "") -> list[Label]:
        """Labels sorted by score (highest first); an empty list means the document fits no track."""
        ev = self._evidence(title, body, attachments)
        if ev is None:
            return []
        ev.original = (title, body, attachments)
        labels: list[Label] = []
        filed = [ti for ti in range(len(ev.raw)) if self._verdict(ev, ti) == "filed"]
        quotes = ev.quotes(filed)
        subs = self._all_sublabels(filed, ev)
        terms = ev.all_track_terms(filed)
        for ti in filed:
            track = self._tracks[ti]
            labels.append(
                Label(
                    track_id=track.id,
                    track=track.name,
                    score=self._score(ev.raw[ti] * 1000.0 / ev.length),
                    subtracks=subs[ti],
                    terms=terms[ti],
                    quote=quotes[ti],
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
                out[track.name] = {
                    "evidence": 0.0,
                    "density": 0.0,
                    "verdict": "no terms",
                    "verdict_zh": VERDICT_ZH["no terms"],
                    "terms": {},
                }
                continue
            verdict = self._verdict(ev, ti)
            out[track.name] = {
                "evidence": round(ev.raw[ti], 3),
                "density": round(ev.raw[ti] * 1000.0 / ev.length, 3),
                "verdict": verdict,  # stable English key: scripts match on it
                "verdict_zh": VERDICT_ZH[verdict],
                "terms": ev.track_terms(ti),
            }
        return out

    def _verdict(self, ev: "_Evidence", ti: int) -> str:
        sc = self.scoring
        r = ev.raw[ti]
        if ev.anchor[ti] < sc.anchor_weight and not self._about_weakly(ev, ti):
            return "only weak terms"
        if r < (sc.min_evidence_short if ev.chars <= sc.short_text_chars else sc.min_evidence):
            return "too little evidence"
        if r * 1000.0 / ev.length < sc.min_density:
            return "passing mention (low density)"
        if r < sc.relative * ev.top and r < sc.independent_evidence:
            return "minor next to the main track"
        if not sc.list_items_file and ev.named_only_in_lists(ti):
            return "named only as one item of a list"
        return "filed"

    def _about_weakly(self, ev: "_Evidence", ti: int) -> bool:
        """Whether a track without any strong term is still what the text is about.

        A release on computing-power infrastructure may say 算力 ten times and
        never 智算中心: many weak hits at a high density file it.  Context words
        (weight below 1, e.g. 光伏) never count towards this, so a long text on
        ordinary solar farms stays out.  Computed only for the rare track that
        gets this far, so the hot path keeps its plain sums.
        """
        sc = self.scoring
        if sc.weak_only_evidence is None or ev.raw[ti] < sc.weak_only_evidence:
            return False
        core = sum(v for _, v in ev.track_hits(ti, min_weight=1.0))
        return core >= sc.weak_only_evidence and core * 1000.0 / ev.length >= sc.weak_only_density

    def _prepare_fast_path(self) -> None:
        """Per payload index and text region, the weighted contributions, and whether sums may be grouped.

        The reference adds ``w * f`` hit by hit, in text order.  When every such
        product is a multiple of 2**-k (weights like 0.5 or 3, factors like 1.5)
        and no sum can reach 2**53 units of 2**-k, every partial sum is exact, so
        ``count * (w * f)`` per distinct term, in any order, gives the very same
        floats.  ``_max_chars`` is the text length up to which that holds (a text
        has at most one hit per character); ``None`` means: always add in order.
        """
        sc = self.scoring
        self._factors = (sc.title_weight, sc.lead_weight, sc.body_weight, sc.attachment_weight)
        products = [w * f for e in self._payloads for _, _, w in e.targets for f in self._factors]
        self._max_chars: int | None = None
        if all(math.isfinite(p) for p in products) and all(math.isfinite(f) for f in self._factors):
            dens = [Fraction(p).denominator for p in products] or [1]
            biggest = max([abs(p) for p in products] or [0.0])
            scale = max(dens) * max(biggest, 1.0)  # a hit adds at most `biggest`, in units of 1/max(dens)
            self._max_chars = int(2**52 // scale) if max(dens) <= 2**20 else None
        # payload index -> (((track, w*f), ...), ((sub, w*f), ...)) for each region factor
        self._contrib = [
            [(tuple((ti, w * f) for ti, w in e.track_w), tuple((si, w * f) for si, w in e.sub_w)) for e in self._payloads]
            for f in self._factors
        ]
        # payloads that need no per-hit care: no word-boundary check, no veto, something to add
        self._plain = frozenset(i for i, e in enumerate(self._payloads) if e.targets and not e.boundary and not e.vetoes)
        self._vetoing = frozenset(i for i, e in enumerate(self._payloads) if e.vetoes)
        self._terms = [e.term for e in self._payloads]
        self._subs_of = [tuple(si for si, _ in e.sub_w) for e in self._payloads]
        self._track_w_of = [e.track_w for e in self._payloads]
        self._sub_track = [ti for ti, _, _ in self._subs]
        self._track_members = [frozenset(i for i, e in enumerate(self._payloads) if ti in e.tracks) for ti in range(len(self._tracks))]
        self._track_weight = [
            {i: w for i, e in enumerate(self._payloads) for t, w in e.track_w if t == ti} for ti in range(len(self._tracks))
        ]

    def _evidence(self, title: str, body: str, attachments: str) -> "_Evidence | None":
        sc = self.scoring
        title_d = clean_whitespace(title) if title else ""
        body_d = clean_whitespace(body) if body else ""
        att_d = clean_whitespace(attachments) if attachments else ""
        display = f"{title_d}\n{body_d}\n{att_d}"
        text, matches, bounds = self._index.fold_scan(display, _SENTENCE_END_CHARS)
        body_start = len(title_d) + 1
        lead_end = body_start + sc.lead_chars
        att_start = body_start + len(body_d) + 1
        chars = len(body_d) + len(att_d)
        length = max(chars, sc.density_floor_chars)
        if self._max_chars is None or len(text) > self._max_chars or lead_end < body_start:
            return self._evidence_in_order(display, text, matches, body_start, lead_end, att_start, chars, length, bounds)

        payloads = self._payloads
        ids = list(map(itemgetter(0), matches))
        plain = self._plain
        if not plain.issuperset(ids):
            if not self._vetoing.isdisjoint(ids):
                # Negative words veto only their own sub-tracks' hits in their sentence: when no matched
                # term feeds a sub-track that a matched negative word vetoes, they change nothing and the
                # grouped sums below stay exact.  Otherwise: sentence by sentence, as the reference does.
                present = set(ids)
                vetoed = {si for i in present & self._vetoing for si in payloads[i].vetoes}
                subs_of = self._subs_of
                if any(si in vetoed for i in present for si in subs_of[i]):
                    return self._evidence_in_order(display, text, matches, body_start, lead_end, att_start, chars, length, bounds)
            # word-boundary checks and exclusion phrases: only those matches, as the reference does
            alnum = _ASCII_ALNUM
            n = len(text)
            drop = set()
            for x in [x for x in matches if x[0] not in plain]:
                i, start, end = x
                e = payloads[i]
                if not e.targets or (
                    e.check_left and start > 0 and text[start - 1] in alnum or e.check_right and end < n and text[end] in alnum
                ):
                    drop.add(x)
            if drop:
                matches = [x for x in matches if x not in drop]
                ids = list(map(itemgetter(0), matches))
        if not matches:
            return None

        # Regions by position (matches are in text order), with the reference's precedence:
        # attachments, then body after the lead, then lead, then title.
        starts = list(map(itemgetter(1), matches))
        a = bisect.bisect_left(starts, body_start)
        c = bisect.bisect_left(starts, att_start)
        b = min(bisect.bisect_left(starts, lead_end), c)
        tw, lw, bw, aw = self._factors
        spans = [(tw, matches[:a], 0), (lw, matches[a:b], 1), (bw, matches[b:c], 2), (aw, matches[c:], 3)]
        spans = [sp for sp in spans if sp[1]]

        raw = [0.0] * len(self._tracks)
        sub_raw: dict[int, float] = {}  # in order of first hit, as the reference fills it
        if len(spans) == 1:
            region_counts = [(Counter(ids), spans[0][2])]
        else:
            region_counts = [(Counter(map(itemgetter(0), ms)), r) for _, ms, r in spans]
        for counts, r in region_counts:
            contrib = self._contrib[r]
            for i, k in counts.items():
                tws, sws = contrib[i]
                for ti, p in tws:
                    raw[ti] += k * p
                for si, p in sws:
                    sub_raw[si] = sub_raw.get(si, 0.0) + k * p
        total = region_counts[0][0] if len(region_counts) == 1 else Counter(ids)
        anchor = [0.0] * len(self._tracks)
        for i in total:
            for ti, w in payloads[i].track_w:
                if w > anchor[ti]:
                    anchor[ti] = w
        return _Evidence(
            display, bounds, raw, anchor, max(raw), length, chars, sub_raw, {}, None, [(f, ms) for f, ms, _ in spans], total, self
        )

    def _evidence_in_order(
        self,
        display: str,
        text: str,
        matches: list[tuple[int, int, int]],
        body_start: int,
        lead_end: int,
        att_start: int,
        chars: int,
        length: int,
        bounds: list[int] | None = None,
    ) -> "_Evidence | None":
        """The reference computation: hit by hit, sums in text order, negative words by sentence."""
        sc = self.scoring
        n = len(text)
        tw, lw, bw, aw = sc.title_weight, sc.lead_weight, sc.body_weight, sc.attachment_weight
        alnum = _ASCII_ALNUM
        payloads = self._payloads
        hits: list[tuple[int, _Entry, float]] = []
        neg: list[tuple[int, tuple[int, ...]]] = []
        for i, start, end in matches:
            e = payloads[i]
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

        if neg:
            hits = _apply_vetoes(display, hits, neg, bounds)

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
        return _Evidence(display, bounds, raw, anchor, max(raw), length, chars, sub_raw, entry_counts, hits)

    def _score(self, density: float) -> float:
        return round(1.0 - math.exp(-density / self.scoring.score_scale), 4)

    def _all_sublabels(self, tracks: list[int], ev: _Evidence) -> dict[int, list[SubLabel]]:
        """:meth:`_sublabels` of every filed track, sorting the sub-track sums by track once."""
        if len(tracks) < 2:
            return {ti: self._sublabels(ti, ev) for ti in tracks}
        mine: dict[int, list[tuple[int, float]]] = {ti: [] for ti in tracks}
        sub_track = self._sub_track
        for si, r in ev.sub_raw.items():
            got = mine.get(sub_track[si])
            if got is not None and r > 0:
                got.append((si, r))
        return {ti: self._sublabels(ti, ev, mine[ti]) for ti in tracks}

    def _sublabels(self, ti: int, ev: _Evidence, mine: list[tuple[int, float]] | None = None) -> list[SubLabel]:
        if mine is None:
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


_COUNT = itemgetter(1)


def _by_count(terms: dict[str, int]) -> dict[str, int]:
    """Most frequent first, ties by term (two stable C sorts instead of a key function)."""
    if len(terms) < 2:
        return dict(terms)
    return dict(sorted(sorted(terms.items()), key=_COUNT, reverse=True))


def _apply_vetoes(
    display: str, hits: list[tuple[int, _Entry, float]], neg: list[tuple[int, tuple[int, ...]]], bounds: list[int] | None
) -> list[tuple[int, _Entry, float]]:
    """Drop the sub-track targets of hits that share a sentence with one of that sub-track's negative words.

    Sentences are numbered by ``bounds`` (sentence ends) when the scan found
    them, else keyed by where they end, searched from the hits (see
    :func:`_sentence_keys`) rather than by splitting the whole text.
    """
    if bounds is not None:
        bisect_right = bisect.bisect_right
        neg_keys = [bisect_right(bounds, p) for p, _ in neg]
        hit_keys = [bisect_right(bounds, h[0]) for h in hits]
    else:
        neg_keys = _sentence_keys(display, [p for p, _ in neg])
        hit_keys = _sentence_keys(display, [h[0] for h in hits])
    vetoed: dict[int, set[int]] = defaultdict(set)  # sentence -> vetoed sub-tracks
    for key, (_, subs) in zip(neg_keys, neg):
        vetoed[key].update(subs)
    out = []
    for key, (start, e, f) in zip(hit_keys, hits):
        vetoed_subs = vetoed.get(key)
        if vetoed_subs and any(si in vetoed_subs for si, _ in e.sub_w):
            e = e.without(frozenset(vetoed_subs))
            if not e.track_w:
                continue
        out.append((start, e, f))
    return out


def _sentence_keys(display: str, positions: list[int]) -> list[int]:
    """For positions in text order, the position of the sentence end that closes each one's sentence.

    The sentence of position p ends at the first sentence end after p (the
    numbering of :func:`_sentence_bounds`: ``bisect_right(bounds, p)``), or at
    the end of the text.  One regex search per sentence that has a position.
    """
    search = _SENTENCE_END.search
    n = len(display)
    end = -1
    out = []
    for p in positions:
        if p >= end:
            m = search(display, p + 1)
            end = m.start() if m is not None else n
        out.append(end)
    return out


def _sentence_bounds(display: str) -> list[int]:
    """Positions of sentence ends; sentence number of position p is bisect_right(bounds, p)."""
    return [m.start() for m in _SENTENCE_END.finditer(display)]


def _quote(display: str, bounds: list[int], hits: list[tuple[int, float]], original: tuple[str, str, str] = ("", "", "")) -> str:
    """The sentence carrying most of a track's evidence, trimmed around its first hit (see :func:`_quote_from`)."""
    if not hits:
        return ""
    per_sentence: dict[int, float] = defaultdict(float)
    first_hit: dict[int, int] = {}
    for start, v in hits:
        sno = bisect.bisect_right(bounds, start)
        per_sentence[sno] += v
        first_hit.setdefault(sno, start)
    return _quote_from(display, per_sentence, first_hit, lambda s: _numbered_span(display, bounds, s), original, lambda: hits)


def _numbered_span(display: str, bounds: list[int], sno: int) -> tuple[int, int]:
    """(start, end) in ``display`` of sentence number ``sno`` (numbered as ``bisect_right(bounds, p)``)."""
    return (bounds[sno - 1] + 1 if sno > 0 else 0), (bounds[sno] + 1 if sno < len(bounds) else len(display))


def _quote_from(
    display: str,
    sums: dict[int, float],
    first_hit: dict[int, int],
    span: Callable[[int], tuple[int, int]],
    original: tuple[str, str, str],
    hits: Callable[[], list[tuple[int, float]]],
) -> str:
    """The quote among the sentences holding a track's hits (``sums``: sentence key → weighted hits).

    The heaviest sentence, earliest on a tie, unless it holds table cells or is
    a run of layout with no sentence end: ``display`` has no line breaks (a term
    wrapped across lines must match), so a table's rows run together and into
    the sentence after them.  Then the text is cut again where the original's
    table rows begin and end (:func:`_quote_by_rows`), and the heaviest prose
    sentence holding a term of the track (weight ≥ 1, more than context) is
    quoted; only when the track's terms stand in tables alone is a row quoted,
    as its cells around the hit joined with ' | '.
    """
    best = max(sums, key=lambda s: (sums[s], -s))
    lo, hi = span(best)
    if not _table_like(display, lo, hi):
        return _trim_quote(display, _past_headings(display, lo, first_hit[best], original), hi, first_hit[best])
    if any(_CELL in part for part in original):
        return _quote_by_rows(display, hits(), original)
    for key in sorted(sums, key=lambda s: (-sums[s], s)):  # no table rows to cut out: sentences as they are
        if sums[key] < 1.0:
            break
        plo, phi = span(key)
        if not _table_like(display, plo, phi):
            return _trim_quote(display, _past_headings(display, plo, first_hit[key], original), phi, first_hit[key])
    return _table_quote(display, lo, hi, first_hit[best])


# A stretch this long without 。！？； or a line end is layout flattened into one run (a table pasted as
# paragraphs, a list of names), not a sentence: prose sentences of policy texts stay well under it.
RUN_CHARS = 300
_CELL = "|"  # extraction keeps a table row's cells apart with " | " (HTML, PDF tables, office files)
_CLAUSE_END = re.compile(r"[，,；;：:、]")
_DISPLAY_SPACE = re.compile("[ \n]")
_ROW_LINE = re.compile(r"[^\n]*\|[^\n]*")


def _table_like(display: str, lo: int, hi: int) -> bool:
    """Whether display[lo:hi] is table cells or a flattened run rather than a sentence."""
    return hi - lo > RUN_CHARS or display.find(_CELL, lo, hi) >= 0


def _quote_by_rows(display: str, hits: list[tuple[int, float]], original: tuple[str, str, str]) -> str:
    """:func:`_quote_from` with each table row of the original text cut out as a segment of its own.

    ``display`` is title, body and attachments joined by line breaks with
    whitespace dropped or collapsed (:func:`clean_whitespace`), so the k-th
    character that is not whitespace is the same in both: a row's line in the
    original is found in ``display`` by counting them.
    """
    spaces = [m.start() for m in _DISPLAY_SPACE.finditer(display)]
    visible_before = [w - j for j, w in enumerate(spaces)]

    def at(k: int) -> int:  # display index of the k-th visible character
        return k + bisect.bisect_right(visible_before, k)

    def visible(text: str) -> int:  # characters that are not whitespace, as clean_whitespace keeps them
        kept = clean_whitespace(text)
        return len(kept) - kept.count(" ")

    cuts = {0, len(display)}
    joined = "\n".join(original)
    k = done = 0
    for row in _ROW_LINE.finditer(joined):
        k += visible(joined[done : row.start()])
        n = visible(row.group())
        if n:
            cuts.add(at(k))
            cuts.add(at(k + n - 1) + 1)
        k += n
        done = row.end()
    cuts.update(m.end() for m in _SENTENCE_END.finditer(display))
    edges = sorted(cuts)
    sums: dict[int, float] = {}
    first: dict[int, int] = {}
    for pos, v in hits:
        seg = bisect.bisect_right(edges, pos) - 1
        sums[seg] = sums.get(seg, 0.0) + v
        first.setdefault(seg, pos)
    ranked = sorted(sums, key=lambda s: (-sums[s], s))
    for seg in ranked:
        if seg != ranked[0] and sums[seg] < 1.0:
            break
        lo, hi = edges[seg], edges[seg + 1]
        if not _table_like(display, lo, hi):
            return _trim_quote(display, _past_headings(display, lo, first[seg], original), hi, first[seg])
    top = ranked[0]
    return _table_quote(display, edges[top], edges[top + 1], first[top])


def _table_quote(display: str, lo: int, hi: int, first: int) -> str:
    """A hit that only a table holds: the cells around it joined with ' | ', or, in a run with no cell
    marks (a table pasted as paragraphs), the clauses around it; at most QUOTE_CHARS either way."""
    end = hi - 1 if display[hi - 1 : hi] == "\n" else hi
    if display.find(_CELL, lo, end) >= 0:
        cells: list[str] = []
        hit_cell, pos = 0, lo
        for raw in display[lo:end].split(_CELL):
            if pos <= first < pos + len(raw) + 1:
                hit_cell = len(cells) if raw.strip() else max(0, len(cells) - 1)
            pos += len(raw) + 1
            if raw.strip():
                cells.append(raw.strip())
        if cells:
            return _cells_around(cells, min(hit_cell, len(cells) - 1))
    begin = first
    for m in _CLAUSE_END.finditer(display, max(lo, first - QUOTE_CHARS // 3), first):
        begin = m.end()
        break
    stop = min(end, begin + QUOTE_CHARS)
    if stop < end:
        marks = [m.start() for m in _CLAUSE_END.finditer(display, first + 1, stop)]
        stop = marks[-1] if marks and marks[-1] - begin > QUOTE_CHARS // 2 else stop
    piece = display[begin:stop].strip()
    return ("…" if begin > lo else "") + piece + ("…" if stop < end else "")


def _cells_around(cells: list[str], i: int) -> str:
    """The hit's cell and its neighbours, right first (a row reads left to right), within QUOTE_CHARS."""
    if len(cells[i]) > QUOTE_CHARS:
        return "…" + cells[i][: QUOTE_CHARS - 2] + "…"
    a, b, size = i, i + 1, len(cells[i])
    while True:
        grew = False
        if b < len(cells) and size + 3 + len(cells[b]) <= QUOTE_CHARS:
            size += 3 + len(cells[b])
            b += 1
            grew = True
        if a > 0 and size + 3 + len(cells[a - 1]) <= QUOTE_CHARS:
            a -= 1
            size += 3 + len(cells[a])
            grew = True
        if not grew:
            break
    return ("…" if a > 0 else "") + " | ".join(cells[a:b]) + ("…" if b < len(cells) else "")


# A heading or item line ("（五）发展目标", "一、总体要求", "(2)", "【政策】", "◆"): short, no clause inside.
_HEADING_MARK = re.compile(
    r"\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．]|第[一二三四五六七八九十\d]+[章节条部分]|[【◆■➤●])"
)
_HEADING_MAX = 30
_CLAUSE_MARKS = frozenset("，,；;：:。！？")


def _past_headings(display: str, lo: int, first: int, original: tuple[str, str, str]) -> int:
    """Where a prose quote starts once the heading lines run into it are dropped.

    ``display`` lost the line breaks, so "（五）发展目标" on its own line reads as
    the start of the sentence below it ("（五）发展目标到2027年，…").  Text of
    the original that opens with a heading or item mark, runs to its line's end,
    holds no clause mark and is at most _HEADING_MAX characters is a heading, not
    the first line of a wrapped paragraph (whose first line carries its clauses),
    and is left out when the track's hit comes after it.  Asked only when the sentence opens with
    such a mark, so most quotes never pay for finding the original line.
    """
    if not _HEADING_MARK.match(display, lo) or not any(original):
        return lo
    joined = "\n".join(original)
    while (mark := _HEADING_MARK.match(display, lo)) is not None:
        heading = _heading_line(joined, mark.group().strip(), display, lo)
        end = lo + len(heading)
        if not heading or len(heading) > _HEADING_MAX or end > first or not _CLAUSE_MARKS.isdisjoint(heading):
            return lo
        lo = end
    return lo


def _heading_line(joined: str, mark: str, display: str, lo: int) -> str:
    """The original text from an occurrence of ``mark`` to the end of its line, when display[lo:] opens with it
    (whitespace dropped); "" when none does.  The heading may follow a sentence on its line (…现提出以下意见。（五）…)."""
    at = joined.find(mark)
    for _ in range(50):  # bounded: ◆ can open hundreds of lines; past the 50th the quote keeps its heading
        if at < 0:
            return ""
        stop = joined.find("\n", at)
        line = clean_whitespace(joined[at : stop if stop >= 0 else len(joined)])
        if line and display.startswith(line, lo):
            return line
        at = joined.find(mark, at + 1)
    return ""


def _trim_quote(display: str, lo: int, hi: int, first: int) -> str:
    """The sentence display[lo:hi], stripped, cut to QUOTE_CHARS around its first hit."""
    sentence = display[lo:hi].strip()
    if display[hi - 1 : hi] == "\n":
        sentence = display[lo : hi - 1].strip()
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    anchor = first - lo
    begin = max(0, min(anchor - QUOTE_CHARS // 3, len(sentence) - QUOTE_CHARS))
    piece = sentence[begin : begin + QUOTE_CHARS]
    return ("…" if begin > 0 else "") + piece + ("…" if begin + QUOTE_CHARS < len(sentence) else "")


def _quote_near(display: str, hits: list[tuple[int, float]], original: tuple[str, str, str] = ("", "", "")) -> str:
    """:func:`_quote` without splitting the whole text: sentences are found from the hits.

    A hit at p belongs to the sentence that ends at the first sentence end > p
    (that is ``bisect_right(bounds, p)``); hits come in text order, so one forward
    search per sentence with hits suffices.  Sentences are keyed by that end,
    which orders them as their numbers do.
    """
    if not hits:
        return ""
    search = _SENTENCE_END.search
    n = len(display)
    per_sentence: dict[int, float] = {}
    first_hit: dict[int, int] = {}
    end = -1
    for start, v in hits:
        if start >= end:
            m = search(display, start + 1)
            end = m.start() if m is not None else n
            per_sentence[end] = 0.0
            first_hit[end] = start
        per_sentence[end] += v

    def span(key: int) -> tuple[int, int]:
        return _sentence_start(display, first_hit[key]), (key + 1 if key < n else n)

    return _quote_from(display, per_sentence, first_hit, span, original, lambda: hits)


def _sentence_start(display: str, pos: int) -> int:
    """Start of the sentence holding ``pos``: one past the last sentence end at or before it.

    Searched in a window that grows backwards, so a hit deep in a long text
    does not cost a scan of everything before it per sentence-end character.
    """
    width = 128
    while True:
        lo = max(0, pos + 1 - width)
        last = -1
        for m in _SENTENCE_END.finditer(display, lo, pos + 1):
            last = m.start()
        if last >= 0:
            return last + 1
        if lo == 0:
            return 0
        width *= 4


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


def classify_jsonl(
    in_path: str | Path,
    out: TextIO,
    taxonomy: str | Path | None = None,
    problems: list[tuple[int, str]] | None = None,
    stdin: BinaryIO | None = None,
    explain: bool = False,
) -> int:
    """Classify a JSON-lines file of {id, text[, title, attachments]}; write one result line each; return the count.

    ``-`` reads ``stdin`` (default: the process's standard input).  A line that
    is not UTF-8, not a JSON object or has no string ``text`` is skipped and
    reported as (line number, reason) in ``problems``: one bad line in a
    thousand must not lose the other 999.  A missing file raises
    FileNotFoundError before anything is written.  ``explain`` adds, per
    track that any term touched, its evidence, density and verdict ("filed",
    "passing mention (low density)", "named only as one item of a list" …) with
    ``verdict_zh`` beside it (归入, 顺带提及（密度低）…):
    what an auditor asks when a document was *not* filed somewhere.
    """
    clf = Classifier.load(taxonomy)
    sink = problems if problems is not None else []
    if str(in_path) == "-":
        return _classify_lines(clf, stdin if stdin is not None else sys.stdin.buffer, out, sink, explain)
    with Path(in_path).open("rb") as fh:
        return _classify_lines(clf, fh, out, sink, explain)


def _classify_lines(clf: Classifier, fh: BinaryIO, out: TextIO, problems: list[tuple[int, str]], explain: bool = False) -> int:
    count = 0
    for no, raw in enumerate(fh, start=1):
        try:
            line = raw.decode("utf-8-sig" if no == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problems.append((no, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
            continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append((no, f"not JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(rec, dict):
            problems.append((no, f"not a JSON object but {type(rec).__name__}"))
            continue
        text = rec.get("text")
        if not isinstance(text, str):
            problems.append((no, 'no "text" field' if text is None else f'"text" is {type(text).__name__}, not a string'))
            continue
        title, attachments = rec.get("title") or "", rec.get("attachments") or ""
        title = title if isinstance(title, str) else ""
        attachments = attachments if isinstance(attachments, str) else ""
        record = label_record(rec.get("id"), clf.classify(title, text, attachments))
        if explain:
            record["explain"] = {name: why for name, why in clf.explain(title, text, attachments).items() if why["terms"]}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
