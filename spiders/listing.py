"""Reading list pages in every shape sites publish them: HTML, JSON APIs, RSS/Atom, sitemaps.

Each reader turns one response into ``ListEntry`` rows; paging and
incremental decisions happen in the spider, the same for every format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from parsel import Selector, SelectorList
from scrapy.http import Response, TextResponse

from core.registry import complete
from core.sources import ApiList, ListFormat, ListSelectors, SourceConfig


@dataclass
class ListEntry:
    """One release as announced by a list page."""

    url: str
    title: str | None
    date: str | None


class ListFormatError(ValueError):
    """A list response that cannot be read in the configured format (recorded against its URL)."""


def select(node: Selector | SelectorList | Response, expr: str) -> SelectorList:
    """CSS by default; ``xpath:`` prefix for XPath, so YAML can use either."""
    if expr.startswith("xpath:"):
        return node.xpath(expr[len("xpath:") :])
    return node.css(expr)


def _text(node: Selector, expr: str | None) -> str | None:
    if not expr:
        return None
    parts = [t.strip() for t in select(node, expr).getall() if t and t.strip()]
    return " ".join(parts) or None


_CDATA = re.compile(r"<!\[CDATA\[|\]\]>|<!--|-->")  # also comment markers: lists a template keeps commented out


def _fragment(response: Response, markup: str) -> TextResponse:
    from scrapy.http import HtmlResponse

    return HtmlResponse(url=response.url, body=markup.encode("utf-8"), encoding="utf-8")


def read_html(response: TextResponse, sel: ListSelectors) -> Iterator[ListEntry]:
    if sel.container:
        # Lists shipped as text inside the page (Hanweb's <script type="text/xml"> with CDATA records)
        markup = "\n".join(select(response, sel.container).getall())
        response = _fragment(response, _CDATA.sub("", markup))
    for item in select(response, sel.item):
        href = _text(item, sel.link)
        if href:
            yield ListEntry(response.urljoin(href), _text(item, sel.title), _text(item, sel.date))


def dot_path(data: Any, path: str) -> Any:
    """Follow ``a.b.0.c`` through dicts and lists; None where the path does not exist.

    CMS APIs nest JSON in strings (``"urls": "{\\"pc\\": …}"``); the path goes on inside them.
    """
    cur = data
    for part in path.split("."):
        if isinstance(cur, str) and cur.lstrip().startswith(("{", "[")):
            try:
                cur = json.loads(cur)
            except ValueError:
                return None
        if isinstance(cur, list) and part.lstrip("-").isdigit():
            idx = int(part)
            cur = cur[idx] if -len(cur) <= idx < len(cur) else None
        elif isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return None
        if cur is None:
            return None
    return cur


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _json(response: Response) -> Any:
    try:
        return json.loads(response.body.decode(getattr(response, "encoding", None) or "utf-8", errors="replace").lstrip("\ufeff"))
    except ValueError as exc:
        raise ListFormatError(f"not JSON: {exc}") from exc


def inline_json(text: str, key: str) -> Any:
    """The JSON literal after ``key:`` or ``key =`` in a page's script (lists a template renders client-side)."""
    decoder = json.JSONDecoder()
    for m in re.finditer(rf"""(?<![\w$])["']?{re.escape(key)}["']?\s*[:=]\s*""", text):
        try:
            value, _end = decoder.raw_decode(text, m.end())
        except ValueError:
            continue
        return value
    raise ListFormatError(f"no JSON value after {key!r} in the page (api.inline)")


def read_json(response: Response, api: ApiList) -> Iterator[ListEntry]:
    if api.inline:
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        data = inline_json(text, api.inline)
    else:
        data = _json(response)
    items = dot_path(data, api.items) if api.items else data
    if not isinstance(items, list):
        raise ListFormatError(f"api.items path {api.items!r} is not a list in the response")
    for item in items:
        if not isinstance(item, dict):
            continue
        if api.link:
            link = dot_path(item, api.link)
        else:
            flat = _Blank({k: v for k, v in item.items() if not isinstance(v, (dict, list))})
            link = (api.link_template or "").format_map(flat)
        if not link:
            continue
        title = dot_path(item, api.title)
        date = dot_path(item, api.date) if api.date else None
        if isinstance(date, (int, float)) and date > 10**11:  # epoch milliseconds, common in gov APIs
            from datetime import datetime, timezone

            date = datetime.fromtimestamp(date / 1000, tz=timezone.utc).strftime("%Y-%m-%d")
        yield ListEntry(response.urljoin(str(link)), _clean(title), str(date) if date is not None else None)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    return re.sub(r"<[^>]+>", "", str(value)).strip() or None


