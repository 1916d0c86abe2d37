"""Refiling stored documents after a taxonomy change, read as a specification.

Documents are stored by the real page pipeline with an older, smaller
taxonomy (written here), then refiled with the shipped one; the web UI's
queries and the digest's candidate selection must see the new labels.
Runs on SQLite and, when RADAR_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from alerts.period import Period
from alerts.select import load_candidates
from core.release import Release
from pipeline.classify import Classifier
from pipeline.process import PagePipeline
from pipeline.reclassify import reclassify, split_stored_text
from pipeline.taxonomy import taxonomy_version
from core.paths import CONFIG_DIR, DEMO_DIR
from core.settings import Settings
from core.sources import load_source
from storage.db import session_scope
from storage.models import Document, TrackLabel
from web.queries import current_labels

# The taxonomy of "last month": hydrogen was in, biomedicine and computing power were not.
OLD_TAXONOMY = """\
name: 旧版分类
version: 1
tracks:
  - id: energy
    name: 未来能源
    subtracks:
      - id: hydrogen
        name: 氢能
        terms: {氢能: 3, 加氢站: 2, 燃料电池: 2}
  - id: health
    name: 未来健康
    subtracks:
      - id: cell_gene
        name: 细胞与基因技术
        terms: {细胞治疗: 3, 基因治疗: 3}
