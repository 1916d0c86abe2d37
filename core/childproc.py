"""What every process a crawl spawns does first: die with its parent, forget the CLI, few malloc arenas.

Kept free of database and Scrapy imports, so the crawl's fetch process and
its store process each import only what they use.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import sys
import threading
import types


def exit_with_parent() -> None:
    """Stop this crawl if the process that owns its lease dies (a SIGKILLed worker).

    Nobody would renew the lease any more, so another worker may take the
    source over; an orphaned crawl must not keep writing beside it.
    """
    parent = mp.parent_process()
    if parent is None:
        return

    def _watch() -> None:
        from multiprocessing.connection import wait

        wait([parent.sentinel])
        os._exit(70)

    threading.Thread(target=_watch, name="exit-with-parent", daemon=True).start()


def forget_main() -> None:
    """Keep this process's own spawned children (extraction workers) from re-importing our parent's ``__main__``.

    A spawned child runs the spawning process's main module again; here that is
    the ``radar`` CLI or a bench script, which the crawl and its workers never
    use: it made each extraction worker ~77 MB instead of ~32 MB.  Arguments
    are already unpickled, so nothing in this process needs it any more.
    """
    sys.modules["__main__"] = types.ModuleType("__main__")


def few_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas in the crawl process (what MALLOC_ARENA_MAX=2 does).

    glibc gives each thread that allocates its own arena, up to 8 per core; the
    crawl's reactor, item threads and audit writer each fragment one.  Capped at
    two, a 2,000-item crawl peaked at 195 MB instead of 238 MB, for no
    measurable loss of speed.  Elsewhere than glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def quick_exit(code: int = 0) -> None:
    """End a crawl's process once its work is done and flushed, without the interpreter's tear-down.

    Finalizing an interpreter that held Scrapy, Twisted or a crawl's worth of
    objects took ~0.2 s per process, and the fetch process's exit was waited
    for by the store side, the store side's by the caller: ~0.4 s per crawl in
    which nothing happened.  Everything that matters is already written (the
    database committed, WARC files closed, the pipe closed); log handlers and
    standard streams are flushed here.
    """
    import logging

    for handler in logging.getLogger().handlers:
        try:
            handler.flush()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


def name_process(name: str) -> None:
    """Give this process a name ``ps``, ``top`` and psutil show (Linux's comm, 15 bytes): which part of a crawl it is."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass
