"""Operator tools for writing a source file: preview what it extracts, and guess a first draft.

Both fetch with httpx (one list page, one detail page) instead of running a
crawl, so they answer in a second and touch no stored state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from parsel import Selector
from scrapy.http import HtmlResponse, TextResponse

from pipeline.html_extract import HtmlExtract, decode_html, extract_html
from core.sources import SourceConfig
from radar.list_guess import guess_list
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
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry URL, why it was not previewed)


def _not_a_detail_page(url: str, list_url: str, source: SourceConfig) -> str | None:
    """Why a list entry cannot be the previewed detail page (an attachment, another site, the home page), or None."""
    from core.sources import redirect_domains

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"不是网页链接 / not a web link ({parts.scheme or 'no scheme'})"
    if re.search(source.attachment_pattern, parts.path, re.I):
        return "附件，不是详情页 / an attachment, not a detail page"
    host = (parts.hostname or "").lower()
    if not any(host == d or host.endswith("." + d) for d in redirect_domains(source)):
        return f"其他网站 {host} / another site"
    if url.split("#")[0] == list_url or parts.path in ("", "/") or re.fullmatch(r"/index\.s?html?", parts.path):
        return "首页或列表页本身 / the home page or the list itself"
    return None


class _NotHtml(Exception):
    """A list entry that answered with something other than an HTML page."""


def _fetch(client: httpx.Client, url: str, source: SourceConfig, *, html_only: bool = False) -> TextResponse:
    """One page as the spider would decode it; ``html_only`` refuses other content types (a detail preview)."""
    resp = client.get(url, headers=source.headers)
    resp.raise_for_status()
    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    if html_only and ctype and "html" not in ctype and "xml" not in ctype:
        raise _NotHtml(ctype)
    text = decode_html(resp.content, declared=resp.charset_encoding, override=source.encoding)
    return HtmlResponse(
        url=str(resp.url), body=text.encode("utf-8"), encoding="utf-8", headers={"Content-Type": "text/html; charset=utf-8"}
    )


def _fetch_as_configured(client: httpx.Client, url: str, source: SourceConfig, kind: str, user_agent: str) -> TextResponse:
    """Plain httpx, or headless Chromium for the pages a ``fetch: browser`` source renders (its cookies then go to the client)."""
    if source.fetch == "browser" and source.browser.pages in (kind, "both"):
        from spiders.browser import render_page

        try:
            final, html, cookies = render_page(url, source, user_agent)
        except RuntimeError as exc:
            raise httpx.HTTPError(str(exc)) from exc
        for name, value in cookies.items():
            client.cookies.set(name, value)
        return HtmlResponse(url=final, body=html.encode("utf-8"), encoding="utf-8", headers={"Content-Type": "text/html; charset=utf-8"})
    return _fetch(client, url, source, html_only=kind == "detail")


def check_source(source: SourceConfig, user_agent: str, timeout: float = 20.0) -> CheckReport:
    url = source.start_urls[0]
    report = CheckReport(url)
    from core.netpolicy import guarded_client

    with guarded_client(
        source.network.allow_private, headers={"User-Agent": user_agent}, cookies=source.cookies, timeout=timeout, follow_redirects=True
    ) as client:
        try:
            page = _fetch_as_configured(client, url, source, "list", user_agent)
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
        detail = None
        for entry in report.entries[:20]:  # the first entry that is an HTML detail page on the source's own site
            why = _not_a_detail_page(entry.url, page.url, source)
            if why is None:
                try:
                    detail = _fetch_as_configured(client, entry.url, source, "detail", user_agent)
                except httpx.HTTPError as exc:
                    why = f"取不到 / fetch failed: {exc}"
                except _NotHtml as exc:
                    why = f"不是 HTML 页面 / not an HTML page ({exc})"
            if why is None:
                report.detail_url = entry.url
                break
            report.skipped.append((entry.url, why))
        if detail is None:
            report.problems.append(
                f"none of the first {min(len(report.entries), 20)} list entries is an HTML detail page on this site; check list.item and list.link"
            )
            return report
        report.detail = extract_html(detail.text, detail.url, source.detail)
        for name in ("title", "body", "date", "doc_number", "agency"):
            expr = getattr(source.detail, name)
            if expr and not select(detail, expr).get():
                report.problems.append(f"detail.{name} {expr!r} matched nothing on {report.detail_url} (generic extraction used)")
        pattern = re.compile(source.attachment_pattern, re.I)
        report.attachments = sorted(
            {detail.urljoin(h) for h in detail.css("a::attr(href)").getall() if pattern.search(urlsplit(detail.urljoin(h)).path)}
        )
    return report


def guess_source(url: str, html: str) -> dict[str, object]:
    """A starting source config from one list page: the most repeated block holding a link and a date (radar.list_guess)."""
    sel = Selector(text=html)
    found = guess_list(html)
    host = urlsplit(url).hostname or "site"
    name = draft_name(url)
    title = (sel.css("title::text").get() or host).strip()
    agency = guess_agency(sel, title)
    return {
        "name": name,
        "title": draft_title(title, agency),
        "region": guess_region(host, agency, title),
        "agency": agency,
        "start_urls": [url.replace("$", "$$")],  # start_urls expand ${VAR}; $$ keeps a copied $ literal
        **found.source_fields(),
        "pagination": _guess_pagination(html),
        "politeness": {"delay": 2.0, "concurrency": 1, "obey_robots": True},
        "structure_source": f"radar sources new {url} (guessed; check with radar sources check {name})",
    }


_SITE_SUFFIX = re.compile(r"\.(?:gov|com|org|edu|net|ac)\.cn$|\.(?:cn|com|org|net)$")


def draft_name(url: str) -> str:
    """A source name for a list page: the site without www. and its public suffix, then the column's folder.

    A ministry runs several columns on one host (文件发布, 政策解读, 政策文件), each its own
    source: named by host alone, the second draft of a site collided with the first.
    ``https://www.miit.gov.cn/zwgk/zcwj/wjfb/index.html`` → ``miit-wjfb``.
    """
    parts = urlsplit(url)
    host = _SITE_SUFFIX.sub("", (parts.hostname or "site").removeprefix("www."))
    folders = [p for p in parts.path.split("/") if p]
    if folders and not parts.path.endswith("/"):
        folders = folders[:-1]  # the page itself (index.html, list.jsp)
    column = folders[-1] if folders else ""
    return re.sub(r"[^a-z0-9]+", "-", f"{host}-{column}".lower()).strip("-") or "site"


def draft_title(title: str, agency: str) -> str:
    """The source's title from the page's: 文件发布_文件发布_工业和信息化部 → 工业和信息化部 文件发布.

    CMS titles repeat the column and end with the site; a source title reads body first, then
    column, as the shipped sources do.  A title with neither a body's name (…部, …厅, …局) as one of its
    pieces nor a repeated piece stays as the page wrote it.
    """
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    unique = list(dict.fromkeys(parts))
    if agency in unique and len(unique) > 1 and _AGENCY_END.search(agency):
        return " ".join([agency, *(p for p in unique if p != agency)])
    if len(unique) < len(parts):
        return " ".join(unique)
    return title


_HOST_LINE = re.compile(r"主办(?:单位)?\s*[：:]\s*([^\s|｜,，;；<>]{2,40})")
_AGENCY_END = re.compile(r"(?:人民政府|办公厅|办公室|部|委|委员会|局|厅|署|院|中心|研究会|协会|总局)$")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜| - | – | — |-{2,})\s*")


def guess_agency(sel: Selector, title: str) -> str:
    """Who publishes the site: the footer's 主办 line (主办单位：浙江省经济和信息化厅), else the part of the page title naming a body.

    A portal run by a government's 办公厅 publishes the government's documents,
    so 浙江省人民政府办公厅 becomes 浙江省人民政府.  Footers that name no body
    (主办单位：本网站) are ignored.
    """
    footer = " ".join(t.strip() for t in sel.xpath("//body//text()[contains(., '主办')]/ancestor-or-self::*[1]//text()").getall())
    for m in _HOST_LINE.finditer(footer):
        name = re.sub(r"[（(][^）)]*[）)]$", "", m.group(1)).removeprefix("中华人民共和国")
        if _AGENCY_END.search(name):
            return re.sub(r"(人民政府)办公厅$", r"\1", name)
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    named = [p for p in parts if _AGENCY_END.search(p)]
    return (named[-1] if named else parts[-1] if parts else title).removeprefix("中华人民共和国")


def guess_region(host: str, agency: str, title: str) -> str:
    """The region a source's documents belong to: from the publishing body's name, else the government domain, else 全国.

    The body's name is the strongest signal (深圳市工业和信息化局); a site on a
    provincial domain (jxt.zj.gov.cn) is that province's; national ministries
    (miit.gov.cn) and everything else default to 全国, which the operator
    should confirm.  Names and domains are data in config/regions.yaml.
    """
    from core.regions import region_for_host
    from pipeline.region import detect_region

    return detect_region(agency) or region_for_host(host) or detect_region(title) or "全国"


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
