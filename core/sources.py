"""Source sites as data: the YAML schema an operator writes to add a site.

One file per site in the sources directory.  The models are strict
(unknown keys are errors) so a typo such as ``selctor`` is reported with its
line instead of being silently ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Literal, Union  # noqa: UP035 - the field named "list" shadows the builtin in the class body

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.selector_syntax import check_selector
from core.yamlconfig import ConfigError, ConfigIssue, load_model


_new_list = list  # usable inside SourceConfig, whose field "list" shadows the builtin


MAX_PATTERN_CHARS = 1000
MATCH_TIMEOUT = 0.25  # seconds one regex may spend on one URL or line (see compile_pattern)


def _compiles(pattern: str) -> str:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"regular expression longer than {MAX_PATTERN_CHARS} characters")
    try:
        compile_pattern(pattern)
    except (regex.error, re.error, OverflowError) as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from exc
    return pattern


def compile_pattern(pattern: str, flags: int = 0) -> "regex.Pattern[str]":
    """Source patterns are compiled with the ``regex`` package, whose matches take a ``timeout``.

    The standard ``re`` cannot be interrupted: one catastrophic pattern in
    ``include_patterns`` ran until the 30-minute crawl timeout.  Callers pass
    ``timeout=MATCH_TIMEOUT`` and report a TimeoutError against the pattern.
    """
    return regex.compile(pattern, flags | regex.VERSION0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Vocabularies of the registries that implement them (core/registry.py): spiders/pagination.py PAGINATORS and
# spiders/listing.py LIST_READERS must have exactly these keys.
PaginationType = Literal["none", "template", "next", "createpage", "query", "body"]
ListFormat = Literal["html", "json", "feed", "sitemap"]


class Pagination(_Strict):
    """How to reach list pages after the first; ``{n}`` is the page number placeholder.

    - ``none``: only the start URLs.
    - ``template``: ``url_template`` (relative to the start URL) with ``{n}``
      counting from ``start`` for the second page: ``index_{n}.html`` with
      ``start: 1`` gives index.html, index_1.html, index_2.html …
    - ``next``: follow the link matched by ``next_selector``.
    - ``createpage``: read ``createPageHTML(total, current, "index", "html")``
      from the first page and request exactly the pages it announces.
    - ``query``: set query parameter ``param`` to ``start``, ``start+step`` …
      (JSON APIs and ``?page=2`` lists).
    - ``body``: fill ``{n}`` in ``api.body`` (POST JSON APIs).
    """

    type: PaginationType = "none"
    url_template: str | None = None
    start: int = 1
    step: int = 1
    param: str | None = None
    next_selector: str | None = None
    max_pages: int = Field(default=5, ge=1, le=10_000)

    @model_validator(mode="after")
    def _needs_fields(self) -> "Pagination":
        if self.type == "template" and (not self.url_template or "{n}" not in self.url_template):
            raise ValueError("pagination type 'template' needs url_template containing {n}")
        if self.type == "next" and not self.next_selector:
            raise ValueError("pagination type 'next' needs next_selector")
        if self.type == "query" and not self.param:
            raise ValueError("pagination type 'query' needs param (the page number parameter)")
        return self

    @field_validator("next_selector")
    @classmethod
    def _selector(cls, v: str | None) -> str | None:
        return None if v is None else check_selector(v)


class ListSelectors(_Strict):
    """Selectors on HTML list pages; link/title/date are relative to one item.

    CSS by default; prefix a selector with ``xpath:`` to use XPath.
    """

    item: str
    link: str = "a::attr(href)"
    title: str | None = "a::text"
    date: str | None = None
    container: str | None = Field(
        default=None,
        description="text holding the list as markup, re-parsed before 'item' applies (e.g. Hanweb's "
        "script[type='text/xml']::text with CDATA records)",
    )

    @field_validator("item", "link", "title", "date", "container")
    @classmethod
    def _selector(cls, v: str | None) -> str | None:
        return None if v is None else check_selector(v)


class ApiList(_Strict):
    """A JSON list endpoint (many gov.cn and provincial sites load lists by XHR).

    Field values are dot paths into each item (``data.list`` …, numbers index
    arrays).  ``link_template`` builds the detail URL from item fields when the
    API gives only an id, e.g. ``https://www.example.gov.cn/art/{id}.html``.
    """

    items: str | None = Field(default=None, description="dot path to the array of items, e.g. data.list")
    inline: str | None = Field(
        default=None,
        description="the list is a JSON literal inside the HTML page, after this key or variable name "
        "(e.g. articleList for 'articleList: [...]'); items is then a dot path into that value, empty for the value itself",
    )
    html: str | None = Field(default=None, description="dot path to an HTML fragment holding the list; the list: selectors read it")
    link: str | None = None
    link_template: str | None = None
    title: str = "title"
    date: str | None = None
    method: Literal["GET", "POST"] = "GET"
    body: str | None = Field(default=None, description="POST body; {n} is the page number")
    content_type: str = "application/json"

    @model_validator(mode="after")
    def _link(self) -> "ApiList":
        if self.html:
            return self
        if not self.items and not self.inline:
            raise ValueError(
                "give items (dot path to the array), inline (a JSON list inside the page) or html (dot path to an HTML fragment)"
            )
        if not self.link and not self.link_template:
            raise ValueError("give link (dot path) or link_template")
        return self


class DetailSelectors(_Strict):
    """Selectors on detail pages (CSS, or ``xpath:``); anything empty falls back to generic extraction."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    doc_number: str | None = None
    agency: str | None = None

    @field_validator("title", "body", "date", "doc_number", "agency")
    @classmethod
    def _selector(cls, v: str | None) -> str | None:
        return None if v is None else check_selector(v)


