"""The pipeline for one crawled release: extract → normalize → version/diff → classify → store.

Each stage is a small module; this one only wires them and decides what a
failure means.  A broken page or attachment is recorded against its URL and
never stops the crawl.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import bindparam, insert
from sqlmodel import Session, select

from pipeline.attachment_extract import ExtractionError
from pipeline.classify import Classifier, Label
from pipeline.label_rows import label_row
from pipeline.extract_pool import ExtractCache, ExtractPool
from pipeline.limits import ExtractLimits
from pipeline.diff import diff_texts
from pipeline.html_extract import extract_release_page
from pipeline.normalize import normalize_text, text_hash
from pipeline.dedupe import Signature
from pipeline.stories import find_story, story_signature
from pipeline.release_fields import release_fields
from core.release import AttachmentPayload, Release
from core.settings import Settings
from core.sources import SourceConfig, compile_pattern
from storage.search_index import Fields, PendingIndex, document_fields, ensure_index, index_document
from storage.db import get_engine, session_scope, write_turn
from storage.models import Attachment, Document, DocumentVersion, TrackLabel, utcnow
from storage.upsert import insert_returning_id
from storage.dbretry import transient

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one item: new, changed, unchanged or failed, plus per-URL errors."""

    status: str
    document_id: int | None = None
    errors: list[str] = field(default_factory=list)
    unstored: bool = False  # writing it failed (not the page): the run fails, so the next crawl reads it again


@dataclass
class Job:
    """A release ready to be written: the spider's item, what extraction made of it (None for a 304), and the
    caller's extra writes for the same transaction."""

    item: Release
    ex: "_Extracted | None"
    also: Callable[[Session], None] | None = None


@dataclass
class _Extracted:
    """A release read and filed, before any of it is written: all the CPU work happens outside the transaction."""

    title: str
    body: str
    full_text: str
    meta: dict[str, Any]
    attachments: list[dict[str, Any]]
    labels: list[Label] = field(default_factory=list)
    summary: str = ""
    signature: Signature | None = None  # MinHash for the story linker; None for texts too short to compare


