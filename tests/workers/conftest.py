"""Fixtures of the distributed-crawl tests (defined in workerfixture.py beside the helpers they use)."""

from workerfixture import broker, cluster_factory  # noqa: F401  - pytest fixtures
