"""Where raw archives (WARC files) live, so crawl workers on several hosts share one archive.

``RADAR_ARCHIVE_URL`` picks the store:

* unset: the data dir's ``archive/`` folder (one host);
* ``file:///path``: any folder, e.g. an NFS mount shared by the workers;
* ``s3://bucket/prefix``: S3 or an S3-compatible service (MinIO, Ceph RGW;
  ``RADAR_S3_ENDPOINT_URL``), credentials from the standard AWS variables.

Objects are immutable once stored, which is what object stores want: a
crawl appends to a local file while it runs (the store's folder, or a spool
folder for S3) and a remote store receives the finished file when the run
closes.  Reads are ranged, so replaying one record fetches that record, not
the whole run.

boto3 rather than fsspec/s3fs: it is AWS's own SDK, the reference every
S3-compatible server tests against, it has managed multipart upload and
ranged GETs built in, and it does not pin botocore to a narrow band the way
aiobotocore (under s3fs) does.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, ClassVar, Protocol
from urllib.parse import unquote, urlsplit

from core.settings import Settings

log = logging.getLogger(__name__)


class ArchiveStore(Protocol):
    """A flat namespace of immutable files addressed by POSIX-style keys ("warc/miit/run-000001.warc.gz")."""

    @property
    def url(self) -> str: ...

    @property
    def remote(self) -> bool:
        """Files are written locally first (spool) and uploaded when finished."""

    def local_path(self, key: str) -> Path | None:
        """Where a writer may append to ``key`` directly, or None for a remote store (then: spool and ``put_file``)."""

    def put_file(self, key: str, path: Path) -> None:
        """Store a finished local file under ``key``."""

    def open_at(self, key: str, offset: int) -> Any:
        """A context manager yielding a readable stream of ``key`` from byte ``offset`` on."""

    def exists(self, key: str) -> bool: ...


def _safe_key(key: str) -> str:
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or ".." in parts:
        raise ValueError(f"archive key must be a relative path without '..': {key!r}")
    return "/".join(parts)


@dataclass(frozen=True)
class LocalStore:
    """A folder (the default data_dir/archive, or a shared mount named by file:///path)."""

    root: Path
    remote: ClassVar[bool] = False

    @property
    def url(self) -> str:
        return self.root.resolve().as_uri()

    def local_path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def put_file(self, key: str, path: Path) -> None:
        target = self.local_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.resolve() != target.resolve():
            tmp = target.with_name(target.name + ".tmp")
            shutil.copyfile(path, tmp)
            tmp.replace(target)

    @contextmanager
    def open_at(self, key: str, offset: int) -> Iterator[BinaryIO]:
        with open(self.local_path(key), "rb") as fh:
            fh.seek(offset)
            yield fh

    def exists(self, key: str) -> bool:
        return self.local_path(key).is_file()


@dataclass(frozen=True)
class S3Store:
    """A bucket and key prefix on S3 or an S3-compatible server."""

    bucket: str
    prefix: str
    client: Any  # botocore client; thread-safe, shared per process
    remote: ClassVar[bool] = True

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{_safe_key(key)}" if self.prefix else _safe_key(key)

    def local_path(self, key: str) -> None:
        return None

    def put_file(self, key: str, path: Path) -> None:
        # upload_file switches to parallel multipart uploads for large files by itself.
        self.client.upload_file(str(path), self.bucket, self._key(key))

    @contextmanager
    def open_at(self, key: str, offset: int) -> Iterator[BinaryIO]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key), Range=f"bytes={offset}-")["Body"]
        except ClientError as exc:  # callers (the admin payload view) handle OSError, not botocore's types
            code = exc.response.get("Error", {}).get("Code")
            cls = FileNotFoundError if code in ("404", "NoSuchKey", "NotFound", "InvalidRange") else OSError
            raise cls(f"{self.url}/{key}: {code}") from exc
        except BotoCoreError as exc:
            raise OSError(f"{self.url}/{key}: {exc}") from exc
        try:
            yield body
        finally:
            body.close()  # the rest of the object is never transferred

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


@lru_cache(maxsize=8)
def _s3_client(endpoint: str | None, key_id: str | None, secret: str | None, token: str | None, region: str | None) -> Any:
    """One client per configuration and process: creating one costs tens of milliseconds."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=region,
        config=Config(retries={"mode": "standard", "max_attempts": 5}, s3={"addressing_style": "path"} if endpoint else None),
    )


def open_store(settings: Settings) -> ArchiveStore:
    """The store ``settings.archive_url`` names (a clear error for anything else)."""
    url = settings.archive_url
    if not url:
        return LocalStore(settings.archive_dir)
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"RADAR_ARCHIVE_URL {url!r}: file URLs name a local path (file:///srv/archive)")
        return LocalStore(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"RADAR_ARCHIVE_URL {url!r}: no bucket (s3://bucket/prefix)")
        secret = settings.aws_secret_access_key.get_secret_value() if settings.aws_secret_access_key else None
        token = settings.aws_session_token.get_secret_value() if settings.aws_session_token else None
        client = _s3_client(settings.s3_endpoint_url, settings.aws_access_key_id, secret, token, settings.aws_region)
        return S3Store(parts.netloc, parts.path.strip("/"), client)
    raise ValueError(f"RADAR_ARCHIVE_URL {url!r}: 存档地址只支持 file:// 或 s3:// / only file:// and s3:// are supported")


def spool_dir(settings: Settings) -> Path:
    """Local files of a remote store that are still being written, or whose upload has not succeeded yet."""
    return settings.data_dir / "archive-spool"
