"""a document's 成文日期

``document.written`` is the date the issuer signed the document (成文日期, 印发日期, the date under the
signature, or the one a PDF attachment ends with).  A notice signed in 2024 and published in 2025 carries
both, and an analyst reading 工信部联科〔2024〕12号 beside 2025年3月5日 needs the first to make sense of it.
Documents stored before this revision have none until their page is crawled again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("written")
