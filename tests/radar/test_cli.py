"""The CLI's evaluation and inspection commands print what the pipeline sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from radar.cli import app
from core.paths import REPO_ROOT


def test_classify_jsonl_prints_tracks_scores_and_evidence(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps(
            {"id": "a", "text": "清洁氢。发展新型制氢技术及氢能装备，推动清洁氢发展及示范应用，建设氢燃料电池汽车示范城市群。"},
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps({"id": "b", "text": "持续优化营商环境，深化“放管服”改革，提升政务服务效率。"}, ensure_ascii=False)
        + "\n",
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
    (tmp_path / "bad.yaml").write_text(
        "name: bad\ntitle: t\nregion: 全国\nagency: a\nstart_urls: [http://x.example/]\nlist:\n  itme: li\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["sources", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.yaml:7" in result.output.replace("\n", "") and "list.itme" in result.output


def _radar(args: list[str], stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command in its own process: exit codes, stdout and stderr as an operator sees them."""
    return subprocess.run(
        [sys.executable, "-c", "from radar.cli import app; app()", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        cwd=cwd or REPO_ROOT,
    )


GOOD = {"id": "h2", "text": "清洁氢。发展新型制氢技术及氢能装备，推动清洁氢发展及示范应用，建设氢燃料电池汽车示范城市群。"}


def test_classify_jsonl_reads_standard_input_with_dash() -> None:
    result = _radar(["classify", "--jsonl", "-"], stdin=(json.dumps(GOOD, ensure_ascii=False) + "\n").encode("utf-8"))
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["tracks"] == ["未来能源"]


def test_classify_explain_says_why_a_touched_track_was_not_filed() -> None:
    """Auditors ask why a notice naming 生物医药 is not under 未来健康: --explain gives the verdict per track."""
    line = {
        "id": "n1",
        "title": "关于优化营商环境的若干措施",
        "text": "新一代信息技术、生物医药、新能源等企业可享受审批绿色通道，涉企事项一日办结。",
    }
    result = CliRunner().invoke(app, ["classify", "--jsonl", "-", "--explain"], input=json.dumps(line, ensure_ascii=False) + "\n")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["tracks"] == []
    assert record["explain"]["未来健康"]["verdict"] == "named only as one item of a list"
    assert record["explain"]["未来健康"]["verdict_zh"] == "仅作为列举中的一项出现"  # beside the stable English key
    assert record["explain"]["未来健康"]["terms"] == {"生物医药": 1}
    plain = CliRunner().invoke(app, ["classify", "--jsonl", "-"], input=json.dumps(line, ensure_ascii=False) + "\n")
    assert "explain" not in json.loads(plain.output)


def test_classify_jsonl_skips_bad_lines_names_them_and_exits_1(tmp_path: Path) -> None:
    """Every good line is classified; each bad one is named with its line number; exit code 1 at the end."""
    src = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps(GOOD, ensure_ascii=False).encode("utf-8"),  # 1
        b'{"id": "broken", "text": "\xe6\xb0\xa2\xe8\x83\xbd',  # 2: cut off mid-record
        b"",  # 3: blank lines are not errors
        json.dumps({"id": "no-text", "title": "氢能"}, ensure_ascii=False).encode("utf-8"),  # 4
        b'["a", "list"]',  # 5
        json.dumps({"id": "num", "text": 42}).encode("utf-8"),  # 6
        b'{"id": "latin1", "text": "\xe9t\xe9"}',  # 7: not UTF-8
        json.dumps({"id": "last", "text": "持续优化营商环境，提升政务服务效率。"}, ensure_ascii=False).encode("utf-8"),  # 8
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    result = _radar(["classify", "--jsonl", str(src)])
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["h2", "last"]
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err
    for no, why in [(2, "not JSON"), (4, 'no "text"'), (5, "not a JSON object"), (6, "not a string"), (7, "not UTF-8")]:
        assert f"{src}:{no}: " in err and why in err, (no, err)
    assert f"{src}:3:" not in err and f"{src}:1:" not in err and f"{src}:8:" not in err


def test_classify_jsonl_missing_file_is_one_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    result = _radar(["classify", "--jsonl", str(missing)])
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err and str(missing) in err and "no such file" in err
    assert result.stdout == b""


def test_extract_json_carries_the_full_text_unless_max_chars_cuts_it_visibly() -> None:
    page = REPO_ROOT / "demo" / "sites" / "miit" / "wjfb" / "art_2025_0305_01.html"
    full = json.loads(CliRunner().invoke(app, ["extract", "--json", str(page)]).stdout)
    assert len(full["text"]) == full["text_chars"] and full["text_truncated"] is False
    cut = json.loads(CliRunner().invoke(app, ["extract", "--json", "--max-chars", "50", str(page)]).stdout)
    assert len(cut["text"]) == 50 and cut["text_chars"] == full["text_chars"] and cut["text_truncated"] is True
    plain = CliRunner().invoke(app, ["extract", "--max-chars", "50", str(page)])
    assert "truncated to 50 of" in plain.output


def test_every_explain_verdict_has_a_chinese_wording() -> None:
    from pipeline.classify import VERDICT_ZH

    assert set(VERDICT_ZH) == {
        "filed",
        "no terms",
        "only weak terms",
        "too little evidence",
        "passing mention (low density)",
        "minor next to the main track",
        "named only as one item of a list",
    }
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in zh) for zh in VERDICT_ZH.values())
