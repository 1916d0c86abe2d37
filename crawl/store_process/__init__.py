"""The crawl process's entry point: start the fetch process first, then import the store side.

Why its own module: a spawned process imports the module of its target
before it runs a line of it.  The old entry point lived in crawl.runner,
which pulls in SQLAlchemy, SQLModel and pydantic (~0.3 s) before the fetch
process could even be spawned, and that process then spent another ~0.7 s
importing Scrapy: the two start-ups ran one after the other.  From here the
fetch process starts at once, so its Scrapy import overlaps the store side's
imports and its reads of what storage knows.
"""

from __future__ import annotations

from typing import Any

from core.childproc import exit_with_parent, few_malloc_arenas, forget_main, name_process, quick_exit


def crawl_main(
    source_data: dict[str, Any], settings_data: dict[str, Any], run_id: int, scrapy_cfg: dict[str, Any], progress: Any = None
) -> None:
    """Spawned by crawl.runner.run_crawl: one crawl of one source, closing its run record; ``progress``: a pipe end for crawl.progress."""
    name_process("radar-crawl")
    few_malloc_arenas()  # before any thread starts
    exit_with_parent()
    forget_main()
    from crawl.fetcher_process import start_fetch_process

    fetcher, conn = start_fetch_process(source_data, scrapy_cfg)
    try:
        from core.settings import Settings
        from core.sources import SourceConfig
        from crawl.store_process.intake import crawl_in_this_process
        from storage.db import small_page_caches

        small_page_caches()

        source = SourceConfig.model_validate(source_data)
        settings = Settings.model_validate(settings_data)
    except BaseException:
        fetcher.kill()
        raise
    crawl_in_this_process(source, settings, run_id, scrapy_cfg, fetcher=(fetcher, conn), progress=progress)
    from storage.db import dispose_engines

    dispose_engines()  # PostgreSQL sees its connections closed, not dropped
    quick_exit(0)  # the run record is closed: nothing left to tear down that anyone waits for


def crawl_batch_main(jobs: list[tuple[dict[str, Any], int, dict[str, Any]]], settings_data: dict[str, Any], in_flight: int) -> None:
    """Spawned by crawl.runner.run_batch (see crawl.store_process.batch): crawl (source, run id, Scrapy settings) jobs, closing each run record."""
    name_process("radar-crawl")
    few_malloc_arenas()
    exit_with_parent()
    forget_main()
    from crawl.fetcher_batch import start_batch_fetch_process

    base_cfg = jobs[0][2]
    fetcher, conn = start_batch_fetch_process({run_id: (source, cfg) for source, run_id, cfg in jobs}, base_cfg)
    try:
        from core.settings import Settings
        from core.sources import SourceConfig
        from crawl.store_process.batch import BatchIntake
        from storage.db import small_page_caches

        small_page_caches()
        settings = Settings.model_validate(settings_data)
        sources = [(SourceConfig.model_validate(source), run_id) for source, run_id, _cfg in jobs]
        import logging

        if not logging.getLogger().handlers:
            logging.basicConfig(level=base_cfg.get("LOG_LEVEL", "WARNING"), format=base_cfg.get("LOG_FORMAT", logging.BASIC_FORMAT))
        BatchIntake(settings, sources, conn, fetcher, in_flight).run()
    except BaseException:
        fetcher.kill()
        raise
    fetcher.join(30)
    from storage.db import dispose_engines

    dispose_engines()
    quick_exit(0)
