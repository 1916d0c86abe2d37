"""where a document's publish date was read

``document.date_source`` names the field the publish date came from
(``label:发布日期``, ``time-class``, ``beside-title``, ``meta:pubdate``, ``url``,
``list``), so a wrong date can be traced to the rule that chose it without
fetching the page again.  Documents stored before this revision have none
until their page is crawled again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_source", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("date_source")
