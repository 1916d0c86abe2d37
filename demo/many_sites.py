"""Many small replica sites on loopback, served by one in-process server: for batched crawls' tests and benchmark.

Each site has its own address (127.0.0.x, so Scrapy gives each its own
download slot, as it would distinct government hosts) and the same port:
a robots.txt, a list page with ``items`` entries, and a detail page per
entry.  Pages carry ETag and Last-Modified and answer conditional requests
with 304, so an unchanged re-check is two requests: robots.txt and a 304.

A site can misbehave on purpose (``modes``): ``hang`` accepts the connection
and never answers, ``error`` answers every page with 500, ``empty`` serves a
list page whose entries no selector matches.  The text is our own
placeholder wording.  One asyncio loop in one thread serves every address,
so a thousand sites cost one thread and a socket each.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

LAST_MODIFIED = "Mon, 02 Mar 2026 08:00:00 GMT"


def site_address(i: int) -> str:
    """The loopback address of site ``i`` (0-based): 127.0.1.1, 127.0.1.2 … skipping .0 and .255."""
    host = 256 + i  # 127.0.1.x onwards: 127.0.0.1 stays free for everything else
    a, b = divmod(host, 254)
    return f"127.0.{a}.{b + 1}"


def list_page(site: int, items: int) -> str:
    rows = "\n".join(
        f'<li><a href="/d/{n}.html">第{site}号站点 关于推进未来产业试点工作的通知（第{n}号）</a><span>2026-02-{1 + n % 27:02d}</span></li>'
        for n in range(items)
    )
    return f'<html><head><meta charset="utf-8"><title>政策文件 {site}</title></head><body><ul class="list">\n{rows}\n</ul></body></html>'


def empty_list_page(site: int) -> str:
    return f'<html><head><meta charset="utf-8"></head><body><div class="moved">栏目 {site} 已改版，请访问新栏目。</div></body></html>'


def detail_page(site: int, n: int) -> str:
    body = (
        f"为加快培育未来产业，第{site}号站点所属部门就第{n}批试点作出安排。各地要围绕人形机器人、量子信息、"
        "先进材料和氢能等方向，完善支持政策，组织开展应用场景建设，并按季度报送工作进展。"
    )
    return (
        f'<html><head><meta charset="utf-8"><title>通知 {site}-{n}</title></head><body><h1>关于推进未来产业试点工作的通知（第{n}号）</h1>'
        f'<div class="date">2026-02-{1 + n % 27:02d}</div><div class="content"><p>{body}</p><p>{body}</p></div></body></html>'
    )


def source_yaml(i: int, port: int, delay: float = 0.0, concurrency: int = 2) -> str:
    """The source YAML of site ``i``: what an operator would write for such a site."""
    return f"""name: site-{i:04d}
title: 第{i}号站点 政策文件
region: 全国
agency: 第{i}号站点
start_urls: ["http://{site_address(i)}:{port}/list.html"]
list:
  item: "ul.list > li"
  link: "a::attr(href)"
  title: "a::text"
  date: "span::text"
detail:
  body: "div.content"
  date: "div.date"
politeness:
  delay: {delay}
  concurrency: {concurrency}
  obey_robots: true
network:
  allow_private: true
"""


@dataclass
class ManySites:
    """The running server: its port, what each site is doing, and the requests each has served."""

    count: int
    port: int
    items: int = 10
    modes: dict[int, str] = field(default_factory=dict)
    requests: dict[int, int] = field(default_factory=dict)
    thread_id: int = 0  # the serving thread's native id, so a benchmark can leave the server's CPU out

    def url(self, i: int) -> str:
        return f"http://{site_address(i)}:{self.port}/list.html"

    def respond(self, site: int, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        self.requests[site] = self.requests.get(site, 0) + 1
        mode = self.modes.get(site, "ok")
        if mode == "hang":
            return None
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
        if mode == "error":
            return 500, {"Content-Type": "text/html; charset=utf-8"}, "服务器内部错误".encode()
        if path == "/list.html":
            text = empty_list_page(site) if mode == "empty" else list_page(site, self.items)
        elif path.startswith("/d/") and path.endswith(".html") and path[3:-5].isdigit() and int(path[3:-5]) < self.items:
            text = detail_page(site, int(path[3:-5]))
        else:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        body = text.encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if headers.get("if-none-match") == etag or (headers.get("if-modified-since") == LAST_MODIFIED and "if-none-match" not in headers):
            return 304, {"ETag": etag, "Last-Modified": LAST_MODIFIED}, b""
        return 200, {"Content-Type": "text/html; charset=utf-8", "ETag": etag, "Last-Modified": LAST_MODIFIED}, body


async def _handle(
    sites: ManySites, site: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hung: list[asyncio.StreamWriter]
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            answer = sites.respond(site, method, path.split("?", 1)[0], headers)
            if answer is None:
                hung.append(writer)  # never answered; closed when the server stops
                return
            status, extra, body = answer
            reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Internal Server Error"}[status]
            lines_out = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in extra.items())]
            writer.write(("\r\n".join(lines_out) + "\r\n\r\n").encode("latin-1") + (body if method != "HEAD" else b""))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass
    if writer not in hung:
        writer.close()


def _can_bind(address: str) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True


@contextmanager
def serve_many_sites(count: int, items: int = 10, modes: dict[int, str] | None = None) -> Iterator[ManySites]:
    """Serve ``count`` sites on 127.0.x.y addresses (one port for all) until the block ends."""
    if count > 254 * 254 - 256:
        raise ValueError(f"at most {254 * 254 - 256} sites")
    if not _can_bind(site_address(0)):
        raise OSError(f"cannot bind {site_address(0)}: this system does not route all of 127.0.0.0/8 to loopback")
    loop = asyncio.new_event_loop()
    hung: list[asyncio.StreamWriter] = []
    started = threading.Event()
    state: dict[str, object] = {}

    async def _serve(site: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _handle(sites, site, reader, writer, hung)

    async def _start() -> None:
        servers = []
        first = await asyncio.start_server(partial(_serve, 0), site_address(0), 0)
        port = first.sockets[0].getsockname()[1]
        sites.port = port
        servers.append(first)
        for i in range(1, count):
            servers.append(await asyncio.start_server(partial(_serve, i), site_address(i), port))
        state["servers"] = servers

    sites = ManySites(count=count, port=0, items=items, modes=dict(modes or {}))

    def _run() -> None:
        sites.thread_id = threading.get_native_id()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(_start())
        except OSError as exc:  # an address that cannot be bound: reported to the caller below
            state["error"] = exc
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=_run, name="many-sites", daemon=True)
    thread.start()
    started.wait(60)
    if "error" in state:
        raise state["error"]  # type: ignore[misc]
    try:
        yield sites
    finally:

        async def _stop() -> None:
            for server in state.get("servers", []):  # type: ignore[attr-defined]
                server.close()
            for w in hung:
                w.close()

        asyncio.run_coroutine_threadsafe(_stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
