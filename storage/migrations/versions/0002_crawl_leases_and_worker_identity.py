"""Crawl leases and worker identity (distributed crawling, workers/).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 15:26:13.559888
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawllease",
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_name"),
    )
    with op.batch_alter_table("crawlrun", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("task_id", sa.String(), nullable=True))
        batch_op.create_index(batch_op.f("ix_crawlrun_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crawlrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawlrun_task_id"))
        batch_op.drop_column("task_id")
        batch_op.drop_column("worker")

    op.drop_table("crawllease")
