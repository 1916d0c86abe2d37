"""Search queries over the index kept by storage/search_index.py: parsing, filtering, ranking, highlighting.

Why two modules: the crawl writes the index and must not import the web
package; the web app reads it and owns what a reader sees.  See
storage/search_index.py for how the index works for Chinese (trigrams).
"""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from storage.search_index import dialect, normalize_year_brackets

log = logging.getLogger(__name__)

# storage/search_index.PG_SEARCH_EXPR on the aliased table: the GIN index's own expression, or the planner cannot use it.
_PG_EXPR = "(d.title || ' ' || d.body || ' ' || d.attachments || ' ' || d.refs)"
_MAX_EXPANSION = 4000  # trigrams an expanded two-character term may turn into before we scan instead
COUNT_CAP = 1000  # counting beyond this costs more than it tells a reader
SORTS = ("relevance", "date")  # relevance: more query terms in the title first, then newest; date: newest first


# ---- querying -----------------------------------------------------------------------------------

_TERM = re.compile(r'"([^"]+)"|(\S+)')


def parse_query(q: str) -> list[str]:
    """Terms of a query: whitespace separates terms (all must match), "quoted phrases" keep their spaces."""
    q = q.replace("\u3000", " ").replace("“", '"').replace("”", '"')
    terms = [(m.group(1) or m.group(2)).strip() for m in _TERM.finditer(q)]
    seen: list[str] = []
    for t in terms:
        if t and t.lower() not in (s.lower() for s in seen):
            seen.append(t)
    return seen[:8]


@dataclass
class SearchFilters:
    """Filters a reader combines with the query; None means any."""

    track: str | None = None  # track id or name
    region: str | None = None
    doctype: str | None = None
    source: str | None = None
    since: date | None = None  # publication date, inclusive
    until: date | None = None


@dataclass
class SearchHit:
    document_id: int
    title: str
    title_html: Markup
    snippet: Markup
    url: str
    source_name: str
    region: str | None
    doctype: str | None
    agency: str | None
    doc_number: str | None
    published: date | None


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    total: int
    total_capped: bool  # total is a lower bound (more than COUNT_CAP matches)
    hits: list[SearchHit] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    took_ms: float = 0.0


def term_variants(term: str) -> list[str]:
    """The forms of a query term the index is searched for: as typed, and with a year's brackets written 〔〕.

    The index's ``refs`` column holds every 发文字号 with 〔〕 (storage/search_index.normalize_doc_number),
    so 工信部科[2025]18号 or ［2025］ finds 工信部科〔2025〕18号; the typed form still finds a body that
    prints the number with its own brackets.
    """
    norm = normalize_year_brackets(term)
    return [term] if norm == term else [term, norm]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _expand_short(conn: Connection, term: str) -> list[str] | None:
    """Indexed trigrams that start with a two-character term (None: too many, scan instead)."""
    low = term.lower()
    rows = conn.execute(
        text("SELECT term FROM docsearch_vocab WHERE term >= :lo AND term < :hi LIMIT :cap"),
        {"lo": low, "hi": low + "\U0010ffff", "cap": _MAX_EXPANSION + 1},
    ).all()
    if len(rows) > _MAX_EXPANSION:
        return None
    return [r[0] for r in rows]


def _filter_sql(filters: SearchFilters, params: dict[str, Any], track_ids: dict[str, str]) -> list[str]:
    where: list[str] = []
    if filters.region:
        where.append("doc.region = :region")
        params["region"] = filters.region
    if filters.doctype:
        where.append("doc.doctype = :doctype")
        params["doctype"] = filters.doctype
    if filters.source:
        where.append("doc.source_name = :source")
        params["source"] = filters.source
    if filters.since:
        where.append("doc.published >= :since")
        params["since"] = filters.since
    if filters.until:
        where.append("doc.published <= :until")
        params["until"] = filters.until
    if filters.track:
        params["track"] = track_ids.get(filters.track, filters.track)
        where.append(
            "EXISTS (SELECT 1 FROM tracklabel t JOIN documentversion v ON v.id = t.version_id"
            " WHERE t.document_id = doc.id AND (t.track_id = :track OR t.track = :track) AND v.version_no = doc.current_version)"
        )
    return where


