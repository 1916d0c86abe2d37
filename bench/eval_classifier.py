"""Score the classifier on a labelled JSON-lines set with the rules of docs/tracks.md.

Per track: a predicted label that is in neither ``tracks`` (required) nor
``optional`` is a false positive; a required label not predicted is a false
negative; a predicted required label is a true positive (predicted optional
labels are neither).  Items with empty ``tracks`` are "no-track" items; the
no-track accuracy is the share of them that get no label outside ``optional``.

    python bench/eval_classifier.py [DEV.jsonl] [--half tune|heldout|all] [--seed N] [--taxonomy PATH] [--errors] [--baseline]
    python bench/eval_classifier.py [--all-sets]   # seed set, tuning half and held-out half of the real set

Honest measurement: the real set (``tracks-real-dev.jsonl``) is split in two
halves by a fixed seed, stratified by first required track (no-track items
are a stratum of their own) so both halves cover every track.  Tuning looks
only at ``--half tune`` (its errors); ``--half heldout`` is reported, never
inspected item by item (``--errors`` refuses it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.classify import Classifier  # noqa: E402
from pipeline.cnfold import fold, fold_term  # noqa: E402

EVAL_DIR = Path(os.environ.get("RADAR_EVAL_DIR", REPO.parent / "shared" / "eval"))
SEED_SET = EVAL_DIR / "tracks-dev.jsonl"
REAL_SET = EVAL_DIR / "tracks-real-dev.jsonl"
DEFAULT_CANDIDATES = [SEED_SET]
SPLIT_SEED = 20260314  # fixed once, before any tuning; changing it invalidates the held-out figures


@dataclass
class Report:
    """Counts and derived figures of one evaluation run."""

    tracks: list[str]
    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    items: int = 0
    notrack_items: int = 0
    notrack_correct: int = 0
    errors: list[str] = field(default_factory=list)

    def prf(self, t: str) -> tuple[float, float, float]:
        tp, fp, fn = self.tp.get(t, 0), self.fp.get(t, 0), self.fn.get(t, 0)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    @property
    def macro_f1(self) -> float:
        scored = [t for t in self.tracks if self.tp.get(t, 0) + self.fp.get(t, 0) + self.fn.get(t, 0)]
        return sum(self.prf(t)[2] for t in scored) / len(scored) if scored else 1.0

    @property
    def micro_f1(self) -> float:
        tp, fp, fn = (sum(d.values()) for d in (self.tp, self.fp, self.fn))
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0

    @property
    def notrack_accuracy(self) -> float:
        return self.notrack_correct / self.notrack_items if self.notrack_items else 1.0

    def min_track_f1(self) -> float:
        return min(self.prf(t)[2] for t in self.tracks if self.tp.get(t, 0) + self.fp.get(t, 0) + self.fn.get(t, 0))


def load_items(path: Path) -> list[dict[str, Any]]:
    """Labelled items, one JSON object per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def split_halves(items: list[dict[str, Any]], seed: int = SPLIT_SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tuning half, held-out half): shuffle by ``seed``, stratify by first required track, alternate.

    Items are ordered by id before shuffling, so the split depends only on the
    ids and the seed, not on the file's line order.
    """
    ordered = sorted(items, key=lambda it: str(it.get("id")))
    random.Random(seed).shuffle(ordered)
    strata: dict[str, list[dict[str, Any]]] = {}
    for it in ordered:
        strata.setdefault((it.get("tracks") or ["-"])[0], []).append(it)
    tune: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    flip = 0
    for key in sorted(strata):
        for it in strata[key]:
            (tune if flip == 0 else held).append(it)
            flip ^= 1
    return tune, held


def select_half(items: list[dict[str, Any]], half: str, seed: int) -> list[dict[str, Any]]:
    """``all``, or one half of :func:`split_halves`."""
    if half == "all":
        return items
    tune, held = split_halves(items, seed)
    return tune if half == "tune" else held


def evaluate(items: list[dict[str, Any]], predict: Any, tracks: list[str]) -> Report:
    """Apply the tracks.md rules to ``predict(item) -> list of track names``."""
    rep = Report(tracks=tracks)
    for item in items:
        pred = set(predict(item))
        req = set(item.get("tracks") or [])
        opt = set(item.get("optional") or [])
        rep.items += 1
        for t in pred:
            if t in req:
                rep.tp[t] = rep.tp.get(t, 0) + 1
            elif t not in opt:
                rep.fp[t] = rep.fp.get(t, 0) + 1
        for t in req - pred:
            rep.fn[t] = rep.fn.get(t, 0) + 1
        if not req:
            rep.notrack_items += 1
            if not (pred - opt):
                rep.notrack_correct += 1
        wrong_fp = sorted(pred - req - opt)
        missing = sorted(req - pred)
        if wrong_fp or missing:
            rep.errors.append(f"{item.get('id')}: FP {wrong_fp} FN {missing} | {item.get('text', '')[:60]}")
    return rep


def naive_predictor(clf: Classifier) -> Any:
    """Baseline: a track if any of its terms occurs at all (no weights, positions or density)."""
    tax = clf.taxonomy
    per_track = []
    for track in tax.tracks:
        terms = set(fold_term(t) for t in track.terms)
        for sub in track.subtracks:
            terms |= {fold_term(t) for t in sub.terms} | {fold_term(t) for t in sub.alias_weights(1.0)}
        per_track.append((track.name, terms))

    def predict(item: dict[str, Any]) -> list[str]:
        text = fold(item.get("text", ""))
        return [name for name, terms in per_track if any(t in text for t in terms)]

    return predict


def print_report(title: str, rep: Report) -> None:
    print(f"== {title}: {rep.items} items, {rep.notrack_items} no-track")
    print(f"{'track':<10} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn")
    for t in rep.tracks:
        p, r, f = rep.prf(t)
        print(f"{t:<10} {p:6.3f} {r:6.3f} {f:6.3f}  {rep.tp.get(t, 0):3d} {rep.fp.get(t, 0):3d} {rep.fn.get(t, 0):3d}")
    print(
        f"micro-F1 {rep.micro_f1:.3f}   macro-F1 {rep.macro_f1:.3f}   no-track accuracy {rep.notrack_accuracy:.3f} ({rep.notrack_correct}/{rep.notrack_items})"
    )


def default_path() -> Path:
    """The seed set in ``../shared/eval`` next to the repository (or ``$RADAR_EVAL_DIR``)."""
    if SEED_SET.exists():
        return SEED_SET
    raise SystemExit(f"{SEED_SET} not found; pass a path or set RADAR_EVAL_DIR")


def score(clf: Classifier, items: list[dict[str, Any]]) -> Report:
    """The classifier's report on ``items``."""
    names = [t.name for t in clf.taxonomy.tracks]
    return evaluate(items, lambda it: [lb.track for lb in clf.classify(it.get("title", ""), it.get("text", ""))], names)


