"""Read-side queries shared by the pages, the JSON API, the feeds and the exports.

One place decides what "a document's tracks" means: the labels of its
current version (labels of older versions stay in the table for the audit,
but a document whose text changed is filed by what it says now).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, and_, cast, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from alerts.period import Period, week_containing
from storage.models import Attachment, CrawlRun, Document, DocumentVersion, FetchLog, Source, TrackLabel, utcnow
from storage.health import failed_fetch


@dataclass
class DocFilters:
    """Filters of the track page, the document list API and the exports."""

    track: str | None = None  # track id
    subtrack: str | None = None  # sub-track id
    region: str | None = None
    doctype: str | None = None
    source: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class DocRow:
    document: Document
    labels: list[TrackLabel] = field(default_factory=list)
    source_title: str = ""

    @property
    def tracks(self) -> list[str]:
        return [lab.track for lab in self.labels]


def current_summaries(session: Session, doc_ids: list[int]) -> dict[int, str]:
    """The digest summary of each document's current version (pipeline.summarize), for exports and the API."""
    out: dict[int, str] = {}
    for chunk in range(0, len(doc_ids), 500):
        ids = doc_ids[chunk : chunk + 500]
        rows = session.exec(
            select(DocumentVersion.document_id, DocumentVersion.summary)
            .join(Document, Document.id == DocumentVersion.document_id)  # type: ignore[arg-type]
            .where(DocumentVersion.document_id.in_(ids), DocumentVersion.version_no == Document.current_version)  # type: ignore[attr-defined]
        ).all()
        out.update({int(doc_id): summary or "" for doc_id, summary in rows})
    return out


def current_labels(session: Session, doc_ids: list[int]) -> dict[int, list[TrackLabel]]:
    """Labels of each document's current version, strongest first."""
    out: dict[int, list[TrackLabel]] = {}
    for chunk in range(0, len(doc_ids), 500):
        ids = doc_ids[chunk : chunk + 500]
        rows = session.exec(
            select(TrackLabel)
            .join(DocumentVersion, DocumentVersion.id == TrackLabel.version_id)  # type: ignore[arg-type]
            .join(Document, Document.id == TrackLabel.document_id)  # type: ignore[arg-type]
            .where(col(TrackLabel.document_id).in_(ids), DocumentVersion.version_no == Document.current_version)
        ).all()
        for lab in rows:
            out.setdefault(lab.document_id, []).append(lab)
    for labs in out.values():
        labs.sort(key=lambda lab: -lab.score)
    return out


def source_titles(session: Session) -> dict[str, str]:
    return {s.name: s.title for s in session.exec(select(Source)).all()}


def _doc_query(f: DocFilters) -> SelectOfScalar[Document]:
    q = select(Document)
    if f.track or f.subtrack:
        cond: list[Any] = [TrackLabel.document_id == Document.id, DocumentVersion.version_no == Document.current_version]
        if f.track:
            cond.append(TrackLabel.track_id == f.track)
        if f.subtrack:
            # Sub-track ids are [a-z0-9_]; the quoted id inside the JSON list is unambiguous.
            cond.append(cast(TrackLabel.subtracks, Text).like(f'%"{f.subtrack}"%'))
        sub = select(TrackLabel.id).join(DocumentVersion, DocumentVersion.id == TrackLabel.version_id).where(and_(*cond))  # type: ignore[arg-type]
        q = q.where(sub.exists())
    if f.region:
        q = q.where(Document.region == f.region)
    if f.doctype:
        q = q.where(Document.doctype == f.doctype)
    if f.source:
        q = q.where(Document.source_name == f.source)
    if f.since:
        q = q.where(Document.published >= f.since)  # type: ignore[operator]
    if f.until:
        q = q.where(Document.published <= f.until)  # type: ignore[operator]
    return q


