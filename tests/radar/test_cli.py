"""The CLI's evaluation and inspection commands print what the pipeline sees."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from radar.cli import app
from core.paths import REPO_ROOT


def test_classify_jsonl_prints_tracks_scores_and_evidence(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "清洁氢。发展新型制氢技术及氢能装备，推动清洁氢发展及示范应用，建设氢燃料电池汽车示范城市群。"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "b", "text": "持续优化营商环境，深化“放管服”改革，提升政务服务效率。"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["classify", "--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["tracks"] == ["未来能源"] and rows[0]["scores"]["未来能源"] > 0
    assert "氢能" in json.dumps(rows[0]["evidence"], ensure_ascii=False)
    assert rows[1]["tracks"] == []


def test_extract_prints_cleaned_text_and_json_metadata() -> None:
    page = REPO_ROOT / "demo" / "sites" / "miit" / "wjfb" / "art_2025_0305_01.html"
    text = CliRunner().invoke(app, ["extract", str(page)])
    assert text.exit_code == 0, text.output
    assert "七部门" in text.output and "浏览次数" not in text.output and "分享到" not in text.output
    meta = CliRunner().invoke(app, ["extract", "--json", str(page)])
    data = json.loads(meta.output)
    assert data["doc_number"] == "工信部联科〔2024〕12号"
    assert data["published"] == "2025-03-05"


def test_sources_validate_reports_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\ntitle: t\nregion: 全国\nagency: a\nstart_urls: [http://x.example/]\nlist:\n  itme: li\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.yaml:7" in result.output.replace("\n", "") and "list.itme" in result.output
