"""Every benchmark in bench/, one command, quick sizes, one summary table with the machine it ran on.

Each benchmark runs as its own process (`python bench/X.py …`, as documented
in its docstring), so one that fails or is missing does not stop the others;
its full output is printed as it finishes, then the summary table lists each
headline figure next to the baseline measured in the same run.

Run: python bench/run_all.py [--full] [--only pipeline,pdf] (or python -m bench)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


@dataclass
class Figure:
    """One row of the summary: a regex over the output for the value, optionally for the baseline and the ratio."""

    label: str
    value: str
    baseline: str | None = None
    ratio: str | None = None


@dataclass
class Bench:
    name: str
    script: str
    quick: list[str]
    figures: list[Figure] = field(default_factory=list)


NUM = r"([\d,.]+\s*[\w/%×µ]*)"

BENCHES = [
    Bench(
        "pdf",
        "bench_pdf.py",
        ["--rounds", "1"],
        [
            Figure(
                "PDF text, 1 core",
                r"ours, 1 core, all PDFs\s*:\s*" + NUM,
                r"pdfplumber extract_text, 1 core\s*:\s*" + NUM,
                r"\(([\d.]+×) pdfplumber\)",
            ),
            Figure("PDF character error rate", r"quality\s+ours: CER ([\d.]+%)", r"quality\s+pdfplumber: CER ([\d.]+%)"),
        ],
    ),
    Bench(
        "classify",
        "bench_classify.py",
        ["--docs", "200", "--rounds", "3"],
        [
            Figure(
                "classifier, 10 KB docs",
                r"classifier: ([\d,]+ docs/s)",
                r"baseline \(str\.count per term\): ([\d,]+ docs/s)",
                r"speed-up: ([\d.]+x)",
            ),
        ],
    ),
    Bench(
        "stages",
        "bench_stages.py",
        ["--items", "200", "--rounds", "3"],
        [Figure("extraction + summary + classification, CPU per page", r"total ([\d.]+)")],
    ),
    Bench(
        "tracks",
        "eval_classifier.py",
        ["--all-sets"],
        [
            Figure("track filing macro-F1, held-out real half", r"held-out half of \S+ \(seed \d+\)\s+\d+\s+([\d.]+)"),
            Figure("track filing macro-F1, tuning real half", r"tuning half of \S+ \(seed \d+\)\s+\d+\s+([\d.]+)"),
            Figure("track filing macro-F1, seed set", r"seed set \S+\s+\d+\s+([\d.]+)"),
        ],
    ),
    Bench(
        "digest",
        "bench_digest.py",
        ["--subscribers", "1000"],
        [
            Figure(
                "digests sent",
                r"PolicyRadar digests\s*:.*?([\d,.]+ messages/s)",
                r"baseline raw smtplib:.*?([\d,.]+ messages/s)",
                r"ratio: PolicyRadar runs at ([\d.]+%)",
            ),
            Figure("digest peak RSS", r"peak RSS: ([\d.]+ MiB)"),
        ],
    ),
    Bench(
        "incremental",
        "bench_incremental.py",
        ["--items", "300"],
        [
            Figure("unchanged recrawl, requests vs first crawl", r"nothing-new recrawl vs first crawl: requests ([\d.]+%)", None, None),
            Figure("unchanged recrawl, bytes vs first crawl", r"nothing-new recrawl vs first crawl: requests [\d.]+%, bytes ([\d.]+%)"),
            Figure("one new item, requests", r"one new item costs (\d+) requests"),
        ],
    ),
    Bench(
        "search",
        "bench_search.py",
        ["--docs", "5000", "--reps", "5", "--baseline-reps", "1"],
        [
            Figure(
                "search p50 / p95",
                r"index search over .*?: (p50 [\d.]+ ms, p95 [\d.]+ ms)",
                r"baseline LIKE .*?: (p50 [\d.]+ ms)",
                r"speed-up at p50: ([\d.]+x)",
            ),
        ],
    ),
    Bench(
        "pipeline",
        "bench_pipeline.py",
        ["--items", "500"],
        [
            Figure(
                "crawl → SQLite, pages/s",
                r"\(b\) PolicyRadar crawl → SQLite\s+\d+\s+[\d.]+\s+([\d.]+)",
                r"\(a\) raw Scrapy fetch \(baseline\)\s+\d+\s+[\d.]+\s+([\d.]+)",
                r"pipeline throughput vs raw fetching: ([\d.]+%)",
            ),
            Figure(
                "CPU, all processes (s)",
                r"CPU over every process .*?PolicyRadar ([\d.]+) s",
                r"CPU over every process .*?raw ([\d.]+) s",
                r"ceiling on this machine .*?: ([\d.]+%)",
            ),
        ],
    ),
    Bench(
        "crawl_memory",
        "bench_crawl_memory.py",
        ["--items", "2000"],
        [
            Figure(
                "crawl peak RSS, whole tree (MB)",
                r"whole tree \(crawl \+ fetch \+ extract\)\s+(\d+)",
                r"raw Scrapy fetch, process tree \(baseline\)\s+(\d+)",
                r"vs raw Scrapy: ([\d.]+×)",
            ),
            Figure("crawl peak RSS, crawl process (MB)", r"PolicyRadar crawl, crawl process\s+(\d+)"),
            Figure("unchanged recrawl, requests / bytes", r"unchanged recrawl vs full crawl: (requests [\d.]+%, bytes [\d.]+%)"),
        ],
    ),
    Bench(
        "many_sources",
        "bench_many_sources.py",
        ["--sources", "100", "--sample", "3"],
        [
            Figure(
                "unchanged re-check, CPU-s per source, batched", r"batched ([\d.]+) s vs alone", r"vs alone ([\d.]+) s", r": ([\d.]+× less)"
            ),
            Figure("unchanged re-check, peak RSS of the crawl tree (MB)", r"peak RSS of the crawl tree (\d+) MB"),
        ],
    ),
    Bench(
        "workers",
        "bench_workers.py",
        ["--sources", "6"],
        [
            Figure(
                "sources crawled per min, 2 workers vs 1",
                r"\n\s*2\s+[\d.]+\s+([\d.]+)",
                r"\n\s*1\s+[\d.]+\s+([\d.]+)",
                r"2 workers vs 1: throughput (x[\d.]+)",
            ),
        ],
    ),
    Bench(
        "migrations",
        "bench_migrations.py",
        ["--n", "5"],
        [
            Figure(
                "new SQLite database: migrate (ms)",
                r"sqlite\s+new database: migrate\s+([\d.]+) ms",
                r"sqlite\s+new database:.*?create_all \(baseline\)\s+([\d.]+) ms",
                r"sqlite\s+new database:.*?ratio\s+([\d.]+)",
            ),
        ],
    ),
    Bench(
        "summaries",
        "eval_summary.py",
        ["--baseline"],
        [
            Figure(
                "summary key hit, held-out half",
                r"held-out · release_summary\s+n=\d+\s+key hit ([\d.]+)",
                r"held-out · first 120 chars\s+n=\d+\s+key hit ([\d.]+)",
            ),
            Figure(
                "summary boilerplate, held-out half",
                r"held-out · release_summary.*?boilerplate ([\d.]+)",
                r"held-out · first 120 chars.*?boilerplate ([\d.]+)",
            ),
        ],
    ),
]


def run(bench: Bench, full: bool) -> tuple[str, int, float]:
    path = HERE / bench.script
    argv = [sys.executable, str(path), *([] if full else bench.quick)]
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=HERE.parent, capture_output=True, text=True)
    return proc.stdout + (("\n" + proc.stderr[-3000:]) if proc.returncode else ""), proc.returncode, time.perf_counter() - t0


def pick(pattern: str | None, text: str) -> str:
    if not pattern:
        return ""
    m = re.search(pattern, text)
    return m.group(1).strip() if m else "?"


def main() -> None:
    from crawlbench import machine

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="each benchmark's own default sizes instead of the quick ones")
    ap.add_argument("--only", default="", help="comma-separated names: " + ", ".join(b.name for b in BENCHES))
    args = ap.parse_args()
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    rows: list[tuple[str, str, str, str, str]] = []
    for bench in BENCHES:
        if only and bench.name not in only:
            continue
        if not (HERE / bench.script).exists():
            rows.append((bench.name, "(not present)", "", "", ""))
            continue
        sizes = "defaults" if args.full or not bench.quick else " ".join(bench.quick)
        print(f"\n===== {bench.name}: python bench/{bench.script} {'' if args.full else ' '.join(bench.quick)}".rstrip(), flush=True)
        out, rc, seconds = run(bench, args.full)
        print(out.rstrip(), flush=True)
        if rc != 0:
            rows.append((bench.name, f"FAILED (exit {rc}) after {seconds:.0f} s", "", "", ""))
            continue
        if not bench.figures:
            last = [ln.strip() for ln in out.splitlines() if ln.strip()][-2:]
            rows.extend((bench.name, ln, "", "", "") for ln in last)
            continue
        for fig in bench.figures:
            rows.append((bench.name, fig.label, pick(fig.value, out), pick(fig.baseline, out), pick(fig.ratio, out)))
        rows.append((bench.name, f"({sizes}; {seconds:.0f} s)", "", "", ""))
    print(f"\n===== summary ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    print(f"machine: {machine()}")
    widths = [max(len(r[i]) for r in rows + [("bench", "figure", "result", "baseline", "ratio")]) for i in range(5)]
    header = ("bench", "figure", "result", "baseline", "ratio / share")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main()
