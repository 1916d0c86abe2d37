"""Rendering pages in headless Chromium for sources with ``fetch: browser`` (scrapy-playwright).

Many government sites build their lists in the browser from a JSON call, or
answer a first visit with a JavaScript challenge: a 412 page whose script sets a
cookie and reloads.  Plain HTTP sees an empty shell or the challenge.  Such a
source names ``fetch: browser``; this module renders the pages it asks for
(list, detail or both) in Debian's Chromium (``browser.executable``; nothing is
downloaded at run time), waits for a selector or for the network to go idle,
and hands the cookies the page's scripts set to the plain requests that follow
(attachments, the pages not rendered).

Everything else stays as for plain pages: the request passes the address policy
(spiders.netguard) and the source's politeness (delay, concurrency, robots.txt)
before it reaches the browser, and every request the *page* makes (scripts,
XHR) is checked against the same address policy and aborted when refused.
Budgets: at most ``browser.max_pages`` renders per crawl, ``politeness.concurrency``
pages open at once, one browser context, and a JavaScript heap cap per page.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from core.netpolicy import BlockedAddress, check_url

if TYPE_CHECKING:
    from core.sources import SourceConfig

log = logging.getLogger(__name__)

__all__ = ["BrowserMiddleware", "abort_request", "add_browser", "missing_chromium", "render_page"]

# Answers a JavaScript challenge gives before its script has run; once the awaited selector shows, the page is real.
CHALLENGE_STATUSES = frozenset({202, 403, 412, 503, 521})
# Resource kinds a policy page does not need to show its text; not loading them keeps the page small and polite.
_SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"

# The fetch process crawls one source; the browser's request filter reads its address policy from here.
_POLICY: dict[str, Any] = {"allow_private": False, "refused": []}


def missing_chromium(executable: str) -> str | None:
    """Why the browser cannot start (a message naming the Debian package), or None."""
    if Path(executable).is_file() or shutil.which(executable):
        return None
    return (
        f"fetch: browser needs Chromium, but {executable} does not exist; install the Debian package "
        "'chromium' (apt-get install chromium) or point browser.executable at a Chromium binary"
    )


def add_browser(cfg: dict[str, Any], source: "SourceConfig") -> dict[str, Any]:
    """Scrapy settings of a ``fetch: browser`` source: scrapy-playwright as the download handler, with budgets."""
    if source.fetch != "browser":
        return cfg
    b = source.browser
    handlers = {"http": _HANDLER, "https": _HANDLER}
    return {
        **cfg,
        # scrapy-playwright sends requests without meta["playwright"] through Scrapy's own HTTP handler
        "DOWNLOAD_HANDLERS": handlers,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": b.executable,
            "headless": True,
            "args": [f"--js-flags=--max-old-space-size={b.memory_mb}", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
        },
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": source.politeness.concurrency,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": b.timeout * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": "spiders.browser.abort_request",
        "DOWNLOADER_MIDDLEWARES": {**cfg.get("DOWNLOADER_MIDDLEWARES", {}), "spiders.browser.BrowserMiddleware": 60},
    }


async def abort_request(request: Any) -> bool:
    """scrapy-playwright's filter for every request a rendered page makes: address policy, no images/fonts/media."""
    if request.resource_type in _SKIPPED_RESOURCES:
        return True
    try:
        await asyncio.to_thread(check_url, request.url, bool(_POLICY["allow_private"]))
    except BlockedAddress as exc:
        _POLICY["refused"].append(str(exc))
        log.warning("browser request refused: %s", exc)
        return True
    return False


async def _cookies(page: Any) -> list[dict[str, Any]]:
    """The context's cookies after rendering: what the page's scripts set (and HttpOnly ones from its responses)."""
    return await page.context.cookies()


def _page_methods(source: "SourceConfig") -> list[Any]:
    from scrapy_playwright.page import PageMethod

    b = source.browser
    wait = (
        PageMethod("wait_for_selector", b.wait_for, state="attached", timeout=b.timeout * 1000)
        if b.wait_for
        else PageMethod("wait_for_load_state", b.wait_until, timeout=b.timeout * 1000)
    )
    return [wait, PageMethod(_cookies)]


