"""The demo's replica sources as ordinary sources after `radar demo`: their settings, port and re-crawl.

In the crawl layer (not with `radar demo` itself) because the web page's
re-crawl button needs it, and the web layer sits below the application.
"""

from __future__ import annotations

import os
import threading

from core.paths import DEMO_DIR
from core.settings import Settings
from crawl.runner import CrawlResult

PORT_FILE = "demo-port"  # in the data dir: the port the demo's URLs were crawled on (URLs identify documents)
_env_lock = threading.Lock()  # RADAR_DEMO_URL is process-wide: one expansion of the demo sources at a time


def demo_settings(base: Settings) -> Settings:
    return base.model_copy(update={"sources_dir": DEMO_DIR / "sources"})


def demo_port(settings: Settings) -> int:
    """The port the demo served its sites on in this data dir (8765 unless `radar demo --port` said otherwise)."""
    try:
        return int((settings.data_dir / PORT_FILE).read_text().strip())
    except (OSError, ValueError):
        return 8765


def demo_port_free(settings: Settings) -> bool:
    """Whether a re-crawl can serve the demo sites again (a running `radar demo` holds the port)."""
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the demo server does: a finished demo's TIME_WAITs do not count
        try:
            sock.bind(("127.0.0.1", demo_port(settings)))
        except OSError:
            return False
    return True


def crawl_demo_source(base: Settings, name: str) -> CrawlResult:
    """Re-crawl one demo source: serve the data dir's replica copy on the demo's port for the length of the crawl.

    The web page's re-crawl button uses it, so the demo's sources behave like
    any other after `radar demo` instead of failing against a server that is gone.
    """
    from demo.server import serve_sites
    from crawl.launcher import crawl_one
    from core.sources import load_sources

    settings = demo_settings(base)
    with serve_sites(settings.data_dir / "demo-sites", port=demo_port(settings)) as base_url:
        with _env_lock:
            previous = os.environ.get("RADAR_DEMO_URL")
            os.environ["RADAR_DEMO_URL"] = base_url
            try:
                source = next(s for s in load_sources(settings.sources_dir) if s.name == name)
            finally:
                if previous is None:
                    os.environ.pop("RADAR_DEMO_URL", None)
                else:
                    os.environ["RADAR_DEMO_URL"] = previous
        return crawl_one(settings, source)
