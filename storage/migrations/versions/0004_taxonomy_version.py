"""taxonomy version on track labels

A label says which taxonomy file filed it (a hash of the file), so after a
taxonomy change ``radar reclassify`` can tell stale labels from fresh ones
and an auditor can tell which rules put a document under a track.  Labels
written before this revision have none.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tracklabel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taxonomy_version", sa.String(), nullable=True))
        batch_op.create_index(batch_op.f("ix_tracklabel_taxonomy_version"), ["taxonomy_version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracklabel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracklabel_taxonomy_version"))
        batch_op.drop_column("taxonomy_version")