class Incremental(_Strict):
    """How a recrawl avoids work: stop at known items, conditional GETs, recheck known pages rarely."""

    stop_when_known: bool = True
    overlap_pages: int = Field(
        default=1, ge=1, description="pages reaching known items before paging stops (raise it for sites that pin old items)"
    )
    conditional_requests: bool = True
    recheck_after_days: float = Field(
        default=7, ge=0, description="re-fetch a known detail page (conditionally) when last checked longer ago; 0 = every crawl"
    )


class Politeness(_Strict):
    """Per-site manners: seconds between requests and parallel requests to the site."""

    delay: float = Field(default=1.0, ge=0)
    concurrency: int = Field(default=2, ge=1, le=16)
    obey_robots: bool = True


class Network(_Strict):
    """Where the crawler may connect for this site (see core/netpolicy.py).

    ``allow_private``: permit loopback/private/link-local targets (replica
    sites on 127.0.0.1, an intranet mirror).  Off by default, so a list page
    or a redirect cannot steer the crawler at the machine's own services.
    ``allowed_domains``: hosts a detail page or attachment may be redirected
    to (each also covers its subdomains); empty means the start URLs' hosts
    without a leading ``www.``.  A redirect elsewhere is refused and recorded.
    """

    allow_private: Union[bool, List[str]] = Field(
        default=False,
        description="true: loopback and private ranges; 'loopback'; or a list of 'loopback' and CIDRs. "
        "Link-local (169.254/16, cloud metadata) only when listed as a CIDR",
    )
    allowed_domains: List[str] = Field(default_factory=_new_list)

    @field_validator("allow_private", mode="before")
    @classmethod
    def _allow(cls, v: object) -> object:
        if isinstance(v, bool):
            return v
        if v == "loopback":
            return ["loopback"]
        if isinstance(v, list) and all(isinstance(i, str) for i in v):
            return _cidrs(v)
        raise ValueError(f"{v!r} is not a valid boolean, 'loopback' or a list of 'loopback' and CIDRs")


class BrowserFetch(_Strict):
    """How ``fetch: browser`` renders pages in headless Chromium (spiders/browser.py, scrapy-playwright).

    For sites that build their lists in JavaScript or answer a first visit with a
    JavaScript challenge (a 412 page whose script sets a cookie and reloads).
    Cookies the page's scripts set are kept for the plain requests that follow.
    """

    pages: Literal["list", "detail", "both"] = Field(default="list", description="which pages are rendered; the rest are fetched plainly")
    wait_for: str | None = Field(default=None, description="CSS selector the rendered page must show (else wait_until)")
    wait_until: Literal["load", "domcontentloaded", "networkidle"] = "networkidle"
    timeout: float = Field(
        default=20.0, gt=0, le=120, description="seconds a page may take to settle; then the fetch fails and is recorded"
    )
    max_pages: int = Field(default=50, ge=1, le=10_000, description="pages rendered per crawl (the page budget)")
    memory_mb: int = Field(default=512, ge=128, le=8192, description="JavaScript heap of the browser's pages, in MB")
    executable: str = Field(default="/usr/bin/chromium", description="Chromium binary (Debian package chromium); nothing is downloaded")


class Schedule(_Strict):
    """When the site is crawled: a cron expression (Asia/Shanghai) or an interval in minutes."""

    cron: str | None = None
    interval_minutes: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> "Schedule":
        if self.cron and self.interval_minutes:
            raise ValueError("give either cron or interval_minutes, not both")
        if self.cron and len(self.cron.split()) != 5:
            raise ValueError("cron needs five fields: minute hour day month weekday")
        if self.cron:
            from apscheduler.triggers.cron import CronTrigger

            try:  # the scheduler's own parser: what passes here is what `radar serve` can schedule
                CronTrigger.from_crontab(self.cron, timezone="Asia/Shanghai")
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError(f"not a valid cron expression {self.cron!r}: {exc}") from exc
        return self