class BrowserMiddleware:
    """Routes the configured pages to the browser, keeps its cookies for plain requests, enforces the page budget."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.rendered = 0
        self.cookies: dict[str, dict[str, str]] = {}  # host → cookies set while rendering

    @classmethod
    def from_crawler(cls, crawler: Any) -> "BrowserMiddleware":
        return cls(crawler)

    def _renders(self, request: Any, source: "SourceConfig") -> bool:
        callback = getattr(request.callback, "__name__", "")
        kind = {"parse_list": "list", "parse_detail": "detail"}.get(callback)
        return kind is not None and source.browser.pages in (kind, "both")

    def process_request(self, request: Any, spider: Any = None) -> None:
        from spiders.netguard import RefusedRequest

        source = self.crawler.spider.source
        _POLICY["allow_private"] = source.network.allow_private
        host = (urlsplit(request.url).hostname or "").lower()
        if not self._renders(request, source):
            jar = self.cookies.get(host)
            if jar and not request.meta.get("playwright"):
                mine = request.cookies if isinstance(request.cookies, dict) else {}
                request.cookies = {**jar, **mine}
            return None
        if request.meta.get("playwright"):
            return None  # a retry of a request already routed (and counted)
        missing = missing_chromium(source.browser.executable)
        if missing:
            raise RefusedRequest(f"{request.url}: {missing}")
        if self.rendered >= source.browser.max_pages:
            raise RefusedRequest(
                f"{request.url}: browser page budget reached ({source.browser.max_pages} pages per crawl, browser.max_pages)"
            )
        self.rendered += 1
        b = source.browser
        request.meta["playwright"] = True
        request.meta["playwright_page_methods"] = _page_methods(source)
        request.meta["playwright_page_goto_kwargs"] = {
            "wait_until": "load" if b.wait_for else "domcontentloaded",
            "timeout": b.timeout * 1000,
        }
        return None

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if not request.meta.get("playwright"):
            return response
        for method in request.meta.get("playwright_page_methods") or []:
            result = getattr(method, "result", None)
            if isinstance(result, list):
                for c in result:
                    domain = str(c.get("domain", "")).lstrip(".").lower()
                    if domain and c.get("name"):
                        self.cookies.setdefault(domain, {})[str(c["name"])] = str(c.get("value", ""))
        source = self.crawler.spider.source
        if response.status in CHALLENGE_STATUSES and source.browser.wait_for:
            # the first answer was a challenge; its script ran and the page now shows what wait_for asked for
            log.info("%s: answered %d, page shown after its script ran", request.url, response.status)
            return response.replace(status=200)
        return response


def render_page(url: str, source: "SourceConfig", user_agent: str) -> tuple[str, str, dict[str, str]]:
    """One page rendered outside a crawl (``radar sources check``): (final URL, HTML, cookies for plain requests).

    Raises RuntimeError with a readable message when Chromium is missing, the
    address policy refuses the URL or the page does not settle in time.
    """
    try:
        check_url(url, source.network.allow_private)
    except BlockedAddress as exc:
        raise RuntimeError(str(exc)) from exc
    missing = missing_chromium(source.browser.executable)
    if missing:
        raise RuntimeError(missing)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    b = source.browser
    refused: list[str] = []

    def guard(route: Any) -> None:
        req = route.request
        if req.resource_type in _SKIPPED_RESOURCES:
            route.abort()
            return
        try:
            check_url(req.url, source.network.allow_private)
        except BlockedAddress as exc:
            refused.append(str(exc))
            route.abort()
            return
        route.continue_()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=b.executable, headless=True, args=[f"--js-flags=--max-old-space-size={b.memory_mb}", "--disable-dev-shm-usage"]
        )
        try:
            context = browser.new_context(user_agent=user_agent, extra_http_headers=source.headers)
            if source.cookies:
                host = urlsplit(url).hostname or ""
                context.add_cookies([{"name": k, "value": v, "domain": host, "path": "/"} for k, v in source.cookies.items()])
            page = context.new_page()
            page.route("**/*", guard)
            try:
                page.goto(url, wait_until="load" if b.wait_for else "domcontentloaded", timeout=b.timeout * 1000)
                if b.wait_for:
                    page.wait_for_selector(b.wait_for, state="attached", timeout=b.timeout * 1000)
                else:
                    page.wait_for_load_state(b.wait_until, timeout=b.timeout * 1000)
                html = page.content()
            except PlaywrightError as exc:
                raise RuntimeError(f"{url}: page did not settle in {b.timeout:g} s ({str(exc).splitlines()[0]})") from exc
            cookies = {c["name"]: c["value"] for c in context.cookies()}
            return page.url, html, cookies
        finally:
            browser.close()
