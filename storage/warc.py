"""Raw responses archived as WARC, so an auditor can replay exactly what was seen.

One WARC file per crawl run.  A payload already archived (same sha256, by
any earlier run) is written as a ``revisit`` record pointing at the original
instead of again, so an unchanged site costs a few hundred bytes per fetch.
WARC is the web-archiving standard (ISO 28500); warcio reads and writes it
and any replay tool (pywb, replayweb.page) can open the files.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from radar.settings import Settings
from storage.db import session_scope
from storage.models import ArchivedPayload


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 - WARC's conventional digest


@dataclass(frozen=True)
class WarcLocation:
    """Where a fetch's record lives: file relative to the archive dir, and byte offset."""

    path: str
    offset: int
    revisit: bool


class RunWarc:
    """The WARC file of one crawl run; opened lazily, appended record by record."""

    def __init__(self, settings: Settings, source_name: str, run_id: int):
        self.settings = settings
        self.rel = Path("warc") / source_name / f"run-{run_id:06d}.warc.gz"
        self.path = settings.archive_dir / self.rel
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "ab")  # noqa: SIM115 - kept open for the run
            self._writer = WARCWriter(self._fh, gzip=True)
        return self._writer

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes, sha256: str) -> WarcLocation:
        writer = self._open()
        assert self._fh is not None
        with session_scope(self.settings) as s:
            original = s.exec(select(ArchivedPayload).where(ArchivedPayload.sha256 == sha256)).first()
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
        offset = self._fh.tell()
        if original is not None:
            record = writer.create_revisit_record(
                url,
                digest=_sha1_b32(body),
                refers_to_uri=original.url,
                refers_to_date=original.warc_date,
                http_headers=http_headers,
            )
            writer.write_record(record)
            self._fh.flush()
            return WarcLocation(str(self.rel), offset, True)
        record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http_headers)
        writer.write_record(record)
        self._fh.flush()
        try:
            with session_scope(self.settings) as s:
                s.add(
                    ArchivedPayload(
                        sha256=sha256, url=url, warc_path=str(self.rel), warc_offset=offset,
                        warc_date=record.rec_headers.get_header("WARC-Date"),
                    )
                )
        except IntegrityError:
            pass  # a concurrent crawl archived the same bytes first; both records are valid
        return WarcLocation(str(self.rel), offset, False)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            self._writer = None


def read_payload(settings: Settings, path: str, offset: int) -> tuple[str, bytes]:
    """(record type, payload bytes) of the record at ``offset``; a revisit resolves to its original."""
    full = settings.archive_dir / path
    with open(full, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        rtype = record.rec_type
        if rtype == "revisit":
            uri = record.rec_headers.get_header("WARC-Refers-To-Target-URI")
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            with session_scope(settings) as s:
                for orig in s.exec(select(ArchivedPayload).where(ArchivedPayload.url == uri)).all():
                    kind, data = read_payload(settings, orig.warc_path, orig.warc_offset)
                    if _sha1_b32(data) == digest:
                        return "revisit", data
            raise LookupError(f"revisit record at {path}@{offset} refers to a payload that is not archived")
        return rtype, record.content_stream().read()
