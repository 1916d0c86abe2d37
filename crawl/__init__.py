"""One crawl, a module per step, named for the process that runs it.

launcher (caller's process) → runner (caller's process, spawns) → store_process (crawl process: intake, recorder) ⇄ fetcher_process (fetch process: Scrapy).
"""
