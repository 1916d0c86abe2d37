"""Raw responses archived as WARC, so an auditor can replay exactly what was seen.

One WARC file per crawl run.  A payload already archived (same sha256, by
any earlier run) is written as a ``revisit`` record pointing at the original
instead of again, so an unchanged site costs a few hundred bytes per fetch.
WARC is the web-archiving standard (ISO 28500); warcio reads and writes it
and any replay tool (pywb, replayweb.page) can open the files.

The files live in the archive store (storage/archive.py).  For a remote
store (S3) a run writes a local spool file and uploads it when the run
closes; a spool file left by a crawl that died is uploaded by the next run
that closes on the same host.  Attachments (PDF, Word, Excel) are fetched
through the same downloader, so their bytes are archived here too and are
found by sha256 through ``ArchivedPayload``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.settings import Settings
from storage.archive import ArchiveStore, open_store, spool_dir
from storage.db import session_scope
from storage.models import ArchivedPayload, CrawlRun

log = logging.getLogger(__name__)
_RUN_FILE = re.compile(r"run-(\d+)\.warc\.gz$")


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 - WARC's conventional digest


@dataclass(frozen=True)
class WarcLocation:
    """Where a fetch's record lives: key of the file in the archive store, and byte offset."""

    path: str
    offset: int
    revisit: bool


class RunWarc:
    """The WARC file of one crawl run; opened lazily, appended record by record."""

    def __init__(self, settings: Settings, source_name: str, run_id: int):
        self.settings = settings
        self.store: ArchiveStore = open_store(settings)
        self.rel = f"warc/{source_name}/run-{run_id:06d}.warc.gz"
        local = self.store.local_path(self.rel)
        self.remote = local is None
        self.path = spool_dir(settings) / self.rel if local is None else local
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "ab")  # noqa: SIM115 - kept open for the run
            self._writer = WARCWriter(self._fh, gzip=True)
        return self._writer

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes, sha256: str) -> WarcLocation:
        with session_scope(self.settings) as s:
            original = s.exec(select(ArchivedPayload).where(ArchivedPayload.sha256 == sha256)).first()
        where, payload = self.append(url, status, reason, headers, body, sha256, (original.url, original.warc_date) if original else None)
        if payload is not None:
            try:
                with session_scope(self.settings) as s:
                    s.add(payload)
            except IntegrityError:
                pass  # a concurrent crawl archived the same bytes first; both records are valid
        return where

    def append(
        self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes, sha256: str, original: tuple[str, str] | None
    ) -> tuple[WarcLocation, ArchivedPayload | None]:
        """Append one record without touching the database: a revisit of ``original`` (url, WARC date) if given.

        Returns the ArchivedPayload row to store for a full record, so a batch
        writer (crawl.store_process.auditlog) can store many in one transaction.
        """
        writer = self._open()
        assert self._fh is not None
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
        offset = self._fh.tell()
        if original is not None:
            record = writer.create_revisit_record(
                url,
                digest=_sha1_b32(body),
                refers_to_uri=original[0],
                refers_to_date=original[1],
                http_headers=http_headers,
            )
            writer.write_record(record)
            self._fh.flush()
            return WarcLocation(self.rel, offset, True), None
        record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http_headers)
        writer.write_record(record)
        self._fh.flush()
        payload = ArchivedPayload(
            sha256=sha256, url=url, warc_path=self.rel, warc_offset=offset, warc_date=record.rec_headers.get_header("WARC-Date")
        )
        return WarcLocation(self.rel, offset, False), payload

    def close(self) -> None:
        """Finish the file; a remote store receives it now (a failed upload stays spooled for a later run)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            self._writer = None
        if self.remote:
            upload_spooled(self.settings, only=self.rel)
            upload_spooled(self.settings)


def upload_spooled(settings: Settings, only: str | None = None) -> list[str]:
    """Upload spool files to the remote store; returns the keys stored.

    Without ``only``, every spool file whose crawl run is over (or unknown)
    is taken: files of runs still running are being written by another
    process on this host.
    """
    store = open_store(settings)
    root = spool_dir(settings)
    if not store.remote or not root.is_dir():
        return []
    files = [p for p in ([root / only] if only else sorted(root.rglob("*.warc.gz"))) if p.is_file()]
    if only is None:
        files = [f for f in files if not _run_is_running(settings, f.name)]
    done: list[str] = []
    for path in files:
        key = path.relative_to(root).as_posix()
        try:
            store.put_file(key, path)
            path.unlink(missing_ok=True)
            done.append(key)
        except Exception:
            log.exception("uploading %s to %s failed; kept in %s", key, store.url, path)
    return done


def _run_is_running(settings: Settings, filename: str) -> bool:
    m = _RUN_FILE.search(filename)
    if m is None:
        return False
    with session_scope(settings) as s:
        run = s.get(CrawlRun, int(m.group(1)))
        return run is not None and run.status == "running"


@contextmanager
def _open_at(settings: Settings, path: str, offset: int) -> Iterator[BinaryIO]:
    store = open_store(settings)
    spooled = spool_dir(settings) / path
    if store.remote and spooled.is_file():  # still being written, or not uploaded yet (this host)
        with open(spooled, "rb") as fh:
            fh.seek(offset)
            yield fh
        return
    with store.open_at(path, offset) as fh:
        yield fh


def read_payload(settings: Settings, path: str, offset: int) -> tuple[str, bytes]:
    """(record type, payload bytes) of the record at ``offset``; a revisit resolves to its original.

    Only that record is read: a ranged read from ``offset`` on a remote store.
    """
    with _open_at(settings, path, offset) as fh:
        record = next(iter(ArchiveIterator(fh)))
        if record.rec_type != "revisit":
            return record.rec_type, record.content_stream().read()
        uri = record.rec_headers.get_header("WARC-Refers-To-Target-URI")
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
    with session_scope(settings) as s:
        originals = s.exec(select(ArchivedPayload).where(ArchivedPayload.url == uri)).all()
    for orig in originals:
        _kind, data = read_payload(settings, orig.warc_path, orig.warc_offset)
        if _sha1_b32(data) == digest:
            return "revisit", data
    raise LookupError(f"revisit record at {path}@{offset} refers to a payload that is not archived")
