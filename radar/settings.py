"""Runtime settings from the environment, in one explicit object.

Every component receives a ``Settings`` instead of reading ``os.environ``
itself, so tests can build isolated settings (own data dir, own database)
and run several in one process.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from radar.paths import CONFIG_DIR


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
    user_agent: str = Field(
        default="PolicyRadar/0.1 (+mailto:radar@localhost)", validation_alias="RADAR_USER_AGENT"
    )
    crawl_timeout: int = Field(default=1800, validation_alias="RADAR_CRAWL_TIMEOUT")
    download_timeout: int = Field(default=30, validation_alias="RADAR_DOWNLOAD_TIMEOUT")
    max_attachment_bytes: int = Field(default=50 * 1024 * 1024, validation_alias="RADAR_MAX_ATTACHMENT_BYTES")
    send_retries: int = Field(default=3, validation_alias="RADAR_SEND_RETRIES")
    secret_key: str | None = Field(default=None, validation_alias="RADAR_SECRET_KEY")
    retry_backoff: float = Field(default=2.0, validation_alias="RADAR_RETRY_BACKOFF")
    extract_workers: int = Field(default=2, validation_alias="RADAR_EXTRACT_WORKERS")
    fail_alert_runs: int = Field(default=3, validation_alias="RADAR_FAIL_ALERT_RUNS")
    operator_email: str | None = Field(default=None, validation_alias="RADAR_OPERATOR_EMAIL")

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL; a SQLite file inside the data dir unless DATABASE_URL is set."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'radar.db').resolve()}"

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
        for d in (self.data_dir, self.outbox_dir, self.archive_dir):
            d.mkdir(parents=True, exist_ok=True)
