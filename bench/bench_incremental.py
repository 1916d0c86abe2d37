"""Incremental recrawl cost on a 1,000-item replica site, against the first full crawl in the same run.

Builds a government-style site (20 items per list page, index.html,
index_1.html … pagination, one small PDF per tenth item), serves it on
loopback, then measures from the fetch log:

1. the first crawl (everything is new),
2. a recrawl with nothing new (goal: ≤ 2 % of the first crawl's requests and bytes),
3. a recrawl after one new item is published at the top of the list (goal: ≤ 3 requests).

Run: python bench/bench_incremental.py [--items 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import func, select  # noqa: E402

from core.settings import Settings  # noqa: E402
from core.sources import SourceConfig  # noqa: E402
from crawl.runner import run_crawl  # noqa: E402
from storage.db import session_scope  # noqa: E402
from storage.models import FetchLog  # noqa: E402

PER_PAGE = 20
PDF = next((ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf"), None)


def _detail(i: int) -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>关于推动未来产业发展的第{i}号通知</title></head><body>"
        f"<h1>关于推动未来产业发展的第{i}号通知</h1><table><tr><td>发文字号：</td><td>示例发〔2025〕{i}号</td></tr>"
        f"<tr><td>发布日期：</td><td>2025-03-{1 + i % 28:02d}</td></tr></table>"
        f"<div id='content'>"
        + "".join(f"<p>第{i}号通知第{k}段：加快培育氢能、量子科技、具身智能等未来产业，推动创新发展。</p>" for k in range(8))
        + "</div>"
        + (f"<a href='files/{i}.pdf'>附件</a>" if i % 10 == 0 and PDF else "")
        + "</body></html>"
    )


def build_site(root: Path, items: int) -> None:
    (root / "wjfb" / "files").mkdir(parents=True, exist_ok=True)
    for i in range(1, items + 1):
        (root / "wjfb" / f"art{i}.html").write_text(_detail(i), encoding="utf-8")
        if i % 10 == 0 and PDF:
            shutil.copy(PDF, root / "wjfb" / "files" / f"{i}.pdf")
    write_lists(root, list(range(items, 0, -1)))


def write_lists(root: Path, order: list[int]) -> None:
    pages = [order[k : k + PER_PAGE] for k in range(0, len(order), PER_PAGE)]
    for p, ids in enumerate(pages):
        name = "index.html" if p == 0 else f"index_{p}.html"
        lis = "".join(
            f"<li><a href='art{i}.html'>关于推动未来产业发展的第{i}号通知</a><span>2025-03-{1 + i % 28:02d}</span></li>" for i in ids
        )
        (root / "wjfb" / name).write_text(
            f"<html><head><meta charset='utf-8'></head><body><ul class='list'>{lis}</ul></body></html>", encoding="utf-8"
        )


@contextlib.contextmanager
def serve(root: Path):  # type: ignore[no-untyped-def]
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def run_cost(settings: Settings, run_id: int) -> tuple[int, int]:
    with session_scope(settings) as s:
        n = s.exec(select(func.count()).select_from(FetchLog).where(FetchLog.run_id == run_id)).one()
        b = s.exec(select(func.coalesce(func.sum(FetchLog.bytes), 0)).where(FetchLog.run_id == run_id)).one()
    return int(n), int(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_site(site, args.items)
        settings = Settings(RADAR_DATA_DIR=Path(tmp) / "data", DATABASE_URL=None)
        with serve(site) as base:
            source = SourceConfig.model_validate(
                {
                    "name": "bench",
                    "title": "bench",
                    "region": "全国",
                    "agency": "示例部",
                    "start_urls": [f"{base}/wjfb/index.html"],
                    "list": {"item": "ul.list li", "date": "span::text"},
                    "pagination": {"type": "template", "url_template": "index_{n}.html", "max_pages": args.items // PER_PAGE + 2},
                    "politeness": {"delay": 0, "concurrency": 8, "obey_robots": True},
                    "network": {"allow_private": True},  # the bench site is on loopback
                }
            )
            t0 = time.perf_counter()
            first = run_crawl(source, settings)
            t1 = time.perf_counter()
            second = run_crawl(source, settings)
            t2 = time.perf_counter()
            new_id = args.items + 1
            (site / "wjfb" / f"art{new_id}.html").write_text(_detail(new_id + 1), encoding="utf-8")  # no PDF on this one
            write_lists(site, [new_id] + list(range(args.items, 0, -1)))
            time.sleep(1.1)  # Last-Modified has one-second resolution
            third = run_crawl(source, settings)
        r1, b1 = run_cost(settings, first.run_id)
        r2, b2 = run_cost(settings, second.run_id)
        r3, b3 = run_cost(settings, third.run_id)
    print(f"replica: {args.items} items, {PER_PAGE} per list page, a PDF on every 10th item")
    print(f"{'crawl':<34}{'requests':>10}{'bytes':>14}{'new':>6}{'seconds':>9}")
    print(f"{'1. first crawl (baseline)':<34}{r1:>10}{b1:>14,}{first.new:>6}{t1 - t0:>9.1f}")
    print(f"{'2. recrawl, nothing new':<34}{r2:>10}{b2:>14,}{second.new:>6}{t2 - t1:>9.1f}")
    print(f"{'3. recrawl, one new item':<34}{r3:>10}{b3:>14,}{third.new:>6}")
    print(f"nothing-new recrawl vs first crawl: requests {r2 / r1:.2%}, bytes {b2 / b1:.2%}  (goal ≤ 2 %)")
    print(f"one new item costs {r3} requests (goal ≤ 3; robots.txt counts)")


if __name__ == "__main__":
    main()
