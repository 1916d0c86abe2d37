"""The pipeline for one crawled release: extract → normalize → version/diff → classify → store.

Each stage is a small module; this one only wires them and decides what a
failure means.  A broken page or attachment is recorded against its URL and
never stops the crawl.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, select

from pipeline.attachment_extract import ExtractionError
from pipeline.classify import Classifier, Label
from pipeline.extract_pool import ExtractCache, ExtractPool
from pipeline.limits import ExtractLimits
from pipeline.dates import parse_cn_date
from pipeline.diff import diff_texts
from pipeline.doctype import detect_doctype
from pipeline.html_extract import decode_html, extract_html
from pipeline.normalize import normalize_text, summarize, text_hash
from pipeline.region import detect_region
from pipeline.stories import link_story
from radar.settings import Settings
from radar.sources import SourceConfig
from web.search import document_fields, ensure_index, index_document
from storage.db import get_engine, session_scope
from storage.models import Attachment, Document, DocumentVersion, TrackLabel, utcnow
from storage.upsert import insert_if_absent

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one item: new, changed, unchanged or failed, plus per-URL errors."""

    status: str
    document_id: int | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class _Extracted:
    title: str
    body: str
    attachments_text: str
    full_text: str
    meta: dict[str, Any]
    attachments: list[dict[str, Any]]


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
        ensure_index(get_engine(settings))  # full-text search index (FTS5 trigram / pg_trgm)

    def close(self) -> None:
        self.pool.close()

    def process(self, item: dict[str, Any], source: SourceConfig, run_id: int | None,
                also: Callable[[Session], None] | None = None) -> Outcome:
        """``also`` runs in the storing transaction once the release is stored (the crawl's HTTP validators),
        so it commits with the release or not at all, without a transaction of its own."""
        url = item["url"]
        if item.get("not_modified"):
            return self._touch(source, url, also)
        if item.get("body") is None:
            return Outcome("failed", errors=[f"{url}: {item.get('error') or 'no content'}"])
        try:
            ex = self._extract(item, source)
        except Exception as exc:  # noqa: BLE001 - one bad page must not end the crawl
            log.exception("extraction failed for %s", url)
            return Outcome("failed", errors=[f"{url}: extraction failed: {type(exc).__name__}: {exc}"])
        errors = [f"{a['url']}: {a['error']}" for a in ex.attachments if a.get("error")]
        with session_scope(self.settings) as s:
            status, doc = self._store(s, item, source, ex, run_id)
            if also is not None:
                also(s)
        return Outcome(status, doc.id, errors)

    def _touch(self, source: SourceConfig, url: str, also: Callable[[Session], None] | None = None) -> Outcome:
        """A 304 for a known page: nothing changed; record that we looked."""
        with session_scope(self.settings) as s:
            doc = s.exec(select(Document).where(Document.source_name == source.name, Document.url == url)).first()
            if doc is None:
                return Outcome("failed", errors=[f"{url}: server answered 304 for a page we never stored"])
            now = utcnow()
            doc.last_seen = now
            s.add(doc)
            latest = s.exec(
                select(DocumentVersion).where(DocumentVersion.document_id == doc.id).order_by(DocumentVersion.version_no.desc())  # type: ignore[union-attr]
            ).first()
            if latest is not None:
                latest.last_seen = now
                s.add(latest)
            if also is not None:
                also(s)
            return Outcome("unchanged", doc.id)

    def _known_extraction(self, *, sha256: str | None = None, url: str | None = None) -> Attachment | None:
        """An earlier successful extraction of the same bytes (or of this URL, after a 304): never extract twice."""
        with session_scope(self.settings) as s:
            q = select(Attachment).where(Attachment.error.is_(None))  # type: ignore[union-attr]
            q = q.where(Attachment.sha256 == sha256) if sha256 else q.where(Attachment.url == url)
            return s.exec(q.order_by(Attachment.id.desc())).first()  # type: ignore[union-attr]

    # ---- extract + normalize ----------------------------------------------------------------
    def _extract(self, item: dict[str, Any], source: SourceConfig) -> _Extracted:
        noise = [re.compile(p) for p in source.noise_patterns]
        html = decode_html(item["body"], declared=item.get("declared_encoding"), override=source.encoding)
        page = extract_html(html, item["url"], source.detail)
        attachments: list[dict[str, Any]] = []
        pending: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for att in item.get("attachments", []):
            rec = _attachment_record(att)
            seen = None
            if att.get("not_modified"):
                seen = self._known_extraction(url=att["url"])
                if seen is None:
                    rec["error"] = "server answered 304 for an attachment we never stored"
            elif att.get("data") is not None and not att.get("error"):
                seen = self._known_extraction(sha256=rec["sha256"])
                if seen is None:
                    pending.append((rec, att))
            if seen is not None:
                rec.update(kind=seen.kind, text=seen.text, page_count=seen.page_count, sha256=seen.sha256, bytes=seen.bytes)
            attachments.append(rec)
        # All of a release's new files at once, across the pool's worker processes.
        results = self.pool.map([(att["data"], rec["filename"], att.get("content_type")) for rec, att in pending])
        for (rec, _att), got in zip(pending, results):
            if isinstance(got, ExtractionError):
                rec["error"] = f"{rec['filename']}: {got}"
                continue
            rec.update(kind=got.kind, text=normalize_text(got.text, noise), page_count=got.page_count)
            rec["doc_number"] = got.meta.get("doc_number")
            if got.warnings:
                rec["warnings"] = "; ".join(got.warnings)
        labels = {a["url"]: a.get("label") for a in item.get("attachments", [])}
        texts = [f"【附件：{labels.get(r['url']) or r['filename']}】\n{r['text']}" for r in attachments if r.get("text")]
        title = (page.title or item.get("list_title") or item["url"]).strip()
        body = normalize_text(page.text, noise)
        att_text = "\n".join(texts)
        full = normalize_text("\n".join([title, body, att_text]), noise)
        published = page.published or (parse_cn_date(item["list_date"]) if item.get("list_date") else None)
        meta = {
            "agency": page.agency or source.agency,
            "doc_number": page.doc_number or next((a.get("doc_number") for a in attachments if a.get("doc_number")), None),
            "published": published,
            # A think tank writes about other places; a government site speaks for its own region.
            "region": detect_region(title + "\n" + full[:2000], default=source.region) if source.kind == "thinktank" else source.region,
        }
        meta["doctype"] = detect_doctype(title, {"doc_number": meta["doc_number"], "kind": source.kind})
        return _Extracted(title, body, att_text, full, meta, attachments)

    # ---- version/diff + classify + store ----------------------------------------------------
    def _store(self, s: Session, item: dict[str, Any], source: SourceConfig, ex: _Extracted, run_id: int | None) -> tuple[str, Document]:
        now = utcnow()
        digest = text_hash(ex.full_text)
        # Another process may store the same page right now: the database decides who creates the document,
        # and the row lock (held to commit) makes reading the latest version and numbering the next one atomic.
        created = insert_if_absent(
            s, Document(source_name=source.name, url=item["url"], title=ex.title, first_seen=now, last_seen=now, current_version=0),
            ("source_name", "url"),
        )
        doc = s.exec(
            select(Document).where(Document.source_name == source.name, Document.url == item["url"])
            .with_for_update(key_share=True).execution_options(populate_existing=True)
        ).one()
        # A document this transaction created has no versions, fingerprints or attachments yet: no need to ask.
        previous = None if created else s.exec(
            select(DocumentVersion).where(DocumentVersion.document_id == doc.id).order_by(DocumentVersion.version_no.desc())  # type: ignore[union-attr]
        ).first()
        if created:
            status = "new"
        else:
            status = "unchanged" if previous is not None and previous.text_hash == digest else "changed"
        doc.title = ex.title
        doc.agency = ex.meta["agency"]
        doc.region = ex.meta["region"]
        doc.doc_number = ex.meta["doc_number"]
        doc.published = ex.meta["published"]
        doc.doctype = ex.meta["doctype"]
        doc.last_seen = now
        s.add(doc)  # flushed with the version below, or at commit
        if status == "unchanged":
            assert previous is not None
            previous.last_seen = now
            s.add(previous)
            return status, doc
        version = DocumentVersion(
            document_id=doc.id,  # type: ignore[arg-type]
            version_no=(previous.version_no + 1) if previous else 1,
            run_id=run_id,
            text_hash=digest,
            title=ex.title,
            text=ex.full_text,
            summary=summarize(ex.body if len(ex.body) >= 40 else (ex.body + ex.attachments_text)),
            first_seen=now,
            last_seen=now,
        )
        if previous is not None:
            d = diff_texts(previous.text, ex.full_text)
            version.diff = d.render()
            version.change_summary = d.summary
        doc.current_version = version.version_no
        s.add(version)
        s.flush()
        link_story(s, doc, ex.body + "\n" + ex.attachments_text, fresh=created)
        for label in self.classifier.classify(ex.title, ex.body, ex.attachments_text):
            s.add(_label_row(label, version.id, doc.id))  # type: ignore[arg-type]
        for rec in ex.attachments:
            exists = None if created else s.exec(
                select(Attachment).where(Attachment.document_id == doc.id, Attachment.url == rec["url"], Attachment.sha256 == rec["sha256"])
            ).first()
            if exists is None:
                s.add(Attachment(document_id=doc.id, **{k: v for k, v in rec.items() if k != "doc_number"}))  # type: ignore[arg-type]
        # Same transaction: the search index never disagrees with the stored text.  A new document's row is
        # built from what is in hand (the same document_fields the index reads back for an old one).
        new = document_fields(ex.title, ex.full_text, [r["text"] for r in ex.attachments if r.get("text")]) if created else None
        index_document(s, doc.id, new)
        return status, doc


def _attachment_record(att: dict[str, Any]) -> dict[str, Any]:
    data: bytes | None = att.get("data")
    name = unquote(PurePosixPath(urlsplit(att["url"]).path).name) or "attachment"
    return {
        "url": att["url"],
        "filename": name,
        "content_type": att.get("content_type"),
        "sha256": hashlib.sha256(data).hexdigest() if data is not None else None,
        "bytes": len(data) if data is not None else 0,
        "kind": None,
        "text": "",
        "page_count": None,
        "error": att.get("error"),
        "warnings": None,
    }


def _label_row(label: Label, version_id: int, document_id: int) -> TrackLabel:
    return TrackLabel(
        version_id=version_id,
        document_id=document_id,
        track_id=label.track_id,
        track=label.track,
        score=round(label.score, 4),
        subtracks=[{"id": sl.id, "name": sl.name, "score": round(sl.score, 4), "terms": sl.terms} for sl in label.subtracks],
        terms=dict(label.terms),
        quote=label.quote,
    )
