"""Crawling the replica sites over real loopback HTTP, end to end into the database."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlmodel import func, select

from core.settings import Settings
from core.sources import SourceConfig, load_sources
from crawl.runner import run_crawl
from storage.warc import read_payload
from storage.db import session_scope
from storage.models import Attachment, CrawlRun, Document, DocumentVersion, FetchLog, TrackLabel


def _source(settings: Settings, name: str) -> SourceConfig:
    # Loaded after site_url has set RADAR_DEMO_URL, so start URLs point at the loopback server.
    return {s.name: s for s in load_sources(settings.sources_dir)}[name]


def _count(settings: Settings, model: type) -> int:
    with session_scope(settings) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_first_crawl_stores_documents_attachments_labels_and_every_request(settings: Settings, site_url: str) -> None:
    result = run_crawl(_source(settings, "miit"), settings)
    assert result.status == "ok", result.error
    assert result.new >= 8 and result.changed == 0
    assert _count(settings, Document) == result.new
    assert _count(settings, DocumentVersion) == result.new
    with session_scope(settings) as s:
        logs = s.exec(select(FetchLog).where(FetchLog.run_id == result.run_id)).all()
        pdfs = s.exec(select(Attachment).where(Attachment.error.is_(None))).all()  # type: ignore[union-attr]
        labels = s.exec(select(TrackLabel)).all()
        docs = s.exec(select(Document)).all()
    assert len(logs) == result.requests
    assert all(log.url.startswith(site_url) for log in logs)
    assert any(log.url.endswith("index_1.html") for log in logs)  # template pagination followed
    ok = [log for log in logs if log.status == 200]
    assert ok and all(log.content_hash and log.bytes > 0 and log.duration_ms is not None for log in ok)
    for log in ok:  # raw bytes kept for the audit, in the run's WARC file
        assert log.warc_path and log.warc_offset is not None
        _kind, payload = read_payload(settings, log.warc_path, log.warc_offset)
        assert hashlib.sha256(payload).hexdigest() == log.content_hash
    assert pdfs and all(a.sha256 and a.page_count and len(a.text) > 200 for a in pdfs)
    assert any("未来" in a.text for a in pdfs)
    assert labels, "future-industry documents are filed under tracks"
    assert all(lab.terms and lab.quote for lab in labels)
    assert any(d.doc_number for d in docs)
    assert all(d.published for d in docs)


def test_a_broken_pdf_is_recorded_against_its_url_and_the_crawl_finishes(settings: Settings, site_url: str) -> None:
    result = run_crawl(_source(settings, "miit"), settings)
    assert result.status == "ok"
    with session_scope(settings) as s:
        broken = s.exec(select(Attachment).where(Attachment.error.is_not(None))).all()  # type: ignore[union-attr]
    assert broken, "the replica ships one truncated PDF"
    assert all(b.url.endswith(".pdf") and b.url.startswith(site_url) for b in broken)
    assert result.error and broken[0].url in result.error


def test_a_second_crawl_of_an_unchanged_site_creates_no_versions(settings: Settings, site_url: str) -> None:
    source = _source(settings, "miit")
    first = run_crawl(source, settings)
    versions = _count(settings, DocumentVersion)
    second = run_crawl(source, settings)  # same process, again: no ReactorNotRestartable
    assert second.status == "ok"
    assert (second.new, second.changed, second.unchanged) == (0, 0, first.new)
    assert _count(settings, DocumentVersion) == versions


def test_a_changed_page_creates_exactly_one_new_version_with_a_diff(settings: Settings, sites: Path, site_url: str) -> None:
    from demo.edits import apply_demo_edit

    source = _source(settings, "miit")
    first = run_crawl(source, settings)
    edited = apply_demo_edit(sites)
    second = run_crawl(source, settings)
    assert (second.new, second.changed, second.unchanged) == (0, 1, first.new - 1)
    with session_scope(settings) as s:
        v2 = s.exec(select(DocumentVersion).where(DocumentVersion.version_no == 2)).one()
        doc = s.get(Document, v2.document_id)
        v1 = s.exec(select(DocumentVersion).where(DocumentVersion.document_id == v2.document_id, DocumentVersion.version_no == 1)).one()
    assert doc is not None and doc.url.endswith(edited.split("/", 1)[1] if edited.startswith("miit/") else edited)
    assert v1.text != v2.text, "the old version is kept"
    assert v2.diff and v2.change_summary and "{+" in v2.diff
    assert doc.current_version == 2


def test_a_gbk_site_is_decoded(settings: Settings, site_url: str) -> None:
    result = run_crawl(_source(settings, "zj"), settings)
    assert result.status == "ok", result.error
    with session_scope(settings) as s:
        titles = [d.title for d in s.exec(select(Document)).all()]
    assert any("未来产业" in t for t in titles)
    assert not any("\ufffd" in t or "Ã" in t for t in titles)


def test_a_list_selector_that_matches_nothing_fails_the_run(settings: Settings, site_url: str) -> None:
    source = _source(settings, "miit").model_copy(deep=True)
    source.list.item = "div.no-such-list li"
    result = run_crawl(source, settings)
    assert result.status == "failed"
    assert "matched nothing" in (result.error or "")


def test_an_unreachable_site_fails_the_run_and_logs_the_error(settings: Settings, unused_port: int) -> None:
    source = load_sources(settings.sources_dir)[0].model_copy(update={"start_urls": [f"http://127.0.0.1:{unused_port}/index.html"]})
    source.politeness.obey_robots = False
    result = run_crawl(source, settings)
    assert result.status == "failed"
    with session_scope(settings) as s:
        logs = s.exec(select(FetchLog).where(FetchLog.run_id == result.run_id)).all()
        run = s.get(CrawlRun, result.run_id)
    assert logs and all(log.error and "refused" in log.error.lower() for log in logs)
    assert run is not None and run.finished_at is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_crawl_that_times_out_is_killed_and_recorded_as_failed(settings: Settings, site_url: str) -> None:
    result = run_crawl(_source(settings, "miit"), settings, timeout=0.5)
    assert result.status == "failed"
    assert "timed out" in (result.error or "")


def test_the_replica_lists_end_where_they_end_and_no_request_is_counted_failed(settings: Settings, site_url: str) -> None:
    """miit's pager gives no page count: its index_3.html answers 404, the end; zj's says 页次1/2: no third page is asked for."""
    from storage.health import source_health

    for name, end in (("miit", "/miit/wjfb/index_3.html"), ("zj", None)):
        result = run_crawl(_source(settings, name), settings)
        assert result.status == "ok", result.error
        with session_scope(settings) as s:
            logs = s.exec(select(FetchLog).where(FetchLog.run_id == result.run_id)).all()
            health = source_health(s, name)
        lists = [(log.url.removeprefix(site_url), log.status, log.end_of_list) for log in logs if "/index" in log.url]
        if end:
            assert (end, 404, True) in lists
        else:
            assert all(status == 200 for _url, status, _end in lists) and len(lists) == 2
        assert health.last_failed_requests == 0, [(log.url, log.status, log.error) for log in logs]
