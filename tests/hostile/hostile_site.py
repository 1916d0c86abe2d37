"""A loopback web server that misbehaves on purpose, one path per hostile case.

Every response is produced on request (nothing large is held in memory or
written to disk): the 200 MB PDF is streamed from a generator, the gzip bomb
and the PDF bomb are built once and are a few megabytes on the wire.
"""

from __future__ import annotations

import functools
import http.server
import random
import socket
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from demo.server import serve_in_thread

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOOD_PDF = (FIXTURES / "pdf" / "gov_notice.pdf").read_bytes()
HUGE_BYTES = 200 * 1024 * 1024
PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def html(title: str, body: str = "", *, extra: str = "") -> str:
    return (
        f"<html><head><title>{title}</title></head><body><h1 class='t'>{title}</h1>"
        f"<div id='c'><p>{body or '为加快培育未来产业，推动人工智能与氢能等领域发展，现就有关事项通知如下。'}</p>{extra}</div></body></html>"
    )


def minimal_pdf(contents: list[bytes], *, flate: bool = False) -> bytes:
    """A hand-assembled PDF: one page per content stream (enough structure for pdfium)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(contents)))
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} >>".encode())
    font = b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    for i, c in enumerate(contents):
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R ".encode() + font + b" >>")
        filt = b" /Filter /FlateDecode" if flate else b""
        objs.append(b"<< /Length %d%s >>\nstream\n" % (len(c), filt) + c + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += f"{i + 1} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@functools.cache
def pdf_bomb(inflated_mb: int = 128) -> bytes:
    """One page whose content stream inflates to ``inflated_mb`` MB of blanks (~1000:1 compression)."""
    co = zlib.compressobj(9)
    parts = [co.compress(b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n")]
    chunk = b" " * (1 << 20)
    parts += [co.compress(chunk) for _ in range(inflated_mb)]
    parts.append(co.flush())
    return minimal_pdf([b"".join(parts)], flate=True)


@functools.cache
def many_pages_pdf(pages: int = 1000) -> bytes:
    return minimal_pdf([b"BT /F1 12 Tf 72 720 Td (page) Tj ET"] * pages)


@functools.cache
def gzip_bomb(inflated_mb: int = 1024) -> bytes:
    """A gzip body expanding to ``inflated_mb`` MB of zeros (1 GiB is ~1 MB on the wire)."""
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join([co.compress(zeros) for _ in range(inflated_mb)] + [co.flush()])


def password_pdf() -> bytes:
    return (FIXTURES / "pdf" / "password_protected.pdf").read_bytes()


@dataclass
class ServerLog:
    """What the server saw and sent: requests by path, and bytes streamed for the huge responses."""

    paths: list[str] = field(default_factory=list)
    streamed: dict[str, int] = field(default_factory=dict)


Route = Callable[["HostileHandler"], None]


class HostileHandler(http.server.BaseHTTPRequestHandler):
    """Dispatches each path to a route in ``routes``; unknown paths are 404."""

    routes: dict[str, Route]
    log: ServerLog

    def __init__(self, *args: object, routes: dict[str, Route], log: ServerLog, **kwargs: object):
        self.routes, self.log = routes, log
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.log.paths.append(path)
        route = self.routes.get(path)
        if route is None:
            self.send_error(404)
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on purpose (size cap, timeout)

    # ---- helpers for routes -----------------------------------------------------------------
    def reply(
        self,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream(self, chunks: Iterator[bytes], ctype: str, length: int | None = None) -> None:
        """Send ``chunks`` as they are made; count what actually left (the crawler may hang up)."""
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        sent = 0
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                sent += len(chunk)
        finally:
            self.log.streamed[self.path] = sent
        self.close_connection = True

    def reset(self, head: bytes, declared: int) -> None:
        """Headers and part of the body, then a TCP RST (SO_LINGER 0) instead of the rest."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.write(head)
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


def huge_pdf_chunks(total: int = HUGE_BYTES, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A 200 MB "PDF" made on the fly, 64 KB at a time."""
    yield b"%PDF-1.4\n"
    block = b"%" + b"x" * (chunk - 2) + b"\n"
    for _ in range(total // chunk):
        yield block


def random_bytes(n: int, seed: int = 8) -> bytes:
    return random.Random(seed).randbytes(n)


@contextmanager
def serve_hostile(routes: dict[str, Route]) -> Iterator[tuple[str, ServerLog]]:
    log = ServerLog()
    with serve_in_thread(functools.partial(HostileHandler, routes=routes, log=log), name="hostile-site") as base:
        yield base, log
