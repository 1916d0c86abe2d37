"""One crawl, a module per step, named for the process that runs it.

Caller's process: ``launcher`` (what follows a crawl: alerts) and ``runner``
(lease, run record, spawns the crawl process).  Crawl process:
``store_process`` (entry), ``store_process.intake``, ``.recorder``,
``.auditlog``.  Fetch process: ``fetcher_process`` with the Scrapy parts
of ``spiders``.  Between the two: ``pipe`` declares every message.
docs/architecture.md draws it.
"""
