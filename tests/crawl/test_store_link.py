"""The fetch process's link to the store side: releases stream over the pipe in order, and the spider waits
only while the releases sent but not yet stored exceed their byte budget."""

from __future__ import annotations

import multiprocessing as mp
import threading

import pytest

from crawl import fetcher_process
from core.release import Release
from crawl.fetcher_process import StoreLink
from crawl.pipe import FetchAttempt, ReleaseToStore, Snapshot, SpiderClosed, Stored


def _link() -> tuple[StoreLink, object]:
    here, there = mp.Pipe(duplex=True)
    return StoreLink(here, Snapshot(run_id=1, source_name="demo")), there


def _item(n: int, size: int) -> Release:
    return Release(source="demo", url=f"http://replica.invalid/{n}.html", body=b"x" * size)


def test_the_spider_waits_only_while_unstored_releases_exceed_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetcher_process, "UNSTORED_BYTES", 1000)
    link, store_side = _link()
    try:
        link.submit_item(_item(0, 600))
        assert link.room().done(), "600 of 1000 bytes in flight: go on"
        link.submit_item(_item(1, 600))
        waiting = link.room()
        assert not waiting.done(), "1200 bytes in flight: wait for the store side"
        received = [store_side.recv() for _ in range(2)]  # type: ignore[attr-defined]
        assert [(type(m), m.n) for m in received] == [(ReleaseToStore, 0), (ReleaseToStore, 1)], "sent in order"
        store_side.send(Stored(0, "new"))  # type: ignore[attr-defined]
        waiting.result(timeout=5)  # 600 bytes left: room again
    finally:
        link.close()


def test_fetch_log_rows_and_releases_keep_their_order_through_the_sender() -> None:
    link, store_side = _link()
    try:
        for n in range(50):
            link.log_fetch({"url": f"http://replica.invalid/{n}.html"}, 200, [], b"<html/>")
            link.submit_item(_item(n, 10))
        link.end([], None)
        got = [store_side.recv() for _ in range(101)]  # type: ignore[attr-defined]
    finally:
        link.close()
    assert got[-1] == SpiderClosed([], None)
    assert [type(m) for m in got[:-1]] == [FetchAttempt, ReleaseToStore] * 50


def test_when_the_store_side_is_gone_nothing_waits_for_it() -> None:
    link, store_side = _link()
    link.submit_item(_item(0, 10))
    done = link.submit_item(_item(1, fetcher_process.UNSTORED_BYTES + 1))
    waiting = link.room()
    store_side.close()  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="store side of the crawl is gone"):
        done.result(timeout=5)
    with pytest.raises(RuntimeError, match="store side of the crawl is gone"):
        waiting.result(timeout=5)
    finished = threading.Event()
    threading.Thread(target=lambda: (link.log_fetch({}, 200, [], b"x" * 10_000_000), finished.set()), daemon=True).start()
    assert finished.wait(5), "sending to a dead store side returns at once instead of blocking the reactor"
    link.close()
