"""Baseline: the schema as create_all built it before migrations, plus the search index.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

A database made by create_all before this revision existed is stamped as
0001 by storage.migrate (not re-created).  The search index (storage/search_index.py)
is raw DDL that the models do not describe: an FTS5 trigram table on
SQLite, a pg_trgm GIN index on PostgreSQL.  It is created here so that
several processes opening a new database create it once, under the
migration lock; storage.search_index.ensure_index still creates and fills it for
databases that were stamped instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    op.create_table(
        "archivedpayload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("warc_path", sa.String(), nullable=False),
        sa.Column("warc_offset", sa.Integer(), nullable=False),
        sa.Column("warc_date", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_archivedpayload_sha256"), "archivedpayload", ["sha256"], unique=True)
    op.create_index(op.f("ix_archivedpayload_url"), "archivedpayload", ["url"], unique=False)

    op.create_table(
        "crawlrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("items_changed", sa.Integer(), nullable=False),
        sa.Column("items_unchanged", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_crawlrun_source_name"), "crawlrun", ["source_name"], unique=False)
    op.create_index(op.f("ix_crawlrun_status"), "crawlrun", ["status"], unique=False)

    op.create_table(
        "digestrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_digestrun_period_key"), "digestrun", ["period_key"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("doc_number", sa.String(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("doctype", sa.String(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_name", "url"),
    )
    op.create_index(op.f("ix_document_first_seen"), "document", ["first_seen"], unique=False)
    op.create_index(op.f("ix_document_source_name"), "document", ["source_name"], unique=False)
    op.create_index(op.f("ix_document_story_id"), "document", ["story_id"], unique=False)

    op.create_table(
        "httpvalidator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_name", "url"),
    )
    op.create_index(op.f("ix_httpvalidator_source_name"), "httpvalidator", ["source_name"], unique=False)

    op.create_table(
        "operatoralert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("first_failed_run_id", sa.Integer(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_name", "first_failed_run_id"),
    )
    op.create_index(op.f("ix_operatoralert_source_name"), "operatoralert", ["source_name"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("config_hash", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_source_name"), "source", ["name"], unique=True)

    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("tracks", sa.JSON(), nullable=True),
        sa.Column("subtracks", sa.JSON(), nullable=True),
        sa.Column("regions", sa.JSON(), nullable=True),
        sa.Column("keywords_include", sa.JSON(), nullable=True),
        sa.Column("keywords_exclude", sa.JSON(), nullable=True),
        sa.Column("doctypes", sa.JSON(), nullable=True),
        sa.Column("frequency", sa.String(), nullable=False),
        sa.Column("immediate_tracks", sa.JSON(), nullable=True),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("skip_empty", sa.Boolean(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_subscriber_email"), "subscriber", ["email"], unique=True)

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("content_type", sa.String(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "url", "sha256"),
    )
    op.create_index(op.f("ix_attachment_document_id"), "attachment", ["document_id"], unique=False)
    op.create_index(op.f("ix_attachment_sha256"), "attachment", ["sha256"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("subject", sa.String(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("outbox_path", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["digestrun.id"],
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscriber_id", "period_key"),
    )
    op.create_index(op.f("ix_delivery_subscriber_id"), "delivery", ["subscriber_id"], unique=False)

    op.create_table(
        "documentversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("text_hash", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("change_summary", sa.String(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawlrun.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "version_no"),
    )
    op.create_index(op.f("ix_documentversion_document_id"), "documentversion", ["document_id"], unique=False)
    op.create_index(op.f("ix_documentversion_first_seen"), "documentversion", ["first_seen"], unique=False)
    op.create_index(op.f("ix_documentversion_text_hash"), "documentversion", ["text_hash"], unique=False)

    op.create_table(
        "fetchlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("content_type", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=True),
        sa.Column("warc_path", sa.String(), nullable=True),
        sa.Column("warc_offset", sa.Integer(), nullable=True),
        sa.Column("revisit", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawlrun.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_fetchlog_run_id"), "fetchlog", ["run_id"], unique=False)
    op.create_index(op.f("ix_fetchlog_source_name"), "fetchlog", ["source_name"], unique=False)
    op.create_index(op.f("ix_fetchlog_url"), "fetchlog", ["url"], unique=False)

    op.create_table(
        "fingerprint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_fingerprint_band_key"), "fingerprint", ["band_key"], unique=False)
    op.create_index(op.f("ix_fingerprint_document_id"), "fingerprint", ["document_id"], unique=False)

    op.create_table(
        "webhookchannel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("secret", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_webhookchannel_subscriber_id"), "webhookchannel", ["subscriber_id"], unique=False)

    op.create_table(
        "tracklabel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.String(), nullable=False),
        sa.Column("track", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("subtracks", sa.JSON(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("quote", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["documentversion.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tracklabel_document_id"), "tracklabel", ["document_id"], unique=False)
    op.create_index(op.f("ix_tracklabel_track_id"), "tracklabel", ["track_id"], unique=False)
    op.create_index(op.f("ix_tracklabel_version_id"), "tracklabel", ["version_id"], unique=False)

    op.create_table(
        "webhookdelivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["webhookchannel.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["documentversion.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "version_id"),
    )
    op.create_index(op.f("ix_webhookdelivery_channel_id"), "webhookdelivery", ["channel_id"], unique=False)

    _create_search_index()


def _create_search_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS docsearch_fts USING fts5(title, body, attachments, tokenize='trigram')")
        op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS docsearch_vocab USING fts5vocab(docsearch_fts, 'row')")
        return
    op.execute(
        "CREATE TABLE IF NOT EXISTS docsearch (document_id INTEGER PRIMARY KEY REFERENCES document(id) ON DELETE CASCADE,"
        " title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '', attachments TEXT NOT NULL DEFAULT '')"
    )
    schema = bind.execute(sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
    if schema is None:
        try:
            with bind.begin_nested():
                # In public so that every schema of the database shares it.
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            schema = "public"
        except sa.exc.DBAPIError as exc:  # a role without CREATE privilege still gets (slower) search
            log.warning("pg_trgm unavailable (%s); search falls back to sequential scans", exc)
            return
    op.execute(
        "CREATE INDEX IF NOT EXISTS docsearch_trgm ON docsearch"
        f" USING gin ((title || ' ' || body || ' ' || attachments) {schema}.gin_trgm_ops)"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS docsearch_vocab")
        op.execute("DROP TABLE IF EXISTS docsearch_fts")
    else:
        op.execute("DROP TABLE IF EXISTS docsearch")  # its index goes with it; pg_trgm is shared, so it stays
    op.drop_index(op.f("ix_webhookdelivery_channel_id"), table_name="webhookdelivery")

    op.drop_table("webhookdelivery")
    op.drop_index(op.f("ix_tracklabel_version_id"), table_name="tracklabel")
    op.drop_index(op.f("ix_tracklabel_track_id"), table_name="tracklabel")
    op.drop_index(op.f("ix_tracklabel_document_id"), table_name="tracklabel")

    op.drop_table("tracklabel")
    op.drop_index(op.f("ix_webhookchannel_subscriber_id"), table_name="webhookchannel")

    op.drop_table("webhookchannel")
    op.drop_index(op.f("ix_fingerprint_document_id"), table_name="fingerprint")
    op.drop_index(op.f("ix_fingerprint_band_key"), table_name="fingerprint")

    op.drop_table("fingerprint")
    op.drop_index(op.f("ix_fetchlog_url"), table_name="fetchlog")
    op.drop_index(op.f("ix_fetchlog_source_name"), table_name="fetchlog")
    op.drop_index(op.f("ix_fetchlog_run_id"), table_name="fetchlog")

    op.drop_table("fetchlog")
    op.drop_index(op.f("ix_documentversion_text_hash"), table_name="documentversion")
    op.drop_index(op.f("ix_documentversion_first_seen"), table_name="documentversion")
    op.drop_index(op.f("ix_documentversion_document_id"), table_name="documentversion")

    op.drop_table("documentversion")
    op.drop_index(op.f("ix_delivery_subscriber_id"), table_name="delivery")

    op.drop_table("delivery")
    op.drop_index(op.f("ix_attachment_sha256"), table_name="attachment")
    op.drop_index(op.f("ix_attachment_document_id"), table_name="attachment")

    op.drop_table("attachment")
    op.drop_index(op.f("ix_subscriber_email"), table_name="subscriber")

    op.drop_table("subscriber")
    op.drop_index(op.f("ix_source_name"), table_name="source")

    op.drop_table("source")
    op.drop_index(op.f("ix_operatoralert_source_name"), table_name="operatoralert")

    op.drop_table("operatoralert")
    op.drop_index(op.f("ix_httpvalidator_source_name"), table_name="httpvalidator")

    op.drop_table("httpvalidator")
    op.drop_index(op.f("ix_document_story_id"), table_name="document")
    op.drop_index(op.f("ix_document_source_name"), table_name="document")
    op.drop_index(op.f("ix_document_first_seen"), table_name="document")

    op.drop_table("document")
    op.drop_index(op.f("ix_digestrun_period_key"), table_name="digestrun")

    op.drop_table("digestrun")
    op.drop_index(op.f("ix_crawlrun_status"), table_name="crawlrun")
    op.drop_index(op.f("ix_crawlrun_source_name"), table_name="crawlrun")

    op.drop_table("crawlrun")
    op.drop_index(op.f("ix_archivedpayload_url"), table_name="archivedpayload")
    op.drop_index(op.f("ix_archivedpayload_sha256"), table_name="archivedpayload")

    op.drop_table("archivedpayload")
