"""A classifier label as a ``tracklabel`` row: one shape for the crawl and for ``radar reclassify``."""

from __future__ import annotations

from typing import Any

from pipeline.classify import Label


def label_row(label: Label, version_id: int, document_id: int, taxonomy_version: str | None) -> dict[str, Any]:
    """The row to insert; scores are rounded so a refiled label that did not move compares equal."""
    return {
        "version_id": version_id,
        "document_id": document_id,
        "track_id": label.track_id,
        "track": label.track,
        "score": round(label.score, 4),
        "subtracks": [{"id": sl.id, "name": sl.name, "score": round(sl.score, 4), "terms": sl.terms} for sl in label.subtracks],
        "terms": dict(label.terms),
        "quote": label.quote,
        "taxonomy_version": taxonomy_version,
    }
