"""The tables: what was fetched, what was found, how it was filed, who got told.

Everything an auditor asks about is a row here: every request (FetchLog),
every distinct text of a document (DocumentVersion), every label with its
evidence (TrackLabel) and every email (Delivery).  Rows are appended, not
rewritten, so history stays answerable.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC: SQLModel's datetime columns refuse naive values, which is the safer default."""
    return datetime.now(timezone.utc)


class Source(SQLModel, table=True):
    """A watched site as last loaded from its YAML file."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    title: str
    region: str
    agency: str
    config_hash: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class CrawlRun(SQLModel, table=True):
    """One crawl of one source; closed as ok or failed, never left ambiguous."""

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(index=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="running", index=True)  # running / ok / failed
    requests: int = 0
    items_seen: int = 0
    items_new: int = 0
    items_changed: int = 0
    items_unchanged: int = 0
    errors: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    worker: str | None = None  # who crawled: the Celery worker's hostname, or host:pid for a local crawl
    task_id: str | None = Field(default=None, index=True)  # the Celery task, so a redelivered job is not crawled twice


class CrawlLease(SQLModel, table=True):
    """Who is crawling a source right now; a row whose expiry has passed belongs to a dead holder.

    A table rather than a Redis or advisory lock so the same rule guards two
    ``radar crawl`` on SQLite and a fleet of workers on PostgreSQL.
    """

    source_name: str = Field(primary_key=True)
    holder: str
    task_id: str | None = None
    run_id: int | None = None
    expires_at: float  # epoch seconds; renewed by the holder's heartbeat
    acquired_at: datetime = Field(default_factory=utcnow)


class FetchLog(SQLModel, table=True):
    """Every request a crawl made, successful or not."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key="crawlrun.id", index=True)
    source_name: str = Field(index=True)
    url: str = Field(index=True)
    method: str = "GET"
    status: int | None = None
    bytes: int = 0
    duration_ms: float | None = None
    content_type: str | None = None
    content_hash: str | None = None
    warc_path: str | None = None  # relative to the archive dir
    warc_offset: int | None = None
    revisit: bool = False  # payload identical to an earlier archived one
    error: str | None = Field(default=None, sa_column=Column(Text))
    # A guessed list page past the last one (index_{n}.html, ?page=n) answered 404/410: the list ends here.
    # Not a failure: health and the error counts leave these rows out.
    end_of_list: bool = False
    fetched_at: datetime = Field(default_factory=utcnow)


class ArchivedPayload(SQLModel, table=True):
    """The first WARC record that holds a given payload; later fetches of it are revisit records."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, unique=True)
    url: str = Field(index=True)
    warc_path: str
    warc_offset: int
    warc_date: str


class HttpValidator(SQLModel, table=True):
    """ETag / Last-Modified last seen for a URL, for conditional requests on the next crawl."""

    __table_args__ = (UniqueConstraint("source_name", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(index=True)
    url: str
    etag: str | None = None
    last_modified: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """A release at one URL of one source; its texts over time are DocumentVersions."""

    __table_args__ = (UniqueConstraint("source_name", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(index=True)
    url: str
    title: str
    agency: str | None = None
    region: str | None = None
    doc_number: str | None = None
    published: date | None = None
    # where ``published`` was read: label:发布日期, time-class, beside-title, meta:pubdate, url, list (the list page's date) …
    date_source: str | None = None
    written: date | None = None  # 成文日期: when the issuer signed it (a 2024 document first published in 2025)
    doctype: str | None = None
    first_seen: datetime = Field(default_factory=utcnow, index=True)
    last_seen: datetime = Field(default_factory=utcnow)
    current_version: int = 1
    is_draft: bool = Field(default=False, index=True)  # drafts are few: a final version finds its draft by index, not by scanning
    story_id: int | None = Field(default=None, index=True)  # documents of one release share the first one's id
    draft_id: int | None = Field(default=None, foreign_key="document.id")  # the 征求意见稿 this final version follows
    signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary))  # MinHash of the text
    error: str | None = Field(default=None, sa_column=Column(Text))


class DocumentVersion(SQLModel, table=True):
    """One distinct normalized text of a document; a change appends a row with a diff."""

    __table_args__ = (UniqueConstraint("document_id", "version_no"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    version_no: int
    run_id: int | None = Field(default=None, foreign_key="crawlrun.id")
    text_hash: str = Field(index=True)
    title: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    summary: str = Field(default="", sa_column=Column(Text))
    diff: str | None = Field(default=None, sa_column=Column(Text))
    change_summary: str | None = None
    first_seen: datetime = Field(default_factory=utcnow, index=True)
    last_seen: datetime = Field(default_factory=utcnow)


class Fingerprint(SQLModel, table=True):
    """LSH band keys of a document's MinHash, so near duplicates are found by index lookup."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    band_key: int = Field(sa_column=Column(BigInteger, index=True, nullable=False))


