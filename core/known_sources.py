"""Which sources this installation knows: the configured ones, plus the demo's after `radar demo`.

The demo crawls its three replica sources into the same data directory as
everything else, so their runs, documents and health are there; listing only
``RADAR_SOURCES_DIR`` made them vanish from ``radar sources list`` and
``/sources`` right after a newcomer's first command.  Demo sources are
marked so that callers can say how to re-crawl them (``radar demo``: their
sites only exist while the demo serves them).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.paths import DEMO_DIR
from core.settings import Settings
from core.sources import SourceConfig, load_sources


@dataclass(frozen=True)
class KnownSource:
    config: SourceConfig
    demo: bool  # one of the demo's replica sources, served only while `radar demo` runs


def demo_ran_here(settings: Settings) -> bool:
    """`radar demo` has run against this data directory (it leaves its run counter there)."""
    return (settings.data_dir / "demo-runs").exists()


def known_sources(settings: Settings) -> list[KnownSource]:
    """Configured sources, then the demo's when the demo ran in this data directory and they are not configured already."""
    demo_dir = (DEMO_DIR / "sources").resolve()
    configured_is_demo = settings.sources_dir.resolve() == demo_dir
    out = [KnownSource(src, False) for src in load_sources(settings.sources_dir)]  # configured: crawled like any other
    if not configured_is_demo and demo_ran_here(settings):
        names = {k.config.name for k in out}
        out += [KnownSource(src, True) for src in load_sources(demo_dir) if src.name not in names]
    return out
