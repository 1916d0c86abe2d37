"""Several OS processes storing the same pages at the same moment leave exactly one copy of everything.

Crawls of one source can overlap (a manual `radar crawl` during a scheduled
one, two workers on two hosts after a redelivery), so the store path must be
safe without any lock outside the database.  Each child process opens the
(brand-new) database itself, so first-start migration races are covered too.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from core.paths import DEMO_DIR
from core.release import AttachmentPayload, Release
from core.settings import Settings
from storage.db import session_scope
from storage.models import Attachment, CrawlRun, Document, DocumentVersion, Fingerprint, HttpValidator, TrackLabel

PROCESSES = 4
BASE = "http://replica.invalid/miit/wjfb/"
PAGES = sorted((DEMO_DIR / "sites" / "miit" / "wjfb").glob("art_*.html"))


def _items(revised: bool) -> list[Release]:
    """The demo ministry's releases as the spider hands them over, each with a small text attachment."""
    items = []
    for page in PAGES:
        body = page.read_bytes()
        if revised:  # an edit of the page text: a second version of every document
            marker = 'class="pages_content">'.encode()
            assert marker in body
            body = body.replace(marker, marker + "<p>（2025年3月修订：补充申报材料清单。）</p>".encode(), 1)
        etag = f'"{page.stem}-{int(revised)}"'
        items.append(
            Release(
                source="miit",
                url=BASE + page.name,
                body=body,
                validators=(etag, None),
                attachments=[
                    AttachmentPayload(
                        url=BASE + "files/" + page.stem + ".txt",
                        data=f"{page.stem} 附件：申报材料清单".encode(),
                        content_type="text/plain",
                        label="申报材料清单",
                        validators=(None, "Fri, 21 Feb 2025 09:30:00 GMT"),
                    )
                ],
            )
        )
    return items


def _store_all(data_dir: str, db_url: str | None, barrier: Any, results: Any) -> None:
    """One crawl run without the network: open the database, then store every page twice
    (original, then revised) in lockstep with the other processes, through the crawl's Recorder."""
    try:
        from core.sources import load_source
        from crawl.store_process.recorder import Recorder

        settings = Settings(RADAR_DATA_DIR=Path(data_dir), DATABASE_URL=db_url, RADAR_EXTRACT_WORKERS=0)
        source = load_source(DEMO_DIR / "sources" / "miit.yaml")
        with session_scope(settings) as s:
            run = CrawlRun(source_name=source.name)
            s.add(run)
        assert run.id is not None
        recorder = Recorder(settings, source, run.id)
        statuses: list[tuple[int, str, str]] = []
        for round_no, revised in enumerate((False, True)):
            items = _items(revised)
            barrier.wait(timeout=120)
            for item in items:
                statuses.append((round_no, item.url, recorder.process_item(item)))
        closed = recorder.close([])
        assert closed.status == "ok" and closed.errors == 0, closed.error
        results.put(("ok", statuses))
    except BaseException:  # noqa: BLE001 - the parent asserts on it
        barrier.abort()  # the others stop waiting for this one
        results.put(("error", traceback.format_exc()))


def test_concurrent_processes_store_each_document_and_version_once(settings: Settings) -> None:
    assert len(PAGES) >= 5
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_store_all, args=(str(settings.data_dir), settings.database_url, barrier, results)) for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [detail for kind, detail in got if kind == "error"]
    assert errors == [], "\n".join(errors)
    statuses = Counter((round_no, status) for _kind, rows in got for round_no, _url, status in rows)
    n = len(PAGES)
    # Exactly one process created each document and exactly one recorded each edit; the others saw them unchanged.
    assert statuses == {(0, "new"): n, (0, "unchanged"): n * (PROCESSES - 1), (1, "changed"): n, (1, "unchanged"): n * (PROCESSES - 1)}

    with session_scope(settings) as s:
        docs = s.exec(select(Document)).all()
        assert sorted(d.url for d in docs) == sorted(BASE + p.name for p in PAGES)
        versions = s.exec(select(DocumentVersion)).all()
        by_doc: dict[int, list[DocumentVersion]] = {}
        for v in versions:
            by_doc.setdefault(v.document_id, []).append(v)
        for doc in docs:
            mine = sorted(by_doc[doc.id], key=lambda v: v.version_no)  # type: ignore[index]
            assert [v.version_no for v in mine] == [1, 2] and doc.current_version == 2
            assert len({v.text_hash for v in mine}) == 2
            assert "2025年3月修订" in mine[1].text and "2025年3月修订" not in mine[0].text
        # Everything hanging off a version or document is there once, not once per process.
        labels = s.exec(
            select(TrackLabel.version_id, TrackLabel.track_id, func.count()).group_by(TrackLabel.version_id, TrackLabel.track_id)
        ).all()
        assert all(count == 1 for _v, _t, count in labels)
        prints = s.exec(
            select(Fingerprint.document_id, Fingerprint.band_key, func.count()).group_by(Fingerprint.document_id, Fingerprint.band_key)
        ).all()
        assert all(count == 1 for _d, _k, count in prints)
        atts = s.exec(select(Attachment)).all()
        assert sorted(a.url for a in atts) == sorted(BASE + "files/" + p.stem + ".txt" for p in PAGES)
        assert all(a.error is None and "申报材料清单" in a.text for a in atts)
        # Validators are upserted: one row per URL, holding the newest ETag.
        validators = {v.url: (v.etag, v.last_modified) for v in s.exec(select(HttpValidator)).all()}
        assert len(validators) == 2 * n
        assert all(validators[BASE + p.name] == (f'"{p.stem}-1"', None) for p in PAGES)
        assert sorted(r.status for r in s.exec(select(CrawlRun)).all()) == ["ok"] * PROCESSES