def list_documents(session: Session, f: DocFilters, page: int = 1, per_page: int = 30) -> tuple[int, list[DocRow]]:
    """(total, one page of documents), newest publication first, with current labels."""
    q = _doc_query(f)
    total = session.exec(select(func.count()).select_from(q.subquery())).one()
    docs = session.exec(
        q.order_by(Document.published.desc().nulls_last(), Document.id.desc())  # type: ignore[union-attr]
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    labels = current_labels(session, [d.id for d in docs if d.id is not None])  # stored rows: never None
    titles = source_titles(session)
    return int(total), [DocRow(d, labels.get(d.id, []), titles.get(d.source_name, d.source_name)) for d in docs]  # type: ignore[arg-type]


def iter_documents(session: Session, f: DocFilters, batch: int = 500) -> Any:
    """Every matching document (exports), in id order, in batches so memory stays flat."""
    after = 0
    titles = source_titles(session)
    while True:
        docs = session.exec(_doc_query(f).where(col(Document.id) > after).order_by(col(Document.id)).limit(batch)).all()
        if not docs:
            return
        labels = current_labels(session, [d.id for d in docs if d.id is not None])
        for d in docs:
            yield DocRow(d, labels.get(d.id, []), titles.get(d.source_name, d.source_name))  # type: ignore[arg-type]
        last = docs[-1].id
        assert last is not None  # stored rows have ids
        after = last


def regions(session: Session) -> list[str]:
    return sorted(r for r in session.exec(select(Document.region).distinct()).all() if r)


def weeks_back(now: datetime, n: int, tz: str) -> list[Period]:
    """The digest week containing ``now`` and the n-1 before it, oldest first."""
    cur = week_containing(now, tz)
    out = [cur]
    for _ in range(n - 1):
        out.insert(0, week_containing(out[0].start - timedelta(minutes=1), tz))
    return out


def labelled_versions_between(session: Session, start: datetime, end: datetime) -> list[tuple[int, datetime, str, str | None]]:
    """(document id, version first seen, track id, region) for labelled versions first seen in [start, end)."""
    rows = session.exec(
        select(DocumentVersion.document_id, DocumentVersion.first_seen, TrackLabel.track_id, Document.region)
        .join(TrackLabel, TrackLabel.version_id == DocumentVersion.id)  # type: ignore[arg-type]
        .join(Document, Document.id == DocumentVersion.document_id)  # type: ignore[arg-type]
        .where(DocumentVersion.first_seen >= start, DocumentVersion.first_seen < end)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _aware(dt: datetime) -> datetime:
    from datetime import timezone

    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@dataclass
class Dashboard:
    week: Period
    track_counts: dict[str, int]  # track id → documents this week
    trend: list[tuple[str, dict[str, int]]]  # (week label, track id → count), oldest first
    trend_newest: date | None  # the trend ends at this publication date's week: the weeks ending now held nothing
    region_counts: list[tuple[str, int]]
    latest: list[DocRow]
    totals: dict[str, int]


def dashboard(session: Session, tz: str, now: datetime | None = None, weeks: int = 12) -> Dashboard:
    """This week's new findings (first seen this week: what is news to the reader), and a trend of filed
    documents by publication date (first-seen where a page gives none; see alerts.trend)."""
    from alerts.trend import trend_window

    now = now or utcnow()
    periods = weeks_back(now, weeks, tz)
    this_week: dict[str, set[int]] = {}
    region_docs: dict[str, set[int]] = {}
    for doc_id, _seen, track_id, region in labelled_versions_between(session, periods[-1].start, periods[-1].end):
        this_week.setdefault(track_id, set()).add(doc_id)
        region_docs.setdefault(region or "其他", set()).add(doc_id)
    # the chart's weeks: those ending now, or those ending at the newest publication when these hold nothing
    window = trend_window(session, periods[-1].end, weeks, tz)
    per_week: list[dict[str, set[int]]] = [dict() for _ in window.periods]
    for lab in window.labels:
        i = window.week_index(lab)
        if i is not None:
            per_week[i].setdefault(lab.track_id, set()).add(lab.document_id)
    zone = ZoneInfo(tz)
    trend: list[tuple[str, dict[str, int]]] = []
    for i, (p, counts) in enumerate(zip(window.periods, per_week)):
        local = p.start.astimezone(zone)
        label = "本周" if i == len(window.periods) - 1 and window.newest is None else f"{local.month}/{local.day}"
        trend.append((label, {k: len(v) for k, v in counts.items()}))
    # 最新收录: newest publication first (one crawl stores a whole column microseconds apart, so first-seen order
    # alone is storage order), then the most recently seen, then the newest row; undated documents last.
    latest_docs = session.exec(
        select(Document)
        .order_by(col(Document.published).desc().nulls_last(), col(Document.first_seen).desc(), col(Document.id).desc())
        .limit(15)
    ).all()
    labels = current_labels(session, [d.id for d in latest_docs])  # type: ignore[misc]
    titles = source_titles(session)
    totals = {
        "documents": int(session.exec(select(func.count()).select_from(Document)).one()),
        "versions": int(session.exec(select(func.count()).select_from(DocumentVersion)).one()),
        "sources": int(session.exec(select(func.count()).select_from(Source)).one()),
        "runs": int(session.exec(select(func.count()).select_from(CrawlRun)).one()),
    }
    return Dashboard(
        week=periods[-1],
        track_counts={k: len(v) for k, v in this_week.items()},
        trend=trend,
        trend_newest=window.newest,
        region_counts=sorted(((r, len(ids)) for r, ids in region_docs.items()), key=lambda kv: (-kv[1], kv[0])),
        latest=[DocRow(d, labels.get(d.id, []), titles.get(d.source_name, d.source_name)) for d in latest_docs],  # type: ignore[arg-type]
        totals=totals,
    )


def subtrack_counts(session: Session, track_id: str) -> Counter[str]:
    """Documents per sub-track id among current-version labels of a track."""
    rows = session.exec(
        select(TrackLabel.subtracks)
        .join(DocumentVersion, DocumentVersion.id == TrackLabel.version_id)  # type: ignore[arg-type]
        .join(Document, Document.id == TrackLabel.document_id)  # type: ignore[arg-type]
        .where(TrackLabel.track_id == track_id, DocumentVersion.version_no == Document.current_version)
    ).all()
    counts: Counter[str] = Counter()
    for subs in rows:
        for st in subs or []:
            counts[st.get("id", "")] += 1
    return counts


def items_per_week(session: Session, source: str, periods: list[Period]) -> list[int]:
    """New documents of a source per week (the sources page's sparkline)."""
    seen = session.exec(select(Document.first_seen).where(Document.source_name == source, Document.first_seen >= periods[0].start)).all()
    out = [0] * len(periods)
    for t in seen:
        t = _aware(t)
        for i, p in enumerate(periods):
            if p.start <= t < p.end:
                out[i] += 1
                break
    return out


def last_runs(session: Session, source: str, n: int = 5) -> list[CrawlRun]:
    return list(session.exec(select(CrawlRun).where(CrawlRun.source_name == source).order_by(CrawlRun.id.desc()).limit(n)).all())  # type: ignore[union-attr]


def error_log(session: Session, limit: int = 50, source: str | None = None) -> list[FetchLog]:
    # the 404 that ends a list whose length the site does not state is how pagination stops, not an error
    q = select(FetchLog).where(failed_fetch())
    if source:
        q = q.where(FetchLog.source_name == source)
    return list(session.exec(q.order_by(FetchLog.id.desc()).limit(limit)).all())  # type: ignore[union-attr]


def attachments_of(session: Session, doc_id: int) -> list[Attachment]:
    return list(session.exec(select(Attachment).where(Attachment.document_id == doc_id).order_by(col(Attachment.id))).all())