class PagePipeline:
    """Turns spider items into stored, versioned, classified documents."""

    def __init__(self, settings: Settings, classifier: Classifier | None = None, pool: ExtractPool | None = None):
        self.settings = settings
        self.classifier = classifier or Classifier.load(settings.taxonomy_path)
        limits = ExtractLimits(
            max_pages=settings.pdf_max_pages,
            max_inflated_bytes=settings.pdf_max_inflated_mb * 1024 * 1024,
            time_limit=settings.extract_time_limit,
            memory_bytes=settings.extract_memory_mb * 1024 * 1024,
        )
        workers = settings.extract_workers if settings.extract_workers is not None else max(1, (os.cpu_count() or 1) - 1)
        # The disk cache already answers repeats; a small memory tier keeps a long crawl from holding hundreds of texts.
        cache = ExtractCache(settings.data_dir / "extract-cache", memory_items=64)
        self.pool = pool or ExtractPool(workers=workers, cache=cache, limits=limits)
        engine = get_engine(settings)
        ensure_index(engine)  # full-text search index (FTS5 trigram / pg_trgm); indexes what a killed crawl left out
        self.index = PendingIndex(engine)

    def close(self) -> None:
        self.index.flush()
        self.pool.close()

    def process(self, item: Release, source: SourceConfig, run_id: int | None, also: Callable[[Session], None] | None = None) -> Outcome:
        """Read and store one release in a transaction of its own (``prepare`` then ``store``).

        ``also`` runs in the storing transaction once the release is stored (the crawl's HTTP validators),
        so it commits with the release or not at all, without a transaction of its own."""
        job = self.prepare(item, source, also)
        if isinstance(job, Outcome):
            return job
        return self.store([job], source, run_id)[0]

    def prepare(self, item: Release, source: SourceConfig, also: Callable[[Session], None] | None = None) -> "Job | Outcome":
        """Everything about a release that needs no write: extraction, classification, fingerprints.

        A failed Outcome when there is nothing to store (no body, or extraction failed).  Separate from
        ``store`` so a crawl extracts releases in several threads and writes them a group per transaction.
        """
        url = item.url
        if item.not_modified:
            return Job(item, None, also)
        if item.body is None:
            return Outcome("failed", errors=[f"{url}: {item.error or 'no content'}"])
        try:
            ex = self._extract(item, source)
        except Exception as exc:
            log.exception("extraction failed for %s", url)
            return Outcome("failed", errors=[f"{url}: extraction failed: {type(exc).__name__}: {exc}"])
        return Job(item, ex, also)

    def store(self, jobs: list["Job"], source: SourceConfig, run_id: int | None) -> list[Outcome]:
        """Write prepared releases in one transaction; their outcomes, in the order given.

        One commit per group: each commit rewrites every page it touched (the
        document and version tables, a dozen indexes) to the write-ahead log,
        so a group shares those pages where one release per commit wrote them
        again each time.  Releases are written in URL order, so two groups
        lock PostgreSQL rows in the same order and cannot deadlock.  When one
        release fails for any reason but a transient database error (which
        the caller retries for the whole group), the group is rolled back and
        each release is written on its own, so only that one fails.
        """
        order = sorted(range(len(jobs)), key=lambda i: jobs[i].item.url)
        try:
            with write_turn(self.settings.db_url), session_scope(self.settings) as s:
                written = {i: self._write(s, jobs[i], source, run_id) for i in order}
        except Exception as exc:
            if len(jobs) == 1 or transient(exc):
                raise
            log.warning("a group of %d releases was rolled back (%s); writing them one by one", len(jobs), exc)
            return [self._store_alone(job, source, run_id) for job in jobs]
        outcomes = []
        for i in range(len(jobs)):
            outcome, index_row = written[i]
            if index_row is not None:  # committed: now its search index row may be written
                assert outcome.document_id is not None
                self.index.add(outcome.document_id, index_row)
            outcomes.append(outcome)
        return outcomes

    def _store_alone(self, job: "Job", source: SourceConfig, run_id: int | None) -> Outcome:
        try:
            return self.store([job], source, run_id)[0]
        except Exception as exc:
            if transient(exc):
                raise
            log.exception("storing %s failed", job.item.url)
            return Outcome("failed", errors=[f"{job.item.url}: {type(exc).__name__}: {exc}"], unstored=True)

    def _write(self, s: Session, job: "Job", source: SourceConfig, run_id: int | None) -> tuple[Outcome, Fields | None]:
        if job.ex is None:
            outcome, index_row = self._touch_in(s, source, job.item.url), None
        else:
            status, doc_id, index_row = self._store(s, job.item, source, job.ex, run_id)
            outcome = Outcome(status, doc_id, [f"{a['url']}: {a['error']}" for a in job.ex.attachments if a.get("error")])
        if job.also is not None and outcome.status != "failed":
            job.also(s)
        return outcome, index_row

    def _touch_in(self, s: Session, source: SourceConfig, url: str) -> Outcome:
        """A 304 for a known page: nothing changed; record that we looked."""
        conn = s.connection()
        row = conn.execute(_FIND_DOCUMENT, {"source": source.name, "url": url}).first()
        if row is None:
            return Outcome("failed", errors=[f"{url}: server answered 304 for a page we never stored"])
        now = utcnow()
        conn.execute(_UPDATE_DOCUMENT, {"last_seen": now, "doc": row.id})
        latest = conn.execute(_LATEST_VERSION, {"doc": row.id}).first()
        if latest is not None:
            conn.execute(_SEEN_VERSION, {"last_seen": now, "version": latest.id})
        return Outcome("unchanged", row.id)

    def _known_extraction(self, *, sha256: str | None = None, url: str | None = None) -> Attachment | None:
        """An earlier successful extraction of the same bytes (or of this URL, after a 304): never extract twice."""
        with session_scope(self.settings) as s:
            q = select(Attachment).where(Attachment.error.is_(None))  # type: ignore[union-attr]
            q = q.where(Attachment.sha256 == sha256) if sha256 else q.where(Attachment.url == url)
            return s.exec(q.order_by(Attachment.id.desc())).first()  # type: ignore[union-attr]

    # ---- extract + normalize ----------------------------------------------------------------
    def _extract(self, item: Release, source: SourceConfig) -> _Extracted:
        noise = [compile_pattern(p) for p in source.noise_patterns]  # regex package: each sub has a time limit (normalize_text)
        # The page in an extraction worker when one is free (this process is the crawl's busiest), here otherwise.
        pending_page = self.pool.try_submit_page(item.body or b"", item.url, item.declared_encoding, source.encoding, source.detail)
        attachments: list[dict[str, Any]] = []
        pending: list[tuple[dict[str, Any], AttachmentPayload]] = []
        for att in item.attachments:
            rec = _attachment_record(att)
            seen = None
            if att.not_modified:
                seen = self._known_extraction(url=att.url)
                if seen is None:
                    rec["error"] = "server answered 304 for an attachment we never stored"
            elif att.data is not None and not att.error:
                seen = self._known_extraction(sha256=rec["sha256"])
                if seen is None:
                    pending.append((rec, att))
            if seen is not None:
                rec.update(kind=seen.kind, text=seen.text, page_count=seen.page_count, sha256=seen.sha256, bytes=seen.bytes)
            attachments.append(rec)
        # All of a release's new files at once, across the pool's worker processes.
        results = self.pool.map([(att.data or b"", rec["filename"], att.content_type) for rec, att in pending])
        for (rec, _att), got in zip(pending, results):
            if isinstance(got, ExtractionError):
                rec["error"] = f"{rec['filename']}: {got}"
                continue
            rec.update(kind=got.kind, text=normalize_text(got.text, noise), page_count=got.page_count)
            rec["doc_number"] = got.meta.get("doc_number")
            rec["written"] = got.meta.get("written")
            if got.warnings:
                rec["warnings"] = "; ".join(got.warnings)
        page = pending_page.result() if pending_page is not None else extract_release_page(item, source)
        fields = release_fields(
            page,
            source,
            url=item.url,
            noise=noise,
            list_title=item.list_title,
            list_date=item.list_date,
            attachments=attachments,
            attachment_labels={a.url: a.label for a in item.attachments},
        )
        return _Extracted(
            fields.title,
            fields.body,
            fields.full_text,
            fields.meta,
            attachments,
            labels=self.classifier.classify(fields.title, fields.body, fields.attachment_text),
            summary=fields.summary,
            signature=story_signature(fields.body + "\n" + fields.attachment_text),
        )

    # ---- version/diff + classify + store ----------------------------------------------------
    def _store(self, s: Session, item: Release, source: SourceConfig, ex: _Extracted, run_id: int | None) -> tuple[str, int, Fields | None]:
        """Write one release in the caller's transaction; (status, document id, a new document's search index row).

        Core statements on the session's connection, not ORM objects: this is
        the crawl's hottest path, and the ORM's unit of work (object
        construction, validation, flush planning) cost more CPU per release
        than the dozen SQL statements themselves.
        """
        conn = s.connection()
        now = utcnow()
        digest = text_hash(ex.full_text)
        m = ex.meta
        fields = {
            "title": ex.title,
            "agency": m["agency"],
            "region": m["region"],
            "doc_number": m["doc_number"],
            "published": m["published"],
            "date_source": m["date_source"],
            "written": m["written"],
            "doctype": m["doctype"],
            "last_seen": now,
        }
        # Another process may store the same page right now: the database decides who creates the document,
        # and the row lock (held to commit) makes reading the latest version and numbering the next one atomic.
        doc_id = insert_returning_id(
            conn,
            DOC,
            {"source_name": source.name, "url": item.url, "first_seen": now, "current_version": 0, "is_draft": False, **fields},
            ("source_name", "url"),
        )
        created = doc_id is not None
        previous = None
        draft_id = None
        if not created:
            doc_id, draft_id = conn.execute(_LOCK_DOCUMENT, {"source": source.name, "url": item.url}).one()
            # A document this transaction created has no versions, fingerprints or attachments yet: no need to ask.
            previous = conn.execute(_LATEST_VERSION, {"doc": doc_id}).first()
        assert doc_id is not None
        if created:
            status = "new"
        else:
            status = "unchanged" if previous is not None and previous.text_hash == digest else "changed"
        if status == "unchanged":
            assert previous is not None
            conn.execute(_UPDATE_DOCUMENT, {**fields, "doc": doc_id})
            conn.execute(_SEEN_VERSION, {"last_seen": now, "version": previous.id})
            return status, doc_id, None
        version = {
            "document_id": doc_id,
            "version_no": (previous.version_no + 1) if previous else 1,
            "run_id": run_id,
            "text_hash": digest,
            "title": ex.title,
            "text": ex.full_text,
            "summary": ex.summary,
            "diff": None,
            "change_summary": None,
            "first_seen": now,
            "last_seen": now,
        }
        if previous is not None:
            d = diff_texts(previous.text, ex.full_text)
            version["diff"] = d.render()
            version["change_summary"] = d.summary
        version_id = conn.execute(_INSERT_VERSION, version).scalar_one()
        story = find_story(conn, doc_id, ex.title, m["region"], source.name, draft_id, ex.signature, fresh=created)
        conn.execute(_UPDATE_DOCUMENT, {**fields, "current_version": version["version_no"], **story.columns(), "doc": doc_id})
        labels = [label_row(label, version_id, doc_id, self.classifier.taxonomy_version) for label in ex.labels]
        if labels:
            conn.execute(_INSERT_LABELS, labels)
        attachments = []
        for rec in ex.attachments:
            if created or conn.execute(_ATTACHMENT_EXISTS, {"doc": doc_id, "url": rec["url"], "sha": rec["sha256"]}).first() is None:
                attachments.append({"document_id": doc_id, "first_seen": now, **{k: v for k, v in rec.items() if k not in _READ_ONLY}})
        if attachments:
            conn.execute(_INSERT_ATTACHMENTS, attachments)
        if created:
            # Written in a batch once this transaction commits (PendingIndex), from what is in hand: the same
            # document_fields the index reads back for an old document.
            files = [r["text"] for r in ex.attachments if r.get("text")]
            return status, doc_id, document_fields(ex.title, ex.full_text, files, m["doc_number"], m["agency"])
        # A changed document's row is replaced in its own transaction: no search shows a text it no longer has.
        index_document(s, doc_id)
        return status, doc_id, None


