"""The full-text search index: its structures and rows, kept by whoever stores documents (the crawl, the web app).

The querying half lives in web/search.py; this half is storage, so the
crawl keeps the index without importing the web package.

Full-text search over titles, bodies, attachment text and each document's
发文字号 and issuing agency (the ``refs`` column) that works for Chinese.

Chinese has no spaces, so word tokenizers (FTS5's unicode61, PostgreSQL's
``to_tsvector``) index whole runs of characters as one "word" and a search for
氢能 finds nothing inside 氢能源产业.  Character trigrams work for any
substring of three or more characters:

* SQLite: an FTS5 table with the ``trigram`` tokenizer (``docsearch_fts``,
  rowid = document id).  Terms of two characters cannot be trigram-matched
  directly; they are expanded through the index's own vocabulary
  (``fts5vocab``: every indexed trigram starting with the two characters,
  found by a range scan) into an OR of trigrams, so 6G or 氢能 still use the
  index.  Every column is indexed with a trailing space, so a two-character
  word at the very end of a title still has a trigram that starts with it.
  Single characters fall back to a scan.
* PostgreSQL: a ``docsearch`` table with a GIN ``pg_trgm`` index over
  title + body + attachments + refs, queried with ``ILIKE '%term%'`` (pg_trgm
  answers LIKE from the index for terms of three or more characters).

The index holds one row per document: its current title, the current
version's body, the text of its attachments and ``refs``: the 发文字号 with
its year brackets written one way (``normalize_doc_number``: 〔2025〕 for
[2025], ［2025］, 【2025】, (2025)) and the issuing agency.  Pages print the
number with whichever brackets their CMS uses, and many bodies do not repeat
it at all, so a reader searching 工信部科〔2025〕18号 found nothing.  A changed document's row is
replaced by ``index_document`` in the transaction that stores the change; a
new document's row is written by ``PendingIndex`` in a batch once the document
has committed (see pipeline/process.py).  ``ensure_index`` creates the
structures when missing (the schema migration normally has,
storage/migrations), fills them from the tables when they are new or still
empty, and otherwise writes the rows a killed crawl left unwritten
(``index_missing``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from storage.db import write_turn

log = logging.getLogger(__name__)

ATTACHMENT_MARK = "【附件："
SQLITE_FTS_COLUMNS = "title, body, attachments, refs, tokenize='trigram'"
# What the GIN index covers and web/search.py filters on: the same expression, or the planner cannot use the index.
PG_SEARCH_EXPR = "(title || ' ' || body || ' ' || attachments || ' ' || refs)"
# The year of a 发文字号 in any bracket a site prints it with (〔〕 is the standard's; [] ［］ 【】 () （） are common),
# each side on its own so that a partial number (工信部科[2025) is rewritten too.
_OPEN_YEAR = re.compile(r"[\[［【〔(（]\s*((?:19|20)\d{2})(?!\d)")
_YEAR_CLOSE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[\]］】〕)）]")
_SPACE = re.compile(r"\s+")

Fields = tuple[str, str, str, str]  # one index row: title, body, attachments, refs

_ready: set[str] = set()  # engine URLs whose index exists in this process


def dialect(bind: Engine | Connection) -> str:
    """Public: web/search.py asks it too, to pick FTS5 or pg_trgm SQL."""
    return bind.dialect.name


def _pg_trgm_schema(conn: Connection) -> str | None:
    """Schema holding pg_trgm (None when it cannot be installed: then search scans without an index)."""
    schema = conn.execute(text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
    if schema:
        return str(schema)
    try:
        with conn.begin_nested():
            # In the public schema so that every schema of the database (tests use one each) shares it.
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except Exception as exc:  # noqa: BLE001 - a role without CREATE privilege still gets (slower) search
        log.warning("pg_trgm unavailable (%s); search falls back to sequential ILIKE scans", exc)
        return None
    return "public"


def ensure_index(engine: Engine) -> None:
    """Create the search structures if missing; backfill them from the tables the first time."""
    key = str(engine.url)
    if key in _ready:
        return
    with engine.begin() as conn:
        if dialect(conn) == "sqlite":
            exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'docsearch_fts'")).first() is not None
            if exists and not _sqlite_has_refs(conn):  # the shape before revision 0009: rebuilt below
                conn.execute(text("DROP TABLE IF EXISTS docsearch_vocab"))
                conn.execute(text("DROP TABLE docsearch_fts"))
                exists = False
            conn.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS docsearch_fts USING fts5({SQLITE_FTS_COLUMNS})"))
            conn.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS docsearch_vocab USING fts5vocab(docsearch_fts, 'row')"))
        else:
            exists = conn.execute(text("SELECT to_regclass('docsearch')")).scalar() is not None
            conn.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS docsearch (document_id INTEGER PRIMARY KEY REFERENCES document(id) ON DELETE CASCADE,"
                    " title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '', attachments TEXT NOT NULL DEFAULT '',"
                    " refs TEXT NOT NULL DEFAULT '')"
                )
            )
            schema = _pg_trgm_schema(conn)
            if schema:
                conn.execute(
                    text(f"CREATE INDEX IF NOT EXISTS docsearch_trgm ON docsearch USING gin ({PG_SEARCH_EXPR} {schema}.gin_trgm_ops)")
                )
    if not exists or _unfilled(engine):
        reindex_all(engine)
    else:
        index_missing(engine)
    _ready.add(key)


def _sqlite_has_refs(conn: Connection) -> bool:
    return any(row[1] == "refs" for row in conn.execute(text("PRAGMA table_info(docsearch_fts)")))


def normalize_doc_number(value: str) -> str:
    """A 发文字号 written one way: no spaces, the year in 〔〕 (工信部科[2025]18号 → 工信部科〔2025〕18号).

    The index stores numbers so and web/search.py rewrites a query term the
    same way, so any bracket a reader types finds any bracket a site printed.
    """
    return normalize_year_brackets(_SPACE.sub("", value))


def normalize_year_brackets(value: str) -> str:
    """``value`` with every bracket next to a year written 〔 〕; other text (and spaces) untouched."""
    return _YEAR_CLOSE.sub(r"\1〕", _OPEN_YEAR.sub(r"〔\1", value))


def refs_text(doc_number: str | None, agency: str | None) -> str:
    """The ``refs`` column of a document: its normalised 发文字号 and its agency, one per line."""
    parts = [normalize_doc_number(doc_number) if doc_number else "", (agency or "").strip()]
    return "\n".join(p for p in parts if p)


def _unfilled(engine: Engine) -> bool:
    """An empty index over a database that has documents: the schema migration created it after they were stored."""
    table = "docsearch_fts" if dialect(engine) == "sqlite" else "docsearch"
    with engine.connect() as conn:
        if conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None:
            return False
        return conn.execute(text("SELECT 1 FROM document LIMIT 1")).first() is not None


def reindex_all(engine: Engine, batch: int = 2000) -> int:
    """Rebuild the whole index from the tables (first start, migrations, repairs); returns documents indexed.

    Set-based and batched rather than one ``index_document`` per row: the
    first start on an existing 100,000-document database should take
    seconds, not minutes.
    """
    sqlite = engine.dialect.name == "sqlite"
    table, id_col = ("docsearch_fts", "rowid") if sqlite else ("docsearch", "document_id")
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table}"))
        atts: dict[int, list[str]] = {}
        for doc_id, body in conn.execute(text("SELECT document_id, text FROM attachment WHERE text != '' ORDER BY id")):
            atts.setdefault(doc_id, []).append(body)
        n, after = 0, -1
        while True:
            chunk = conn.execute(
                text(
                    "SELECT d.id, d.title, v.text, d.doc_number, d.agency FROM document d LEFT JOIN documentversion v"
                    " ON v.document_id = d.id AND v.version_no = d.current_version WHERE d.id > :after ORDER BY d.id LIMIT :n"
                ),
                {"after": after, "n": batch},
            ).all()
            if not chunk:
                break
            params = []
            for doc_id, title, version_text, doc_number, agency in chunk:
                body, att_part = split_body(version_text or "")
                files = atts.get(doc_id)
                params.append(
                    {
                        "id": doc_id,
                        "title": title + " ",
                        "body": body + " ",
                        "att": ("\n".join(files) if files else att_part) + " ",
                        "refs": refs_text(doc_number, agency) + " ",
                    }
                )
            conn.execute(
                text(f"INSERT INTO {table}({id_col}, title, body, attachments, refs) VALUES (:id, :title, :body, :att, :refs)"), params
            )
            n += len(chunk)
            after = chunk[-1][0]
    return n


def index_missing(engine: Engine) -> int:
    """Index the documents that have no index row; returns how many.

    New documents are indexed in batches after they commit (``PendingIndex``),
    so a crawl killed between the two leaves committed documents unindexed:
    every process that opens the index finds and indexes them here.
    """
    if dialect(engine) == "sqlite":
        missing_sql = "SELECT d.id FROM document d WHERE NOT EXISTS (SELECT 1 FROM docsearch_fts f WHERE f.rowid = d.id) ORDER BY d.id"
    else:
        missing_sql = "SELECT d.id FROM document d LEFT JOIN docsearch s ON s.document_id = d.id WHERE s.document_id IS NULL ORDER BY d.id"
    with engine.begin() as conn:
        missing = [row[0] for row in conn.execute(text(missing_sql))]
        rows = []
        for doc_id in missing:
            fields = _document_fields(conn, doc_id)
            if fields is not None:
                rows.append(_row(doc_id, fields))
        if rows:
            conn.execute(_insert_if_missing(conn), rows)
    if rows:
        log.info("indexed %d document(s) that had no search index row", len(rows))
    return len(rows)


def _row(document_id: int, fields: Fields) -> dict[str, Any]:
    title, body, attachments, refs = fields
    return {"id": document_id, "title": title, "body": body, "att": attachments, "refs": refs}


def _insert_if_missing(conn: Connection) -> Any:
    """An index row for a document that had none: a concurrent repair may have written the same row first.

    Either writer holds the document's current fields (a document changes only in a later crawl of its
    source, which rewrites its row itself), so on SQLite the second simply replaces the first.  Not
    ``WHERE NOT EXISTS (SELECT … FROM docsearch_fts)``: any read of an FTS5 table flushes the rows
    pending in the transaction to a segment of their own, one per row, which undid the batching
    (1.1 against 0.4–0.7 ms per row, /tmp micro-benchmark).
    """
    if dialect(conn) == "sqlite":
        return text("INSERT OR REPLACE INTO docsearch_fts(rowid, title, body, attachments, refs) VALUES (:id, :title, :body, :att, :refs)")
    return text(
        "INSERT INTO docsearch(document_id, title, body, attachments, refs) VALUES (:id, :title, :body, :att, :refs)"
        " ON CONFLICT (document_id) DO NOTHING"
    )


class PendingIndex:
    """Index rows of newly created documents, written a batch per transaction once the documents have committed.

    Why not in each release's own transaction: FTS5 writes a new index segment
    at every commit and merges segments as they pile up, and its trigram rows
    are many; one document per commit cost ~1.4 ms of CPU per release, about a
    quarter of storing it.  A batch shares that work.  A search may miss a new
    document for up to ``max_age`` seconds of an active crawl (until the crawl
    ends on a slow one); a document whose row was never written, because the
    process died first, is indexed by ``index_missing`` at the next start.
    Changed documents are still re-indexed in their own transaction
    (``index_document``), so no row ever shows an older text than its document.
    """

    def __init__(self, engine: Engine, max_rows: int = 32, max_age: float = 2.0) -> None:
        self.engine = engine
        self._url = engine.url.render_as_string(hide_password=False)  # the key of this database's write turn
        self.max_rows = max_rows
        self.max_age = max_age
        self._rows: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._lock = threading.Lock()  # guards _rows
        self._writing = threading.Lock()  # one batch at a time, in the order they were taken

    def add(self, document_id: int, fields: Fields) -> None:
        """Queue a committed document's row; writes the batch when it is full or its oldest row has waited long enough."""
        with self._lock:
            if not self._rows:
                self._oldest = time.monotonic()
            self._rows.append(_row(document_id, fields))
            due = len(self._rows) >= self.max_rows or time.monotonic() - self._oldest >= self.max_age
        if due:
            self.flush()

    def flush(self) -> int:
        """Write every queued row now; returns how many.  A failure is logged: ``index_missing`` repairs it."""
        with self._writing:
            with self._lock:
                rows, self._rows = self._rows, []
            if not rows:
                return 0
            try:
                with write_turn(self._url), self.engine.begin() as conn:
                    conn.execute(_insert_if_missing(conn), rows)
            except Exception:
                log.exception("search index rows of %d new document(s) not written; the next start writes them", len(rows))
                return 0
            return len(rows)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._rows)


