"""Real brokers, real worker processes: helpers and fixtures for the distributed-crawl tests.

Workers are started as separate OS processes (`python -m radar.cli worker`),
each in its own process group so a test can SIGKILL one whole worker the way
a lost host or container dies. Each test gets its own queue and a Redis
database it flushes, so runs cannot see each other's jobs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from core.paths import DEMO_DIR
from core.settings import Settings

REDIS_URL = os.environ.get("RADAR_TEST_REDIS_URL")
AMQP_URL = os.environ.get("RADAR_TEST_AMQP_URL")
BROKER_DB = 13  # Redis database for broker tests (flushed around each test)
SLOT_DB = 14  # Redis database for politeness slots
ROOT = Path(__file__).resolve().parents[2]


def redis_db_url(db: int) -> str:
    """RADAR_TEST_REDIS_URL pointed at database ``db``."""
    assert REDIS_URL
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL
    return f"{base}/{db}"


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def write_sources(directory: Path, copies: dict[str, tuple[str, dict]]) -> list[str]:
    """Source YAMLs made from the demo ones: {new_name: (demo_name, politeness overrides)}."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (demo, politeness) in copies.items():
        data = yaml.safe_load((DEMO_DIR / "sources" / f"{demo}.yaml").read_text(encoding="utf-8"))
        data["name"] = name
        data.setdefault("politeness", {}).update(politeness)
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return list(copies)


@dataclass
class Broker:
    kind: str
    url: str
    queue: str


@pytest.fixture(params=["redis", "amqp"])
def broker(request: pytest.FixtureRequest) -> Iterator[Broker]:
    """A real broker with a queue of the test's own: Redis (database flushed around the test) or RabbitMQ."""
    queue = f"crawl-{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("RADAR_TEST_REDIS_URL is not set (no Redis on this machine)")
        url = redis_db_url(BROKER_DB)
        flush_redis(url)
        yield Broker("redis", url, queue)
        flush_redis(url)
        return
    if not AMQP_URL:
        pytest.skip("RADAR_TEST_AMQP_URL is not set (no RabbitMQ on this machine)")
    yield Broker("amqp", AMQP_URL, queue)
    from kombu import Connection

    with Connection(AMQP_URL) as conn:
        try:
            conn.default_channel.queue_delete(queue)
        except Exception:  # noqa: BLE001 - never declared: nothing to clean
            pass


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a reaper (pid 1 in a container may never reap it)."""
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def ready(self) -> bool:
        return self.log.exists() and " ready." in self.log.read_text(errors="replace")

    def children(self) -> list[int]:
        """The worker's child processes (its crawl), from /proc."""
        kids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                kids.append(int(stat.parent.name))
        return kids

    def kill(self) -> None:
        """SIGKILL the worker process alone: its crawl child must notice and stop by itself."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


@dataclass
class Cluster:
    """What the workers were started with, and how to send them jobs."""

    env: dict[str, str]
    settings: Settings
    workers: list[Worker]

    def start(self, name: str) -> Worker:
        log = Path(self.env["RADAR_DATA_DIR"]) / f"{name}.log"
        cmd = [sys.executable, "-m", "radar.cli", "worker", "--concurrency", "1", "--hostname", f"{name}@%h"]
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        worker = Worker(name, proc, log)
        self.workers.append(worker)
        return worker

    def wait_ready(self, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while not all(w.ready() for w in self.workers):
            for w in self.workers:
                if w.proc.poll() is not None:
                    raise AssertionError(f"worker {w.name} exited {w.proc.returncode}:\n{w.log.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("workers not ready:\n" + "\n".join(w.log.read_text(errors="replace")[-2000:] for w in self.workers))
            time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log.read_text(errors='replace')[-4000:]}" for w in self.workers)


@pytest.fixture
def cluster_factory(tmp_path: Path, db_url: str | None, site_url: str) -> Iterator[Callable[..., Cluster]]:
    """Builds the shared configuration (PostgreSQL schema, data dir, sources, broker) of a set of workers; stops them after."""
    clusters: list[Cluster] = []

    def make(broker: Broker, sources: Path, **extra: str) -> Cluster:
        assert db_url, "worker tests share one PostgreSQL schema between processes"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RADAR_", "DATABASE_URL", "SMTP_URL"))}
        env.update(
            RADAR_DATA_DIR=str(tmp_path / "data"),
            DATABASE_URL=db_url,
            RADAR_SOURCES_DIR=str(sources),
            RADAR_DEMO_URL=site_url,
            RADAR_BROKER_URL=broker.url,
            RADAR_EXECUTOR="celery",
            RADAR_CRAWL_QUEUE=broker.queue,
            RADAR_CRAWL_TIMEOUT="120",
            **extra,
        )
        (tmp_path / "data").mkdir(exist_ok=True)
        settings = Settings(
            RADAR_DATA_DIR=tmp_path / "data",
            DATABASE_URL=db_url,
            RADAR_SOURCES_DIR=sources,
            RADAR_BROKER_URL=broker.url,
            RADAR_EXECUTOR="celery",
            RADAR_CRAWL_QUEUE=broker.queue,
            **{k: v for k, v in extra.items()},
        )
        from storage.db import session_scope

        with session_scope(settings):
            pass  # the schema exists before two workers start at once
        cluster = Cluster(env, settings, [])
        clusters.append(cluster)
        return cluster

    yield make
    for cluster in clusters:
        for w in cluster.workers:
            if w.proc.poll() is None:
                os.killpg(w.proc.pid, signal.SIGTERM)
        for w in cluster.workers:
            try:
                w.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(w.proc.pid, signal.SIGKILL)
                w.proc.wait()
