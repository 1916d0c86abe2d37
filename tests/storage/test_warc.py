"""Raw responses go to a WARC file per run; identical payloads become revisit records and still replay."""

from __future__ import annotations

import hashlib

from warcio.archiveiterator import ArchiveIterator

from core.settings import Settings
from storage.warc import RunWarc, read_payload


def test_payloads_are_archived_once_and_replayed_from_revisits(settings: Settings) -> None:
    body = "<html><meta charset=gbk>关于推动未来产业创新发展的实施意见</html>".encode("gbk")
    sha = hashlib.sha256(body).hexdigest()
    headers = [("Content-Type", "text/html; charset=gbk"), ("ETag", '"abc"')]
    first = RunWarc(settings, "miit", 1)
    loc1 = first.write("http://x/a.html", 200, "OK", headers, body, sha)
    first.close()
    second = RunWarc(settings, "miit", 2)
    loc2 = second.write("http://x/a.html", 200, "OK", headers, body, sha)
    second.close()
    assert not loc1.revisit and loc2.revisit
    assert read_payload(settings, loc1.path, loc1.offset) == ("response", body)
    assert read_payload(settings, loc2.path, loc2.offset) == ("revisit", body)
    with open(settings.archive_dir / loc2.path, "rb") as fh:
        records = list(ArchiveIterator(fh))
    assert [r.rec_type for r in records] == ["revisit"]
    assert (settings.archive_dir / loc2.path).stat().st_size < len(body) + 1200