class SourceConfig(_Strict):
    """One site PolicyRadar watches."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="stable id, used in CLI and storage")
    title: str = Field(description="human name, e.g. 工业和信息化部 文件发布")
    region: str = Field(description="全国 for national bodies, else the province/city, e.g. 浙江")
    agency: str
    kind: Literal["government", "thinktank", "media"] = "government"
    start_urls: List[str] = Field(min_length=1)
    format: ListFormat = Field(default="html", description="how list pages are read")
    fetch: Literal["http", "browser"] = Field(default="http", description="browser: render pages in headless Chromium (see browser:)")
    browser: BrowserFetch = BrowserFetch()
    list: ListSelectors | None = None
    api: ApiList | None = None
    pagination: Pagination = Pagination()
    incremental: Incremental = Incremental()
    include_patterns: List[str] = Field(default_factory=_new_list, description="detail URLs must match one (regex)")
    exclude_patterns: List[str] = Field(default_factory=_new_list, description="detail URLs matching any are skipped")
    max_age_days: int | None = Field(default=None, ge=1, description="skip list items dated older than this")
    headers: Dict[str, str] = Field(default_factory=dict)
    cookies: Dict[str, str] = Field(default_factory=dict)
    structure_source: str | None = Field(default=None, description="where the knowledge of this site's structure came from")
    detail: DetailSelectors = DetailSelectors()
    attachment_pattern: str = r"\.(pdf|docx?|wps|xlsx?|ofd|zip)(\?.*)?$"
    encoding: str | None = None
    noise_patterns: List[str] = Field(default_factory=_new_list, description="regexes for page furniture to drop before versioning")
    schedule: Schedule = Schedule(cron="0 */6 * * *")
    politeness: Politeness = Politeness()
    network: Network = Network()
    enabled: bool = True

    @field_validator("start_urls")
    @classmethod
    def _http(cls, urls: List[str]) -> List[str]:
        from urllib.parse import urlsplit

        for u in urls:
            if not re.match(r"^https?://", u):
                raise ValueError(f"not an http(s) URL: {u!r}")
            try:
                host = urlsplit(u).hostname
            except ValueError as exc:  # e.g. an unclosed [IPv6 bracket
                raise ValueError(f"not a valid URL: {u!r} ({exc})") from exc
            if not host or any(c.isspace() for c in u):
                raise ValueError(f"URL has no host or contains spaces: {u!r}")
        return urls

    @field_validator("region")
    @classmethod
    def _region(cls, name: str) -> str:
        """A region documents are filed under (config/regions.yaml): 浙江省 becomes 浙江; 粤 is refused with a suggestion.

        A source filed under a name no subscriber filter uses would reach nobody who asked for its region.
        """
        from core.regions import UnknownRegion, canonical_region

        try:
            return canonical_region(name)
        except UnknownRegion as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("attachment_pattern")
    @classmethod
    def _regex(cls, pattern: str) -> str:
        return _compiles(pattern)

    @field_validator("noise_patterns", "include_patterns", "exclude_patterns")
    @classmethod
    def _regexes(cls, patterns: List[str]) -> List[str]:
        return [_compiles(p) for p in patterns]

    @model_validator(mode="after")
    def _list_for_format(self) -> "SourceConfig":
        if self.format == "html" and self.list is None:
            raise ValueError("format 'html' needs a list: block (item, link, title, date selectors)")
        if self.format == "json" and self.api is None:
            raise ValueError("format 'json' needs an api: block (items, link or link_template, title, date)")
        if self.api is not None and self.api.html and self.list is None:
            raise ValueError("api.html needs a list: block whose selectors read the fragment")
        if self.pagination.type == "body" and not (self.api and self.api.body and "{n}" in self.api.body):
            raise ValueError("pagination type 'body' needs api.body containing {n}")
        return self

    @field_validator("encoding")
    @classmethod
    def _codec(cls, enc: str | None) -> str | None:
        if enc is None:
            return None
        import codecs

        try:
            codecs.lookup(enc)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {enc!r}") from exc
        return enc


def _cidrs(items: List[str]) -> List[str]:
    import ipaddress

    for item in items:
        if item != "loopback":
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"allow_private: {item!r} is neither 'loopback' nor a CIDR such as 10.8.0.0/16 ({exc})") from exc
    return items


def redirect_domains(source: SourceConfig) -> list[str]:
    """Domains a redirect may lead to: ``network.allowed_domains`` or the start URLs' hosts."""
    if source.network.allowed_domains:
        return [d.lower() for d in source.network.allowed_domains]
    from urllib.parse import urlsplit

    hosts = {(urlsplit(u).hostname or "").lower() for u in source.start_urls}
    return sorted({h[4:] if h.startswith("www.") else h for h in hosts if h})


