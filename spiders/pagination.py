"""Pagination types: ``pagination.type`` in a source's YAML → the function that finds the next list page.

A registry rather than a chain of ifs in the spider: each type is read on
its own, a new type is one function and one name in the schema's vocabulary
(core/sources.py ``PaginationType``), and ``core.registry.complete`` fails
at import if the two disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy.http import Response, TextResponse

from core.registry import complete
from core.sources import Pagination, PaginationType
from spiders.listing import create_page_info, page_count, select


@dataclass(frozen=True, slots=True)
class ListPage:
    """A list page just read: which page of which list, and where to report what is wrong with it."""

    response: Response
    page: int  # 1 for the first page of the list
    first: str  # the list's first URL (start_urls entry)
    pagination: Pagination
    errors: list[str]


Paginator = Callable[[ListPage], "str | None"]

# Types that guess the next page's address; the site does not say whether that page exists.
GUESSING: frozenset[str] = frozenset({"template", "query", "body"})
# What a guessed page past the last one answers (a redirect back to a page already read, or a page
# repeating entries already read, ends the list as well: spiders.generic sees those).
END_OF_LIST_STATUS: frozenset[int] = frozenset({404, 410})
# Request meta key: this list page was guessed, not announced by the list (see ``NextPage.guessed``).
GUESSED = "radar_guessed_list_page"


@dataclass(frozen=True, slots=True)
class NextPage:
    """The next list page, and whether its address is a guess (no link, no page count led to it)."""

    url: str
    guessed: bool


def is_end_of_list(meta: Mapping[str, object], status: int | None) -> bool:
    """A guessed list page past the first that does not exist: the list ended before ``max_pages``."""
    return bool(meta.get(GUESSED)) and status in END_OF_LIST_STATUS


def _none(_at: ListPage) -> str | None:
    return None


def _template(at: ListPage) -> str | None:
    pag = at.pagination
    return urljoin(at.first, pag.url_template.format(n=pag.start + at.page - 1)) if pag.url_template else None


def _next_link(at: ListPage) -> str | None:
    if not at.pagination.next_selector:
        return None
    href = select(at.response, at.pagination.next_selector).get()
    return at.response.urljoin(href.strip()) if href and href.strip() not in ("#", "javascript:;") else None


def _create_page(at: ListPage) -> str | None:
    if not isinstance(at.response, TextResponse):
        return None
    info = create_page_info(at.response.text)
    if info is None:
        if at.page == 1:
            at.errors.append(f"{at.response.url}: no createPageHTML(...) call found for pagination")
        return None
    total, prefix, ext = info
    return urljoin(at.first, f"{prefix}_{at.page}.{ext}") if at.page < total else None


def _query(at: ListPage) -> str | None:
    pag = at.pagination
    if not pag.param:
        return None
    parts = urlsplit(at.first)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query[pag.param] = str(pag.start + at.page * pag.step)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _body(at: ListPage) -> str | None:
    return at.first  # same URL, the next page is in the POST body (spiders.generic fills {n})


PAGINATORS: Mapping[str, Paginator] = complete(
    "pagination",
    PaginationType,
    {
        "none": _none,
        "template": _template,
        "next": _next_link,
        "createpage": _create_page,
        "query": _query,
        "body": _body,
    },
)


def announced_pages(at: ListPage) -> int | None:
    """The page count the list page itself states (createPageHTML, countPage, 共N页, 页次1/N), if any.

    A count smaller than the page being read is not a count of this list (a title saying 共2页, say).
    """
    if not isinstance(at.response, TextResponse):
        return None
    total = page_count(at.response.text)
    return total if total is not None and total >= at.page else None


def next_page(at: ListPage) -> NextPage | None:
    """The list page after this one, or None at the end (``max_pages`` and a page count the list states included)."""
    if at.page >= at.pagination.max_pages:
        return None
    guessing = at.pagination.type in GUESSING
    total = announced_pages(at) if guessing else None
    if total is not None and at.page >= total:
        return None  # the list says this is its last page
    url = PAGINATORS[at.pagination.type](at)
    return NextPage(url, guessed=guessing and total is None) if url else None
