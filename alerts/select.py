"""Which findings go into a subscriber's digest, grouped the way analysts read them."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from alerts.changes import SentenceChange, sentence_changes
from alerts.period import Period
from alerts.rank import priority, republication_bonus
from storage.models import Document, DocumentVersion, Source, Subscriber, TrackLabel

if TYPE_CHECKING:
    from alerts.trend import WeeklyTrend


_HAS_FIGURE = re.compile(r"\d|[一二三四五六七八九十百千万亿两]+(?:个|家|项|条|类|批|亿|万)")


@dataclass
class DigestItem:
    """One release as the digest shows it."""

    document: Document
    version: DocumentVersion
    labels: list[TrackLabel]
    changed: bool
    source_title: str
    also: list[str] = field(default_factory=list)  # other sources that published the same release
    priority: float = 0.0  # see alerts.rank
    draft: tuple[str, str] | None = None  # (title, url) of the 征求意见稿 this final version follows
    changes: list[SentenceChange] = field(default_factory=list)  # old → new sentences of an update

    @property
    def anchor(self) -> str:
        """The item's id in the HTML digest, for 本期要点's links down to it."""
        return f"item-{self.document.id}"

    @property
    def key_figure(self) -> str:
        from pipeline.summarize import key_figure

        return key_figure(self.version.summary or "")

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
    trend: list[tuple[str, int]] = field(default_factory=list)  # filed documents per week by publish date, oldest first
    trend_since: datetime | None = None  # start of the trend's first week
    trend_newest: date | None = None  # set when the chart ends at the newest publication, not this week (alerts.trend)

    def set_trend(self, trend: WeeklyTrend) -> None:
        """Attach the run's chart figures (computed once per run, the same for every subscriber)."""
        self.trend, self.trend_since, self.trend_newest = trend.counts, trend.since, trend.newest

    @property
    def highlights(self) -> list[DigestItem]:
        """本期要点: the three to five highest-ranked items (five once there are ten or more).

        An item with nothing to quote (its page and attachments gave no readable text) ranks after every item
        with a summary, and one whose key figure has no number or date (近日，某部印发《…》) after every item
        whose key figure has one: a 要点 line is there to say what a policy sets out, in figures where it
        has them, and a bare title or release hook says nothing more than its section entry does."""
        items = self.items
        if len(items) < 3:
            return []
        ranked = sorted(
            items,
            key=lambda it: (
                not (it.version.summary or "").strip(),
                not _HAS_FIGURE.search(it.key_figure),
                -it.priority,
                -(it.published.toordinal() if it.published else 0),
            ),
        )
        return ranked[: 5 if len(items) >= 10 else 3]

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


def _wanted(sub: Subscriber, labels: list[TrackLabel], doc: Document, text: str) -> bool:
    """The subscription's filters: tracks, sub-tracks, regions, document types, keywords in or out."""
    if sub.tracks and not any(lab.track in sub.tracks or lab.track_id in sub.tracks for lab in labels):
        return False
    if sub.subtracks and not any(st["name"] in sub.subtracks or st["id"] in sub.subtracks for lab in labels for st in lab.subtracks):
        return False
    if sub.regions and (doc.region or "") not in sub.regions:
        return False
    if sub.doctypes and (doc.doctype or "") not in sub.doctypes:
        return False
    haystack = f"{doc.title}\n{text}"
    if sub.keywords_include and not any(k in haystack for k in sub.keywords_include):
        return False
    if sub.keywords_exclude and any(k in haystack for k in sub.keywords_exclude):
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


@dataclass
class Candidate:
    """A labelled release of the period, loaded once per digest run and shared by all subscribers."""

    version: DocumentVersion
    document: Document
    labels: list[TrackLabel]
    changed: bool
    source_title: str
    draft: tuple[str, str] | None
    base_priority: float = 0.0  # alerts.rank.priority without the republication bonus, computed once
    changes: list[SentenceChange] = field(default_factory=list)