def split_body(version_text: str) -> tuple[str, str]:
    """(body, attachment part) of a stored version text: the pipeline appends attachments after 【附件：…】 marks."""
    at = version_text.find(ATTACHMENT_MARK)
    if at < 0:
        return version_text, ""
    return version_text[:at], version_text[at:]


def _document_fields(session: Session | Connection, document_id: int) -> Fields | None:
    row = session.execute(
        text("SELECT title, current_version, doc_number, agency FROM document WHERE id = :id"), {"id": document_id}
    ).first()
    if row is None:
        return None
    title, current, doc_number, agency = row
    ver = session.execute(
        text("SELECT text FROM documentversion WHERE document_id = :id ORDER BY (version_no = :cur) DESC, version_no DESC LIMIT 1"),
        {"id": document_id, "cur": current},
    ).first()
    files = [
        r[0]
        for r in session.execute(
            text("SELECT text FROM attachment WHERE document_id = :id AND text != '' ORDER BY id"), {"id": document_id}
        ).all()
    ]
    return document_fields(title, ver[0] if ver else "", files, doc_number, agency)


def document_fields(
    title: str, version_text: str, attachment_texts: list[str], doc_number: str | None = None, agency: str | None = None
) -> Fields:
    """The index row of a document: its title, the body of its current version, its attachments' texts (in id order),
    its 发文字号 and agency (``refs_text``)."""
    body, att_part = split_body(version_text)
    files = [t for t in attachment_texts if t]
    attachments = "\n".join(files) if files else att_part
    # The trailing space gives a two-character word at the very end a trigram that starts with it.
    return title + " ", body + " ", attachments + " ", refs_text(doc_number, agency) + " "


def index_document(session: Session, document_id: int, new: Fields | None = None) -> None:
    """Bring one document's index row up to date, inside the caller's transaction.

    Call it after the document, its new version and its attachments are added
    to ``session`` (it flushes them first); the row commits or rolls back with them.
    ``new``: the caller created the document in this transaction and passes its
    ``document_fields``, so there is no old row to delete and nothing to read back.
    """
    conn = session.connection()
    sqlite = dialect(conn) == "sqlite"
    if new is not None:
        fields: Fields | None = new
    else:
        session.flush()
        fields = _document_fields(session, document_id)
        if sqlite:
            conn.execute(text("DELETE FROM docsearch_fts WHERE rowid = :id"), {"id": document_id})
        else:
            conn.execute(text("DELETE FROM docsearch WHERE document_id = :id"), {"id": document_id})
    if fields is None:
        return
    params = _row(document_id, fields)
    if sqlite:
        conn.execute(
            text("INSERT INTO docsearch_fts(rowid, title, body, attachments, refs) VALUES (:id, :title, :body, :att, :refs)"), params
        )
    else:
        conn.execute(
            text("INSERT INTO docsearch(document_id, title, body, attachments, refs) VALUES (:id, :title, :body, :att, :refs)"), params
        )
