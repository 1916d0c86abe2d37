"""The Celery application that carries crawl jobs to workers on any number of hosts.

``celery -A workers.app worker`` (or ``radar worker``) builds it from the
environment through Settings; producers (the scheduler, ``radar enqueue``)
build one from the Settings object they were given, so tests and several
configurations can live in one process.
"""

from __future__ import annotations

from celery import Celery

from core.settings import Settings

TASK_NAME = "radar.crawl_source"
BATCH_TASK_NAME = "radar.crawl_batch"  # several sources, one crawl-process pair (crawl.runner.run_batch)

_apps: dict[tuple[str | None, str | None, str, float], Celery] = {}


def make_app(settings: Settings) -> Celery:
    """A Celery app for ``settings``: at-least-once delivery, one unacknowledged job per worker process.

    acks_late + reject_on_worker_lost + prefetch 1 mean a job is acknowledged
    only after its crawl ended, so a worker that dies mid-crawl leaves the job
    to the broker, which hands it to another worker (RabbitMQ at once when the
    connection drops; Redis once ``visibility_timeout`` has passed).  The crawl
    lease (storage.lease) keeps a redelivered job from running beside a live one.
    """
    vt = settings.visibility_timeout
    app = Celery("policyradar", broker=settings.broker_url, backend=settings.result_backend, include=["workers.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.crawl_queue,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=settings.result_backend is None,
        broker_connection_retry_on_startup=True,
        timezone=settings.timezone,
        # Redis only (AMQP ignores these): redeliver unacknowledged jobs after vt, and look for them often
        # enough that a low vt actually shortens recovery (kombu's default sweep is every ~100 s).
        broker_transport_options={
            "visibility_timeout": vt,
            "unacked_restore_interval": max(1, min(10, int(vt / 4))),
            "unacked_restore_throttle": 1,
        },
    )
    return app


def app_for(settings: Settings) -> Celery:
    """One producer app per broker configuration per process (connections are pooled inside it)."""
    key = (settings.broker_url, settings.result_backend, settings.crawl_queue, settings.visibility_timeout)
    if key not in _apps:
        _apps[key] = make_app(settings)
    return _apps[key]


def enqueue(settings: Settings, source_names: list[str]) -> list[str]:
    """Send one crawl job per source to the crawl queue; returns the task ids."""
    if not settings.broker_url:
        raise RuntimeError("RADAR_BROKER_URL is not set: no broker to send crawl jobs to")
    app = app_for(settings)
    return [app.send_task(TASK_NAME, args=[name], queue=settings.crawl_queue).id for name in source_names]


def enqueue_batches(settings: Settings, source_names: list[str], batch_size: int) -> list[str]:
    """Send the sources as batch jobs of ``batch_size`` (one crawl-process pair each on the worker); the task ids."""
    if not settings.broker_url:
        raise RuntimeError("RADAR_BROKER_URL is not set: no broker to send crawl jobs to")
    app = app_for(settings)
    chunks = [source_names[i : i + batch_size] for i in range(0, len(source_names), batch_size)]
    return [app.send_task(BATCH_TASK_NAME, args=[chunk], queue=settings.crawl_queue).id for chunk in chunks]


app = make_app(Settings())
