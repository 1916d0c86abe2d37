"""The quoted sentence under a label ("why filed here") reads as a sentence, not as a table's cells run together.

The classifier matches on text whose line breaks are gone (a term wrapped across lines must still match),
so a table's rows run into one another there; the quote prefers a prose sentence that names the track,
and quotes a table only when the track's terms stand in tables alone, as the row that holds the hit.
"""

from __future__ import annotations

import pytest

from pipeline.classify import QUOTE_CHARS, Classifier

TITLE = "某市关于印发2026年重点任务清单的通知"
TABLE = """序号 | 领域 | 重点方向 | 牵头单位 | 完成时限
1 | 能源 | 开展氢能制储输用全链条技术攻关，新建加氢站5座 | 市发展改革委 | 2026年12月
2 | 信息 | 建设量子计算原型机测试平台，推进量子通信城域网建设 | 市科技局 | 2026年10月"""


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


def _quotes(clf: Classifier, body: str) -> dict[str, str]:
    return {lb.track: lb.quote for lb in clf.classify(TITLE, body)}


def test_a_prose_sentence_naming_the_track_is_quoted_before_a_table_row(clf: Classifier) -> None:
    body = f"各区、各部门：\n现将重点任务清单印发给你们。\n{TABLE}\n支持氢能企业开展燃料电池汽车示范应用，推动加氢站布局建设。"
    assert _quotes(clf, body)["未来能源"] == "支持氢能企业开展燃料电池汽车示范应用，推动加氢站布局建设。"


def test_a_term_only_in_a_table_is_quoted_as_its_row(clf: Classifier) -> None:
    body = f"各区、各部门：\n现将重点任务清单印发给你们，请认真贯彻落实。\n{TABLE}\n请各牵头单位按时报送进展情况。"
    quotes = _quotes(clf, body)
    assert quotes["未来能源"] == "1 | 能源 | 开展氢能制储输用全链条技术攻关，新建加氢站5座 | 市发展改革委 | 2026年12月"
    assert (
        quotes["未来信息"] == "2 | 信息 | 建设量子计算原型机测试平台，推进量子通信城域网建设 | 市科技局 | 2026年10月"
    )  # not the row above it


def test_a_long_row_keeps_the_hit_cell_and_neighbours_within_the_quote_length(clf: Classifier) -> None:
    wide = "3 | " + " | ".join(
        ["牵头单位为市工业和信息化局并会同各区政府"] * 3
        + ["推进人形机器人整机研发和具身智能关键零部件攻关"]
        + ["市财政局安排专项资金予以支持"] * 3
    )
    body = f"现将清单印发给你们。\n序号 | 内容\n{wide}\n请认真落实。"
    quote = _quotes(clf, body)["未来制造"]
    assert "推进人形机器人整机研发和具身智能关键零部件攻关" in quote and len(quote) <= QUOTE_CHARS + 2
    assert " | " in quote and quote.startswith("…")  # the first cells did not fit: the cut is marked


def test_a_pasted_table_without_cell_marks_is_cut_at_clauses_around_the_hit(clf: Classifier) -> None:
    """A table pasted as paragraphs: hundreds of characters and no sentence end; no prose names the track."""
    run = (
        "梯队划分主要方向阶段特征发展定位第一梯队萌芽期前沿材料探索，实验室阶段，工艺路线尚未定型，长期布局"
        "第二梯队成长期高性能碳纤维及复合材料、第三代半导体材料，中试验证加快，成本仍然偏高，重点攻坚"
        "第三梯队扩展期先进钢铁材料、高端铝合金，产业链完整，市场认可度高，规模扩张"
    ) * 3  # about 400 characters without a sentence end
    body = f"本文梳理了各地产业梯队的布局情况。\n{run}。\n以上内容仅供参考。"
    quote = _quotes(clf, body).get("未来材料", "")
    assert quote, "filed under 未来材料"
    assert len(quote) <= QUOTE_CHARS + 2
    assert quote.startswith("…") and quote.lstrip("…")[0] != "料", quote  # cut at a clause mark, not mid-word
    assert "碳纤维" in quote or "前沿材料" in quote


def test_a_heading_line_run_into_the_sentence_below_it_is_left_out(clf: Classifier) -> None:
    """Without line breaks "（二）发展目标" reads as the start of the target sentence; it is a heading of its own."""
    body = "现将有关事项通知如下。\n（二）发展目标\n到2027年，全市人形机器人产业规模突破300亿元，培育整机企业5家以上。"
    assert _quotes(clf, body)["未来制造"] == "到2027年，全市人形机器人产业规模突破300亿元，培育整机企业5家以上。"


def test_the_first_line_of_a_wrapped_item_stays_in_its_quote(clf: Classifier) -> None:
    """A PDF wraps "（二）到2027年，…" across lines: the first line carries a clause mark, so it is text, not a heading."""
    body = "现将有关事项通知如下。\n（二）到2027年，全市人形机器人产业\n规模突破300亿元，培育整机企业5家以上。"
    assert _quotes(clf, body)["未来制造"] == "（二）到2027年，全市人形机器人产业规模突破300亿元，培育整机企业5家以上。"


def test_a_heading_printed_after_a_sentence_on_its_line_is_left_out_too(clf: Classifier) -> None:
    body = "现提出以下意见。（三）主要目标\n到2027年，全市人形机器人产业规模突破300亿元，培育整机企业5家以上。"
    assert _quotes(clf, body)["未来制造"] == "到2027年，全市人形机器人产业规模突破300亿元，培育整机企业5家以上。"
