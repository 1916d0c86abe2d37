"""Runtime settings from the environment, in one explicit object.

Every component receives a ``Settings`` instead of reading ``os.environ``
itself, so tests can build isolated settings (own data dir, own database)
and run several in one process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.paths import CONFIG_DIR


class Settings(BaseSettings):
    """PolicyRadar configuration; each field maps to an environment variable."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), validation_alias="RADAR_DATA_DIR")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    sources_dir: Path = Field(default=CONFIG_DIR / "sources", validation_alias="RADAR_SOURCES_DIR")
    taxonomy_path: Path = Field(default=CONFIG_DIR / "tracks.yaml", validation_alias="RADAR_TAXONOMY")
    smtp_url: str | None = Field(default=None, validation_alias="SMTP_URL")
    mail_from: str = Field(default="PolicyRadar <radar@localhost>", validation_alias="RADAR_MAIL_FROM")
    public_url: str = Field(default="http://127.0.0.1:8000", validation_alias="RADAR_PUBLIC_URL")
    timezone: str = Field(default="Asia/Shanghai", validation_alias="RADAR_TIMEZONE")
    digest_cron: str = Field(default="0 8 * * mon", validation_alias="RADAR_DIGEST_CRON")
    user_agent: str = Field(default="PolicyRadar/0.1 (+mailto:radar@localhost)", validation_alias="RADAR_USER_AGENT")
    crawl_timeout: int = Field(default=1800, validation_alias="RADAR_CRAWL_TIMEOUT")  # per source, alone or in a batch
    # Batched crawls (crawl/runner.py run_batch): sources per crawl-process pair (None: from cores and memory)
    # and sources crawling at once inside a batch (each holds a recorder's threads and its releases in flight).
    crawl_batch_size: int | None = Field(default=None, ge=1, validation_alias="RADAR_CRAWL_BATCH_SIZE")
    crawl_in_flight: int = Field(default=24, ge=1, validation_alias="RADAR_CRAWL_IN_FLIGHT")
    # Seconds the scheduler waits for other sources falling due before it crawls a batch (radar/scheduler.py).
    crawl_batch_gather: float = Field(default=5.0, ge=0, validation_alias="RADAR_CRAWL_BATCH_GATHER")
    download_timeout: int = Field(default=30, validation_alias="RADAR_DOWNLOAD_TIMEOUT")
    max_attachment_bytes: int = Field(default=50 * 1024 * 1024, validation_alias="RADAR_MAX_ATTACHMENT_BYTES")
    send_retries: int = Field(default=3, validation_alias="RADAR_SEND_RETRIES")
    secret_key: str | None = Field(default=None, validation_alias="RADAR_SECRET_KEY")
    retry_backoff: float = Field(default=2.0, validation_alias="RADAR_RETRY_BACKOFF")
    # None: one per core beyond the one the crawl itself uses (1 on a 2-core machine, where a second ~30 MB
    # worker only competes with the crawl for CPU); 0 extracts in-process.
    extract_workers: int | None = Field(default=None, validation_alias="RADAR_EXTRACT_WORKERS")
    fail_alert_runs: int = Field(default=3, validation_alias="RADAR_FAIL_ALERT_RUNS")
    # A run that closed with more than this share of its requests failed shows as 部分失败 (radar/health.py).
    partial_failure_share: float = Field(default=0.2, ge=0, le=1, validation_alias="RADAR_PARTIAL_FAILURE_SHARE")
    operator_email: str | None = Field(default=None, validation_alias="RADAR_OPERATOR_EMAIL")
    # Distributed crawling (workers/): "local" crawls in the scheduler's process; "celery" only enqueues.
    executor: Literal["local", "celery"] = Field(default="local", validation_alias="RADAR_EXECUTOR")
    broker_url: str | None = Field(default=None, validation_alias="RADAR_BROKER_URL")  # redis://… or amqp://…
    result_backend: str | None = Field(default=None, validation_alias="RADAR_RESULT_BACKEND")
    redis_url: str | None = Field(default=None, validation_alias="RADAR_REDIS_URL")  # shared politeness slots
    crawl_queue: str = Field(default="crawl", validation_alias="RADAR_CRAWL_QUEUE")
    crawl_lease_seconds: float = Field(default=60.0, gt=0, validation_alias="RADAR_CRAWL_LEASE_SECONDS")
    broker_visibility_timeout: float | None = Field(default=None, validation_alias="RADAR_BROKER_VISIBILITY_TIMEOUT")
    # SSRF policy for webhooks (core/netpolicy.py): loopback/private targets only when opted in.
    webhook_allow_private: bool = Field(default=False, validation_alias="RADAR_WEBHOOK_ALLOW_PRIVATE")
    # Per-document extraction bounds (pipeline/limits.py): a hostile PDF becomes a recorded error.
    pdf_max_pages: int = Field(default=3000, ge=1, validation_alias="RADAR_PDF_MAX_PAGES")
    pdf_max_inflated_mb: int = Field(default=256, ge=1, validation_alias="RADAR_PDF_MAX_INFLATED_MB")
    extract_time_limit: float = Field(default=180.0, gt=0, validation_alias="RADAR_EXTRACT_TIME_LIMIT")
    extract_memory_mb: int = Field(default=2048, ge=0, validation_alias="RADAR_EXTRACT_MEMORY_MB")
    # Where raw WARC archives go (storage/archive.py): unset = data_dir/archive, file:///path, or s3://bucket/prefix.
    archive_url: str | None = Field(default=None, validation_alias="RADAR_ARCHIVE_URL")
    s3_endpoint_url: str | None = Field(default=None, validation_alias="RADAR_S3_ENDPOINT_URL")  # MinIO, Ceph, moto…
    # Unset: boto3's own chain (instance role, ~/.aws); the standard variable names either way.
    aws_access_key_id: str | None = Field(default=None, validation_alias="AWS_ACCESS_KEY_ID")
    aws_secret_access_key: SecretStr | None = Field(default=None, validation_alias="AWS_SECRET_ACCESS_KEY")
    aws_session_token: SecretStr | None = Field(default=None, validation_alias="AWS_SESSION_TOKEN")
    aws_region: str | None = Field(default=None, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    # Abuse limits (storage/ratelimit.py, buckets in the database so they hold across processes).
    confirm_cooldown: float = Field(default=900.0, gt=0, validation_alias="RADAR_CONFIRM_COOLDOWN")  # s between mails to one mailbox
    subscribe_per_hour: float = Field(default=10.0, gt=0, validation_alias="RADAR_SUBSCRIBE_PER_HOUR")  # per client address
    login_per_minute: float = Field(default=10.0, gt=0, validation_alias="RADAR_LOGIN_PER_MINUTE")  # per client address

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL; a SQLite file inside the data dir unless DATABASE_URL is set."""
        # abspath, not resolve(): this runs on every session (it keys the engine cache), and resolve()
        # stats every path component each time (~4 % of a crawl's CPU in bench/bench_pipeline.py --profile).
        return self.database_url or f"sqlite:///{os.path.abspath(self.data_dir / 'radar.db')}"

    @property
    def slot_redis_url(self) -> str | None:
        """Where workers share per-domain politeness slots: RADAR_REDIS_URL, else a Redis broker."""
        if self.redis_url:
            return self.redis_url
        if self.broker_url and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return None

    @property
    def visibility_timeout(self) -> float:
        """How long a Redis broker waits before redelivering an unacknowledged crawl.

        It must outlast the longest crawl, or a live crawl is handed out again
        (the lease then keeps it from running twice, but the slot is wasted).
        """
        return self.broker_visibility_timeout or float(self.crawl_timeout + 300)

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    def signing_key(self) -> str:
        """RADAR_SECRET_KEY, or a random key kept in the data dir so links survive restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            import secrets

            self.ensure_dirs()
            tmp = path.with_suffix(".tmp")
            tmp.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            tmp.chmod(0o600)
            tmp.replace(path)
        return path.read_text(encoding="utf-8").strip()

    def ensure_dirs(self) -> None:
        """Data directories are 0700: they hold the database, the secret key and mails with personal links."""
        for d in (self.data_dir, self.outbox_dir, self.archive_dir):
            if not d.exists():
                d.mkdir(mode=0o700, parents=True, exist_ok=True)
