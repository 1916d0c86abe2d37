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
from core.settings import Settings  # noqa: E402
from storage.db import get_engine, session_scope  # noqa: E402
from storage.models import Document, DocumentVersion, Source, Subscriber, TrackLabel  # noqa: E402

TRACKS = [
    ("manufacturing", "未来制造"),
    ("information", "未来信息"),
    ("materials", "未来材料"),
    ("energy", "未来能源"),
    ("space", "未来空间"),
    ("health", "未来健康"),
]
REGIONS = ["全国", "浙江", "广东", "北京", "上海", "杭州"]


class Counting:
    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.count += 1
        self.bytes += len(envelope.original_content or b"")
        return "250 OK"


def serve_smtp(port: int, counter, nbytes, kind: str = "sink") -> None:  # type: ignore[no-untyped-def]
    """A loopback SMTP server in its own process: ``aiosmtpd``, or ``sink``, a minimal asyncio
    SMTP responder that reads DATA in bulk (aiosmtpd parses line by line and becomes the bottleneck)."""
    import asyncio
    import threading

    if kind == "aiosmtpd":

        class Shared(Counting):
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                with counter.get_lock():
                    counter.value += 1
                    nbytes.value += len(envelope.original_content or b"")
                return "250 OK"

        Controller(Shared(), hostname="127.0.0.1", port=port).start()
        threading.Event().wait()
        return

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                data = await reader.readuntil(b"\r\n.\r\n")
                with counter.get_lock():
                    counter.value += 1
                    nbytes.value += len(data)
                writer.write(b"250 OK\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(session, "127.0.0.1", port, limit=64 * 1024 * 1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


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
            doc = Document(
                source_name="src",
                url=f"https://www.example.gov.cn/art/{i}.html",
                title=f"关于推动{tname}产业创新发展的第{i}号通知",
                agency="工业和信息化部",
                region=REGIONS[i % 6],
                doctype="通知公告",
                published=date(2025, 3, 5),
                doc_number=f"工信部科〔2025〕{i}号",
            )
            s.add(doc)
            s.flush()
            ver = DocumentVersion(
                document_id=doc.id,
                version_no=1,
                text_hash=str(i),
                title=doc.title,
                text="推动氢能、量子科技与具身智能等未来产业发展。" * 20,
                summary="推动氢能、量子科技与具身智能等未来产业发展，到2027年形成一批标志性产品。",
            )
            s.add(ver)
            s.flush()
            s.add(
                TrackLabel(
                    version_id=ver.id,
                    document_id=doc.id,
                    track_id=tid,
                    track=tname,
                    score=0.8,
                    subtracks=[{"id": "x", "name": "子方向", "score": 0.5, "terms": {"氢能": 2}}],
                    terms={"氢能": 3, "量子科技": 2},
                    quote="推动氢能。",
                )
            )
        for n in range(subscribers):
            s.add(
                Subscriber(
                    email=f"reader{n}@example.com",
                    confirmed=True,
                    tracks=[TRACKS[n % 6][1], TRACKS[(n + 2) % 6][1]] if n % 3 else [],
                    regions=[REGIONS[n % 6]] if n % 5 == 0 else [],
                    keywords_exclude=["房地产"] if n % 7 == 0 else [],
                )
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--server", choices=["sink", "aiosmtpd"], default="sink", help="the loopback SMTP server receiving the mail")
    args = ap.parse_args()
    port = free_port()
    # The SMTP server runs in its own process, as a real mail server would: in this process it
    # would compete with the sender for the GIL and the figures would measure the server.
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    counter = ctx.Value("q", 0)
    nbytes = ctx.Value("q", 0)
    server = ctx.Process(target=serve_smtp, args=(port, counter, nbytes, args.server), daemon=True)
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
            raw = sample.read_bytes()  # already CRLF-terminated MIME bytes
            t1 = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as conn:
                for n in range(len(report.sent)):
                    conn.sendmail("radar@localhost", [f"reader{n}@example.com"], raw)
            base = time.perf_counter() - t1
    finally:
        server.terminate()
        server.join()
    n = len(report.sent)
    print(
        f"subscribers: {args.subscribers}, items in the week: {args.items}, sent: {n}, failed: {len(report.failed)}, server: {args.server}, received: {counter.value}"
    )
    print(
        f"PolicyRadar digests : {elapsed:7.1f} s  {n / elapsed:8.0f} messages/s  ({sent_bytes / n / 1024:.1f} KiB per message)  goal ≤ 60 s"
    )
    print(f"baseline raw smtplib: {base:7.1f} s  {n / base:8.0f} messages/s  (one pre-rendered message, no selection or bookkeeping)")
    print(f"ratio: PolicyRadar runs at {base / elapsed:.0%} of raw send speed")
    print(f"peak RSS: {rss_peak / 1024:.0f} MiB (before the run {rss_before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
