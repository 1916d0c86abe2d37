"""Render and send personalised digests to a loopback SMTP server; messages/s and peak memory.

Baseline, measured in the same run: sending the same number of one pre-rendered
message over one smtplib connection (what the mail path costs with no
selection, ranking, rendering or bookkeeping).

Run: python bench/bench_digest.py [--subscribers 10000] [--items 40]
"""

from __future__ import annotations

import argparse
import resource
import smtplib
import socket
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from alerts.digest import run_digest  # noqa: E402
from alerts.period import week_containing  # noqa: E402
from radar.settings import Settings  # noqa: E402
from storage.db import get_engine, session_scope  # noqa: E402
from storage.models import Document, DocumentVersion, Source, Subscriber, TrackLabel  # noqa: E402

TRACKS = [("manufacturing", "未来制造"), ("information", "未来信息"), ("materials", "未来材料"), ("energy", "未来能源"), ("space", "未来空间"), ("health", "未来健康")]
REGIONS = ["全国", "浙江", "广东", "北京", "上海", "杭州"]


class Counting:
    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.count += 1
        self.bytes += len(envelope.original_content or b"")
        return "250 OK"


def serve_smtp(port: int, counter, nbytes) -> None:  # type: ignore[no-untyped-def]
    class Shared(Counting):
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            with counter.get_lock():
                counter.value += 1
            with nbytes.get_lock():
                nbytes.value += len(envelope.original_content or b"")
            return "250 OK"

    controller = Controller(Shared(), hostname="127.0.0.1", port=port)
    controller.start()
    import threading

    threading.Event().wait()


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("SMTP server did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(settings: Settings, subscribers: int, items: int) -> None:
    get_engine(settings)
    with session_scope(settings) as s:
        s.add(Source(name="src", title="示例来源", region="全国", agency="示例部"))
        for i in range(items):
            tid, tname = TRACKS[i % 6]
            doc = Document(source_name="src", url=f"https://www.example.gov.cn/art/{i}.html", title=f"关于推动{tname}产业创新发展的第{i}号通知",
                           agency="工业和信息化部", region=REGIONS[i % 6], doctype="通知公告", published=date(2025, 3, 5), doc_number=f"工信部科〔2025〕{i}号")
            s.add(doc)
            s.flush()
            ver = DocumentVersion(document_id=doc.id, version_no=1, text_hash=str(i), title=doc.title, text="推动氢能、量子科技与具身智能等未来产业发展。" * 20,
                                  summary="推动氢能、量子科技与具身智能等未来产业发展，到2027年形成一批标志性产品。")
            s.add(ver)
            s.flush()
            s.add(TrackLabel(version_id=ver.id, document_id=doc.id, track_id=tid, track=tname, score=0.8,
                             subtracks=[{"id": "x", "name": "子方向", "score": 0.5, "terms": {"氢能": 2}}], terms={"氢能": 3, "量子科技": 2}, quote="推动氢能。"))
        for n in range(subscribers):
            s.add(Subscriber(email=f"reader{n}@example.com", confirmed=True, tracks=[TRACKS[n % 6][1], TRACKS[(n + 2) % 6][1]] if n % 3 else [],
                             regions=[REGIONS[n % 6]] if n % 5 == 0 else [], keywords_exclude=["房地产"] if n % 7 == 0 else []))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=40)
    args = ap.parse_args()
    port = free_port()
    # The SMTP server runs in its own process, as a real mail server would: in this process it
    # would compete with the sender for the GIL and the figures would measure the server.
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    counter = ctx.Value("q", 0)
    nbytes = ctx.Value("q", 0)
    server = ctx.Process(target=serve_smtp, args=(port, counter, nbytes), daemon=True)
    server.start()
    _wait_for(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(RADAR_DATA_DIR=Path(tmp), DATABASE_URL=None, SMTP_URL=f"smtp://127.0.0.1:{port}")
            seed(settings, args.subscribers, args.items)
            period = week_containing(datetime.now(timezone.utc))
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            t0 = time.perf_counter()
            report = run_digest(settings, period)
            elapsed = time.perf_counter() - t0
            rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            sent_bytes = nbytes.value
            # baseline: the same number of one pre-rendered message over one connection
            sample = Path(tmp) / "sample.eml"
            from alerts.digest import render_preview

            render_preview(settings, period, "reader1@example.com", sample)
            from email import message_from_bytes, policy

            msg = message_from_bytes(sample.read_bytes(), policy=policy.SMTP)
            t1 = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as conn:
                for n in range(len(report.sent)):
                    conn.send_message(msg, "radar@localhost", [f"reader{n}@example.com"])
            base = time.perf_counter() - t1
    finally:
        server.terminate()
        server.join()
    n = len(report.sent)
    print(f"subscribers: {args.subscribers}, items in the week: {args.items}, sent: {n}, failed: {len(report.failed)}")
    print(f"PolicyRadar digests : {elapsed:7.1f} s  {n / elapsed:8.0f} messages/s  ({sent_bytes / n / 1024:.1f} KiB per message)  goal ≤ 60 s")
    print(f"baseline raw smtplib: {base:7.1f} s  {n / base:8.0f} messages/s  (one pre-rendered message, no selection or bookkeeping)")
    print(f"ratio: PolicyRadar runs at {base / elapsed:.0%} of raw send speed")
    print(f"peak RSS: {rss_peak / 1024:.0f} MiB (before the run {rss_before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