def print_all_sets(clf: Classifier, seed: int) -> int:
    """The three figures the README reports: seed set, tuning half, held-out half."""
    for path in (SEED_SET, REAL_SET):
        if not path.exists():
            raise SystemExit(f"{path} not found; set RADAR_EVAL_DIR")
    sets = [("seed set " + SEED_SET.name, load_items(SEED_SET))]
    tune, held = split_halves(load_items(REAL_SET), seed)
    sets += [(f"tuning half of {REAL_SET.name} (seed {seed})", tune), (f"held-out half of {REAL_SET.name} (seed {seed})", held)]
    print(f"{'set':<52} {'items':>5} {'macro':>6} {'micro':>6} {'minF1':>6} {'no-trk':>6}")
    for title, items in sets:
        rep = score(clf, items)
        print(f"{title:<58} {rep.items:5d} {rep.macro_f1:6.3f} {rep.micro_f1:6.3f} {rep.min_track_f1():6.3f} {rep.notrack_accuracy:6.3f}")
    for title, items in sets:
        print()
        print_report(title, score(clf, items))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", help="labelled jsonl (default: shared tracks-dev.jsonl)")
    ap.add_argument("--taxonomy", default=None, help="taxonomy YAML (default config/tracks.yaml)")
    ap.add_argument("--half", choices=("tune", "heldout", "all"), default="all", help="score one half of the file (fixed-seed split)")
    ap.add_argument("--seed", type=int, default=SPLIT_SEED, help=f"split seed (default {SPLIT_SEED})")
    ap.add_argument("--all-sets", action="store_true", help="seed set, tuning half and held-out half of the real set")
    ap.add_argument("--errors", action="store_true", help="list the items that were wrong (not on the held-out half)")
    ap.add_argument("--baseline", action="store_true", help="also score a naive any-term-matches baseline")
    args = ap.parse_args(argv)
    clf = Classifier.load(args.taxonomy)
    if args.all_sets or (args.path is None and args.half == "all" and not args.errors and not args.baseline):
        return print_all_sets(clf, args.seed)
    if args.errors and args.half == "heldout":
        raise SystemExit("--errors is for tuning; the held-out half is reported, not inspected")
    path = Path(args.path) if args.path else default_path()
    items = select_half(load_items(path), args.half, args.seed)
    names = [t.name for t in clf.taxonomy.tracks]
    rep = score(clf, items)
    print(f"dataset: {path}" + ("" if args.half == "all" else f" ({args.half} half, seed {args.seed})"))
    print_report("classifier", rep)
    if args.errors:
        for e in rep.errors:
            print("  " + e)
    if args.baseline:
        print_report("naive baseline (any term occurs)", evaluate(items, naive_predictor(clf), names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