class Attachment(SQLModel, table=True):
    """A file linked from a document page, with the text extracted from it."""

    __table_args__ = (UniqueConstraint("document_id", "url", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    url: str
    filename: str
    kind: str | None = None
    content_type: str | None = None
    sha256: str | None = Field(default=None, index=True)
    bytes: int = 0
    page_count: int | None = None
    text: str = Field(default="", sa_column=Column(Text))
    error: str | None = Field(default=None, sa_column=Column(Text))
    warnings: str | None = Field(default=None, sa_column=Column(Text))  # e.g. scanned pages not OCR'd
    first_seen: datetime = Field(default_factory=utcnow)


class TrackLabel(SQLModel, table=True):
    """Why a document version is filed under a track: score, sub-tracks, matched terms, a quote."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="documentversion.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    track_id: str = Field(index=True)
    track: str
    score: float
    subtracks: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    terms: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON))
    quote: str = ""
    taxonomy_version: str | None = Field(default=None, index=True)  # sha256 of the taxonomy file that filed it (None: before 0004)


class Subscriber(SQLModel, table=True):
    """Someone who receives digests, and what they asked for (an empty list means everything)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    name: str | None = None
    tracks: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    subtracks: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    keywords_include: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    keywords_exclude: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    doctypes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    frequency: str = "weekly"  # weekly / daily / immediate
    immediate_tracks: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    language: str = "zh"  # zh / en (labels only; crawled text stays as published)
    skip_empty: bool = False  # no mail at all for a period with nothing new
    confirmed: bool = False  # double opt-in: nothing is sent before this
    confirmed_at: datetime | None = None
    active: bool = True  # false once unsubscribed
    unsubscribed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class WebhookChannel(SQLModel, table=True):
    """An instant-alert destination of a subscriber: WeCom, DingTalk, Feishu/Lark, Slack or plain JSON."""

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    kind: str  # wecom / dingtalk / feishu / slack / json
    url: str
    secret: str | None = None  # DingTalk / Feishu signing secret
    active: bool = True


class WebhookDelivery(SQLModel, table=True):
    """One instant alert for one channel and document version: sent at most once."""

    __table_args__ = (UniqueConstraint("channel_id", "version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="webhookchannel.id", index=True)
    version_id: int = Field(foreign_key="documentversion.id")
    status: str = "pending"
    attempts: int = 0
    response: str | None = Field(default=None, sa_column=Column(Text))
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class DigestRun(SQLModel, table=True):
    """One rendering of a digest period for all due subscribers."""

    id: int | None = Field(default=None, primary_key=True)
    period_key: str = Field(index=True)
    period_start: datetime
    period_end: datetime
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = "running"


class Delivery(SQLModel, table=True):
    """One email for one subscriber and period; the unique key is what makes sending exactly-once."""

    __table_args__ = (UniqueConstraint("subscriber_id", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key="digestrun.id")
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    period_key: str
    status: str = "pending"  # pending / sending / sent / failed
    message_id: str | None = None
    subject: str | None = None
    items: int = 0
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    outbox_path: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class OperatorAlert(SQLModel, table=True):
    """One alert per failing streak of a source (the streak is identified by its first failed run)."""

    __table_args__ = (UniqueConstraint("source_name", "first_failed_run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(index=True)
    first_failed_run_id: int
    streak: int
    error: str | None = Field(default=None, sa_column=Column(Text))
    status: str = "pending"
    created_at: datetime = Field(default_factory=utcnow)


class RateBucket(SQLModel, table=True):
    """A token bucket for one throttled key (a mailbox, a client address, the admin account).

    Kept in the database, not in memory, so the limit holds across web
    workers and restarts: a mail bomber cannot reset it by hitting another process.
    """

    key: str = Field(primary_key=True, max_length=200)
    tokens: float
    updated_at: datetime = Field(default_factory=utcnow)
    failures: int = 0  # consecutive failures (login): the delay doubles with each


class AdminSession(SQLModel, table=True):
    """A logged-in admin browser: the cookie carries this id, so logout and a password change revoke it server-side."""

    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    credential: str = ""  # fingerprint of the credential used: changing the password or token ends every session
    revoked_at: datetime | None = None
