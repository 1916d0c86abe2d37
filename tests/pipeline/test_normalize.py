"""Normalization folds what changes without the policy changing, and nothing else."""

from __future__ import annotations

from pipeline.normalize import normalize_text, summarize, text_hash


def test_whitespace_and_full_width_spaces_fold_between_cjk() -> None:
    assert normalize_text("  关于　推动 未来产业\u00a0创新发展  \n\n\n的实施意见 ") == "关于推动未来产业创新发展\n的实施意见"


def test_latin_words_keep_their_spaces() -> None:
    assert normalize_text("发展 AI for Science 和 6G 网络") == "发展 AI for Science 和 6G 网络"


def test_view_counters_and_generation_stamps_do_not_change_the_hash() -> None:
    a = "关于加快培育未来产业的实施意见\n浏览次数：123\n正文内容。"
    b = "关于加快培育未来产业的实施意见\n浏览次数：4567\n正文内容。\n页面生成时间：2025-03-05 10:20"
    assert text_hash(normalize_text(a)) == text_hash(normalize_text(b))


def test_full_width_punctuation_is_kept() -> None:
    assert normalize_text("到2027年，完成布局（试行）：") == "到2027年，完成布局（试行）："


def test_wording_changes_change_the_hash() -> None:
    assert text_hash(normalize_text("到2027年")) != text_hash(normalize_text("到2028年"))


def test_summary_cuts_at_a_sentence_end() -> None:
    text = "第一句话比较长一些，用来测试摘要截断的位置是否合适。" * 3 + "最后一句。"
    s = summarize(text, limit=60)
    assert s.endswith("。") and len(s) <= 60


def test_a_sources_own_noise_patterns_are_dropped() -> None:
    import re

    noise = [re.compile(r"本页访问量\d+")]
    assert normalize_text("正文内容。本页访问量1234", noise) == normalize_text("正文内容。本页访问量99", noise) == "正文内容。"
