"""Prepared releases are written a group per transaction; one release that cannot be written fails alone."""

from __future__ import annotations

from sqlalchemy import event, text

from pipeline.process import Job, PagePipeline
from core.paths import DEMO_DIR
from core.release import Release
from core.settings import Settings
from core.sources import load_source
from storage.db import get_engine

SOURCE = load_source(DEMO_DIR / "sources" / "miit.yaml")
PAGES = sorted((DEMO_DIR / "sites" / "miit" / "wjfb").glob("art_*.html"))


def _item(n: int) -> Release:
    page = PAGES[n % len(PAGES)]
    return Release(source="miit", url=f"http://replica.invalid/miit/{n:03d}.html", body=page.read_bytes())


def _count(settings: Settings, table: str) -> int:
    with get_engine(settings).connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_group_is_one_commit_and_each_release_gets_its_own_outcome(settings: Settings) -> None:
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))
    commits: list[int] = []
    engine = get_engine(settings)
    listener = lambda conn: commits.append(1)  # noqa: E731
    try:
        jobs = [pipeline.prepare(_item(n), SOURCE) for n in (3, 1, 2)]
        assert all(isinstance(j, Job) for j in jobs)
        event.listen(engine, "commit", listener)
        outcomes = pipeline.store(jobs, SOURCE, None)  # type: ignore[arg-type]
        event.remove(engine, "commit", listener)
        assert [o.status for o in outcomes] == ["new", "new", "new"]
        assert len({o.document_id for o in outcomes}) == 3
        assert len(commits) == 1, "three releases, one transaction"
        again = pipeline.store([pipeline.prepare(_item(n), SOURCE) for n in (1, 2)], SOURCE, None)  # type: ignore[misc]
        assert [o.status for o in again] == ["unchanged", "unchanged"]
        assert [o.document_id for o in again] == [outcomes[1].document_id, outcomes[2].document_id], "outcomes keep the order given"
    finally:
        pipeline.close()
    assert _count(settings, "document") == 3 and _count(settings, "documentversion") == 3


def test_a_release_that_cannot_be_written_fails_alone_and_the_rest_of_its_group_is_stored(settings: Settings) -> None:
    pipeline = PagePipeline(settings.model_copy(update={"extract_workers": 0}))

    def broken(_s: object) -> None:
        raise ValueError("validator row refused")

    try:
        jobs = [pipeline.prepare(_item(0), SOURCE), pipeline.prepare(_item(1), SOURCE, also=broken), pipeline.prepare(_item(2), SOURCE)]
        outcomes = pipeline.store(jobs, SOURCE, None)  # type: ignore[arg-type]
    finally:
        pipeline.close()
    assert [o.status for o in outcomes] == ["new", "failed", "new"]
    assert outcomes[1].unstored and "validator row refused" in outcomes[1].errors[0]
    assert outcomes[1].errors[0].startswith("http://replica.invalid/miit/001.html")
    assert _count(settings, "document") == 2 and _count(settings, "documentversion") == 2
