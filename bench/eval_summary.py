"""Score digest summaries on the shared real documents (``../shared/eval/summaries``).

Each page goes the digest's way: page extraction (pipeline.html_extract), the
pipeline's normalization, document type from the title, then
``pipeline.summarize.release_summary`` — the function the crawl stores and the
digest shows.  Scoring follows ``../shared/eval/README.md``:

* hit: the summary shares a run of at least 15 characters (whitespace and
  punctuation ignored) with one ``key`` sentence;
* boilerplate: it shares 12 with a ``boilerplate`` sentence whose run is not
  also part of a key sentence.

The 30 documents are split into two halves with a fixed seed: rules are tuned
looking at ``--half tune`` only, and ``--half held-out`` is the figure to report.

    python bench/eval_summary.py [--half tune|held-out|all] [--show] [--baseline] [--dir PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.doctype import detect_doctype  # noqa: E402
from pipeline.html_extract import decode_html, extract_html  # noqa: E402
from pipeline.normalize import normalize_text, summarize as lead_summary  # noqa: E402
from pipeline.summarize import release_summary  # noqa: E402

DEFAULT_DIR = Path(os.environ.get("RADAR_EVAL_DIR", REPO.parent / "shared" / "eval")) / "summaries"
SEED = 20251203
HIT_RUN, BOILER_RUN = 15, 12


def squash(s: str) -> str:
    """Letters and digits only: the scoring ignores whitespace and punctuation."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", s) if unicodedata.category(ch)[0] in "LN")


def longest_common_run(a: str, b: str) -> int:
    """Length of the longest common substring (dynamic programming over two short strings)."""
    if not a or not b:
        return 0
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def _boiler_hit(summary: str, boiler: str, keys: list[str]) -> bool:
    """Shares 12 with a boilerplate sentence, counting only runs that are not inside a key sentence."""
    s, b = squash(summary), squash(boiler)
    keyspace = [squash(k) for k in keys]
    for i in range(len(s) - BOILER_RUN + 1):
        run = s[i : i + BOILER_RUN]
        if run in b and not any(run in k for k in keyspace):
            return True
    return False


@dataclass
class Scored:
    file: str
    doc_type: str
    summary: str
    hit: bool
    boiler: bool


def summarize_page(path: Path, *, baseline: bool = False) -> str:
    page = extract_html(decode_html(path.read_bytes()), path.resolve().as_uri())
    title = page.title or ""
    body = normalize_text(page.text)
    if baseline:  # what the digest showed before: the first 120 characters
        return lead_summary(body)
    return release_summary(title, body, "", doctype=detect_doctype(title, {"doc_number": page.doc_number, "kind": "government"}))


def score(summary: str, truth: dict) -> tuple[bool, bool]:
    s = squash(summary)
    hit = any(longest_common_run(s, squash(k)) >= HIT_RUN for k in truth["key"])
    boiler = any(_boiler_hit(summary, b, truth["key"]) for b in truth["boilerplate"])
    return hit, boiler


def halves(truths: list[dict]) -> tuple[list[dict], list[dict]]:
    """Fixed-seed split, stratified by document type so both halves hold every kind."""
    rng = random.Random(SEED)
    tune: list[dict] = []
    held: list[dict] = []
    by_type: dict[str, list[dict]] = {}
    for t in sorted(truths, key=lambda t: t["file"]):
        by_type.setdefault(t["doc_type"], []).append(t)
    for kind in sorted(by_type):
        group = by_type[kind]
        rng.shuffle(group)
        cut = (len(group) + 1) // 2 if len(tune) <= len(held) else len(group) // 2
        tune += group[:cut]
        held += group[cut:]
    return sorted(tune, key=lambda t: t["file"]), sorted(held, key=lambda t: t["file"])


def run(root: Path, which: str, *, baseline: bool = False, show: bool = False) -> list[Scored]:
    truths = [json.loads(line) for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    tune, held = halves(truths)
    chosen = {"tune": tune, "held-out": held, "all": truths}[which]
    out: list[Scored] = []
    for t in chosen:
        summary = summarize_page(root / t["file"], baseline=baseline)
        hit, boiler = score(summary, t)
        out.append(Scored(t["file"], t["doc_type"], summary, hit, boiler))
        if show:
            mark = ("HIT " if hit else "miss") + (" BOILER" if boiler else "")
            print(f"{t['file']} [{t['doc_type']}] {mark} ({len(summary)}): {summary}")
    return out


def report(name: str, rows: list[Scored]) -> None:
    n = len(rows) or 1
    hit = sum(r.hit for r in rows) / n
    boiler = sum(r.boiler for r in rows) / n
    mean_len = sum(len(r.summary) for r in rows) / n
    print(f"{name:<28} n={len(rows):>2}  key hit {hit:.2f}  boilerplate {boiler:.2f}  mean length {mean_len:.0f} chars")
    kinds = sorted({r.doc_type for r in rows})
    print(
        " " * 29
        + "by type: "
        + ", ".join(f"{k} {sum(r.hit for r in rows if r.doc_type == k)}/{sum(1 for r in rows if r.doc_type == k)}" for k in kinds)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the summaries folder (truth.jsonl, docs/)")
    ap.add_argument("--half", choices=["tune", "held-out", "all", "both"], default="both")
    ap.add_argument("--show", action="store_true", help="print every summary with its verdict")
    ap.add_argument("--baseline", action="store_true", help="also score the old first-120-characters summary")
    args = ap.parse_args(argv)
    if not (args.dir / "truth.jsonl").exists():
        print(f"no evaluation set at {args.dir} (set RADAR_EVAL_DIR or --dir)", file=sys.stderr)
        return 2
    halves_to_run = ["tune", "held-out"] if args.half == "both" else [args.half]
    print(f"set: {args.dir} (split seed {SEED}, stratified by doc_type)")
    for which in halves_to_run:
        if args.baseline:
            report(f"{which} · first 120 chars", run(args.dir, which, baseline=True))
        report(f"{which} · release_summary", run(args.dir, which, show=args.show))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