class QueryError(ValueError):
    """A search query that cannot be run (control characters, NUL); answered with 400, never a 500."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_query(q: str) -> str:
    """Refuse NUL and other control characters: PostgreSQL refuses NUL in text and no reader types one."""
    if _CONTROL.search(q):
        raise QueryError("搜索词不能包含控制字符 / the query contains control characters")
    return q


def search(
    session: Session,
    q: str,
    filters: SearchFilters | None = None,
    *,
    page: int = 1,
    per_page: int = 20,
    track_ids: dict[str, str] | None = None,
    sort: str = "relevance",
) -> SearchResult:
    """Documents matching every term of ``q``, with highlighted snippets.

    ``sort="relevance"`` (default): documents with more query terms in their
    title first (every hit matched the body or attachments anyway), then the
    newest.  A reader searching 氢能 wants the release *about* 氢能 before the
    ten that mention it in passing; storage order (the old ``id DESC``) put it
    wherever it happened to be crawled.  The title test reads the joined
    ``document`` row: on the index's own column (an FTS5 content lookup per
    hit) ranking cost 2.4x the latency at p50, on ``document.title`` 0.92x,
    i.e. nothing measurable; a further body-versus-attachment tier cost a LIKE
    over every matching body (2.8x) for an order readers barely notice
    (bench_search, 5,000 documents).  ``sort="date"``: newest publication first.  ``track_ids`` maps
    track names to ids so filters accept either.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    t0 = time.perf_counter()
    filters = filters or SearchFilters()
    terms = parse_query(check_query(q))
    page = max(1, page)
    per_page = max(1, min(per_page, 100))
    result = SearchResult(query=q, terms=terms, total=0, total_capped=False, page=page, per_page=per_page)
    if not terms:
        return result
    conn = session.connection()
    params: dict[str, Any] = {}
    where = _filter_sql(filters, params, track_ids or {})
    if dialect(conn) == "sqlite":
        match_parts: list[str] = []
        for i, term in enumerate(terms):
            forms = term_variants(term)
            if len(forms) > 1 and len(term) >= 3:
                match_parts.append("(" + " OR ".join(_fts_phrase(t) for t in forms) + ")")
                continue
            if len(term) >= 3:
                match_parts.append(_fts_phrase(term))
                continue
            expanded = _expand_short(conn, term) if len(term) == 2 else None
            if expanded is not None:
                if not expanded:
                    result.took_ms = (time.perf_counter() - t0) * 1000
                    return result  # no indexed trigram starts with it: nothing matches
                match_parts.append("(" + " OR ".join(_fts_phrase(t) for t in expanded) + ")")
            else:
                params[f"like{i}"] = f"%{_like_escape(term)}%"
                where.append("(" + " OR ".join(f"f.{c} LIKE :like{i} ESCAPE '\\'" for c in ("title", "body", "attachments", "refs")) + ")")
        base = "FROM docsearch_fts f JOIN document doc ON doc.id = f.rowid"
        title_col, like_op = "doc.title", "LIKE"  # the joined row: reading an FTS5 column costs a content lookup per hit
        if match_parts:
            params["match"] = " AND ".join(match_parts)
            where.insert(0, "docsearch_fts MATCH :match")
        id_col = "f.rowid"
    else:
        base = "FROM docsearch d JOIN document doc ON doc.id = d.document_id"
        title_col, like_op = "doc.title", "ILIKE"
        for i, term in enumerate(terms):
            ors = []
            for j, form in enumerate(term_variants(term)):
                params[f"like{i}_{j}"] = f"%{_like_escape(form)}%"
                ors.append(f"{_PG_EXPR} ILIKE :like{i}_{j}")
            where.append(ors[0] if len(ors) == 1 else "(" + " OR ".join(ors) + ")")
        id_col = "d.document_id"
    clause = " WHERE " + " AND ".join(where) if where else ""
    count = conn.execute(text(f"SELECT count(*) FROM (SELECT 1 {base}{clause} LIMIT {COUNT_CAP + 1}) AS c"), params).scalar() or 0
    result.total_capped = count > COUNT_CAP
    result.total = min(count, COUNT_CAP)
    params["limit"], params["offset"] = per_page, (page - 1) * per_page
    newest = f"(doc.published IS NULL), doc.published DESC, {id_col} DESC"
    order = newest
    if sort == "relevance":
        tiers = []
        for i, term in enumerate(terms):
            params[f"rank{i}"] = f"%{_like_escape(term)}%"
            tests = [f"{title_col} {like_op} :rank{i} ESCAPE '\\'"]
            # A term that is (part of) the document's own 发文字号 ranks with the title: that document, not the ones citing it.
            for j, form in enumerate(term_variants(term)):
                params[f"num{i}_{j}"] = f"%{_like_escape(form)}%"
                tests.append(f"doc.doc_number {like_op} :num{i}_{j} ESCAPE '\\'")
            tiers.append(f"(CASE WHEN {' OR '.join(tests)} THEN 1 ELSE 0 END)")
        order = f"({' + '.join(tiers)}) DESC, {newest}"
    ids = [r[0] for r in conn.execute(text(f"SELECT {id_col} {base}{clause} ORDER BY {order} LIMIT :limit OFFSET :offset"), params).all()]
    result.hits = _hits(conn, ids, [form for term in terms for form in term_variants(term)])
    result.took_ms = (time.perf_counter() - t0) * 1000
    return result


