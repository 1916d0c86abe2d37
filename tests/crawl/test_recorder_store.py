"""What the crawl process keeps and passes on: validators commit with their release; workers skip the CLI's imports."""

from __future__ import annotations

import multiprocessing.spawn
import sys
import types

import pytest
from sqlmodel import select

from core.paths import DEMO_DIR, REPO_ROOT
from core.settings import Settings
from core.sources import load_source
from crawl import runner
from core.release import AttachmentPayload, Release
from crawl.store_process.recorder import Recorder
from storage.db import session_scope
from storage.models import CrawlRun, HttpValidator

BASE = "http://replica.invalid/miit/wjfb/"
PAGE = sorted((DEMO_DIR / "sites" / "miit" / "wjfb").glob("art_*.html"))[0]


def test_validators_are_stored_with_their_release_and_never_for_a_failed_one(settings: Settings) -> None:
    source = load_source(DEMO_DIR / "sources" / "miit.yaml")
    with session_scope(settings) as s:
        run = CrawlRun(source_name=source.name)
        s.add(run)
    assert run.id is not None
    recorder = Recorder(settings.model_copy(update={"extract_workers": 0}), source, run.id)
    stored = Release(
        source=source.name,
        url=BASE + PAGE.name,
        body=PAGE.read_bytes(),
        validators=('"v1"', None),
        attachments=[
            AttachmentPayload(
                url=BASE + "files/list.txt",
                data="附件：申报材料清单".encode(),
                content_type="text/plain",
                label="申报材料清单",
                validators=(None, "Fri, 21 Feb 2025 09:30:00 GMT"),
            )
        ],
    )
    failed = Release(source=source.name, url=BASE + "gone.html", error="HTTP 500", validators=('"v2"', None))
    assert recorder.process_item(stored) == "new"
    assert recorder.process_item(failed) == "failed"
    recorder.close([])
    with session_scope(settings) as s:
        rows = {(v.url, v.etag, v.last_modified) for v in s.exec(select(HttpValidator)).all()}
    assert rows == {(BASE + PAGE.name, '"v1"', None), (BASE + "files/list.txt", None, "Fri, 21 Feb 2025 09:30:00 GMT")}
    assert recorder.validators[BASE + PAGE.name] == ('"v1"', None) and BASE + "gone.html" not in recorder.validators


def test_processes_spawned_by_a_crawl_do_not_import_the_program_that_started_it(monkeypatch: pytest.MonkeyPatch) -> None:
    cli = types.ModuleType("__main__")
    cli.__file__ = str(REPO_ROOT / "radar" / "cli.py")  # as when the crawl was started by the `radar` CLI
    monkeypatch.setitem(sys.modules, "__main__", cli)
    assert "init_main_from_path" in multiprocessing.spawn.get_preparation_data("extract-worker")
    runner._forget_main()
    prep = multiprocessing.spawn.get_preparation_data("extract-worker")
    assert "init_main_from_path" not in prep and "init_main_from_name" not in prep
