"""JSON API (documented at /openapi.json): tracks, documents, versions, labels, search; admin: sources, crawl runs, fetches."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path as PathParam, Query, Request
from fastapi.exceptions import HTTPException
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from storage.health import source_health
from storage.db import get_engine
from storage.models import Attachment, CrawlRun, Document, DocumentVersion, FetchLog, Source, TrackLabel
from web import queries
from web.app import MAX_ID, DbId, require_admin, require_api_csrf, require_reader, state
from web.search import SearchFilters, search

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(require_reader)])
bearer = HTTPBearer(auto_error=False, description="RADAR_ADMIN_TOKEN")
admin_deps = [Depends(bearer), Depends(require_admin), Depends(require_api_csrf)]


class SubTrackOut(BaseModel):
    id: str
    name: str


class TrackOut(BaseModel):
    id: str
    name: str
    subtracks: list[SubTrackOut]


class LabelOut(BaseModel):
    track_id: str
    track: str
    score: float
    subtracks: list[dict[str, Any]]
    terms: dict[str, int]
    quote: str


class DocumentOut(BaseModel):
    id: int
    title: str
    url: str
    source: str
    source_title: str
    agency: str | None
    region: str | None
    doc_number: str | None
    doctype: str | None
    published: date | None
    date_source: str | None = Field(
        default=None, description="where the publish date was read: label:发布日期, meta:pubdate, time-element, beside-title, url, list …"
    )
    written: date | None = Field(
        default=None, description="成文日期: the date the issuer signed the document, where the page or an attachment gives it"
    )
    first_seen: datetime
    last_seen: datetime
    current_version: int
    story_id: int | None
    draft_id: int | None
    tracks: list[str]


class DocumentPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[DocumentOut]


class VersionMeta(BaseModel):
    version_no: int
    first_seen: datetime
    last_seen: datetime
    text_hash: str
    change_summary: str | None


class AttachmentOut(BaseModel):
    id: int
    url: str
    filename: str
    kind: str | None
    bytes: int
    page_count: int | None
    error: str | None
    text_chars: int


class DocumentDetail(DocumentOut):
    summary: str = Field(description="the current version's digest summary: one to three of its own sentences")
    labels: list[LabelOut]
    versions: list[VersionMeta]
    attachments: list[AttachmentOut]
    also_published: list[int] = Field(description="documents of the same release on other sites (same story_id)")


class VersionOut(VersionMeta):
    document_id: int
    title: str
    text: str
    summary: str
    diff: str | None


class SearchHitOut(BaseModel):
    document_id: int
    title: str
    snippet_html: str = Field(description="HTML-escaped excerpt with <mark> around the terms")
    url: str
    source: str
    region: str | None
    doctype: str | None
    published: date | None


class SearchOut(BaseModel):
    query: str
    terms: list[str]
    total: int
    total_capped: bool
    page: int
    per_page: int
    took_ms: float
    items: list[SearchHitOut]


class SourceHealthOut(BaseModel):
    name: str
    title: str
    region: str
    last_success: datetime | None
    last_error: str | None
    runs: int
    error_rate: float
    failing_streak: int
    items_per_week: float
    median_ms: float | None
    state: str = Field(description="未抓取 / 正常 / 部分失败 / 失败 / 已停用, the words of the CLI and the web page")
    last_request_error_share: float = Field(
        description="share of the latest run's requests that failed (a guessed list page past the last one, answered 404/410, is the end of the list and not counted)"
    )


class RunOut(BaseModel):
    id: int
    source: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    requests: int
    items_seen: int
    items_new: int
    items_changed: int
    items_unchanged: int
    errors: int
    error: str | None


class FetchOut(BaseModel):
    id: int
    run_id: int | None
    url: str
    method: str
    status: int | None
    bytes: int
    duration_ms: float | None
    content_type: str | None
    content_hash: str | None
    warc_path: str | None
    warc_offset: int | None
    revisit: bool
    error: str | None
    fetched_at: datetime
    payload_url: str | None


class CrawlStarted(BaseModel):
    source: str
    started: bool = Field(description="false when a re-run of this source is already in progress")


def _session(request: Request) -> Session:
    return Session(get_engine(state(request).settings), expire_on_commit=False)


def _doc_out(r: queries.DocRow) -> DocumentOut:
    d = r.document
    return DocumentOut(
        id=d.id,
        title=d.title,
        url=d.url,
        source=d.source_name,
        source_title=r.source_title,
        agency=d.agency,
        region=d.region,
        doc_number=d.doc_number,
        doctype=d.doctype,
        published=d.published,
        date_source=d.date_source,
        written=d.written,
        first_seen=d.first_seen,
        last_seen=d.last_seen,
        current_version=d.current_version,
        story_id=d.story_id,
        draft_id=d.draft_id,
        tracks=[lab.track for lab in r.labels],
    )


def _label_out(lab: TrackLabel) -> LabelOut:
    return LabelOut(
        track_id=lab.track_id, track=lab.track, score=lab.score, subtracks=list(lab.subtracks), terms=dict(lab.terms), quote=lab.quote
    )


@router.get("/tracks", response_model=list[TrackOut], summary="The taxonomy's tracks and sub-tracks")
def tracks(request: Request) -> list[TrackOut]:
    return [
        TrackOut(id=t.id, name=t.name, subtracks=[SubTrackOut(id=s.id, name=s.name) for s in t.subtracks])
        for t in state(request).taxonomy.tracks
    ]


@router.get("/documents", response_model=DocumentPage, summary="Documents, newest first, with filters")
def documents(
    request: Request,
    track: str | None = None,
    subtrack: str | None = None,
    region: str | None = None,
    doctype: str | None = None,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = Query(1, ge=1, le=100_000),
    per_page: int = Query(30, ge=1, le=200),
) -> DocumentPage:
    f = queries.DocFilters(track=track, subtrack=subtrack, region=region, doctype=doctype, source=source, since=since, until=until)
    with _session(request) as s:
        total, rows = queries.list_documents(s, f, page, per_page)
    return DocumentPage(total=total, page=page, per_page=per_page, items=[_doc_out(r) for r in rows])


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentDetail,
    summary="One document: labels with evidence, versions, attachments",
    responses={404: {"description": "no such document"}},
)
def document(request: Request, doc_id: DbId) -> DocumentDetail:
    with _session(request) as s:
        doc = s.get(Document, doc_id)
        if doc is None:
            raise HTTPException(404, "no such document")
        labels = queries.current_labels(s, [doc_id]).get(doc_id, [])
        versions = s.exec(
            select(DocumentVersion).where(DocumentVersion.document_id == doc_id).order_by(col(DocumentVersion.version_no))
        ).all()
        atts = s.exec(select(Attachment).where(Attachment.document_id == doc_id).order_by(col(Attachment.id))).all()
        also = (
            [d for d in s.exec(select(Document.id).where(Document.story_id == doc.story_id, Document.id != doc_id)).all()]
            if doc.story_id
            else []
        )
        title = queries.source_titles(s).get(doc.source_name, doc.source_name)
    base = _doc_out(queries.DocRow(doc, labels, title))
    current = next((v for v in versions if v.version_no == doc.current_version), None)
    return DocumentDetail(
        **base.model_dump(),
        summary=current.summary if current else "",
        labels=[_label_out(lab) for lab in labels],
        versions=[
            VersionMeta(
                version_no=v.version_no,
                first_seen=v.first_seen,
                last_seen=v.last_seen,
                text_hash=v.text_hash,
                change_summary=v.change_summary,
            )
            for v in versions
        ],
        attachments=[
            AttachmentOut(
                id=a.id,
                url=a.url,
                filename=a.filename,
                kind=a.kind,
                bytes=a.bytes,
                page_count=a.page_count,
                error=a.error,
                text_chars=len(a.text or ""),
            )
            for a in atts
        ],
        also_published=[int(i) for i in also if i is not None],
    )


@router.get(
    "/documents/{doc_id}/versions/{version_no}",
    response_model=VersionOut,
    summary="One version's full text and diff",
    responses={404: {"description": "no such version"}},
)
def version(request: Request, doc_id: DbId, version_no: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> VersionOut:
    with _session(request) as s:
        v = s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc_id, DocumentVersion.version_no == version_no)).first()
    if v is None:
        raise HTTPException(404, "no such version")
    return VersionOut(
        version_no=v.version_no,
        first_seen=v.first_seen,
        last_seen=v.last_seen,
        text_hash=v.text_hash,
        change_summary=v.change_summary,
        document_id=v.document_id,
        title=v.title,
        text=v.text,
        summary=v.summary,
        diff=v.diff,
    )


@router.get("/labels", response_model=list[LabelOut], summary="Current-version labels of one document")
def labels(request: Request, document_id: int = Query(..., ge=1, le=MAX_ID)) -> list[LabelOut]:
    with _session(request) as s:
        return [_label_out(lab) for lab in queries.current_labels(s, [document_id]).get(document_id, [])]


@router.get("/search", response_model=SearchOut, summary="Full-text search (Chinese substrings) with filters")
def api_search(
    request: Request,
    q: str = Query(..., max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f]*$", description="no control characters"),
    track: str | None = None,
    region: str | None = None,
    doctype: str | None = None,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = Query(1, ge=1, le=1000),
    per_page: int = Query(20, ge=1, le=100),
    sort: Literal["relevance", "date"] = Query(
        "relevance", description="relevance: query terms in the title first, then newest; date: newest first"
    ),
) -> SearchOut:
    st = state(request)
    with _session(request) as s:
        res = search(
            s,
            q,
            SearchFilters(track=track, region=region, doctype=doctype, source=source, since=since, until=until),
            sort=sort,
            page=page,
            per_page=per_page,
            track_ids=st.track_ids(),
        )
    return SearchOut(
        query=res.query,
        terms=res.terms,
        total=res.total,
        total_capped=res.total_capped,
        page=res.page,
        per_page=res.per_page,
        took_ms=round(res.took_ms, 2),
        items=[
            SearchHitOut(
                document_id=h.document_id,
                title=h.title,
                snippet_html=str(h.snippet),
                url=h.url,
                source=h.source_name,
                region=h.region,
                doctype=h.doctype,
                published=h.published,
            )
            for h in res.hits
        ],
    )


@router.get("/sources", response_model=list[SourceHealthOut], dependencies=admin_deps, summary="Source health (admin)")
def sources(request: Request) -> list[SourceHealthOut]:
    from web.routes.admin import _known

    settings = state(request).settings
    known = _known(settings) or {}
    with _session(request) as s:
        out = []
        for src in s.exec(select(Source).order_by(Source.name)).all():
            h = source_health(s, src.name)
            k = known.get(src.name)
            out.append(
                SourceHealthOut(
                    name=src.name,
                    title=src.title,
                    region=src.region,
                    last_success=h.last_success,
                    last_error=h.last_error,
                    runs=h.runs,
                    error_rate=h.error_rate,
                    failing_streak=h.failing_streak,
                    items_per_week=h.items_per_week,
                    median_ms=h.median_ms,
                    state=h.state(k.config.enabled if k else True, settings.partial_failure_share),
                    last_request_error_share=round(h.request_error_share, 4),
                )
            )
    return out


@router.post(
    "/sources/{name}/crawl",
    response_model=CrawlStarted,
    status_code=202,
    dependencies=admin_deps,
    summary="Re-run a source's crawl now (admin)",
    responses={404: {"description": "no such source"}},
)
def crawl(request: Request, name: str) -> CrawlStarted:
    from web.routes.admin import REFUSALS, crawl_refusal, start_crawl

    why = crawl_refusal(state(request).settings, name)
    if why == "unconfigured":
        raise HTTPException(404, f"没有这个来源 / no such source: {name}")
    if why is not None:
        raise HTTPException(409, REFUSALS[why])
    return CrawlStarted(source=name, started=start_crawl(request, name))


@router.get("/crawl-runs", response_model=list[RunOut], dependencies=admin_deps, summary="Crawl runs, newest first (admin)")
def crawl_runs(request: Request, source: str | None = None, limit: int = Query(50, ge=1, le=1000)) -> list[RunOut]:
    with _session(request) as s:
        q = select(CrawlRun)
        if source:
            q = q.where(CrawlRun.source_name == source)
        runs = s.exec(q.order_by(CrawlRun.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
    return [
        RunOut(
            id=r.id,
            source=r.source_name,
            started_at=r.started_at,
            finished_at=r.finished_at,
            status=r.status,
            requests=r.requests,
            items_seen=r.items_seen,
            items_new=r.items_new,
            items_changed=r.items_changed,
            items_unchanged=r.items_unchanged,
            errors=r.errors,
            error=r.error,
        )
        for r in runs
    ]


@router.get(
    "/crawl-runs/{run_id}/fetches",
    response_model=list[FetchOut],
    dependencies=admin_deps,
    summary="Every request of one crawl run (admin)",
    responses={404: {"description": "no such run"}},
)
def fetches(request: Request, run_id: DbId, limit: int = Query(1000, ge=1, le=10_000)) -> list[FetchOut]:
    with _session(request) as s:
        if s.get(CrawlRun, run_id) is None:
            raise HTTPException(404, "no such run")
        rows = s.exec(select(FetchLog).where(FetchLog.run_id == run_id).order_by(FetchLog.id).limit(limit)).all()  # type: ignore[arg-type]
    return [
        FetchOut(
            id=f.id,
            run_id=f.run_id,
            url=f.url,
            method=f.method,
            status=f.status,
            bytes=f.bytes,
            duration_ms=f.duration_ms,
            content_type=f.content_type,
            content_hash=f.content_hash,
            warc_path=f.warc_path,
            warc_offset=f.warc_offset,
            revisit=f.revisit,
            error=f.error,
            fetched_at=f.fetched_at,
            payload_url=f"/fetches/{f.id}/payload" if f.warc_path else None,
        )
        for f in rows
    ]
