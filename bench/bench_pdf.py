"""PDF stage benchmark: our extractor vs plain pdfplumber, same files, same run.

Reports pages/s (single core and the process pool), the speed ratio, and the
quality on the ground-truth fixtures (CER with whitespace ignored, output
lines ÷ ground-truth paragraphs), so speed is never quoted without quality.

    python bench/bench_pdf.py                 # committed fixtures, 3 rounds
    python bench/bench_pdf.py --scale 4       # also a 4× longer generated corpus (needs LibreOffice)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.extract_pool import ExtractCache, ExtractPool  # noqa: E402
from pipeline.pdf_text import extract_pdf  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "pdf"


def cer(out: str, truth: str) -> float:
    """Character error rate, whitespace ignored (Levenshtein distance / truth length)."""
    from rapidfuzz.distance import Levenshtein

    a, b = re.sub(r"\s+", "", out), re.sub(r"\s+", "", truth)
    return Levenshtein.distance(a, b) / max(1, len(b))


def nlines(s: str) -> int:
    return sum(1 for ln in s.splitlines() if ln.strip())


def plumber_text(data: bytes) -> tuple[str, int]:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages), len(pdf.pages)


def corpus(extra_dir: Path | None) -> list[tuple[str, bytes, str]]:
    files = [f for f in sorted(FIXTURES.glob("*.pdf")) if f.with_suffix(".txt").exists() and not f.name.startswith("scanned")]
    if extra_dir:
        files += sorted(extra_dir.glob("*.pdf"))
    return [(f.name, f.read_bytes(), f.with_suffix(".txt").read_text(encoding="utf-8")) for f in files]


def timed(fn, items, rounds):  # type: ignore[no-untyped-def]
    best = float("inf")
    outs = None
    for _ in range(rounds):
        t = time.perf_counter()
        outs = [fn(d) for _, d, _ in items]
        best = min(best, time.perf_counter() - t)
    return best, outs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=int, default=0, help="also generate an N× longer corpus with make_fixtures.py")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        extra = None
        if args.scale:
            extra = Path(tmp)
            subprocess.run(
                [sys.executable, str(FIXTURES / "make_fixtures.py"), "--scale", str(args.scale), "--out", tmp],
                check=True,
                capture_output=True,
            )
        items = corpus(extra)

        extract_pdf(items[0][1])  # warm imports so neither side pays them in the timing
        plumber_text(items[0][1])

        t_ours, ours = timed(lambda d: extract_pdf(d), items, args.rounds)
        t_plumb, plumbs = timed(plumber_text, items, 1)  # pdfplumber is slow and deterministic: one round

        pages = sum(r.page_count or 0 for r in ours)
        text_items = [(i, it) for i, it in enumerate(items) if "table" not in it[0]]
        text_pages = sum(ours[i].page_count or 0 for i, _ in text_items)
        t_text, _ = timed(lambda d: extract_pdf(d), [it for _, it in text_items], args.rounds)

        # process pool across cores, cache empty so every file is really extracted
        with ExtractPool(workers=args.workers, cache=ExtractCache()) as pool:
            pool.map([(d, n, None) for n, d, _ in items[: args.workers]])  # start workers
            pool.cache = ExtractCache()
            t = time.perf_counter()
            pool.map([(d, n, None) for n, d, _ in items])
            t_pool = time.perf_counter() - t
            t = time.perf_counter()
            pool.map([(d, n, None) for n, d, _ in items])  # same bytes again: served from the cache
            t_cached = time.perf_counter() - t

        print(f"corpus: {len(items)} text PDFs, {pages} pages ({text_pages} in documents without tables)\n")
        print(f"{'file':28s} {'pages':>5s} {'ours CER':>9s} {'lines/para':>10s} {'plumber CER':>11s} {'lines/para':>10s}")
        for (name, _, truth), r, (ptext, _) in zip(items, ours, plumbs):
            paras = nlines(truth)
            print(
                f"{name:28s} {r.page_count:5d} {cer(r.text, truth) * 100:8.3f}% {nlines(r.text) / paras:10.2f} "
                f"{cer(ptext, truth) * 100:10.3f}% {nlines(ptext) / paras:10.2f}"
            )
        all_truth = "".join(t for _, _, t in items)
        print()
        print(
            f"quality  ours: CER {cer(''.join(r.text for r in ours), all_truth) * 100:.3f}%  lines {sum(nlines(r.text) for r in ours) / nlines(all_truth):.2f}× paragraphs"
        )
        print(
            f"quality  pdfplumber: CER {cer(''.join(p for p, _ in plumbs), all_truth) * 100:.3f}%  lines {sum(nlines(p) for p, _ in plumbs) / nlines(all_truth):.2f}× paragraphs"
        )
        print()
        print(f"speed  pdfplumber extract_text, 1 core : {pages / t_plumb:8.1f} pages/s")
        print(
            f"speed  ours, 1 core, all PDFs          : {pages / t_ours:8.1f} pages/s   ({(pages / t_ours) / (pages / t_plumb):.1f}× pdfplumber)"
        )
        print(f"speed  ours, 1 core, text-only PDFs    : {text_pages / t_text:8.1f} pages/s")
        print(f"speed  ours, pool of {args.workers} processes       : {pages / t_pool:8.1f} pages/s")
        print(f"speed  ours, cached (same bytes again) : {pages / max(t_cached, 1e-9):8.1f} pages/s")


if __name__ == "__main__":
    main()
