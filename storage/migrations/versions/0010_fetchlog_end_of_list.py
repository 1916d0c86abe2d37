"""fetch-log rows that mark the end of a paginated list

``fetchlog.end_of_list`` is true on a request for a guessed list page
(``index_{n}.html``, ``?page=n``) past the last one, answered 404 or 410: the
list ends there, which is no failure of the source.  Rows stored before this
revision are false.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fetchlog", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_of_list", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("fetchlog", schema=None) as batch_op:
        batch_op.drop_column("end_of_list")