"""

PAGES = {
    "h2.html": (
        "关于加快氢能产业发展的实施意见",
        "推动氢能制储输用全链条发展。建设加氢站网络，推广氢燃料电池汽车，支持氢能装备企业做大做强。",
    ),
    "bio.html": (
        "关于支持生物医药产业高质量发展的若干措施",
        "支持创新药和创新医疗器械研发，对获批上市的1类新药给予奖励。建设生物医药产业园，完善创新药首发首用机制，推动生物医药企业开展临床试验。",
    ),
    "env.html": ("关于进一步优化营商环境的通知", "深化放管服改革，推进政务服务一网通办，提升企业开办便利度，降低制度性交易成本。"),
}


def _page(title: str, text: str) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<h1 class="title">{title}</h1><div id="UCAP-CONTENT"><p>{text}</p></div></body></html>'
    ).encode("utf-8")


@pytest.fixture
def stored(settings: Settings, tmp_path: Path) -> Iterator[dict[str, int]]:
    """The three pages stored by the real pipeline with the old taxonomy; url name -> document id."""
    old = tmp_path / "old-tracks.yaml"
    old.write_text(OLD_TAXONOMY, encoding="utf-8")
    settings = settings.model_copy(update={"extract_workers": 0})
    source = load_source(DEMO_DIR / "sources" / "miit.yaml")
    pipe = PagePipeline(settings, Classifier.load(old))
    try:
        for name, (title, text) in PAGES.items():
            item = Release(source=source.name, url=f"http://replica.invalid/miit/{name}", body=_page(title, text), list_title=title)
            out = pipe.process(item, source, None)
            assert out.status == "new", out
    finally:
        pipe.close()
    with session_scope(settings) as s:
        ids = {d.url.rsplit("/", 1)[1]: d.id for d in s.exec(select(Document)).all()}
    yield ids  # type: ignore[misc]


def _tracks(settings: Settings, doc_id: int) -> list[str]:
    with session_scope(settings) as s:
        return sorted(lab.track for lab in current_labels(s, [doc_id]).get(doc_id, []))


def test_reclassify_refiles_current_versions_and_reports_what_moved(settings: Settings, stored: dict[str, int], tmp_path: Path) -> None:
    old_version = taxonomy_version(tmp_path / "old-tracks.yaml")
    with session_scope(settings) as s:
        before = {lab.document_id: lab for lab in s.exec(select(TrackLabel)).all()}
    assert [lab.track for lab in before.values()] == ["未来能源"]  # only hydrogen was filed
    assert before[stored["h2.html"]].taxonomy_version == old_version
    assert _tracks(settings, stored["bio.html"]) == []

    report = reclassify(settings)
    new_version = taxonomy_version(CONFIG_DIR / "tracks.yaml")
    assert report.taxonomy_version == new_version != old_version
    assert report.documents == 3 and report.moved == 1 and report.unchanged == 2
    assert report.gained == {"未来健康": 1} and not report.lost
    assert report.transitions == {((), ("未来健康",)): 1}
    assert [(m.document_id, m.title, m.before, m.after) for m in report.examples] == [
        (stored["bio.html"], PAGES["bio.html"][0], [], ["未来健康"])
    ]

    # The web UI's queries and the digest's selection now see the new labels.
    assert _tracks(settings, stored["bio.html"]) == ["未来健康"]
    assert _tracks(settings, stored["env.html"]) == []
    now = datetime.now(timezone.utc)
    with session_scope(settings) as s:
        period = Period("test", now - timedelta(days=1), now + timedelta(days=1), "test")
        picked = {c.document.id: [lab.track for lab in c.labels] for c in load_candidates(s, period)}
        labels = {lab.document_id: lab for lab in s.exec(select(TrackLabel)).all()}
    assert picked == {stored["h2.html"]: ["未来能源"], stored["bio.html"]: ["未来健康"]}

    # Every label carries the new version and its evidence; a label that stayed kept its row id.
    assert {lab.taxonomy_version for lab in labels.values()} == {new_version}
    assert labels[stored["h2.html"]].id == before[stored["h2.html"]].id
    bio = labels[stored["bio.html"]]
    assert bio.terms.get("创新药", 0) >= 2 and bio.quote and any(t in bio.quote for t in bio.terms)
    assert bio.subtracks[0]["id"] == "biomedicine"

    # The Atom feed of the track (read through the real app) lists the refiled document.
    from fastapi.testclient import TestClient

    from web.app import create_app
    from web.security import WebConfig

    feed = TestClient(create_app(settings, WebConfig())).get("/feeds/track/health.atom")
    assert feed.status_code == 200 and PAGES["bio.html"][0] in feed.text and PAGES["h2.html"][0] not in feed.text

    # Running again with the same file moves nothing.
    again = reclassify(settings)
    assert again.documents == 3 and again.moved == 0 and not again.examples


def test_reclassify_source_and_since_limit_what_is_refiled(settings: Settings, stored: dict[str, int]) -> None:
    assert reclassify(settings, source="no-such-source").documents == 0
    assert reclassify(settings, since=date.today() + timedelta(days=2)).documents == 0  # nothing published or seen after
    assert _tracks(settings, stored["bio.html"]) == []  # untouched
    report = reclassify(settings, source="miit", since=date.today() - timedelta(days=1))
    assert report.documents == 3 and report.moved == 1


def test_reclassify_cli_prints_counts_and_examples(settings: Settings, stored: dict[str, int]) -> None:
    env = {"RADAR_DATA_DIR": str(settings.data_dir), "RADAR_TAXONOMY": str(CONFIG_DIR / "tracks.yaml")}
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    elif "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = ""
    from radar.cli import app

    result = CliRunner().invoke(app, ["reclassify", "--source", "miit"], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "reclassified 3" in out and "moved: 1" in out
    assert "未来健康" in out and "+1" in out
    assert f"#{stored['bio.html']}" in out and PAGES["bio.html"][0] in out and "无赛道 → 未来健康" in out
    bad = CliRunner().invoke(app, ["reclassify", "--since", "yesterday-ish"], env=env)
    assert bad.exit_code == 2 and "cannot read date" in bad.output


def test_stored_text_splits_back_into_body_and_attachments() -> None:
    text = "标题\n正文第一段。\n正文第二段。\n【附件：申报指南】\n附件正文。\n【附件：名单】\n名单。"
    body, att = split_stored_text("标题", text)
    assert body == "正文第一段。\n正文第二段。"
    assert att == "【附件：申报指南】\n附件正文。\n【附件：名单】\n名单。"
    assert split_stored_text("别的标题", "正文。") == ("正文。", "")
    assert split_stored_text("标题", "标题\n【附件：表】\n表格。") == ("", "【附件：表】\n表格。")


def test_reclassify_rewrites_summaries_written_by_older_rules(settings: Settings, stored: dict[str, int]) -> None:
    """An archive summarised by older rules (the first characters, salutation included) reads like new releases after a run."""
    from storage.models import DocumentVersion

    stale = "各省、自治区、直辖市工业和信息化主管部门：现将有关文件印发给你们，请认真贯彻执行。"
    with session_scope(settings) as s:
        fresh = {v.document_id: v.summary for v in s.exec(select(DocumentVersion)).all()}
        for v in s.exec(select(DocumentVersion)).all():
            v.summary = stale
            s.add(v)
    report = reclassify(settings)
    assert report.summaries == 3
    with session_scope(settings) as s:
        now = {v.document_id: v.summary for v in s.exec(select(DocumentVersion)).all()}
    assert now == fresh and stale not in now.values()
    assert reclassify(settings).summaries == 0  # a rerun with the same rules rewrites nothing
