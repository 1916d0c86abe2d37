"""index on document.is_draft

Every stored final version looks for the 征求意见稿 it follows among the
drafts (pipeline.stories).  Without an index that was a scan of the whole
document table per stored release: a crawl's cost grew with the square of
the archive.  Drafts are a small share of documents, so the index is selective.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 21:27:43.063117
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_is_draft"), ["is_draft"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_is_draft"))
