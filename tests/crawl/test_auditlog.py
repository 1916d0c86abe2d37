"""The crawl's audit trail is written off the reactor thread, in batches, and loses nothing on a normal close."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlmodel import select

from core.settings import Settings
from crawl.store_process.auditlog import AuditWriter, Fetch
from storage.db import session_scope
from storage.models import ArchivedPayload, CrawlRun, FetchLog
from storage.warc import RunWarc, read_payload


def _fetch(run_id: int, url: str, body: bytes | None, error: str | None = None) -> Fetch:
    sha = hashlib.sha256(body).hexdigest() if body else None
    entry = FetchLog(
        run_id=run_id, source_name="miit", url=url, status=None if error else 200, bytes=len(body or b""), content_hash=sha, error=error
    )
    return Fetch(entry, None if error else 200, [("Content-Type", "text/html; charset=utf-8")], body)


def _run(settings: Settings) -> int:
    with session_scope(settings) as s:
        run = CrawlRun(source_name="miit")
        s.add(run)
        s.flush()
        assert run.id is not None
        return run.id


def test_every_queued_fetch_is_logged_and_archived_with_repeats_as_revisits(settings: Settings) -> None:
    earlier = "<html>工业和信息化部关于推动未来产业创新发展的实施意见</html>".encode()
    old = RunWarc(settings, "miit", 1)  # archived by an earlier run
    old.write("http://x/old.html", 200, "OK", [], earlier, hashlib.sha256(earlier).hexdigest())
    old.close()

    run_id = _run(settings)
    warc = RunWarc(settings, "miit", run_id)
    writer = AuditWriter(settings, warc, max_batch=3, max_wait=0.05)  # several batches
    page = "<html>关于印发《人形机器人创新发展指导意见》的通知</html>".encode()
    fetches = [
        _fetch(run_id, "http://x/a.html", page),
        _fetch(run_id, "http://x/a-copy.html", page),  # same bytes in the same run
        _fetch(run_id, "http://x/gone.html", None, error="TimeoutError: took too long"),
        _fetch(run_id, "http://x/old-again.html", earlier),  # same bytes as the earlier run
        _fetch(run_id, "http://x/b.pdf", b"%PDF-1.4 fake"),
    ]
    for f in fetches:
        writer.put(f)
    writer.close()
    warc.close()

    assert writer.dropped == 0
    with session_scope(settings) as s:
        rows = {r.url: r for r in s.exec(select(FetchLog).where(FetchLog.run_id == run_id)).all()}
        archived = {p.url for p in s.exec(select(ArchivedPayload)).all()}
    assert set(rows) == {f.entry.url for f in fetches}
    assert rows["http://x/gone.html"].warc_path is None and rows["http://x/gone.html"].error
    assert [rows[u].revisit for u in ("http://x/a.html", "http://x/a-copy.html", "http://x/old-again.html", "http://x/b.pdf")] == [
        False,
        True,
        True,
        False,
    ]
    assert archived == {"http://x/old.html", "http://x/a.html", "http://x/b.pdf"}  # each payload archived once
    for url, body in (
        ("http://x/a.html", page),
        ("http://x/a-copy.html", page),
        ("http://x/old-again.html", earlier),
        ("http://x/b.pdf", b"%PDF-1.4 fake"),
    ):
        row = rows[url]
        assert row.warc_path is not None and row.warc_offset is not None
        assert read_payload(settings, row.warc_path, row.warc_offset)[1] == body


def test_an_unreachable_database_drops_log_rows_counted_but_still_archives(tmp_path: Path, unused_port: int) -> None:
    settings = Settings(RADAR_DATA_DIR=tmp_path, DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{unused_port}/nowhere")
    warc = RunWarc(settings, "miit", 7)
    writer = AuditWriter(settings, warc, max_wait=0.05)
    body = "<html>关于开展未来产业创新任务揭榜挂帅工作的通知</html>".encode()
    writer.put(_fetch(7, "http://x/a.html", body))
    writer.put(_fetch(7, "http://x/b.html", None, error="ConnectionRefusedError"))
    writer.close()  # returns: the writer waits only briefly for the database
    warc.close()
    assert writer.dropped == 2
    assert warc.path.stat().st_size > 0  # the response itself is in the WARC file
