"""Atom feeds (per track, per region, per saved search) and CSV/JSON exports.

Feeds are built with ElementTree, which escapes crawled text; entries are
keyed by document *version*, so a changed document shows up again in feed
readers with its change summary.  Exports stream rows in batches so a full
export of a large database does not load it into memory.  Crawl history and
fetch exports are admin-only (they show the crawler's internals); documents
and labels follow the reading-pages setting.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session, col, select

from pipeline.textutil import neutralise_bidi, strip_controls
from storage.db import get_engine
from storage.models import CrawlRun, Document, DocumentVersion, FetchLog, TrackLabel
from web import queries
from web.app import parse_day, require_admin, require_reader, state
from web.search import SearchFilters, search

router = APIRouter(include_in_schema=False)
ATOM = "http://www.w3.org/2005/Atom"


def _iso(dt: datetime | date | None) -> str:
    if dt is None:
        return datetime.now(timezone.utc).isoformat()
    if isinstance(dt, datetime):
        return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).isoformat()
    return datetime(dt.year, dt.month, dt.day, tzinfo=timezone.utc).isoformat()


def _atom(request: Request, title: str, self_path: str, docs: list[Document]) -> Response:
    st = state(request)
    base = st.settings.public_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{base}{self_path}"
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}{self_path}")
    ET.SubElement(feed, f"{{{ATOM}}}author").append(_el("name", "PolicyRadar"))
    with Session(get_engine(st.settings)) as s:
        ids = [d.id for d in docs]
        versions = {
            v.document_id: v
            for v in s.exec(select(DocumentVersion).where(col(DocumentVersion.document_id).in_(ids))).all()
            if v.version_no == next(d.current_version for d in docs if d.id == v.document_id)
        }
        labels = queries.current_labels(s, ids)  # type: ignore[arg-type]
    updated = max((_iso(v.first_seen) for v in versions.values()), default=_iso(None))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    for d in docs:
        v = versions.get(d.id)  # type: ignore[arg-type]
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        changed = v is not None and v.version_no > 1
        ET.SubElement(entry, f"{{{ATOM}}}title").text = ("【更新】" if changed else "") + d.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base}/documents/{d.id}#v{v.version_no if v else 1}"
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=f"{base}/documents/{d.id}")
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=d.url)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(v.first_seen if v else d.first_seen)
        if d.published:
            ET.SubElement(entry, f"{{{ATOM}}}published").text = _iso(d.published)
        for lab in labels.get(d.id, []):  # type: ignore[arg-type]
            ET.SubElement(entry, f"{{{ATOM}}}category", term=lab.track_id, label=lab.track)
        parts = [p for p in (d.agency, d.doc_number, d.region) if p]
        summary = " · ".join(parts)
        if v is not None:
            summary += (
                ("\n" if summary else "") + (f"变化：{v.change_summary}\n" if changed and v.change_summary else "") + (v.summary or "")
            )
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    for el in feed.iter():  # rows stored before text cleaning existed may still hold characters XML forbids
        if el.text:
            el.text = _xml_safe(el.text)
        for key, val in el.attrib.items():
            el.attrib[key] = _xml_safe(val)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _xml_safe(text: str) -> str:
    return neutralise_bidi(strip_controls(text))


def _el(tag: str, text: str) -> ET.Element:
    e = ET.Element(f"{{{ATOM}}}{tag}")
    e.text = text
    return e


def _recent(request: Request, f: queries.DocFilters, n: int = 50) -> list[Document]:
    with Session(get_engine(state(request).settings), expire_on_commit=False) as s:
        _total, rows = queries.list_documents(s, f, 1, n)
    return [r.document for r in rows]


@router.get("/feeds/track/{track_id}.atom", dependencies=[Depends(require_reader)])
def track_feed(request: Request, track_id: str) -> Response:
    track = next((t for t in state(request).taxonomy.tracks if t.id == track_id or t.name == track_id), None)
    if track is None:
        raise HTTPException(404, f"没有这个赛道：{track_id}")
    return _atom(
        request, f"PolicyRadar · {track.name}", f"/feeds/track/{track.id}.atom", _recent(request, queries.DocFilters(track=track.id))
    )


@router.get("/feeds/region/{region}.atom", dependencies=[Depends(require_reader)])
def region_feed(request: Request, region: str) -> Response:
    return _atom(request, f"PolicyRadar · {region}", f"/feeds/region/{region}.atom", _recent(request, queries.DocFilters(region=region)))


@router.get("/feeds/search.atom", dependencies=[Depends(require_reader)])
def search_feed(
    request: Request,
    q: str = "",
    track: str | None = None,
    region: str | None = None,
    doctype: str | None = None,
    source: str | None = None,
) -> Response:
    """A saved search as a feed: the query string is the saved search."""
    st = state(request)
    if not q.strip():
        raise HTTPException(400, "缺少搜索词 q")
    with Session(get_engine(st.settings)) as s:
        res = search(
            s,
            q,
            SearchFilters(track=track or None, region=region or None, doctype=doctype or None, source=source or None),
            per_page=50,
            track_ids=st.track_ids(),
            sort="date",
        )  # a feed reader wants the newest
        ids = [h.document_id for h in res.hits]
        docs = {d.id: d for d in s.exec(select(Document).where(Document.id.in_(ids))).all()}  # type: ignore[union-attr]
    path = "/feeds/search.atom" + (("?" + str(request.url.query)) if request.url.query else "")
    return _atom(request, f"PolicyRadar · 搜索：{q}", path, [docs[i] for i in ids if i in docs])


# ---- exports ------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """OWASP's CSV-injection defence: a text cell a spreadsheet would read as a formula gets a leading quote.

    Crawled titles are attacker-chosen; ``=HYPERLINK(…)`` or ``=cmd|…`` would
    otherwise run when an analyst opens the export in Excel or LibreOffice.
    Control characters go too (they are never content).
    """
    if not isinstance(value, str):
        return value
    value = strip_controls(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _stream(rows: Iterator[dict[str, Any]], fmt: str, name: str, columns: list[str]) -> Response:
    if fmt == "csv":

        def gen_csv() -> Iterator[str]:
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
            buf.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
            w.writeheader()
            for row in rows:
                w.writerow({k: csv_cell(json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v) for k, v in row.items()})
                if buf.tell() > 64_000:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
            yield buf.getvalue()

        return StreamingResponse(
            gen_csv(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}.csv"'}
        )

    def gen_json() -> Iterator[str]:
        yield "["
        first = True
        for row in rows:
            yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False, default=str)
            first = False
        yield "]\n"

    return StreamingResponse(
        gen_json(), media_type="application/json", headers={"Content-Disposition": f'attachment; filename="{name}.json"'}
    )


def _fmt(fmt: str) -> str:
    if fmt not in ("csv", "json"):
        raise HTTPException(404, "格式只能是 csv 或 json")
    return fmt


DOC_COLUMNS = [
    "id",
    "title",
    "url",
    "source",
    "source_title",
    "agency",
    "region",
    "doc_number",
    "doctype",
    "published",
    "first_seen",
    "last_seen",
    "current_version",
    "story_id",
    "draft_id",
    "tracks",
    "summary",
]


def doc_dict(r: queries.DocRow, summary: str = "") -> dict[str, Any]:
    d = r.document
    return {
        "id": d.id,
        "title": d.title,
        "url": d.url,
        "source": d.source_name,
        "source_title": r.source_title,
        "agency": d.agency,
        "region": d.region,
        "doc_number": d.doc_number,
        "doctype": d.doctype,
        "published": d.published.isoformat() if d.published else None,
        "first_seen": _iso(d.first_seen),
        "last_seen": _iso(d.last_seen),
        "current_version": d.current_version,
        "story_id": d.story_id,
        "draft_id": d.draft_id,
        "tracks": [lab.track for lab in r.labels],
        "summary": summary,
    }


@router.get("/export/documents.{fmt}", dependencies=[Depends(require_reader)])
def export_documents(
    request: Request,
    fmt: str,
    track: str | None = None,
    region: str | None = None,
    doctype: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    fmt = _fmt(fmt)
    f = queries.DocFilters(
        track=track or None,
        region=region or None,
        doctype=doctype or None,
        source=source or None,
        since=parse_day(since),
        until=parse_day(until),
    )
    settings = state(request).settings

    def rows() -> Iterator[dict[str, Any]]:
        with Session(get_engine(settings)) as s:
            batch: list[queries.DocRow] = []
            for r in queries.iter_documents(s, f):
                batch.append(r)
                if len(batch) == 500:
                    yield from _with_summaries(s, batch)
                    batch = []
            yield from _with_summaries(s, batch)

    return _stream(rows(), fmt, "documents", DOC_COLUMNS)


def _with_summaries(s: Session, batch: list[queries.DocRow]) -> Iterator[dict[str, Any]]:
    """One query per batch for the current versions' summaries."""
    summaries = queries.current_summaries(s, [int(r.document.id) for r in batch]) if batch else {}  # type: ignore[arg-type]
    for r in batch:
        yield doc_dict(r, summaries.get(int(r.document.id), ""))  # type: ignore[arg-type]


