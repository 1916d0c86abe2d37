"""A loopback static server for the replica sites, behaving like a real government web server.

It sends the charset each site declares (GBK for the provincial replica),
ETag and Last-Modified validators, answers conditional requests with 304 —
what the incremental crawler relies on — and refuses paths outside its root.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import http.server
import json
import mimetypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """GET/HEAD of static files with validators; everything else is 405."""

    server_version = "RadarDemo/1.0"
    root: Path

    def __init__(self, *args: object, root: Path, **kwargs: object):
        self.root = root.resolve()
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return None

    def _resolve(self) -> Path | None:
        parts = urlsplit(self.path)
        target = (self.root / unquote(parts.path).lstrip("/")).resolve()
        if target != self.root and self.root not in target.parents:
            return None  # ../ traversal
        if target.is_dir():
            target = target / "index.html"
        if parts.query:
            # Replicas of query-string pages and APIs: list.json?page=2 is stored as list.json__page-2
            variant = target.with_name(f"{target.name}__{unquote(parts.query).replace('&', '_').replace('=', '-')}")
            if variant.is_file() and self.root in variant.resolve().parents:
                return variant
        return target if target.is_file() else None

    def _content_type(self, target: Path) -> str:
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype == "text/html":
            rel = target.relative_to(self.root).parts
            meta = self.root / rel[0] / "_site.json" if len(rel) > 1 else None
            charset = json.loads(meta.read_text(encoding="utf-8")).get("charset", "utf-8") if meta and meta.exists() else "utf-8"
            ctype = f"text/html; charset={charset}"
        elif ctype == "text/plain":
            ctype = "text/plain; charset=utf-8"
        return ctype

    def _serve(self, send_body: bool) -> None:
        target = self._resolve()
        if target is None or target.name.startswith("_"):
            self.send_error(404, "Not Found")
            return
        data = target.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        mtime = int(target.stat().st_mtime)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if inm is not None:
            not_modified = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims is not None:
            try:
                not_modified = mtime <= int(email.utils.parsedate_to_datetime(ims).timestamp())
            except (TypeError, ValueError):
                not_modified = False
        if not_modified:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", self._content_type(target))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve(True)

    def do_HEAD(self) -> None:
        self._serve(False)


@contextmanager
def serve_in_thread(
    factory: Callable[..., http.server.BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0, name: str = "loopback-http"
) -> Iterator[str]:
    """Run a ThreadingHTTPServer with ``factory`` in a daemon thread; yields its base URL, shuts it down after."""
    server = http.server.ThreadingHTTPServer((host, port), factory)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_sites(root: Path, host: str = "127.0.0.1", port: int = 0, handler: type[SiteHandler] = SiteHandler) -> Iterator[str]:
    """Serve ``root`` in a background thread; yields the base URL (``handler`` lets tests add behaviour)."""
    with serve_in_thread(partial(handler, root=Path(root)), host, port, name="demo-sites") as base:
        yield base


def main() -> None:
    """``python -m demo.server``: serve the replicas by hand (point sources at it with RADAR_DEMO_URL)."""
    ap = argparse.ArgumentParser(description="Serve the PolicyRadar demo replica sites on loopback.")
    ap.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent / "sites")
    args = ap.parse_args()
    try:
        ctx = serve_sites(args.root, host=args.host, port=args.port)
        base = ctx.__enter__()
    except OSError as exc:
        raise SystemExit(f"cannot listen on {args.host}:{args.port} ({exc.strerror}); choose another --port") from exc
    print(f"serving {args.root} at {base}/ (Ctrl-C to stop); export RADAR_DEMO_URL={base}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        ctx.__exit__(None, None, None)


if __name__ == "__main__":
    main()