def _hits(conn: Connection, ids: list[int], terms: list[str]) -> list[SearchHit]:
    if not ids:
        return []
    sqlite = dialect(conn) == "sqlite"
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    params = {f"i{n}": v for n, v in enumerate(ids)}
    if sqlite:
        texts = {
            r[0]: (r[1], r[2])
            for r in conn.execute(text(f"SELECT rowid, body, attachments FROM docsearch_fts WHERE rowid IN ({marks})"), params).all()
        }
    else:
        texts = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                text(f"SELECT document_id, body, attachments FROM docsearch WHERE document_id IN ({marks})"), params
            ).all()
        }
    docs = {
        r[0]: r
        for r in conn.execute(
            text(f"SELECT id, title, url, source_name, region, doctype, agency, doc_number, published FROM document WHERE id IN ({marks})"),
            params,
        ).all()
    }
    out: list[SearchHit] = []
    for doc_id in ids:
        d = docs.get(doc_id)
        if d is None:
            continue
        body, att = texts.get(doc_id, ("", ""))
        published = d[8]
        if isinstance(published, str):
            published = date.fromisoformat(published[:10])
        out.append(
            SearchHit(
                document_id=doc_id,
                title=d[1],
                title_html=highlight(d[1], terms),
                snippet=snippet(body, att, terms),
                url=d[2],
                source_name=d[3],
                region=d[4],
                doctype=d[5],
                agency=d[6],
                doc_number=d[7],
                published=published,
            )
        )
    return out


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(value: str, terms: list[str]) -> Markup:
    """``value`` HTML-escaped, with every term wrapped in <mark> (crawled text never becomes markup)."""
    pat = _term_pattern(terms)
    if pat is None:
        return Markup(html.escape(value))
    out: list[str] = []
    pos = 0
    for m in pat.finditer(value):
        out.append(html.escape(value[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(html.escape(value[pos:]))
    return Markup("".join(out))


def snippet(body: str, attachments: str, terms: list[str], before: int = 40, after: int = 110) -> Markup:
    """A window around the first hit in the body (else in the attachments), terms highlighted."""
    pat = _term_pattern(terms)
    for source, prefix in ((body, ""), (attachments, "附件：")):
        m = pat.search(source) if pat else None
        if m is None:
            continue
        start = max(0, m.start() - before)
        end = min(len(source), m.end() + after)
        piece = " ".join(source[start:end].split())
        lead = "…" if start > 0 else ""
        tail = "…" if end < len(source) else ""
        return Markup(html.escape(prefix)) + Markup(html.escape(lead)) + highlight(piece, terms) + Markup(html.escape(tail))
    return Markup(html.escape(" ".join(body[:150].split())))