LABEL_COLUMNS = ["id", "document_id", "version_id", "version_no", "current", "track_id", "track", "score", "subtracks", "terms", "quote"]


@router.get("/export/labels.{fmt}", dependencies=[Depends(require_reader)])
def export_labels(request: Request, fmt: str, track: str | None = None) -> Response:
    """Every classification decision with its evidence, including those of superseded versions (the audit trail)."""
    fmt = _fmt(fmt)
    settings = state(request).settings

    def rows() -> Iterator[dict[str, Any]]:
        with Session(get_engine(settings)) as s:
            after = 0
            while True:
                q = (
                    select(TrackLabel, DocumentVersion.version_no, Document.current_version)
                    .join(DocumentVersion, DocumentVersion.id == TrackLabel.version_id)  # type: ignore[arg-type]
                    .join(Document, Document.id == TrackLabel.document_id)  # type: ignore[arg-type]
                    .where(col(TrackLabel.id) > after)
                )
                if track:
                    q = q.where(TrackLabel.track_id == track)
                batch = s.exec(q.order_by(TrackLabel.id).limit(1000)).all()  # type: ignore[arg-type]
                if not batch:
                    return
                for lab, vno, cur in batch:
                    yield {
                        "id": lab.id,
                        "document_id": lab.document_id,
                        "version_id": lab.version_id,
                        "version_no": vno,
                        "current": vno == cur,
                        "track_id": lab.track_id,
                        "track": lab.track,
                        "score": lab.score,
                        "subtracks": [{"id": st.get("id"), "name": st.get("name"), "score": st.get("score")} for st in lab.subtracks],
                        "terms": lab.terms,
                        "quote": lab.quote,
                    }
                after = batch[-1][0].id  # type: ignore[assignment]

    return _stream(rows(), fmt, "labels", LABEL_COLUMNS)