def source_for_url(url: str, sources: list[SourceConfig]) -> tuple[SourceConfig | None, list[SourceConfig]]:
    """The configured source a page address belongs to, as the crawl would have reached it; and the tied candidates.

    A source claims the address when its host and port are a start URL's, or its host lies in one of
    the source's redirect domains (``www.`` and other subdomains of the site).  Several sources often share a site (a ministry's 文件发布 and 政策解读 columns),
    so the closest one wins: same host and port first, then an address its ``include_patterns``
    accept and ``exclude_patterns`` do not, then the most path segments shared with a start URL's
    folder.  A tie between sources that would read the page differently returns no source and the
    candidates, so the caller asks for ``--source`` rather than guessing.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return None, []
    segments = [p for p in parts.path.split("/") if p]
    scored: list[tuple[tuple[int, int, int], SourceConfig]] = []
    for src in sources:
        best: tuple[int, int] | None = None
        for start in src.start_urls:
            sp = urlsplit(start)
            if (sp.hostname or "").lower() != host or sp.port != parts.port:
                continue
            folder = [p for p in sp.path.split("/") if p][:-1] if not sp.path.endswith("/") else [p for p in sp.path.split("/") if p]
            shared = 0
            for a, b in zip(folder, segments):
                if a != b:
                    break
                shared += 1
            best = max(best or (2, 0), (2, shared))
        same_host = any((urlsplit(u).hostname or "").lower() == host for u in src.start_urls)
        # another port of a start URL's host is another server (a second replica on loopback), not this site
        if best is None and not same_host and any(host == d or host.endswith("." + d) for d in redirect_domains(src)):
            best = (1, 0)
        if best is None:
            continue
        try:
            included = not src.include_patterns or any(compile_pattern(p).search(url, timeout=MATCH_TIMEOUT) for p in src.include_patterns)
            excluded = any(compile_pattern(p).search(url, timeout=MATCH_TIMEOUT) for p in src.exclude_patterns)
        except TimeoutError:
            included, excluded = False, False
        scored.append(((best[0], int(included and not excluded), best[1]), src))
    if not scored:
        return None, []
    top = max(key for key, _src in scored)
    tied = [src for key, src in scored if key == top]
    if len({_reading(src) for src in tied}) > 1:
        return None, tied
    return tied[0], tied


def _reading(src: SourceConfig) -> str:
    """What decides how a detail page is read: two sources equal here extract a page identically."""
    return repr((src.detail, src.encoding, src.noise_patterns, src.kind, src.agency, src.region))


# Where ${VAR} is expanded: fields that carry secrets (cookies, headers, URLs with a token) or the
# deployment's address (a replica's port).  Never title, agency, selectors or patterns: those are data,
# and `radar sources new` copies them from pages anyone can write.
ENV_FIELDS: tuple[tuple[str, ...], ...] = (
    ("start_urls", "*"),
    ("headers", "*"),
    ("cookies", "*"),
    ("api", "link_template"),
    ("api", "body"),
)


def load_source(path: str | Path) -> SourceConfig:
    """Load one source file; the file stem must equal ``name`` so files are findable by name."""
    src = load_model(path, SourceConfig, expand_env=ENV_FIELDS)
    if Path(path).stem != src.name:
        raise ConfigError([ConfigIssue(str(path), None, "name", f"must equal the file name {Path(path).stem!r}")])
    return src


def load_sources_lenient(directory: str | Path) -> tuple[list[SourceConfig], list[ConfigIssue]]:
    """The valid sources and the issues of the invalid files: one bad file must not stop every other site's crawls."""
    sources: list[SourceConfig] = []
    issues: list[ConfigIssue] = []
    seen: set[str] = set()
    for path in sorted(Path(directory).glob("*.y*ml")):
        try:
            src = load_source(path)
        except ConfigError as exc:
            issues.extend(exc.issues)
            continue
        if src.name in seen:
            issues.append(ConfigIssue(str(path), None, "name", f"duplicate source name {src.name!r}"))
            continue
        seen.add(src.name)
        sources.append(src)
    return sources, issues


def load_sources(directory: str | Path) -> list[SourceConfig]:
    """Load every ``*.yaml``/``*.yml`` in ``directory``; all files' issues are reported together."""
    sources: list[SourceConfig] = []
    issues: list[ConfigIssue] = []
    for path in sorted(Path(directory).glob("*.y*ml")):
        try:
            sources.append(load_source(path))
        except ConfigError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ConfigError(issues)
    names = [s.name for s in sources]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError([ConfigIssue(str(directory), None, "name", f"duplicate source names: {sorted(dupes)}")])
    return sources
