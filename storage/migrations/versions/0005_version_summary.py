"""version summary: recompute documentversion.summary with pipeline.summarize

Until this revision a version's summary was its first 120 characters, which
for most ministry notices is the salutation and the transmittal sentence
(各省、自治区、直辖市…：现将《…》印发给你们).  New versions now store an
extractive summary of what the policy does (pipeline.summarize); this
revision rewrites the summaries already stored so that digests, document
pages, feeds and exports of an upgraded install read the same way.  No
schema change.  Downgrade restores the first-characters summary.

The stored text is the normalized title, page body and attachment texts
(each attachment after a 【附件：…】 line), so body and attachments are
recovered by that marker.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:40:00
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
_ATTACHMENT = re.compile(r"^【附件[：:][^】]*】$", re.M)


def _parts(title: str, text: str) -> tuple[str, str]:
    """(page body, attachment texts) of a stored version text."""
    lines = text.split("\n")
    if lines and lines[0].strip() == (title or "").strip():
        lines = lines[1:]
    rest = "\n".join(lines)
    m = _ATTACHMENT.search(rest)
    return (rest[: m.start()].rstrip("\n"), rest[m.start():]) if m else (rest, "")


def _rewrite(summarize: Callable[[str, str, str, str | None], str]) -> None:
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.text("SELECT v.id, v.title, v.text, d.doctype FROM documentversion v JOIN document d ON d.id = v.document_id"
                    " WHERE v.id > :last ORDER BY v.id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            return
        updates = [{"id": vid, "summary": summarize(title or "", *_parts(title or "", text or ""), doctype)} for vid, title, text, doctype in rows]
        conn.execute(sa.text("UPDATE documentversion SET summary = :summary WHERE id = :id"), updates)
        last = rows[-1][0]


def _new(title: str, body: str, attachments: str, doctype: str | None) -> str:
    from pipeline.summarize import release_summary

    return release_summary(title, body, attachments, doctype=doctype)


def _old(title: str, body: str, attachments: str, doctype: str | None) -> str:
    from pipeline.normalize import summarize

    return summarize(body if len(body) >= 40 else body + attachments)


def upgrade() -> None:
    _rewrite(_new)


def downgrade() -> None:
    _rewrite(_old)