DOC = Document.__table__  # type: ignore[attr-defined]
VERSION = DocumentVersion.__table__  # type: ignore[attr-defined]
LABEL = TrackLabel.__table__  # type: ignore[attr-defined]
ATTACHMENT = Attachment.__table__  # type: ignore[attr-defined]
# Built once: SQLAlchemy then finds their compiled form in its cache without rebuilding the expression per release.
_LOCK_DOCUMENT = (
    select(DOC.c.id, DOC.c.draft_id)
    .where(DOC.c.source_name == bindparam("source"), DOC.c.url == bindparam("url"))
    .with_for_update(key_share=True)
)
_LATEST_VERSION = (
    select(VERSION.c.id, VERSION.c.version_no, VERSION.c.text_hash, VERSION.c.text)
    .where(VERSION.c.document_id == bindparam("doc"))
    .order_by(VERSION.c.version_no.desc())
    .limit(1)
)
_INSERT_VERSION = insert(VERSION).returning(VERSION.c.id)
_UPDATE_DOCUMENT = DOC.update().where(DOC.c.id == bindparam("doc"))  # the columns are the keys of the values passed
_FIND_DOCUMENT = select(DOC.c.id).where(DOC.c.source_name == bindparam("source"), DOC.c.url == bindparam("url"))
_SEEN_VERSION = VERSION.update().where(VERSION.c.id == bindparam("version"))
_INSERT_LABELS = insert(LABEL)
_INSERT_ATTACHMENTS = insert(ATTACHMENT)
_ATTACHMENT_EXISTS = select(ATTACHMENT.c.id).where(
    ATTACHMENT.c.document_id == bindparam("doc"), ATTACHMENT.c.url == bindparam("url"), ATTACHMENT.c.sha256 == bindparam("sha")
)


def _attachment_record(att: AttachmentPayload) -> dict[str, Any]:
    data = att.data
    name = unquote(PurePosixPath(urlsplit(att.url).path).name) or "attachment"
    return {
        "url": att.url,
        "filename": name,
        "content_type": att.content_type,
        "sha256": hashlib.sha256(data).hexdigest() if data is not None else None,
        "bytes": len(data) if data is not None else 0,
        "kind": None,
        "text": "",
        "page_count": None,
        "error": att.error,
        "warnings": None,
    }


# what an attachment's text said about its document (number, signing date): read into the document's row
_READ_ONLY = frozenset({"doc_number", "written"})
