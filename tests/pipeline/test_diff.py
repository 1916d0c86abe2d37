"""Chinese diffs: paragraphs, then sentences, then characters, with a one-line Chinese summary."""

from __future__ import annotations

from pipeline.diff import diff_texts, mark_chars, split_sentences


def test_sentences_split_on_chinese_punctuation() -> None:
    assert split_sentences("一、目标。到2027年，完成布局！二、措施？") == ["一、目标。", "到2027年，完成布局！", "二、措施？"]


def test_a_one_character_edit_is_a_modified_sentence_not_a_replaced_paragraph() -> None:
    old = "为贯彻落实创新驱动发展战略，现提出如下意见。到2027年，完成重点领域前瞻布局。"
    new = "为贯彻落实创新驱动发展战略，现提出如下意见。到2028年，完成重点领域前瞻布局。"
    d = diff_texts(old, new)
    assert not d.added and not d.removed and not d.added_paragraphs
    assert len(d.modified) == 1
    assert d.modified[0][2] == "到202[-7-]{+8+}年，完成重点领域前瞻布局。"
    assert d.summary == "修改“到2027年，完成重点领域前瞻布局。”一句"
    assert 0.9 < d.similarity < 1


def test_whole_paragraphs_added_and_removed_are_counted_as_paragraphs() -> None:
    old = "一、总体要求。\n二、重点任务。\n三、保障措施。"
    new = "一、总体要求。\n二、重点任务。\n（一）培育氢能产业链，建设示范城市群。\n（二）发展前沿电池技术与产品。\n（三）推进核聚变工程化。"
    d = diff_texts(old, new)
    assert d.added_paragraphs == ["（一）培育氢能产业链，建设示范城市群。", "（二）发展前沿电池技术与产品。", "（三）推进核聚变工程化。"]
    assert d.removed_paragraphs == ["三、保障措施。"]
    assert d.summary == "新增3段，删除1段"


def test_sentences_added_inside_a_paragraph_are_counted_as_sentences() -> None:
    d = diff_texts("甲项工作要落实。乙项工作要推进。", "甲项工作要落实。乙项工作要推进。丙项工作要全面启动。")
    assert d.added == ["丙项工作要全面启动。"]
    assert d.summary == "新增1句"


def test_identical_text_has_no_changes() -> None:
    d = diff_texts("甲。\n乙。", "甲。\n乙。")
    assert not d.changed
    assert d.summary == "仅格式变化"
    assert d.similarity == 1.0


def test_render_lists_every_change_with_marks() -> None:
    d = diff_texts("到2027年，完成布局。", "到2028年，完成布局。\n新增一段关于氢能的内容。")
    text = d.render()
    assert text.startswith("相似度 ")
    assert "~ 到202[-7-]{+8+}年，完成布局。" in text
    assert "++ 新增一段关于氢能的内容。" in text


def test_char_marks_show_insertions() -> None:
    assert mark_chars("完成布局", "完成重点布局") == "完成{+重点+}布局"