RUN_COLUMNS = [
    "id",
    "source",
    "started_at",
    "finished_at",
    "status",
    "requests",
    "items_seen",
    "items_new",
    "items_changed",
    "items_unchanged",
    "errors",
    "error",
]
FETCH_COLUMNS = [
    "id",
    "run_id",
    "source",
    "url",
    "method",
    "status",
    "bytes",
    "duration_ms",
    "content_type",
    "content_hash",
    "warc_path",
    "warc_offset",
    "revisit",
    "error",
    "fetched_at",
]


def run_dict(r: CrawlRun) -> dict[str, Any]:
    return {
        "id": r.id,
        "source": r.source_name,
        "started_at": _iso(r.started_at),
        "finished_at": _iso(r.finished_at) if r.finished_at else None,
        "status": r.status,
        "requests": r.requests,
        "items_seen": r.items_seen,
        "items_new": r.items_new,
        "items_changed": r.items_changed,
        "items_unchanged": r.items_unchanged,
        "errors": r.errors,
        "error": r.error,
    }


def fetch_dict(f: FetchLog) -> dict[str, Any]:
    return {
        "id": f.id,
        "run_id": f.run_id,
        "source": f.source_name,
        "url": f.url,
        "method": f.method,
        "status": f.status,
        "bytes": f.bytes,
        "duration_ms": f.duration_ms,
        "content_type": f.content_type,
        "content_hash": f.content_hash,
        "warc_path": f.warc_path,
        "warc_offset": f.warc_offset,
        "revisit": f.revisit,
        "error": f.error,
        "fetched_at": _iso(f.fetched_at),
    }


@router.get("/export/crawl-runs.{fmt}", dependencies=[Depends(require_admin)])
def export_runs(request: Request, fmt: str, source: str | None = None) -> Response:
    fmt = _fmt(fmt)
    settings = state(request).settings

    def rows() -> Iterator[dict[str, Any]]:
        with Session(get_engine(settings)) as s:
            q = select(CrawlRun)
            if source:
                q = q.where(CrawlRun.source_name == source)
            for r in s.exec(q.order_by(CrawlRun.id)).all():  # type: ignore[arg-type]
                yield run_dict(r)

    return _stream(rows(), fmt, "crawl-runs", RUN_COLUMNS)


@router.get("/export/fetches.{fmt}", dependencies=[Depends(require_admin)])
def export_fetches(request: Request, fmt: str, run_id: int | None = None, source: str | None = None) -> Response:
    fmt = _fmt(fmt)
    settings = state(request).settings

    def rows() -> Iterator[dict[str, Any]]:
        with Session(get_engine(settings)) as s:
            after = 0
            while True:
                q = select(FetchLog).where(FetchLog.id > after)  # type: ignore[operator]
                if run_id is not None:
                    q = q.where(FetchLog.run_id == run_id)
                if source:
                    q = q.where(FetchLog.source_name == source)
                batch = s.exec(q.order_by(FetchLog.id).limit(2000)).all()  # type: ignore[arg-type]
                if not batch:
                    return
                for f in batch:
                    yield fetch_dict(f)
                after = batch[-1].id  # type: ignore[assignment]

    return _stream(rows(), fmt, "fetches", FETCH_COLUMNS)
