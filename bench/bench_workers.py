"""Crawl throughput with 1 vs 2 Celery workers on the loopback replica sites, measured in one run.

Serves the demo replicas on loopback, writes ``--sources`` source configs
(copies of the three demo sources under distinct names, so each is a real
crawl storing its own documents), and for each worker count: a fresh
PostgreSQL schema, that many ``radar worker --concurrency 1`` processes,
every source enqueued at once through the broker, and the wall time until
every crawl run is closed. Prints sources/min, pages/s (requests from the
fetch log per second), the peak RSS of each worker process and of its crawl
child, and the 2-worker figures as a ratio of the 1-worker ones.

Needs PostgreSQL and a broker (defaults: the CI URLs).
Run: python bench/bench_workers.py [--sources 12] [--workers 1 2] [--broker redis://127.0.0.1:6379/12]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import yaml  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from demo.server import serve_sites  # noqa: E402
from core.paths import DEMO_DIR  # noqa: E402
from core.settings import Settings  # noqa: E402
from storage.db import dispose_engines, session_scope  # noqa: E402
from storage.models import CrawlRun, FetchLog  # noqa: E402
from workers.app import enqueue  # noqa: E402

DEMOS = ("miit", "thinktank", "zj")


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return kids


@dataclass
class WorkerProc:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    peak_main: int = 0
    peak_child: int = 0
    crawls: int = 0

    def sample(self) -> None:
        self.peak_main = max(self.peak_main, rss_kib(self.proc.pid))
        for kid in children(self.proc.pid):
            self.peak_child = max(self.peak_child, rss_kib(kid))


@dataclass
class Result:
    workers: int
    seconds: float
    sources: int
    requests: int
    failed: int
    procs: list[WorkerProc] = field(default_factory=list)


def write_sources(directory: Path, count: int) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(count):
        demo = DEMOS[i % len(DEMOS)]
        data = yaml.safe_load((DEMO_DIR / "sources" / f"{demo}.yaml").read_text(encoding="utf-8"))
        data["name"] = f"{demo}-{i:02d}"
        (directory / f"{data['name']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        names.append(data["name"])
    return names


def run_once(n_workers: int, names: list[str], sources: Path, pg_url: str, broker: str, site_url: str, tmp: Path) -> Result:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    db_url = f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    data = tmp / f"data-{n_workers}"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RADAR_", "DATABASE_URL", "SMTP_URL"))}
    env.update(
        RADAR_DATA_DIR=str(data),
        DATABASE_URL=db_url,
        RADAR_SOURCES_DIR=str(sources),
        RADAR_DEMO_URL=site_url,
        RADAR_BROKER_URL=broker,
        RADAR_EXECUTOR="celery",
        RADAR_CRAWL_QUEUE=queue,
    )
    settings = Settings(
        RADAR_DATA_DIR=data,
        DATABASE_URL=db_url,
        RADAR_SOURCES_DIR=sources,
        RADAR_BROKER_URL=broker,
        RADAR_EXECUTOR="celery",
        RADAR_CRAWL_QUEUE=queue,
    )
    with session_scope(settings):
        pass  # create the tables before the workers race to
    procs = []
    try:
        for i in range(n_workers):
            log = data / f"w{i + 1}.log"
            with log.open("wb") as out:
                p = subprocess.Popen(
                    [sys.executable, "-m", "radar.cli", "worker", "--concurrency", "1", "--hostname", f"w{i + 1}@%h"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            procs.append(WorkerProc(f"w{i + 1}", p, log))
        deadline = time.monotonic() + 60
        while not all(" ready." in w.log.read_text(errors="replace") for w in procs):
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start:\n" + "\n".join(w.log.read_text(errors="replace")[-2000:] for w in procs))
            time.sleep(0.2)
        start = time.monotonic()
        enqueue(settings, names)
        while True:
            for w in procs:
                w.sample()
            with session_scope(settings) as s:
                closed = s.exec(select(func.count()).select_from(CrawlRun).where(CrawlRun.status != "running")).one()
            if closed >= len(names):
                break
            if time.monotonic() - start > 1800:
                raise SystemExit("crawls did not finish within 30 minutes")
            time.sleep(0.2)
        seconds = time.monotonic() - start
        with session_scope(settings) as s:
            runs = s.exec(select(CrawlRun)).all()
            requests = s.exec(select(func.count()).select_from(FetchLog)).one()
        for w in procs:
            w.crawls = sum(1 for r in runs if (r.worker or "").startswith(f"{w.name}@"))
        return Result(n_workers, seconds, len(runs), requests, sum(1 for r in runs if r.status != "ok"), procs)
    finally:
        for w in procs:
            if w.proc.poll() is None:
                os.killpg(w.proc.pid, signal.SIGTERM)
        for w in procs:
            try:
                w.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(w.proc.pid, signal.SIGKILL)
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=12)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--database", default=os.environ.get("RADAR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--broker", default="redis://127.0.0.1:6379/12", help="redis://… or amqp://…")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs; {args.sources} sources (copies of {', '.join(DEMOS)}); broker {args.broker.split('@')[-1]}; PostgreSQL")
    results = []
    with tempfile.TemporaryDirectory() as td, serve_sites(DEMO_DIR / "sites") as site_url:
        tmp = Path(td)
        names = write_sources(tmp / "sources", args.sources)
        for n in args.workers:
            results.append(run_once(n, names, tmp / "sources", args.database, args.broker, site_url, tmp))
    base = results[0]
    print(
        f"{'workers':>7} {'wall s':>7} {'sources/min':>11} {'pages/s':>8} {'failed':>6}  per worker: crawls, peak RSS worker / crawl child (MiB)"
    )
    for r in results:
        per = "; ".join(f"{w.name}: {w.crawls}, {w.peak_main / 1024:.0f} / {w.peak_child / 1024:.0f}" for w in r.procs)
        print(f"{r.workers:>7} {r.seconds:>7.1f} {r.sources / r.seconds * 60:>11.1f} {r.requests / r.seconds:>8.1f} {r.failed:>6}  {per}")
    for r in results[1:]:
        print(f"{r.workers} workers vs {base.workers}: throughput x{base.seconds / r.seconds:.2f}")


if __name__ == "__main__":
    main()
