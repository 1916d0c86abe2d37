"""Summaries of pages in Traditional script: the rules are written in Simplified and read both.

Replica texts written by the team; the real documents are scored by bench/eval_summary.py.
"""

from __future__ import annotations

from pipeline.summarize import Summarizer, release_summary

RULES = Summarizer.load()

TRADITIONAL_NOTICE = """各區人民政府，市政府各部門：
經市人民政府同意，現將《關於支持未來產業發展的若干措施》印發給你們，請認真貫徹執行。
關於支持未來產業發展的若干措施
為深入貫徹落實黨中央決策部署，結合本市實際，制定本措施。
一、支持創新平台建設
對新認定的市級未來產業創新中心，給予500萬元一次性獎勵。
二、支持企業引進人才
企業引進的高層次人才，可申請每人每月3000元的生活補貼。"""


def test_a_notice_in_traditional_script_is_summarised_from_its_measures() -> None:
    summary = release_summary("通知", TRADITIONAL_NOTICE, doctype="通知公告")
    assert "給予500萬元一次性獎勵" in summary  # quoted in the page's own characters
    assert "可申請每人每月3000元的生活補貼" in summary
    assert "印發給你們" not in summary and "為深入貫徹" not in summary


def test_traditional_furniture_is_furniture() -> None:
    assert RULES.is_furniture("經市人民政府同意，現將《關於加強管理的辦法》印發給你們，請認真遵照執行。")
    assert RULES.is_furniture("第一條 為規範專項資金管理，根據有關規定，結合本市實際，制定本辦法。")
    assert RULES.score("對新認定的企業，給予最高200萬元補助。") == RULES.score("对新认定的企业，给予最高200万元补助。") > 0


def test_pinyin_notes_a_mirror_added_do_not_hide_the_words() -> None:
    # a mirror that re-encodes pages annotates characters with pinyin: 發(fā)給你們
    assert RULES.is_furniture("現(xiàn)將《住房保障實施細則》印發(fā)給你們,請(qǐng)認真執(zhí)行。")
    assert RULES.score("對符合條件的家庭給(gěi)予每戶每年1000元補貼。") >= 3
    assert RULES.score("污染物排放(PM2.5)濃度下降10%。") == RULES.score("污染物排放(PM2.5)浓度下降10%。")  # a note is only pinyin
