"""Serve one offline site fixture (``tests/fixtures/sites/<name>/``) over loopback HTTP.

The fixture directory is the site's document root, so a list page lives at the
same URL path as on the real site.  Plain paths map to files (a directory to
its ``index.html``).  Requests that carry parameters — a GET query string or a
form/JSON POST body — map to a sibling file named after the parameters:

    <file name>__<params>[.<ext>]

``<params>`` is the parameters sorted by name, ``&`` written as ``_`` and ``=``
as ``-`` (``list?page=2&size=10`` → ``list__page-2_size-10.json``).  When that
would not be a tidy file name (characters other than letters, digits and
``._,-+@``, or longer than 150 characters) ``<params>`` is ``q-`` plus the first
16 hex digits of the SHA-1 of the sorted ``k=v&k=v`` string instead; call
``fixture_name`` to compute it.  A JSON POST body is sorted by key and
serialised compactly before hashing.  The optional extension picks the
Content-Type.  A GET whose parameters have no such file falls back to the
plain path (``index.html?uid=1&pageNum=1`` → ``index.html``), as static sites
ignore unknown parameters; a POST without one is 404.

``_site.json`` in the fixture root may give ``{"charset": "gbk"}``: the charset
sent with HTML, for sites served in GBK.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import mimetypes
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from demo.server import serve_in_thread

_TIDY = re.compile(r"^[\w.,+@-]{1,150}$")


def canonical_params(raw: str, content_type: str = "") -> str:
    """Sorted ``k=v&k=v`` of a query string or form body; compact sorted JSON for a JSON body."""
    if "json" in content_type.lower():
        try:
            return json.dumps(json.loads(raw or "null"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        except ValueError:
            return raw
    pairs = sorted(parse_qsl(raw, keep_blank_values=True))
    return "&".join(f"{k}={v}" for k, v in pairs)


def fixture_name(filename: str, raw_params: str, content_type: str = "") -> str:
    """The fixture file stem for ``filename`` requested with these parameters (add an extension if wanted)."""
    canon = canonical_params(raw_params, content_type)
    readable = canon.replace("&", "_").replace("=", "-")
    if _TIDY.match(readable) and "json" not in content_type.lower():
        return f"{filename}__{readable}"
    return f"{filename}__q-{hashlib.sha1(canon.encode('utf-8'), usedforsecurity=False).hexdigest()[:16]}"


class FixtureHandler(http.server.BaseHTTPRequestHandler):
    """GET/HEAD/POST of fixture files; records every request it answers."""

    server_version = "FixtureSite/1.0"

    def __init__(self, *args: object, root: Path, seen: list[tuple[str, str]], **kwargs: object):
        self.root = root.resolve()
        self.seen = seen
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return None

    def _inside(self, target: Path) -> bool:
        target = target.resolve()
        return target == self.root or self.root in target.parents

    def _variant(self, target: Path, raw: str, content_type: str) -> Path | None:
        stem = fixture_name(target.name, raw, content_type)
        exact = target.with_name(stem)
        if exact.is_file():
            return exact
        for candidate in sorted(target.parent.glob(stem + ".*")) if target.parent.is_dir() else []:
            if candidate.is_file():
                return candidate
        return None

    def _resolve(self, body: str | None, content_type: str) -> Path | None:
        parts = urlsplit(self.path)
        target = self.root / unquote(parts.path).lstrip("/")
        if not self._inside(target):
            return None
        if target.is_dir():
            target = target / "index.html"
        raw = body if body is not None else parts.query
        if raw:
            variant = self._variant(target, raw, content_type)
            if variant is not None and self._inside(variant):
                return variant
            if body is not None:
                return None
        return target if target.is_file() else None

    def _content_type(self, target: Path) -> str:
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype == "text/html":
            meta = self.root / "_site.json"
            charset = json.loads(meta.read_text(encoding="utf-8")).get("charset", "utf-8") if meta.exists() else "utf-8"
            ctype = f"text/html; charset={charset}"
        elif ctype in ("application/json", "text/plain", "text/xml", "application/xml"):
            ctype = f"{ctype}; charset=utf-8"
        return ctype

    def _serve(self, send_body: bool, body: str | None = None) -> None:
        ctype_in = self.headers.get("Content-Type", "")
        self.seen.append((self.command, self.path))
        target = self._resolve(body, ctype_in)
        if target is None or target.name.startswith("_"):
            self.send_error(404, "Not Found")
            return
        data = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", self._content_type(target))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve(True)

    def do_HEAD(self) -> None:
        self._serve(False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        self._serve(True, body)


@contextmanager
def serve_fixture(root: Path) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Serve ``root`` on 127.0.0.1 (free port) in a thread; yields (base URL, list of (method, path) requests)."""
    seen: list[tuple[str, str]] = []
    with serve_in_thread(partial(FixtureHandler, root=Path(root), seen=seen), name=f"fixture-{Path(root).name}") as base:
        yield base, seen


def write_page(root: Path, rel: str, text: str) -> None:
    """One page of a site a test builds in a temporary folder (UTF-8, folders made as needed)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# a numbered notice's detail page, dated and with one sentence of body: what list tests crawl into
DETAIL = "<html><head><meta charset='utf-8'><title>{t}</title></head><body><h1>{t}</h1><div id='c'><p>发布日期：2025-03-05</p><p>{t}的正文，推动氢能与量子科技产业发展。</p></div></body></html>"


def write_details(root: Path, count: int = 7) -> None:
    """Detail pages d/1.html … d/{count}.html, titled 第N号通知."""
    for i in range(1, count + 1):
        write_page(root, f"d/{i}.html", DETAIL.format(t=f"第{i}号通知"))
