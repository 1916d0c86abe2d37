"""The taxonomy file: what it must cover, and how a broken one is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.classify import Classifier
from pipeline.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy
from core.paths import CONFIG_DIR
from core.yamlconfig import ConfigError

FYP15 = CONFIG_DIR / "taxonomies" / "fyp15.yaml"


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


def _all_terms(tax: Taxonomy, track_id: str) -> set[str]:
    t = tax.track(track_id)
    out = set(t.terms)
    for s in t.subtracks:
        out |= set(s.terms) | set(s.alias_weights(1.0))
    return out


def test_default_path_is_config_tracks_yaml() -> None:
    assert DEFAULT_TAXONOMY == CONFIG_DIR / "tracks.yaml"


def test_six_tracks_in_document_order(tax: Taxonomy) -> None:
    assert [(t.id, t.name) for t in tax.tracks] == [
        ("manufacturing", "未来制造"),
        ("information", "未来信息"),
        ("materials", "未来材料"),
        ("energy", "未来能源"),
        ("space", "未来空间"),
        ("health", "未来健康"),
    ]


@pytest.mark.parametrize(
    ("track", "terms"),
    [
        # 15th Five-Year Plan six frontier areas
        ("information", {"量子科技", "6G", "脑机接口"}),
        ("manufacturing", {"生物制造", "具身智能", "人形机器人"}),
        ("energy", {"氢能", "核聚变"}),
        ("health", {"脑机接口", "细胞治疗", "合成生物", "生物育种"}),
        # Zhejiang 20+4
        ("information", {"通用人工智能", "元宇宙", "下一代移动通信", "新型显示", "类脑智能", "地理信息"}),
        ("energy", {"清洁氢", "前沿电池", "碳捕集利用与封存", "可控核聚变"}),
        ("space", {"低空经济", "商业航天", "深海", "深地"}),
        ("manufacturing", {"原子级制造"}),
        ("materials", {"新一代半导体", "石墨烯", "超材料", "智能仿生"}),
        ("health", {"细胞与基因治疗", "核医疗", "零磁医疗", "眼健康"}),
        # Guangzhou 6
        ("space", {"智能无人系统", "深海空间"}),
        ("information", {"未来网络", "量子科技"}),
        ("health", {"细胞与基因"}),
        ("materials", {"前沿新材料"}),
        # MIIT areas
        ("manufacturing", {"工业互联网", "工业元宇宙", "激光制造", "纳米制造", "循环制造", "柔性制造", "共享制造"}),
        ("information", {"卫星互联网", "智算中心", "大模型", "群体智能", "光子计算"}),
        ("materials", {"高性能碳纤维", "超导材料", "液态金属", "先进基础材料"}),
        ("energy", {"核能", "生物质能", "新型储能", "能源电子", "钙钛矿"}),
        ("space", {"载人航天", "探月", "卫星导航", "潜水器", "极地", "eVTOL"}),
    ],
)
def test_named_areas_are_covered(tax: Taxonomy, track: str, terms: set[str]) -> None:
    assert terms <= _all_terms(tax, track)


def test_english_and_abbreviated_aliases_present(tax: Taxonomy) -> None:
    aliases = {a for t in tax.tracks for s in t.subtracks for a in s.alias_weights(1.0)}
    assert {"6G", "eVTOL", "CAR-T", "BCI", "AGI", "LLM", "CCUS"} <= aliases


def test_bare_biopharma_is_not_a_biomanufacturing_term(tax: Taxonomy) -> None:
    bio = next(s for s in tax.track("manufacturing").subtracks if s.id == "biomanufacturing")
    assert "生物医药" not in bio.terms


def test_fyp15_taxonomy_loads_and_classifies() -> None:
    tax = load_taxonomy(FYP15)
    assert [t.name for t in tax.tracks] == ["量子科技", "生物制造", "氢能和核聚变能", "脑机接口", "具身智能", "第六代移动通信"]
    clf = Classifier.load(FYP15)
    labels = clf.classify("", "加快6G网络关键技术攻关，建设6G试验网，推进太赫兹通信和通感一体化技术验证。")
    assert [lb.track for lb in labels] == ["第六代移动通信"]
    assert labels[0].track_id == "sixg"
    # an area the MIIT six cover but the FYP15 six do not: no track
    assert clf.classify("", "发展石墨烯薄膜、石墨烯粉体、石墨烯复合材料等石墨烯产品，推进超材料应用。") == []


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "tax.yaml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """\
name: test
tracks:
  - id: energy
    name: 未来能源
    subtracks:
      - id: hydrogen
        name: 氢能
        terms: {氢能: 3, 制氢: 2}
"""


def test_minimal_taxonomy_loads(tmp_path: Path) -> None:
    tax = load_taxonomy(_write(tmp_path, GOOD))
    assert tax.tracks[0].subtracks[0].terms == {"氢能": 3.0, "制氢": 2.0}
    assert tax.scoring.min_evidence > 0  # defaults apply


def test_taxonomy_wide_negative_words_veto_every_subtrack(tmp_path: Path) -> None:
    """A top-level ``negative`` list is context for every sub-track: a hit in its sentence does not count."""
    text = GOOD.replace("name: test\n", "name: test\nnegative: [概念股]\n")
    tax = load_taxonomy(_write(tmp_path, text))
    assert tax.negative == ["概念股"]
    clf = Classifier(tax)
    assert clf.classify("", "氢能概念股早盘走强，氢能板块多只个股上涨，氢能题材持续活跃。") == []
    assert [lb.track for lb in clf.classify("", "省里印发氢能产业规划，布局制氢项目和氢能示范应用。")] == ["未来能源"]


def test_misspelt_field_names_file_line_and_field(tmp_path: Path) -> None:
    bad = GOOD.replace("        terms: {氢能: 3, 制氢: 2}\n", "        terms: {氢能: 3}\n        wieght: 2\n")
    path = _write(tmp_path, bad)
    with pytest.raises(ConfigError) as exc:
        load_taxonomy(path)
    issue = exc.value.issues[0]
    assert issue.path == str(path)
    assert issue.line == 9
    assert issue.field == "tracks.0.subtracks.0.wieght"
    assert f"{path}:9" in str(exc.value)


def test_non_numeric_weight_names_the_term(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("制氢: 2", "制氢: strong"))
    with pytest.raises(ConfigError) as exc:
        load_taxonomy(path)
    issue = exc.value.issues[0]
    assert issue.field == "tracks.0.subtracks.0.terms.制氢"
    assert issue.line == 8


def test_duplicate_subtrack_ids_rejected(tmp_path: Path) -> None:
    text = GOOD + "      - id: hydrogen\n        name: 又一个\n        terms: {绿氢: 3}\n"
    with pytest.raises(ConfigError, match="duplicate sub-track id 'hydrogen'"):
        load_taxonomy(_write(tmp_path, text))


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("terms: {氢能: 3, 制氢: 2}", "terms: {氢能: 3, 制氢: 2"))
    with pytest.raises(ConfigError) as exc:
        load_taxonomy(path)
    assert exc.value.issues[0].line is not None and exc.value.issues[0].field == "(syntax)"


def test_missing_file_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_taxonomy(tmp_path / "nope.yaml")