def _rfc822(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return value.strip()


def read_feed(response: Response) -> Iterator[ListEntry]:
    sel = Selector(body=response.body, type="xml")
    sel.remove_namespaces()
    for item in sel.xpath("//item"):
        link = (item.xpath("link/text()").get() or item.xpath("guid/text()").get() or "").strip()
        if link:
            yield ListEntry(response.urljoin(link), _clean(item.xpath("title/text()").get()), _rfc822(item.xpath("pubDate/text()").get()))
    for entry in sel.xpath("//entry"):
        href = entry.xpath("link[@rel='alternate']/@href").get() or entry.xpath("link/@href").get()
        if href:
            date = entry.xpath("published/text()").get() or entry.xpath("updated/text()").get()
            yield ListEntry(response.urljoin(href.strip()), _clean(entry.xpath("title/text()").get()), (date or "")[:10] or None)


def read_sitemap(response: Response) -> tuple[list[ListEntry], list[str]]:
    """Entries of a urlset, and the child sitemaps of a sitemapindex."""
    sel = Selector(body=response.body, type="xml")
    sel.remove_namespaces()
    entries = [
        ListEntry(response.urljoin(loc.strip()), None, (url.xpath("lastmod/text()").get() or "")[:10] or None)
        for url in sel.xpath("//urlset/url")
        for loc in url.xpath("loc/text()").getall()[:1]
    ]
    children = [response.urljoin(u.strip()) for u in sel.xpath("//sitemapindex/sitemap/loc/text()").getall()]
    return entries, children


_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_QUOTED = re.compile(r"""^\s*(['"])(.*)\1\s*$""", re.S)
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


def _js_int(arg: str, text: str) -> int | None:
    """A number written in the call, or the number a ``var name = N`` before it gives ``name``."""
    arg = arg.strip().strip("'\"").strip()
    if arg.isdigit():
        return int(arg)
    if _NAME.match(arg):
        m = re.search(rf"(?<![\w$.]){re.escape(arg)}\s*=\s*['\"]?(\d+)", text)
        return int(m.group(1)) if m else None
    return None


def create_page_info(text: str) -> tuple[int, str, str] | None:
    """(total pages, prefix, extension) from the ``createPageHTML(...)`` call many gov CMSs emit.

    Read in the forms TRS prints: ``createPageHTML(7, 0, "index", "html")``,
    ``createPageHTML(countPage, currentPage, "index", "html")`` after ``var countPage = 7``,
    and ``createPageHTML('page_div', 7, 0, 'index', 'shtml', 120)`` with the pager's element id first.
    The function's own definition (``function createPageHTML(_nPageCount, …)``) is skipped.
    """
    for m in _CREATE_PAGE.finditer(text):
        args = m.group(1).split(",")
        if len(args) >= 5 and _QUOTED.match(args[0]) and not _QUOTED.match(args[1]):
            args = args[1:]  # the pager element's id
        if len(args) < 4:
            continue
        total = _js_int(args[0], text)
        prefix, ext = _QUOTED.match(args[2]), _QUOTED.match(args[3])
        if total is not None and prefix and ext and prefix.group(2) and ext.group(2):
            return total, prefix.group(2), ext.group(2)
    return None


# How else list pages announce their count: TRS's ``var countPage = 7``, 共7页 (digits maybe in a tag), 页次1/7.
_TAGS = r"\s*(?:(?:<[^<>]{0,60}>|&nbsp;)\s*)*"
_PAGE_COUNTS = (
    re.compile(r"(?<![\w$.])countPage\s*=\s*['\"]?(\d+)"),
    re.compile(rf"共{_TAGS}(\d+){_TAGS}页"),
    re.compile(rf"页次[:：]?{_TAGS}\d+{_TAGS}/{_TAGS}(\d+)"),
)


def page_count(text: str) -> int | None:
    """The number of pages a list page says its list has, or None when it does not say."""
    info = create_page_info(text)
    if info is not None:
        return info[0]
    for pattern in _PAGE_COUNTS:
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    return None


def _html_list(response: Response, source: SourceConfig) -> list[ListEntry]:
    if not isinstance(response, TextResponse):
        raise ListFormatError("list page is not HTML")
    assert source.list is not None
    return list(read_html(response, source.list))


def _json_list(response: Response, source: SourceConfig) -> list[ListEntry]:
    assert source.api is not None
    if source.api.html:
        # An HTML fragment inside JSON (e.g. MIIT's page-builder "unit" API): the list: selectors read it.
        fragment = dot_path(_json(response), source.api.html)
        if not isinstance(fragment, str):
            raise ListFormatError(f"api.html path {source.api.html!r} is not a string in the response")
        assert source.list is not None
        return list(read_html(_fragment(response, fragment), source.list))
    return list(read_json(response, source.api))


def _feed_list(response: Response, _source: SourceConfig) -> list[ListEntry]:
    return list(read_feed(response))


def _sitemap_list(response: Response, _source: SourceConfig) -> list[ListEntry]:
    entries, _children = read_sitemap(response)
    return entries


ListReader = Callable[[Response, SourceConfig], list[ListEntry]]

# List formats: the source's ``format`` → its reader (vocabulary: core/sources.py ListFormat).
LIST_READERS: Mapping[str, ListReader] = complete(
    "list format",
    ListFormat,
    {
        "html": _html_list,
        "json": _json_list,
        "feed": _feed_list,
        "sitemap": _sitemap_list,
    },
)


def read_entries(response: Response, source: SourceConfig) -> list[ListEntry]:
    """The entries of a list page in the source's format; raises ListFormatError for unreadable responses."""
    return LIST_READERS[source.format](response, source)
