"""Archives in an S3 bucket: workers on other hosts write there, and the admin view replays from there.

The bucket is a real S3 API over loopback HTTP (moto's server mode), reached
through the same boto3 code path as AWS or MinIO.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import select

from core.settings import Settings
from core.sources import load_sources
from crawl.runner import run_crawl
from storage.archive import open_store, spool_dir
from storage.db import session_scope
from storage.models import CrawlRun, FetchLog
from storage.warc import RunWarc, read_payload


@dataclass
class Bucket:
    name: str
    client: Any

    def keys(self) -> list[str]:
        return sorted(o["Key"] for o in self.client.list_objects_v2(Bucket=self.name).get("Contents", []))

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_endpoint(unused_port: int) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=unused_port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{unused_port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> Bucket:
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    name = f"radar-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=name)
    return Bucket(name, client)


@pytest.fixture
def s3_settings(settings: Settings, s3_endpoint: str, bucket: Bucket) -> Settings:
    """The test's settings with RADAR_ARCHIVE_URL=s3://bucket/archive (as a worker on another host would have)."""
    return Settings.model_validate(
        {
            **settings.model_dump(by_alias=False),
            "archive_url": f"s3://{bucket.name}/archive",
            "s3_endpoint_url": s3_endpoint,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": SecretStr("testing"),
            "aws_region": "us-east-1",
        }
    )


def _local_warcs(settings: Settings) -> list[Path]:
    return sorted(settings.data_dir.rglob("*.warc.gz"))


def test_runs_upload_on_close_and_revisits_replay_across_objects(s3_settings: Settings, bucket: Bucket) -> None:
    body = "<html><meta charset=gbk>关于推动未来产业创新发展的实施意见</html>".encode("gbk")
    sha = hashlib.sha256(body).hexdigest()
    headers = [("Content-Type", "text/html; charset=gbk")]
    first = RunWarc(s3_settings, "miit", 1)
    loc1 = first.write("http://x/a.html", 200, "OK", headers, body, sha)
    # While the run is open the record is only in this host's spool, and still readable here.
    assert bucket.keys() == [] and read_payload(s3_settings, loc1.path, loc1.offset) == ("response", body)
    first.close()
    second = RunWarc(s3_settings, "miit", 2)
    other = b"%PDF-1.4 not really a pdf" * 100
    loc2 = second.write("http://x/a.html", 200, "OK", headers, body, sha)
    loc_pdf = second.write("http://x/f.pdf", 200, "OK", [("Content-Type", "application/pdf")], other, hashlib.sha256(other).hexdigest())
    second.close()
    assert bucket.keys() == ["archive/warc/miit/run-000001.warc.gz", "archive/warc/miit/run-000002.warc.gz"]
    assert _local_warcs(s3_settings) == []  # nothing stays behind on the crawling host
    assert loc2.revisit and loc_pdf.offset > loc2.offset == 0
    assert read_payload(s3_settings, loc_pdf.path, loc_pdf.offset) == ("response", other)  # ranged read mid-object
    assert read_payload(s3_settings, loc2.path, loc2.offset) == ("revisit", body)  # resolved into run 1's object
    with pytest.raises(FileNotFoundError):
        read_payload(s3_settings, "warc/miit/run-000099.warc.gz", 0)


def test_spool_of_a_crawl_that_died_is_uploaded_by_the_next_run(s3_settings: Settings, bucket: Bucket) -> None:
    with session_scope(s3_settings) as s:
        dead, live = CrawlRun(source_name="miit", status="failed"), CrawlRun(source_name="zj", status="running")
        s.add(dead)
        s.add(live)
    assert dead.id is not None and live.id is not None
    body = b"<html>orphan</html>"
    for run_id, source in ((dead.id, "miit"), (live.id, "zj")):  # neither is closed: its process is gone / still writing
        RunWarc(s3_settings, source, run_id).write(
            "http://x/o.html", 200, "OK", [], body, hashlib.sha256(body + source.encode()).hexdigest()
        )
    later = RunWarc(s3_settings, "thinktank", 99)
    later.write("http://y/b.html", 200, "OK", [], b"<html>b</html>", hashlib.sha256(b"b").hexdigest())
    later.close()
    assert bucket.keys() == [f"archive/warc/miit/run-{dead.id:06d}.warc.gz", "archive/warc/thinktank/run-000099.warc.gz"]
    assert [p.name for p in _local_warcs(s3_settings)] == [f"run-{live.id:06d}.warc.gz"]  # the running one is left alone
    assert spool_dir(s3_settings) in _local_warcs(s3_settings)[0].parents


def test_crawl_archives_pages_and_attachments_in_s3_and_the_admin_view_replays_them(
    s3_settings: Settings,
    bucket: Bucket,
    site_url: str,
    sites: Path,
) -> None:
    from web.app import create_app
    from web.security import WebConfig

    source = {s.name: s for s in load_sources(s3_settings.sources_dir)}["miit"]
    result = run_crawl(source, s3_settings)  # in its own spawned process, like a worker
    assert result.status == "ok", result.error
    assert bucket.keys() == [f"archive/warc/miit/run-{result.run_id:06d}.warc.gz"]
    assert _local_warcs(s3_settings) == []
    with session_scope(s3_settings) as s:
        logs = s.exec(select(FetchLog).where(FetchLog.run_id == result.run_id, FetchLog.status == 200)).all()
    pdfs = [log for log in logs if log.url.endswith(".pdf")]
    assert logs and pdfs
    assert open_store(s3_settings).exists(logs[0].warc_path)  # type: ignore[arg-type]

    token = "s3-admin-token"
    client = TestClient(create_app(s3_settings, WebConfig(RADAR_ADMIN_TOKEN=token)))
    auth = {"Authorization": f"Bearer {token}"}
    for log in logs:
        got = client.get(f"/fetches/{log.id}/payload", params={"download": 1}, headers=auth)
        assert got.status_code == 200, got.text
        assert hashlib.sha256(got.content).hexdigest() == log.content_hash
    # An attachment replays byte for byte as the site served it.
    pdf = pdfs[0]
    served = sites / pdf.url.removeprefix(site_url).lstrip("/")
    assert client.get(f"/fetches/{pdf.id}/payload", params={"download": 1}, headers=auth).content == served.read_bytes()
