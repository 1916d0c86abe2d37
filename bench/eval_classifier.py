"""Score the classifier on a labelled JSON-lines set with the rules of docs/tracks.md.

Per track: a predicted label that is in neither ``tracks`` (required) nor
``optional`` is a false positive; a required label not predicted is a false
negative; a predicted required label is a true positive (predicted optional
labels are neither).  Items with empty ``tracks`` are "no-track" items; the
no-track accuracy is the share of them that get no label outside ``optional``.

    python bench/eval_classifier.py [DEV.jsonl] [--taxonomy PATH] [--errors] [--baseline]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.classify import Classifier  # noqa: E402
from pipeline.cnfold import fold, fold_term  # noqa: E402

DEFAULT_CANDIDATES = [Path("/work/shared/eval/tracks-dev.jsonl"), REPO.parent / "shared" / "eval" / "tracks-dev.jsonl"]


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
    print(f"micro-F1 {rep.micro_f1:.3f}   macro-F1 {rep.macro_f1:.3f}   no-track accuracy {rep.notrack_accuracy:.3f} ({rep.notrack_correct}/{rep.notrack_items})")


def default_path() -> Path:
    """The dev set: /work/shared/eval, or ../shared/eval next to the repository."""
    for p in DEFAULT_CANDIDATES:
        if p.exists():
            return p
    raise SystemExit("tracks-dev.jsonl not found; pass its path")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", help="labelled jsonl (default: shared tracks-dev.jsonl)")
    ap.add_argument("--taxonomy", default=None, help="taxonomy YAML (default config/tracks.yaml)")
    ap.add_argument("--errors", action="store_true", help="list the items that were wrong")
    ap.add_argument("--baseline", action="store_true", help="also score a naive any-term-matches baseline")
    args = ap.parse_args(argv)
    path = Path(args.path) if args.path else default_path()
    clf = Classifier.load(args.taxonomy)
    items = load_items(path)
    names = [t.name for t in clf.taxonomy.tracks]
    rep = evaluate(items, lambda it: [lb.track for lb in clf.classify(it.get("title", ""), it.get("text", ""))], names)
    print(f"dataset: {path}")
    print_report("classifier", rep)
    if args.errors:
        for e in rep.errors:
            print("  " + e)
    if args.baseline:
        print_report("naive baseline (any term occurs)", evaluate(items, naive_predictor(clf), names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
