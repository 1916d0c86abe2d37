"""search index: a refs column with each document's 发文字号 and agency

The full-text index (storage/search_index.py: FTS5 ``docsearch_fts`` on
SQLite, ``docsearch`` with a pg_trgm GIN index on PostgreSQL) covered title,
body and attachments, and many pages print the 发文字号 only in a metadata
table that never reaches the body: a search for 工信部科〔2025〕18号 found
nothing.  This revision gives the index a ``refs`` column (the normalised
发文字号 and the agency) and widens the GIN expression to cover it.

The rows are not rewritten here: the revision leaves the index empty, and
``storage.search_index.ensure_index`` refills an empty index over a database
that has documents (the same path as the first start after revision 0001),
with the normalisation the code applies to every new row.  Every process
that serves search or crawls calls it at start.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)


def _sqlite_fts(columns: str) -> None:
    # An FTS5 table cannot gain a column: drop it (and its vocabulary view) and create it again, empty.
    op.execute("DROP TABLE IF EXISTS docsearch_vocab")
    op.execute("DROP TABLE IF EXISTS docsearch_fts")
    op.execute(f"CREATE VIRTUAL TABLE docsearch_fts USING fts5({columns}, tokenize='trigram')")
    op.execute("CREATE VIRTUAL TABLE docsearch_vocab USING fts5vocab(docsearch_fts, 'row')")


def _pg_index(expression: str) -> None:
    bind = op.get_bind()
    op.execute("DROP INDEX IF EXISTS docsearch_trgm")
    schema = bind.execute(sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
    if schema is None:  # revision 0001 could not install it either: search scans, as before
        log.warning("pg_trgm unavailable; the search index stays without its GIN index")
        return
    op.execute(f"CREATE INDEX docsearch_trgm ON docsearch USING gin ({expression} {schema}.gin_trgm_ops)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts("title, body, attachments, refs")
        return
    op.execute("DELETE FROM docsearch")
    op.execute("ALTER TABLE docsearch ADD COLUMN IF NOT EXISTS refs TEXT NOT NULL DEFAULT ''")
    _pg_index("(title || ' ' || body || ' ' || attachments || ' ' || refs)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts("title, body, attachments")
        return
    op.execute("DELETE FROM docsearch")
    op.execute("DROP INDEX IF EXISTS docsearch_trgm")
    op.execute("ALTER TABLE docsearch DROP COLUMN IF EXISTS refs")
    _pg_index("(title || ' ' || body || ' ' || attachments)")
