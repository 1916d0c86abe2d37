"""Reading pages: dashboard, track, document (evidence, attachments, versions, diffs), search."""

from __future__ import annotations


from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from alerts.render import cn_date
from pipeline.diff import diff_texts
from storage.db import get_engine
from storage.models import Document, DocumentVersion, Source, TrackLabel
from web import queries
from web.app import MAX_PAGE, DbId, page, parse_day, require_reader, state
from web.render import TRACK_COLORS, diff_rows, highlight_terms, paragraphs, stacked_bars
from storage.search_index import split_body
from web.search import SORTS, SearchFilters, search

router = APIRouter(dependencies=[Depends(require_reader)], include_in_schema=False)

DOCTYPES = ["政策文件", "征求意见稿", "行动计划·方案", "实施意见", "通知公告", "政策解读", "新闻动态", "研究报告"]


def session_for(request: Request) -> Session:
    return Session(get_engine(state(request).settings), expire_on_commit=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    st = state(request)
    with session_for(request) as s:
        dash = queries.dashboard(s, st.settings.timezone)
    tracks = st.taxonomy.tracks
    description = None
    if dash.trend_newest is not None:
        n = len(dash.trend)
        description = f"截至{cn_date(dash.trend_newest)}（最新发布日期）的{n}周每周发布的已归类文件数（最近{n}周无发布）"
    chart = stacked_bars(
        [label for label, _ in dash.trend], [(t.name, [c.get(t.id, 0) for _l, c in dash.trend]) for t in tracks], description=description
    )
    colors = {t.id: TRACK_COLORS[i % len(TRACK_COLORS)] for i, t in enumerate(tracks)}
    return page(request, "dashboard.html", title="PolicyRadar 未来产业政策雷达", dash=dash, chart=chart, colors=colors)


@router.get("/tracks/{track_id}", response_class=HTMLResponse)
def track_page(
    request: Request,
    track_id: str,
    region: str | None = None,
    doctype: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    subtrack: str | None = None,
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
) -> HTMLResponse:
    st = state(request)
    track = next((t for t in st.taxonomy.tracks if t.id == track_id or t.name == track_id), None)
    if track is None:
        raise HTTPException(404, f"没有这个赛道：{track_id}")
    f = queries.DocFilters(
        track=track.id,
        subtrack=subtrack or None,
        region=region or None,
        doctype=doctype or None,
        source=source or None,
        since=parse_day(since),
        until=parse_day(until),
    )
    with session_for(request) as s:
        total, rows = queries.list_documents(s, f, page_no, 30)
        counts = queries.subtrack_counts(s, track.id)
        region_list = queries.regions(s)
        sources = s.exec(select(Source).order_by(Source.name)).all()
    return page(
        request,
        "track.html",
        title=f"{track.name} · PolicyRadar",
        track=track,
        rows=rows,
        total=total,
        page_no=page_no,
        per_page=30,
        counts=counts,
        f=f,
        region_list=region_list,
        doctypes=DOCTYPES,
        sources=sources,
        since=since or "",
        until=until or "",
    )


@router.get("/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    region: str | None = None,
    doctype: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
) -> HTMLResponse:
    f = queries.DocFilters(
        region=region or None, doctype=doctype or None, source=source or None, since=parse_day(since), until=parse_day(until)
    )
    with session_for(request) as s:
        total, rows = queries.list_documents(s, f, page_no, 30)
        region_list = queries.regions(s)
        sources = s.exec(select(Source).order_by(Source.name)).all()
    return page(
        request,
        "documents.html",
        title="全部文件 · PolicyRadar",
        rows=rows,
        total=total,
        page_no=page_no,
        per_page=30,
        f=f,
        region_list=region_list,
        doctypes=DOCTYPES,
        sources=sources,
        since=since or "",
        until=until or "",
    )


def _evidence_terms(labels: list[TrackLabel]) -> dict[str, str]:
    terms: dict[str, str] = {}
    for lab in labels:
        for t in lab.terms:
            terms.setdefault(t, lab.track)
        for st in lab.subtracks:
            for t in st.get("terms") or {}:
                terms.setdefault(t, f"{lab.track} · {st.get('name', '')}")
    return terms


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: DbId, diff: int | None = None, mode: str = "side") -> HTMLResponse:
    with session_for(request) as s:
        doc = s.get(Document, doc_id)
        if doc is None:
            raise HTTPException(404, "没有这份文件")
        versions = list(
            s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc_id).order_by(col(DocumentVersion.version_no))).all()
        )
        current = next((v for v in versions if v.version_no == doc.current_version), versions[-1] if versions else None)
        labels = queries.current_labels(s, [doc_id]).get(doc_id, [])
        attachments = queries.attachments_of(s, doc_id)
        source = s.exec(select(Source).where(Source.name == doc.source_name)).first()
        also: list[Document] = []
        if doc.story_id is not None:
            also = list(
                s.exec(select(Document).where(Document.story_id == doc.story_id, Document.id != doc_id).order_by(col(Document.id))).all()
            )
        draft = s.get(Document, doc.draft_id) if doc.draft_id else None
        finals = list(s.exec(select(Document).where(Document.draft_id == doc_id)).all())
        titles = queries.source_titles(s)
    terms = _evidence_terms(labels)
    body, _att_part = split_body(current.text if current else "")
    body_html = [highlight_terms(p, terms) for p in paragraphs(body)]
    att_html = {a.id: [highlight_terms(p, terms) for p in paragraphs(a.text)] for a in attachments if a.text}
    diff_view = None
    if len(versions) > 1:
        n = diff if diff is not None else versions[-1].version_no
        new = next((v for v in versions if v.version_no == n), None)
        old = next((v for v in versions if v.version_no == n - 1), None)
        if new is None or old is None:
            raise HTTPException(404, f"没有第 {n} 版与第 {n - 1} 版的对比")
        td = diff_texts(old.text, new.text)
        diff_view = {
            "old": old,
            "new": new,
            "rows": diff_rows(old.text, new.text),
            "summary": td.summary,
            "similarity": td.similarity,
            "mode": "inline" if mode == "inline" else "side",
        }
    return page(
        request,
        "document.html",
        title=f"{doc.title} · PolicyRadar",
        doc=doc,
        versions=versions,
        current=current,
        labels=labels,
        attachments=attachments,
        att_html=att_html,
        source=source,
        also=also,
        draft=draft,
        finals=finals,
        titles=titles,
        body_html=body_html,
        diff_view=diff_view,
        terms=terms,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    track: str | None = None,
    region: str | None = None,
    doctype: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
    sort: str = "relevance",
) -> HTMLResponse:
    st = state(request)
    sort = sort if sort in SORTS else "relevance"
    filters = SearchFilters(
        track=track or None,
        region=region or None,
        doctype=doctype or None,
        source=source or None,
        since=parse_day(since),
        until=parse_day(until),
    )
    with session_for(request) as s:
        result = search(s, q, filters, page=page_no, per_page=20, track_ids=st.track_ids(), sort=sort) if q.strip() else None
        region_list = queries.regions(s)
        sources = s.exec(select(Source).order_by(Source.name)).all()
    return page(
        request,
        "search.html",
        title=f"搜索：{q} · PolicyRadar" if q else "搜索 · PolicyRadar",
        q=q,
        result=result,
        sf=filters,
        region_list=region_list,
        doctypes=DOCTYPES,
        sources=sources,
        since=since or "",
        until=until or "",
        sort=sort,
    )
