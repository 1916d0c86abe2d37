"""Refile stored documents after the taxonomy changed (``radar reclassify``).

Labels are written when a version is stored, with the taxonomy of that day.
When analysts revise ``config/tracks.yaml`` the archive must follow, or the
web UI, the feeds and the next digest would file old and new releases by
different rules.  Only *current* versions are refiled: older versions are
history, and nothing reads their labels for filing.

The same pass refreshes each current version's digest summary
(``pipeline.summarize``): summaries, like labels, are written at crawl time
by rules that improve, and an archive summarised by older rules (the first
characters, salutations and all) should read like new releases.

Rows are updated in place where a track stays (its id does not change, so
consumers that page labels by id, such as the CSV/JSON exports, see no
churn), deleted where a track is lost and inserted where one is gained.
Every refiled label carries the taxonomy version (a hash of the file), so a
rerun with an unchanged file moves nothing and says so.

Each batch of documents is one transaction: an interrupted run leaves every
document either fully refiled or untouched, and running it again finishes
the job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from pipeline.classify import Classifier
from pipeline.summarize import release_summary
from pipeline.label_rows import label_row
from core.settings import Settings
from storage.db import session_scope
from storage.models import Document, DocumentVersion, TrackLabel

ATTACHMENT_MARK = "\n【附件："  # how the pipeline prefixes each attachment's text in the stored version (pipeline.process)


@dataclass
class Move:
    """One document whose set of tracks changed."""

    document_id: int
    source: str
    title: str
    url: str
    before: list[str]
    after: list[str]


@dataclass
class ReclassifyReport:
    """What a run looked at and what moved between tracks."""

    taxonomy_version: str
    documents: int = 0  # current versions refiled
    unchanged: int = 0  # same tracks as before (evidence and version may still have been refreshed)
    summaries: int = 0  # current versions whose digest summary was rewritten
    before: Counter[str] = field(default_factory=Counter)  # track -> documents before
    after: Counter[str] = field(default_factory=Counter)
    gained: Counter[str] = field(default_factory=Counter)  # track -> documents newly filed under it
    lost: Counter[str] = field(default_factory=Counter)
    transitions: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=Counter)
    examples: list[Move] = field(default_factory=list)

    @property
    def moved(self) -> int:
        """Documents whose set of tracks changed."""
        return self.documents - self.unchanged


def split_stored_text(title: str, text: str) -> tuple[str, str]:
    """(body, attachments) of a stored version's text, as the pipeline classified them.

    The stored text is ``title \\n body \\n attachments`` (normalized), each
    attachment starting with ``【附件：name】``.  The title line is dropped (it
    is classified as the title) and the attachments are split off, so a
    refiled document is weighed exactly as at crawl time.
    """
    first, _, rest = text.partition("\n")
    if first.strip() != title.strip():
        rest = text
    cut = rest.find(ATTACHMENT_MARK)
    if rest.startswith(ATTACHMENT_MARK[1:]):
        cut = 0
    if cut < 0:
        return rest, ""
    return rest[:cut], rest[cut:].lstrip("\n")


def reclassify(
    settings: Settings,
    classifier: Classifier | None = None,
    source: str | None = None,
    since: date | None = None,
    batch: int = 200,
    max_examples: int = 8,
) -> ReclassifyReport:
    """Refile the current version of every selected document; see the module docstring.

    ``since`` selects documents published on or after that day (first seen,
    for documents without a publication date).
    """
    clf = classifier or Classifier.load(settings.taxonomy_path)
    report = ReclassifyReport(taxonomy_version=clf.taxonomy_version)
    last_id = 0
    while True:
        with session_scope(settings) as s:
            rows = _next_batch(s, last_id, source, since, batch)
            if not rows:
                break
            last_id = rows[-1][0].id or last_id
            labels = _labels_of(s, [v.id for _, v in rows])
            for doc, ver in rows:
                _refile(s, clf, report, doc, ver, labels.get(ver.id or 0, []), max_examples)
    return report


def _next_batch(s: Session, after: int, source: str | None, since: date | None, size: int) -> list[tuple[Document, DocumentVersion]]:
    q = (
        select(Document, DocumentVersion)
        .join(
            DocumentVersion,
            and_(col(DocumentVersion.document_id) == col(Document.id), col(DocumentVersion.version_no) == col(Document.current_version)),
        )
        .where(col(Document.id) > after)
    )
    if source:
        q = q.where(Document.source_name == source)
    if since:
        start = datetime(since.year, since.month, since.day, tzinfo=timezone.utc)
        q = q.where(or_(col(Document.published) >= since, and_(col(Document.published).is_(None), col(Document.first_seen) >= start)))
    return list(s.exec(q.order_by(col(Document.id)).limit(size)).all())


def _labels_of(s: Session, version_ids: list[int | None]) -> dict[int, list[TrackLabel]]:
    out: dict[int, list[TrackLabel]] = {}
    for lab in s.exec(select(TrackLabel).where(col(TrackLabel.version_id).in_(version_ids))).all():
        out.setdefault(lab.version_id, []).append(lab)
    return out


def _refile(
    s: Session, clf: Classifier, report: ReclassifyReport, doc: Document, ver: DocumentVersion, old: list[TrackLabel], max_examples: int
) -> None:
    assert doc.id is not None and ver.id is not None
    body, attachments = split_stored_text(ver.title, ver.text)
    new = clf.classify(ver.title, body, attachments)
    summary = release_summary(ver.title, body, attachments, doctype=doc.doctype)
    if summary != ver.summary:
        ver.summary = summary
        s.add(ver)
        report.summaries += 1
    order = {t.name: i for i, t in enumerate(clf.taxonomy.tracks)}
    before = tuple(sorted({lab.track for lab in old}, key=lambda t: order.get(t, len(order))))
    after = tuple(lb.track for lb in sorted(new, key=lambda lb: order[lb.track]))
    report.documents += 1
    report.before.update(before)
    report.after.update(after)
    if before == after:
        report.unchanged += 1
    else:
        report.gained.update(set(after) - set(before))
        report.lost.update(set(before) - set(after))
        report.transitions[(before, after)] += 1
        if len(report.examples) < max_examples:
            report.examples.append(Move(doc.id, doc.source_name, doc.title, doc.url, list(before), list(after)))

    kept: dict[str, TrackLabel] = {}
    for lab in old:
        if lab.track_id in kept:  # a duplicate row (should not exist): keep one
            s.delete(lab)
        else:
            kept[lab.track_id] = lab
    for label in new:
        row: dict[str, Any] = label_row(label, ver.id, doc.id, clf.taxonomy_version)
        found = kept.pop(label.track_id, None)
        if found is None:
            s.add(TrackLabel(**row))
            continue
        for key, value in row.items():
            if getattr(found, key) != value:
                setattr(found, key, value)
        s.add(found)
    for lab in kept.values():
        s.delete(lab)
