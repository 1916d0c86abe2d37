"""config/extraction.yaml: the shipped file is valid, and a broken one names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extraction_rules import load_rules
from core.yamlconfig import ConfigError


def test_the_shipped_rules_load_and_publish_labels_come_before_the_generic_ones() -> None:
    rules, edges = load_rules()
    labels = rules.dates.labels
    assert labels.index("发布日期") < labels.index("成文日期") < labels.index("时间")
    assert edges.is_end_furniture("【纠错】【责任编辑:王某】")
    assert not edges.is_end_furniture("各地要及时报送进展情况。")
    # a sentence under a furniture word stays; a disclaimer sentence does not
    assert not edges.is_end_furniture("来源：本措施所需资金由市财政统筹安排，各区按比例配套。")
    assert edges.is_end_furniture("声明：本站登载此文只为多提供一个消息来源，如涉版权请与本站联系。")


def test_a_bad_pattern_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "extraction.yaml"
    path.write_text("dates:\n  labels: [发布日期]\nbody_edges:\n  start:\n    - '来源[:：'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(str(path))
    text = str(err.value)
    assert f"{path}:" in text and "body_edges.start" in text and "not a regular expression" in text


def test_a_label_with_spaces_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "extraction.yaml"
    path.write_text("dates:\n  labels:\n    - 发布日期\n    - 发 布 时 间\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"extraction.yaml:\d+: dates.labels"):
        load_rules(str(path))


def test_a_doc_number_label_with_spaces_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "extraction.yaml"
    path.write_text("dates:\n  labels: [发布日期]\ndoc_numbers:\n  labels:\n    - 文件编号\n    - 发 文 号\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"extraction.yaml:\d+: doc_numbers.labels"):
        load_rules(str(path))


def test_a_body_container_that_is_not_xpath_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "extraction.yaml"
    path.write_text("dates:\n  labels: [发布日期]\nbody:\n  containers:\n    - '//*[@id=\"zoom\"'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"extraction.yaml:\d+: body.containers"):
        load_rules(str(path))


def test_a_lead_box_class_word_must_be_a_plain_word_and_its_label_a_pattern(tmp_path: Path) -> None:
    path = tmp_path / "extraction.yaml"
    path.write_text("dates:\n  labels: [发布日期]\nbody:\n  lead_boxes:\n    classes: [div.summary]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"extraction.yaml:\d+: body.lead_boxes.classes"):
        load_rules(str(path))
    path.write_text("dates:\n  labels: [发布日期]\nbody:\n  lead_boxes:\n    label: '(导语'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"body.lead_boxes.label"):
        load_rules(str(path))


def test_the_shipped_doc_number_forms_read_the_usual_numbers_and_not_prose() -> None:
    import re

    rules, _ = load_rules()
    forms = [re.compile(p) for p in rules.doc_numbers.patterns]
    for number in ("国办发〔2024〕12号", "某财税[2024]第8号", "某政办发（2023）9号", "国家某某总局公告2024年第3号", "某某部令第12号"):
        assert any(p.fullmatch(number) for p in forms), number
    assert not any(p.search("全年组织招聘活动不少于一百场") for p in forms)
