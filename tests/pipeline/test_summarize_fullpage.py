"""What the page extractor leaves of a whole real page: signature blocks, indicator tables, section numbers, datelines, 批复.

Texts written by the team in the shape of real pages after extraction (issue 15); the real pages are judged in the
helper's notes, never committed.
"""

from __future__ import annotations

from pipeline.summarize import Summarizer, release_summary

RULES = Summarizer.load()


def test_a_signature_line_of_joint_issuers_is_never_the_summary() -> None:
    # a notice whose enclosed measures are elsewhere: the page is salutation, transmittal, signatures and date
    page = """各区人民政府，市直有关单位：
《某市推动工业设备更新的若干措施》已经市政府同意，现印发你们，请认真贯彻落实。
某市发展和改革委员会某市工业和信息化局
某市财政局国家税务总局某市税务局
国家金融监督管理总局某市监管分局中国人民银行某市分行
2026年4月8日"""
    assert release_summary("关于印发《某市推动工业设备更新的若干措施》的通知", page, doctype="通知公告") == ""
    for line in ("中国人民银行某市分行", "某市住房公积金管理中心", "某市轨道交通集团有限公司"):
        assert RULES.is_furniture(line), line


def test_a_content_line_that_ends_like_an_issuer_is_kept() -> None:
    # a list item without an end mark names a body too, but it says what is to be done
    assert not RULES.is_furniture("支持龙头企业牵头组建市级制造业创新中心")
    assert not RULES.is_furniture("推动有条件的园区引进金融机构设立科技支行")


def test_an_indicator_tables_cells_are_not_quoted() -> None:
    page = """一、主要目标
到2027年，全省县级医院床位使用率达到85%以上，日间手术占择期手术比例达到20%。
附件
县级医院运行考核指标
1.床位使用率
定量
计算方法：实际占用总床日数/同期实际开放总床日数×100%。
指标来源：医院填报。
2.日间手术占择期手术比例
定量
计算方法：日间手术台次数/同期出院患者择期手术总台次数×100%。
指标来源：病案首页。"""
    summary = release_summary("关于加强县级医院运行考核的意见", page, doctype="实施意见")
    assert summary.startswith("到2027年，全省县级医院床位使用率达到85%以上")
    assert "计算方法" not in summary and "×100%" not in summary
    assert RULES.is_furniture("床位使用率=实际占用总床日数/实际开放总床日数×100%")


def test_a_multi_level_section_number_is_stripped() -> None:
    page = """4.1 一级响应
4.1.2 出现一级险情时，市指挥部须在2小时内向市政府报告，并在24小时内调集储备物资不少于5000吨。"""
    summary = release_summary("某市物资应急预案", page, doctype="政策文件")
    assert summary.startswith("出现一级险情时")
    # a decimal figure that opens a sentence is not a section number
    assert RULES._clean("1.5万元以下的项目由区级审批。") == "1.5万元以下的项目由区级审批。"


def test_a_newspapers_dateline_is_stripped() -> None:
    page = "某城晚报讯（记者王某某李某）6月1日，市住房公积金管理中心发布通知，公积金个人贷款最高额度由80万元提高至120万元。"
    summary = release_summary("公积金贷款额度提高", page, doctype="新闻动态")
    assert summary.startswith("6月1日，市住房公积金管理中心发布通知")


def test_a_replys_approval_is_what_it_does() -> None:
    reply = """某市人民政府：
你市《关于呈报〈某市国土空间总体规划（2026—2035年）〉的请示》收悉。现批复如下：
一、原则同意《某市国土空间总体规划（2026—2035年）》。
二、要按照高质量发展的要求，推动中心城区与东部新城协同发展，加快建设连接主要组团的轨道交通网络。
三、要坚持以资源环境承载能力为约束，严守生态保护红线，将全市蓝绿空间占比稳定在60%。
四、要强化分区引导，推进老旧街区有机更新，建设宜居宜业的现代化城市。"""
    summary = release_summary("关于某市国土空间总体规划的批复", reply, doctype="政策文件")
    assert summary.startswith("原则同意《某市国土空间总体规划（2026—2035年）》。")
    assert "蓝绿空间占比稳定在60%" in summary
