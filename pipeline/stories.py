"""Tie a stored document to the release it belongs to: reprints and the draft it finalizes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select
from sqlmodel import Session

from pipeline.dedupe import (
    THRESHOLD,
    Signature,
    band_keys,
    draft_info,
    minhash,
    signature_bytes,
    signature_from_bytes,
    similarity,
    titles_match,
)
from storage.models import Document, Fingerprint

MIN_CHARS = 200  # shorter texts ("详见附件") say nothing about identity

DOC = Document.__table__  # type: ignore[attr-defined]
FP = Fingerprint.__table__  # type: ignore[attr-defined]
# Built once, values bound at execution: building the expressions per release cost more than running them.
_DELETE_FINGERPRINTS = delete(FP).where(FP.c.document_id == bindparam("doc"))
_INSERT_FINGERPRINTS = insert(FP)
_CANDIDATES = (
    select(DOC.c.id, DOC.c.story_id, DOC.c.signature)
    .join(FP, FP.c.document_id == DOC.c.id)
    .where(FP.c.band_key.in_(bindparam("keys", expanding=True)), DOC.c.id != bindparam("doc"))
    .distinct()
)


def _drafts(region_matches: Any) -> Any:
    return select(DOC.c.id, DOC.c.title, DOC.c.first_seen).where(
        DOC.c.is_draft == True,  # noqa: E712
        DOC.c.id != bindparam("doc"),
        or_(region_matches, DOC.c.source_name == bindparam("source")),
    )


_DRAFTS = _drafts(DOC.c.region == bindparam("region"))
_DRAFTS_OF_NO_REGION = _drafts(DOC.c.region.is_(None))  # a document without a region matches drafts without one


@dataclass(frozen=True)
class StoryLink:
    """The story columns of one document, as ``find_story`` decided them."""

    story_id: int
    signature: bytes | None
    is_draft: bool
    draft_id: int | None

    def columns(self) -> dict[str, object]:
        return {"story_id": self.story_id, "signature": self.signature, "is_draft": self.is_draft, "draft_id": self.draft_id}


def story_signature(text: str) -> Signature | None:
    """The MinHash ``find_story`` compares, or None for a text too short to say anything about identity.

    Separate so the caller computes it before its transaction: CPU work there holds the (SQLite) write lock.
    """
    if len("".join(text.split())) < MIN_CHARS:
        return None
    return minhash(text)


def find_story(
    conn: Connection,
    doc_id: int,
    title: str,
    region: str | None,
    source_name: str,
    draft_id: int | None,
    signature: Signature | None,
    fresh: bool = False,
) -> StoryLink:
    """The story (shared with near-duplicate documents of other sources) and the draft of document ``doc_id``.

    Rewrites the document's LSH fingerprints; the caller writes the returned
    columns onto the document row in the same transaction.  Plain rows rather
    than ORM objects: this runs once per stored release, and loading every
    candidate and draft as a full Document cost more than the queries.
    ``fresh``: the caller created the document in this transaction, so it has no old fingerprints to delete.
    """
    info = draft_info(title)
    if not info.is_draft and draft_id is None:
        draft_id = _find_draft(conn, doc_id, title, region, source_name)
    if not fresh:
        conn.execute(_DELETE_FINGERPRINTS, {"doc": doc_id})
    if signature is None:
        return StoryLink(doc_id, None, info.is_draft, draft_id)
    sig = signature
    keys = band_keys(sig)
    candidates = conn.execute(_CANDIDATES, {"keys": keys, "doc": doc_id}).all()
    story = doc_id
    for other_id, other_story, other_sig in candidates:
        if other_sig and similarity(sig, signature_from_bytes(other_sig)) >= THRESHOLD:
            story = min(story, other_story or other_id)
    # One multi-row INSERT: 16 validated ORM objects per document cost ~1 ms of CPU (A/B 3.0 → 2.1 ms for this step).
    conn.execute(_INSERT_FINGERPRINTS, [{"document_id": doc_id, "band_key": key} for key in keys])
    return StoryLink(story, signature_bytes(sig), info.is_draft, draft_id)


def _find_draft(conn: Connection, doc_id: int, title: str, region: str | None, source_name: str) -> int | None:
    """The newest 征求意见稿 of the same region or source whose title this final version keeps."""
    drafts = conn.execute(
        _DRAFTS_OF_NO_REGION if region is None else _DRAFTS, {"doc": doc_id, "region": region, "source": source_name}
    ).all()
    newest_first: list[tuple[datetime, int, str]] = sorted(((seen, i, t) for i, t, seen in drafts), key=lambda r: r[0], reverse=True)
    for _seen, draft_id, draft_title in newest_first:
        if titles_match(draft_info(draft_title).base_title, title):
            return draft_id
    return None


def link_story(s: Session, doc: Document, text: str, fresh: bool = False) -> None:
    """``find_story`` for a Document held in an ORM session: sets its story columns (the session writes them)."""
    s.flush()  # the queries below read the table, so pending documents must be in it
    assert doc.id is not None
    link = find_story(s.connection(), doc.id, doc.title, doc.region, doc.source_name, doc.draft_id, story_signature(text), fresh)
    doc.story_id, doc.signature, doc.is_draft, doc.draft_id = link.story_id, link.signature, link.is_draft, link.draft_id
    s.add(doc)
