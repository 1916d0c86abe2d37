"""Which findings go into a subscriber's digest, grouped the way analysts read them."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from alerts.period import Period
from storage.models import Document, DocumentVersion, Source, Subscriber, TrackLabel


@dataclass
class DigestItem:
    """One release as the digest shows it."""

    document: Document
    version: DocumentVersion
    labels: list[TrackLabel]
    changed: bool
    source_title: str
    also: list[str] = field(default_factory=list)  # other sources that published the same release
    draft: tuple[str, str] | None = None  # (title, url) of the 征求意见稿 this final version follows

    @property
    def primary(self) -> TrackLabel:
        return self.labels[0]

    @property
    def evidence(self) -> list[str]:
        terms = sorted(self.primary.terms.items(), key=lambda kv: (-kv[1], kv[0]))
        return [t for t, _ in terms[:6]]

    @property
    def subtrack_names(self) -> list[str]:
        return [s["name"] for s in self.primary.subtracks]

    @property
    def other_tracks(self) -> list[str]:
        return [lab.track for lab in self.labels[1:]]

    @property
    def published(self) -> date | None:
        return self.document.published


@dataclass
class Digest:
    """Findings for one subscriber and period: track → region → items."""

    period: Period
    groups: "OrderedDict[str, OrderedDict[str, list[DigestItem]]]" = field(default_factory=OrderedDict)

    @property
    def items(self) -> list[DigestItem]:
        return [i for regions in self.groups.values() for items in regions.values() for i in items]

    @property
    def new_count(self) -> int:
        return sum(1 for i in self.items if not i.changed)

    @property
    def changed_count(self) -> int:
        return sum(1 for i in self.items if i.changed)

    def track_counts(self) -> dict[str, int]:
        return {t: sum(len(v) for v in regions.values()) for t, regions in self.groups.items()}


def _wanted(sub: Subscriber, labels: list[TrackLabel], doc: Document) -> bool:
    if sub.tracks and not any(lab.track in sub.tracks or lab.track_id in sub.tracks for lab in labels):
        return False
    if sub.regions and (doc.region or "") not in sub.regions:
        return False
    return True


def _merge_stories(items: list[DigestItem]) -> list[DigestItem]:
    """One entry per release: the national or earliest copy leads, the others become 同时发布."""
    by_story: dict[int, list[DigestItem]] = {}
    singles: list[DigestItem] = []
    for it in items:
        sid = it.document.story_id
        (by_story.setdefault(sid, []) if sid is not None else singles).append(it)
    merged = list(singles)
    for group in by_story.values():
        group.sort(key=lambda it: (it.document.region != "全国", it.document.first_seen))
        lead = group[0]
        lead.also = [f"{it.source_title}" for it in group[1:] if it.source_title != lead.source_title]
        merged.append(lead)
    return merged


def select_digest(session: Session, period: Period, subscriber: Subscriber, track_order: list[str]) -> Digest:
    """Versions first seen in the period, newest version per document, filtered by the subscription.

    A document first seen before the period whose text changed inside it is
    an update (更新); everything else is new.  Items with no track label are
    not future-industry policy and are left out.
    """
    rows = session.exec(
        select(DocumentVersion, Document)
        .join(Document, Document.id == DocumentVersion.document_id)  # type: ignore[arg-type]
        .where(DocumentVersion.first_seen >= period.start, DocumentVersion.first_seen < period.end)
    ).all()
    latest: dict[int, tuple[DocumentVersion, Document]] = {}
    for ver, doc in rows:
        cur = latest.get(doc.id)  # type: ignore[arg-type]
        if cur is None or ver.version_no > cur[0].version_no:
            latest[doc.id] = (ver, doc)  # type: ignore[index]
    sources = {s.name: s.title for s in session.exec(select(Source)).all()}
    items: list[DigestItem] = []
    for ver, doc in latest.values():
        labels = list(
            session.exec(select(TrackLabel).where(TrackLabel.version_id == ver.id).order_by(TrackLabel.score.desc())).all()  # type: ignore[union-attr]
        )
        if not labels or not _wanted(subscriber, labels, doc):
            continue
        changed = ver.version_no > 1 and doc.first_seen < period.start
        item = DigestItem(doc, ver, labels, changed, sources.get(doc.source_name, doc.source_name))
        if doc.draft_id is not None:
            draft = session.get(Document, doc.draft_id)
            if draft is not None:
                item.draft = (draft.title, draft.url)
        items.append(item)
    items = _merge_stories(items)
    order = {t: i for i, t in enumerate(track_order)}
    items.sort(
        key=lambda it: (
            order.get(it.primary.track, len(order)),
            it.document.region or "",
            -(it.published.toordinal() if it.published else 0),
            -it.primary.score,
        )
    )
    digest = Digest(period)
    for it in items:
        digest.groups.setdefault(it.primary.track, OrderedDict()).setdefault(it.document.region or "其他", []).append(it)
    return digest
