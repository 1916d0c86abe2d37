"""Budget cases: what a summary should not spend its first sentence on (invented text, invented topics)."""

from __future__ import annotations

from pipeline.summarize import release_summary

# A briefing transcript: the host and the speaker greet the press before anything is said.
BRIEFING = """国务院新闻办公室今天上午举行吹风会，请有关部门负责人介绍湖泊渔船退捕补偿有关情况，并答记者问。
主持人 张某某
女士们、先生们，大家上午好。欢迎出席今天举办的政策例行吹风会。
某部渔业司负责人 李某某：
各位记者朋友，大家上午好！
按照工作安排，今年将在12个重点湖泊全面完成渔船退捕，对退捕渔民每户给予最高8万元一次性补偿。
"""

# The same opening with an introduction that has no figure: document order then decides, and must skip greetings.
BRIEFING_PLAIN = BRIEFING.splitlines()[:5] + ["退捕以后，沿湖渔民转产上岸，由所在县区统筹安排就业和社会保障。"]

# A news item whose lead names the plan after a 记者…获悉 frame, then recalls past spending.
NEWS = """记者从某市农业农村局获悉：为改变山区茶园老化面貌，某市启动编制新一轮茶园提质三年计划，重点支持老茶园改造和茶叶初制所升级。
从2019年开始，山区茶园连续三年获得共计3亿元的财政投入，带动社会投资9亿元。
"""

# A draft whose put-up sentence opens with a preamble clause and names its draft without 《》.
DRAFT = """根据《某省规范性文件管理规定》，规范性文件清理应当听取公众意见，方便社会公众提出修改建议。
为贯彻落实优化营商环境工作要求，市司法局对现行有效的渔业管理规范性文件进行了全面评估，现将拟废止目录（征求意见稿）向社会公开征求意见。
"""


def test_greetings_in_a_briefing_transcript_are_never_the_summary() -> None:
    s = release_summary("", BRIEFING, doctype="政策解读")
    assert "大家上午好" not in s
    assert "12个重点湖泊" in s
    plain = release_summary("", "\n".join(BRIEFING_PLAIN), doctype="政策解读")
    assert "大家上午好" not in plain and "欢迎出席" not in plain
    assert "转产上岸" in plain


def test_a_news_lead_that_reports_a_plan_being_drawn_up_is_the_summary() -> None:
    s = release_summary("", NEWS, doctype="新闻动态")
    assert "新一轮茶园提质三年计划" in s


def test_a_draft_put_up_without_title_marks_is_what_is_proposed() -> None:
    s = release_summary("", DRAFT, doctype="征求意见稿")
    assert "拟废止目录" in s


def test_a_clip_keeps_a_clause_whose_mark_falls_on_the_last_character_of_the_room() -> None:
    from pipeline.summarize import Summarizer

    rules = Summarizer.load()
    head = "据介绍，湖区退捕规划的主要指标中，渔民转产就业率、安置住房建成率等指标进展符合预期，沿湖12个县区的补偿资金拨付率"
    sentence = head + "；沿湖禁捕水域巡护体系全面建成，部署的36项配套工程顺利推进。"
    room = len(head) + 1  # the kept clauses and "…" fill the room exactly
    assert rules._clip(sentence, room) == head + "…"


def test_a_cut_keeps_a_clause_that_ends_on_the_last_character_of_the_limit() -> None:
    from pipeline.summarize import _cut

    head = "到2028年，全省建成高标准茶园20万亩、茶叶初制所升级改造300家，培育年产值超过10亿元的茶叶龙头企业5家"
    sentence = head + "，带动茶农户均增收3000元以上。"
    assert _cut(sentence, len(head) + 1) == head + "…"


def test_a_clip_is_never_made_inside_a_sentence_that_has_no_clause_mark() -> None:
    from pipeline.summarize import Summarizer

    rules = Summarizer.load()
    sentence = "将山区茶园低产改造每亩补助300元和茶叶初制所技改补贴的申报期限由原定的2026年底统一延长至2027年6月30日。"
    assert rules._clip(sentence, len(sentence) - 3) is None  # not …延长至2027年6月3…


# A draft regulation: its 第一条 only says why and under which laws it is made.
DRAFT_REGULATION = """关于《某市山区茶园保护条例（草案）》公开征求意见的公告
现将该条例草案全文公布，征求社会各界的修改意见和建议。请将修改意见和建议于9月15日前反馈市人大常委会法制工作委员会。
某市山区茶园保护条例（草案）
第一条 为加强本市山区茶园的保护和管理，改善茶园生态环境，促进茶产业持续健康发展，增加茶农收入，根据《中华人民共和国农业法》《中华人民共和国土地管理法》等法律法规规定，结合本市实际，制定本条例。
第二条 本市行政区域内山区茶园的保护、利用及其监督管理活动，适用本条例。
"""


def test_a_regulations_purpose_clause_is_a_preamble() -> None:
    s = release_summary("", DRAFT_REGULATION, doctype="征求意见稿")
    assert "9月15日前" in s
    assert "制定本条例" not in s and "根据《中华人民共和国农业法》" not in s


def test_a_purpose_clause_ending_in_zhiding_ben_tiaoli_is_furniture() -> None:
    from pipeline.summarize import Summarizer

    rules = Summarizer.load()
    clause = DRAFT_REGULATION.splitlines()[3]
    assert clause.startswith("第一条") and rules.is_furniture(clause)
    assert not rules.is_furniture(DRAFT_REGULATION.splitlines()[4])  # 第二条 says whom it applies to


# A news item on a plan being renewed, with the old plan's track record after its lead.
RENEWAL_NEWS = """为改变山区茶园老化面貌，某市继续编制新一轮茶园提质三年计划，重点发展茶叶精深加工和茶旅融合。
计划将于近期报市政府审定，明年起实施。
从2019年开始，山区茶园连续三年获得超过3亿元的财政投入，带动社会投资9亿元。
"""


def test_a_track_record_of_past_years_is_not_the_point_of_a_news_item() -> None:
    s = release_summary("", RENEWAL_NEWS, doctype="行动计划·方案")
    assert s.startswith("为改变山区茶园老化面貌，某市继续编制新一轮茶园提质三年计划")


# A news page that lists this year's projects as bullet lines without end marks.
BULLETS = """今年排定的山区茶产业重点项目
■ 茶园提质类安排正式项目42项，预备项目5项，重点围绕老茶园改造和高标准茶园建设，推动茶叶良种全覆盖
■ 加工升级类安排正式项目18项，预备项目2项，聚焦茶叶初制所清洁化改造和精深加工生产线建设
■ 茶旅融合类安排正式项目9项，重点是建设茶园观光步道和茶文化体验点
"""


def test_bullet_lines_are_points_of_their_own_and_end_as_sentences() -> None:
    s = release_summary("", BULLETS, doctype="新闻动态")
    assert "■" not in s
    assert "茶园提质类安排正式项目42项" in s
    assert "推动茶叶良种全覆盖。加工升级类" in s or s.endswith("推动茶叶良种全覆盖。")
