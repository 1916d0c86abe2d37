"""CPU per page of the crawl process's three text stages (extraction, summary, classification), one stage at a time.

Why: ``bench_pipeline`` measures the whole crawl against a raw fetch, and on a
shared two-core machine its pairs of runs spread by ten points or more.  The
stages that the pipeline adds per page are pure functions of the page, so their
CPU time can be measured in one process, best of several rounds, and compared
between two checkouts run one after the other (``python OTHER/bench/bench_stages.py``).

Pages: ``crawlbench.build_varied_site`` (the replica ``bench_pipeline`` crawls:
government-style detail pages of real policy sentences), so the figures add up
to what the crawl process spends on them.

    python bench/bench_stages.py [--items 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import crawlbench  # noqa: E402

from pipeline.classify import Classifier  # noqa: E402
from pipeline.html_extract import extract_page  # noqa: E402
from pipeline.summarize import release_summary  # noqa: E402


def best_ms(fn: Callable[[Any], Any], items: Sequence[Any], rounds: int) -> tuple[float, list[Any]]:
    """Best CPU time per item over ``rounds`` passes (noise only ever slows a pass down), and the last results."""
    best, out = float("inf"), []
    for _ in range(rounds):
        t0 = time.process_time()
        out = [fn(x) for x in items]
        best = min(best, time.process_time() - t0)
    return best / max(len(items), 1) * 1e3, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=300, help="detail pages in the replica")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        crawlbench.build_varied_site(root, args.items)
        pages = [(p.read_bytes(), "http://127.0.0.1/" + p.name) for p in sorted(root.rglob("*.html"))]
    clf = Classifier.load()
    extract, exs = best_ms(lambda page: extract_page(*page), pages, args.rounds)
    docs = [(e.title or "", e.text) for e in exs]
    summary, _ = best_ms(lambda d: release_summary(*d), docs, args.rounds)
    classify, _ = best_ms(lambda d: clf.classify(*d), docs, args.rounds)
    print(f"code: {REPO}; {len(pages)} replica pages (lists included), best of {args.rounds} rounds, CPU ms per page")
    print(f"extraction {extract:.2f}   summary {summary:.2f}   classification {classify:.3f}   total {extract + summary + classify:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