def load_candidates(session: Session, period: Period) -> list[Candidate]:
    """Versions first seen in the period, the newest per document, with their labels.

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
    if not latest:
        return []
    sources = {s.name: s.title for s in session.exec(select(Source)).all()}
    by_version: dict[int, list[TrackLabel]] = {}
    ids = [v.id for v, _d in latest.values()]
    for chunk in range(0, len(ids), 500):
        for lab in session.exec(select(TrackLabel).where(col(TrackLabel.version_id).in_(ids[chunk : chunk + 500]))).all():
            by_version.setdefault(lab.version_id, []).append(lab)
    out: list[Candidate] = []
    for ver, doc in latest.values():
        labels = sorted(by_version.get(ver.id, []), key=lambda lab: -lab.score)  # type: ignore[arg-type]
        if not labels:
            continue
        draft = None
        if doc.draft_id is not None:
            d = session.get(Document, doc.draft_id)
            draft = (d.title, d.url) if d is not None else None
        changed = ver.version_no > 1 and doc.first_seen < period.start
        cand = Candidate(ver, doc, labels, changed, sources.get(doc.source_name, doc.source_name), draft)
        if changed:
            cand.changes = _changes_since_previous(session, ver)
        cand.base_priority = priority(DigestItem(doc, ver, labels, changed, cand.source_title, draft=draft))
        out.append(cand)
    return out


def _changes_since_previous(session: Session, ver: DocumentVersion) -> list[SentenceChange]:
    """Old → new sentences between this version and the one before it (once per run, shared by all subscribers)."""
    prev = session.exec(
        select(DocumentVersion.text)
        .where(DocumentVersion.document_id == ver.document_id, DocumentVersion.version_no < ver.version_no)
        .order_by(DocumentVersion.version_no.desc())  # type: ignore[attr-defined]
    ).first()
    return sentence_changes(prev, ver.text) if prev is not None else []


def _sections(labels: list[TrackLabel], subscribed: list[str]) -> list[TrackLabel]:
    """The item's labels with the one it is filed under first: its leading label among the subscribed tracks.

    A subscriber to 未来能源 only must not find an item under 未来信息 because
    that was its strongest track; the other tracks stay visible as 同时涉及.
    """
    if not subscribed:
        return labels
    wanted = [lab for lab in labels if lab.track in subscribed or lab.track_id in subscribed]
    if not wanted:
        return labels  # chosen by a sub-track filter: keep its own order
    return [wanted[0]] + [lab for lab in labels if lab is not wanted[0]]


def select_digest(
    session: Session, period: Period, subscriber: Subscriber, track_order: list[str], candidates: list[Candidate] | None = None
) -> Digest:
    """The subscriber's digest: their filters over the period's candidates, stories merged, ranked, grouped."""
    if candidates is None:
        candidates = load_candidates(session, period)
    items = [
        DigestItem(
            c.document,
            c.version,
            _sections(c.labels, subscriber.tracks or []),
            c.changed,
            c.source_title,
            draft=c.draft,
            priority=c.base_priority,
            changes=c.changes,
        )
        for c in candidates
        if _wanted(subscriber, c.labels, c.document, c.version.text)
    ]
    items = _merge_stories(items)
    order = {t: i for i, t in enumerate(track_order)}
    region_rank: dict[str, float] = {}
    for it in items:  # regions ordered by their most important item, so 全国 usually leads
        it.priority += republication_bonus(len(it.also))
        key = it.document.region or "其他"
        region_rank[key] = max(region_rank.get(key, 0.0), it.priority)
    items.sort(
        key=lambda it: (
            order.get(it.primary.track, len(order)),
            -region_rank[it.document.region or "其他"],
            it.document.region or "",
            -it.priority,
            -(it.published.toordinal() if it.published else 0),
        )
    )
    digest = Digest(period)
    for it in items:
        digest.groups.setdefault(it.primary.track, OrderedDict()).setdefault(it.document.region or "其他", []).append(it)
    return digest
