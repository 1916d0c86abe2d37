"""A paginated list site that answers each request after a pause, so faults land mid-crawl.

Three list pages of fifteen releases (template pagination, newest first) —
enough that a crawl killed at a random moment has stored some releases and
not others, and that "stop at known items" would skip the rest if it trusted
a crawl that never finished.  Also a slowloris route (one byte a second,
forever) and a route that accepts and never answers.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from demo.server import serve_in_thread

PAGES = 3
PER_PAGE = 15
ITEMS = PAGES * PER_PAGE


def item_title(n: int) -> str:
    return f"关于推进未来产业第{n}号试点工作的通知"


def _list_page(page: int) -> bytes:
    lis = "".join(
        f"<li><a href='/d/{n}.html'>{item_title(n)}</a><span>2025-03-{1 + n % 28:02d}</span></li>"
        for n in range(page * PER_PAGE + 1, (page + 1) * PER_PAGE + 1)
    )
    return f"<html><body><ul class='l'>{lis}</ul></body></html>".encode()


def _detail(n: int) -> bytes:
    return (
        f"<html><head><title>{item_title(n)}</title></head><body><h1 class='t'>{item_title(n)}</h1>"
        f"<div id='c'><p>为培育未来产业，第{n}号试点围绕人工智能、氢能与量子科技开展，现将有关事项通知如下。</p></div></body></html>"
    ).encode("utf-8")


class SlowHandler(http.server.BaseHTTPRequestHandler):
    """Every answer waits ``delay`` seconds; /slowloris and /silent never finish."""

    def __init__(self, *args: object, delay: float, stop: threading.Event, hits: list[str], **kwargs: object):
        self.delay, self.stop, self.hits = delay, stop, hits
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None

    def do_GET(self) -> None:
        try:
            self._answer()
        except OSError:
            pass  # the crawler was killed or hung up mid-answer: expected here

    def _answer(self) -> None:
        path = self.path.split("?", 1)[0]
        self.hits.append(path)
        if path.startswith("/slowloris"):
            self._slowloris()
            return
        if path.startswith("/silent"):
            self.stop.wait()  # accepted, read, never answered
            return
        self.stop.wait(self.delay)
        body: bytes | None = None
        if path in ("/list/index.html", "/list/"):
            body = _list_page(0)
        elif path.startswith("/list/index_") and path.endswith(".html"):
            page = int(path[len("/list/index_") : -5])
            body = _list_page(page) if 0 < page < PAGES else None
        elif path.startswith("/d/") and path.endswith(".html"):
            n = int(path[3:-5])
            body = _detail(n) if 1 <= n <= ITEMS else None
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _slowloris(self) -> None:
        """Headers promise a 100 kB page, then the body trickles at one byte a second until the client gives up."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n<html>")
            self.wfile.flush()
            while not self.stop.wait(1.0):
                self.wfile.write(b"X")
                self.wfile.flush()
        except OSError:
            return


@contextmanager
def serve_slow_site(delay: float = 0.1) -> Iterator[tuple[str, list[str]]]:
    """Yields (base URL, paths requested so far)."""
    stop = threading.Event()
    hits: list[str] = []
    with serve_in_thread(functools.partial(SlowHandler, delay=delay, stop=stop, hits=hits), name="slow-site") as base:
        try:
            yield base, hits
        finally:
            stop.set()  # release the handlers parked in /silent and /slowloris before shutdown


def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
