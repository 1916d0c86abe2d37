"""What a crawled page becomes before classification: title, body, metadata and the digest summary.

One function for the crawl (``pipeline.process``) and for ``radar extract``:
an operator checking a page with the CLI must see the title, date, document
type and summary the digest will show, so both go through the same rules
(the source's fallbacks for title and agency, its noise patterns, its kind
for the document type and region) rather than two copies that drift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.dates import parse_cn_date
from pipeline.doctype import detect_doctype
from pipeline.normalize import normalize_text
from pipeline.region import release_region
from pipeline.summarize import release_summary
from pipeline.textutil import clean_title

if TYPE_CHECKING:
    import regex

    from core.sources import SourceConfig
    from pipeline.html_extract import HtmlExtract


@dataclass
class ReleaseFields:
    """The stored fields of one release, before versioning and classification."""

    title: str
    body: str  # the page's text, normalized
    attachment_text: str  # every attachment's text under its 【附件：…】 heading
    full_text: str  # title, body and attachments: what is versioned and hashed
    meta: dict[str, Any]  # agency, doc_number, published, date_source, written, region, doctype
    summary: str


def release_fields(
    page: HtmlExtract,
    source: SourceConfig,
    *,
    url: str,
    noise: Sequence[regex.Pattern[str]] = (),
    list_title: str | None = None,
    list_date: str | None = None,
    attachments: Sequence[dict[str, Any]] = (),
    attachment_labels: dict[str, str | None] | None = None,
) -> ReleaseFields:
    """The fields the crawl stores for ``page`` of ``source``; the list page's title and date fill what the page lacks."""
    labels = attachment_labels or {}
    texts = [f"【附件：{labels.get(r['url']) or r['filename']}】\n{r['text']}" for r in attachments if r.get("text")]
    title = clean_title(page.title or list_title or "") or url
    body = normalize_text(page.text, noise)
    att_text = "\n".join(texts)
    full = normalize_text("\n".join([title, body, att_text]), noise)
    published = page.published or (parse_cn_date(list_date) if list_date else None)
    # an analyst asking "why this date?" reads the field the page's date came from, or "list" for the list page's
    date_source = page.date_source if page.published else ("list" if published else None)
    meta: dict[str, Any] = {
        "agency": clean_title(page.agency or "") or source.agency,
        "doc_number": _clean_opt(page.doc_number or next((a.get("doc_number") for a in attachments if a.get("doc_number")), None)),
        "published": published,
        "date_source": date_source,
        "written": page.written or _attachment_written(attachments),
        "region": release_region(source.kind, source.region, title + "\n" + full[:2000]),
    }
    meta["doctype"] = detect_doctype(title, {"doc_number": meta["doc_number"], "kind": source.kind})
    summary = release_summary(title, body, att_text, doctype=str(meta["doctype"]) if meta["doctype"] else None)
    return ReleaseFields(title, body, att_text, full, meta, summary)


def _attachment_written(attachments: Sequence[dict[str, Any]]) -> dt.date | None:
    """成文日期 from the first attachment whose text gives one (a notice's PDF ends with its signing date)."""
    for rec in attachments:
        if rec.get("written"):
            try:
                return dt.date.fromisoformat(str(rec["written"]))
            except ValueError:
                continue
    return None


def _clean_opt(value: str | None) -> str | None:
    return (clean_title(value) or None) if value else None
