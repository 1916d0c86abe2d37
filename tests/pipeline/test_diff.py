"""Chinese diffs are sentence-level with character marks, and summarise the change in Chinese."""

from __future__ import annotations

from pipeline.diff import diff_texts, mark_chars, split_sentences


def test_sentences_split_on_chinese_punctuation() -> None:
    assert split_sentences("一、目标。到2027年，完成布局！二、措施？") == ["一、目标。", "到2027年，完成布局！", "二、措施？"]


def test_a_one_character_edit_is_a_modified_sentence_not_a_replaced_paragraph() -> None:
    old = "为贯彻落实创新驱动发展战略，现提出如下意见。到2027年，完成重点领域前瞻布局。"
    new = "为贯彻落实创新驱动发展战略，现提出如下意见。到2028年，完成重点领域前瞻布局。"
    d = diff_texts(old, new)
    assert not d.added and not d.removed
    assert len(d.modified) == 1
    assert d.modified[0][2] == "到202[-7-]{+8+}年，完成重点领域前瞻布局。"
    assert "修改“到2027年" in d.summary
    assert 0.9 < d.similarity < 1


def test_added_and_removed_sentences_are_counted() -> None:
    d = diff_texts("甲。乙。丙。", "甲。丙。全新的一句话内容。")
    assert d.removed == ["乙。"]
    assert d.added == ["全新的一句话内容。"]
    assert d.summary == "新增1句，删除1句"


def test_identical_text_has_no_changes() -> None:
    d = diff_texts("甲。乙。", "甲。乙。")
    assert d.summary == "仅格式变化"
    assert d.similarity == 1.0


def test_char_marks_show_insertions() -> None:
    assert mark_chars("完成布局", "完成重点布局") == "完成{+重点+}布局"
