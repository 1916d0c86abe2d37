"""Operator tools for writing a source file: preview what it extracts, and guess a first draft.

Both fetch with httpx (one list page, one detail page) instead of running a
crawl, so they answer in a second and touch no stored state.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from parsel import Selector
from scrapy.http import HtmlResponse, TextResponse

from pipeline.html_extract import HtmlExtract, decode_html, extract_html
from radar.sources import SourceConfig
from spiders.listing import ListEntry, ListFormatError, read_entries, select

_DATE = re.compile(r"(19|20)\d{2}\s*[-/.年]\s*\d{1,2}(\s*[-/.月]\s*\d{1,2})?")


@dataclass
class CheckReport:
    """What a source file would extract right now, and every selector that found nothing."""

    list_url: str
    entries: list[ListEntry] = field(default_factory=list)
    detail_url: str | None = None
    detail: HtmlExtract | None = None
    attachments: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _fetch(client: httpx.Client, url: str, source: SourceConfig) -> TextResponse:
    resp = client.get(url, headers=source.headers)
    resp.raise_for_status()
    text = decode_html(resp.content, declared=resp.charset_encoding, override=source.encoding)
    return HtmlResponse(url=str(resp.url), body=text.encode("utf-8"), encoding="utf-8", headers={"Content-Type": "text/html; charset=utf-8"})


def check_source(source: SourceConfig, user_agent: str, timeout: float = 20.0) -> CheckReport:
    url = source.start_urls[0]
    report = CheckReport(url)
    from radar.netpolicy import guarded_client

    with guarded_client(source.network.allow_private, headers={"User-Agent": user_agent}, cookies=source.cookies, timeout=timeout, follow_redirects=True) as client:
        try:
            page = _fetch(client, url, source)
        except httpx.HTTPError as exc:
            report.problems.append(f"list page {url}: {exc}")
            return report
        try:
            report.entries = read_entries(page, source)
        except ListFormatError as exc:
            report.problems.append(f"list page {url}: {exc}")
            return report
        if source.format == "html" and source.list is not None:
            items = select(page, source.list.item)
            if not items:
                report.problems.append(f"list.item {source.list.item!r} matched nothing on {url}")
            else:
                for name in ("link", "title", "date"):
                    expr = getattr(source.list, name)
                    if expr and not any(select(it, expr).get() for it in items):
                        report.problems.append(f"list.{name} {expr!r} matched nothing inside any of {len(items)} items")
        if not report.entries:
            return report
        report.detail_url = report.entries[0].url
        try:
            detail = _fetch(client, report.detail_url, source)
        except httpx.HTTPError as exc:
            report.problems.append(f"detail page {report.detail_url}: {exc}")
            return report
        report.detail = extract_html(detail.text, detail.url, source.detail)
        for name in ("title", "body", "date", "doc_number", "agency"):
            expr = getattr(source.detail, name)
            if expr and not select(detail, expr).get():
                report.problems.append(f"detail.{name} {expr!r} matched nothing on {report.detail_url} (generic extraction used)")
        pattern = re.compile(source.attachment_pattern, re.I)
        report.attachments = sorted({detail.urljoin(h) for h in detail.css("a::attr(href)").getall() if pattern.search(urlsplit(detail.urljoin(h)).path)})
    return report


def guess_source(url: str, html: str) -> dict[str, object]:
    """A starting source config from one list page: the most repeated block holding a link and a date."""
    sel = Selector(text=html)
    signatures: Counter[str] = Counter()
    date_child: dict[str, Counter[str]] = {}
    for node in sel.xpath("//*[a[@href]]"):
        text = " ".join(node.xpath(".//text()").getall())
        if not _DATE.search(text) or len(text) > 400:
            continue
        sig = _css_of(node)
        parent = node.xpath("..")
        if parent:
            sig = f"{_css_of(parent[0])} > {sig}"
        signatures[sig] += 1
        for child in node.xpath("./*"):
            if _DATE.search(" ".join(child.xpath(".//text()").getall())) and not child.xpath("self::a"):
                date_child.setdefault(sig, Counter())[_css_of(child) + "::text"] += 1
    if not signatures or signatures.most_common(1)[0][1] < 3:
        raise ValueError("no repeated block with a link and a date found; write list.item by hand")
    item, _count = signatures.most_common(1)[0]
    date = date_child.get(item, Counter()).most_common(1)
    host = urlsplit(url).hostname or "site"
    name = re.sub(r"[^a-z0-9]+", "-", host.removeprefix("www.").lower()).strip("-")
    title = (sel.css("title::text").get() or host).strip()
    return {
        "name": name,
        "title": title,
        "region": "全国",
        "agency": title,
        "start_urls": [url.replace("$", "$$")],  # start_urls expand ${VAR}; $$ keeps a copied $ literal
        "list": {"item": item, "link": "a::attr(href)", "title": "a::text", "date": date[0][0] if date else None},
        "pagination": _guess_pagination(html),
        "politeness": {"delay": 2.0, "concurrency": 1, "obey_robots": True},
        "structure_source": f"radar sources new {url} (guessed; check with radar sources check {name})",
    }


def _css_of(node: Selector) -> str:
    tag = node.root.tag if isinstance(node.root.tag, str) else "*"
    classes = (node.attrib.get("class") or "").split()
    return tag + "".join(f".{c}" for c in classes[:2])


def _guess_pagination(html: str) -> dict[str, object]:
    if "createPageHTML" in html:
        return {"type": "createpage", "max_pages": 5}
    if re.search(r"index_1\.s?html", html):
        return {"type": "template", "url_template": "index_{n}.html", "start": 1, "max_pages": 5}
    return {"type": "none"}
