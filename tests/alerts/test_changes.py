"""Changes as a reader needs them: the old and the new sentence, the changed characters marked."""

from __future__ import annotations

from alerts.changes import sentence_changes

OLD = "总体要求。\n到2027年，建成加氢站200座。\n加强组织领导。"
NEW = "总体要求。\n到2028年，建成加氢站300座。\n加强组织领导。\n每年12月底前报送年度进展。"


def test_a_modified_sentence_shows_both_versions_with_marks() -> None:
    changes = sentence_changes(OLD, NEW)
    assert [c.kind for c in changes] == ["修改", "新增"]
    mod = changes[0]
    assert mod.text_lines() == ["原：到202[7]年，建成加氢站[2]00座。", "现：到202[8]年，建成加氢站[3]00座。"]
    html = str(mod.html())
    assert "<del" in html and ">7</del>" in html and ">8</ins>" in html and ">3</ins>" in html
    assert changes[1].text_lines() == ["每年12月底前报送年度进展。"]


def test_a_long_sentence_is_shortened_around_the_edit_and_markup_is_escaped() -> None:
    head, tail = "甲" * 80, "乙" * 80
    [change] = sentence_changes(f"{head}<b>2027</b>{tail}。", f"{head}<b>2028</b>{tail}。")
    old, new = change.text_lines()
    assert old.startswith("原：…") and old.endswith("…") and "<b>202[7]</b>" in old and len(old) < 80
    assert "&lt;b&gt;202" in str(change.html()) and "<b>" not in str(change.html())
    assert new.startswith("现：…") and "<b>202[8]</b>" in new


def test_no_change_means_nothing_to_show() -> None:
    assert sentence_changes(OLD, OLD) == []
