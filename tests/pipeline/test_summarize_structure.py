"""Summaries use their budget and the document's structure: clipped second points, sections, definitions.

Replica texts written by the team in the shape of real notices, plans and 解读; the real documents are scored by
bench/eval_summary.py.
"""

from __future__ import annotations

from pipeline.summarize import Summarizer, release_summary

RULES = Summarizer.load()

PLAN_WITH_LONG_MEASURE = """一、主要目标
到2027年，全市培育氢能企业不少于100家。
二、支持政策
对新建成并投入运营的加氢站，按照日加氢能力给予最高500万元建设补贴，对年加氢量超过100吨的站点每公斤再给予10元运营补贴，对燃料电池汽车示范应用牵头企业按照车辆推广数量给予奖励，对参与氢能重大项目建设的金融机构给予风险补偿，补贴资金由市、区两级财政按1:1比例分担，具体申报指南由市发展改革委会同市财政局另行发布。"""


def test_a_second_strong_sentence_too_long_to_fit_is_clipped_at_a_clause() -> None:
    summary = release_summary("行动方案", PLAN_WITH_LONG_MEASURE, doctype="行动计划·方案")
    assert summary.startswith("到2027年，全市培育氢能企业不少于100家。")
    assert "给予最高500万元建设补贴" in summary  # the support measure, not only the target
    assert summary.endswith("…") and summary[-2] not in "，,；;"  # cut where a clause ends
    assert len(summary) <= 150


def test_a_clip_that_would_keep_no_strong_cue_is_not_made() -> None:
    plan = """到2027年，全市培育氢能企业不少于100家。
围绕制氢、储氢、运氢、加氢和用氢各环节，统筹城市空间布局、产业基础条件、交通运输网络、能源供应体系和应用场景需求，按照先行先试、示范引领、有序推广、安全可控、市场主导、政府引导的总体思路，在全市范围内有序推进加氢站网络和多元应用场景建设布局，对新建成并投入运营的加氢站给予最高500万元建设补贴，对燃料电池汽车示范企业给予奖励。"""
    summary = release_summary("行动方案", plan, doctype="行动计划·方案")
    assert summary == "到2027年，全市培育氢能企业不少于100家。"  # the opening clauses say nothing; better one whole point


def test_a_sub_heading_keeps_the_bonus_of_its_section() -> None:
    flat = Summarizer(RULES.rules.model_copy(update={"position_decay": 0.0}))  # the same score at any position
    goal = "产业集聚水平明显提升，建设未来产业园区5个。"
    under_sub_heading = {c.text: c.score for c in flat.candidates(f"二、主要目标\n（一）产业规模\n{goal}")}
    directly_under = {c.text: c.score for c in flat.candidates(f"二、主要目标\n{goal}")}
    unnamed_section = {c.text: c.score for c in flat.candidates(f"二、产业规模\n{goal}")}
    assert under_sub_heading[goal] == directly_under[goal] > unnamed_section[goal]


def test_a_new_top_level_section_ends_the_bonus() -> None:
    flat = Summarizer(RULES.rules.model_copy(update={"position_decay": 0.0}))
    text = "一、主要目标\n（一）产业规模\n全市建设未来产业园区5个。\n二、组织实施\n（一）加强协调\n各区建设未来产业园区5个。"
    first, second = flat.candidates(text)
    assert first.score > second.score + 1


def test_a_sections_first_sentence_is_its_topic_sentence() -> None:
    flat = Summarizer(RULES.rules.model_copy(update={"position_decay": 0.0}))
    text = """三、重点任务
建设量子计算公共服务平台，开放算力不少于1000小时。
建设量子通信试验网络，覆盖园区不少于10个。"""
    first, second = flat.candidates(text)
    assert first.score > second.score
    assert len(flat.candidates(text.split("\n", 1)[1])) == 2  # without a heading, no topic sentence
    a, b = flat.candidates(text.split("\n", 1)[1])
    assert a.score == b.score


def test_an_interpretations_background_answer_is_not_what_the_policy_does() -> None:
    qa = """一、《办法》出台的背景是什么？
答：近期，全省培育专精特新中小企业超过3000家，带动就业12万人，但融资难问题依然突出。
二、《办法》的主要内容有哪些？
答：《办法》明确，对首次获得银行贷款的中小企业，给予最高50万元贴息补助。"""
    summary = release_summary("《中小企业融资支持办法》政策解读", qa, doctype="政策解读")
    assert "给予最高50万元贴息补助" in summary
    assert "专精特新中小企业超过3000家" not in summary


def test_a_definition_of_what_the_policy_governs_is_quoted() -> None:
    assert RULES.score("数据经纪服务是指为数据供需双方提供撮合、评估和交付等中介服务的经营活动。") >= 3
    assert RULES.score("这是指导各地工作的重要文件。") == 0  # 这是 + 指导: no definition
    qa = """一、如何界定数据经纪服务？
《办法》第二条明确，数据经纪服务是指为数据供需双方提供撮合、评估和交付等中介服务的经营活动。
这一界定与国家有关规定保持一致，便于各地理解。
二、下一步如何抓好落实？
我们将做好宣传解读，推动政策落地见效。"""
    summary = release_summary("《数据经纪服务管理办法》解读", qa, doctype="政策解读")
    assert "数据经纪服务是指为数据供需双方提供撮合" in summary


def test_the_grades_a_policy_sets_are_quoted() -> None:
    assert RULES.score("监管对象按照风险程度分为低风险、中风险和高风险三个等级。") >= 2
    assert not RULES._has_cue("classification", "参会人员分为若干小组交流经验。")  # no grades named


def test_a_news_item_about_a_change_leads_with_the_change() -> None:
    news = """好消息！
2026年1月1日起，灵活就业人员参加医疗保险不再受户籍限制，缴费基数调整为上年度平均工资的60%。
记者从市医保局获悉，这项调整惠及全市灵活就业人员。
办理方式
参保人可通过政务服务网线上办理。"""
    assert RULES._has_cue("effective", "2026年1月1日起，灵活就业人员参加医疗保险不再受户籍限制。")
    assert RULES._has_cue("change", "缴费基数调整为上年度平均工资的60%。")
    summary = release_summary("明年起医保参保不再受户籍限制", news, doctype="新闻动态")
    assert summary.startswith("2026年1月1日起，灵活就业人员参加医疗保险不再受户籍限制")


def test_how_to_reach_the_comment_form_is_not_the_proposal() -> None:
    draft = """公众可通过以下方式提出意见：
1.登录市发展改革委网站（网址：http://fgw.example.gov.cn），在“意见征集”栏目点击《若干措施（征求意见稿）》提出意见。
2.意见反馈截止时间为2026年5月31日。
附：《关于支持未来产业发展的若干措施（征求意见稿）》
第一条对新认定的未来产业先导区，给予最高2000万元奖励。"""
    summary = release_summary("关于公开征求意见的通知", draft, doctype="征求意见稿")
    assert "意见反馈截止时间为2026年5月31日" in summary and "给予最高2000万元奖励" in summary
    assert "网址" not in summary and "点击" not in summary
    # a deadline that names where to send the comments is still the deadline
    assert not RULES.is_furniture("请于2026年5月31日前登录市发展改革委网站提交意见。")


def test_where_things_stand_this_year_is_not_a_target() -> None:
    assert RULES.score("截至今年6月底，全市累计建成充电桩3万个。") < RULES.score("到2027年，全市累计建成充电桩10万个。")
    assert RULES.score("截至今年6月底，全市累计建成充电桩3万个。") <= 0


def test_numbers_set_apart_by_spaces_in_pdf_text_still_count() -> None:
    assert RULES.score("到 2027 年，培育未来产业企业 100 家。") == RULES.score("到2027年，培育未来产业企业100家。") > 3


def test_a_clip_must_keep_the_point_of_the_sentence_not_only_its_cue_word() -> None:
    head_only_cue = "《行动计划》提出，围绕人工智能终端产业链条，统筹推进研发设计、生产制造和应用推广，到2026年，培育人工智能终端企业不少于200家，产业规模突破5000亿元。"
    assert RULES._clip(head_only_cue, 60) is None  # 《行动计划》提出，… keeps the cue word and loses the target
    full_target = "到2026年，培育人工智能终端企业不少于200家、专精特新企业50家，产业规模突破5000亿元，打造具有全球影响力的人工智能终端产业集群和创新高地。"
    clipped = RULES._clip(full_target, 60)
    assert clipped == "到2026年，培育人工智能终端企业不少于200家、专精特新企业50家，产业规模突破5000亿元…"


def test_a_sentence_cut_to_fit_alone_does_not_end_on_a_bare_target_year() -> None:
    sentence = (
        "坚持创新驱动、应用牵引、开放合作、安全可控，统筹推进人工智能基础设施、关键技术、产业生态和治理体系建设，"
        "加快人工智能与制造业、服务业、农业和社会治理深度融合，着力构建自主可控、安全高效、开放融合的现代化人工智能产业体系，"
        "全面提升人工智能产业核心竞争力和可持续发展能力，到2030年，人工智能核心产业规模突破5000亿元，带动相关产业规模超过3万亿元，培育具有全球影响力的领军企业不少于20家。"
    )
    summary = release_summary("规划", sentence)
    assert summary.endswith("可持续发展能力…") and len(summary) <= 150
    assert "到2030年" not in summary


def test_no_longer_eligible_is_not_a_change_of_policy() -> None:
    assert RULES._has_cue("change", "自2026年起，申请人无需再提交纸质材料。")
    assert RULES._has_cue("change", "企业开办不再收取登记费。")
    assert not RULES._has_cue("change", "对不再符合保障条件的家庭，按规定退出保障。")


def test_how_a_regulation_is_laid_out_is_not_what_it_does() -> None:
    qa = """二、《办法》的主要内容是什么？
答：《办法》共6章32条，分为总则、申请条件、审核程序、监督管理和附则。
《办法》明确，对符合条件的高层次人才，给予最高100万元安家补贴。"""
    summary = release_summary("《人才安居办法》解读", qa, doctype="政策解读")
    assert "共6章32条" not in summary and "给予最高100万元安家补贴" in summary


def test_guiding_ideology_and_principles_are_not_what_a_plan_does() -> None:
    flat = Summarizer(RULES.rules.model_copy(update={"position_decay": 0.0, "section_lead_bonus": 0.0}))
    sentence = "坚持创新引领，推动未来产业与实体经济深度融合，加快形成新质生产力。"
    plain = {c.text: c.score for c in flat.candidates(f"一、重点工作\n{sentence}")}[sentence]
    for heading in ("（一）指导思想", "（二）基本原则"):
        scored = {c.text: c.score for c in flat.candidates(f"一、总体要求\n{heading}\n{sentence}")}
        assert scored[sentence] < plain, heading
    plan = """一、总体要求
（一）基本原则
坚持创新引领，推动未来产业与实体经济深度融合，加快建设一批创新平台。
（二）主要目标
到2027年，培育未来产业领军企业不少于30家。"""
    assert release_summary("行动方案", plan).startswith("到2027年，培育未来产业领军企业不少于30家")


def test_an_interpretations_answer_on_what_changed_and_who_qualifies_is_preferred() -> None:
    flat = Summarizer(RULES.rules.model_copy(update={"position_decay": 0.0}))
    answer = "《办法》将补贴标准提高至每人每月500元，发放范围扩大到全体困难老人。"
    for question, other in (("三、与原政策相比有哪些变化？", "三、下一步有什么工作安排？"), ("二、支持对象有哪些？", "二、如何做好宣传？")):
        better = {c.text: c.score for c in flat.candidates(f"{question}\n{answer}")}[answer]
        worse = {c.text: c.score for c in flat.candidates(f"{other}\n{answer}")}[answer]
        assert better > worse, question


# A replica of a PDF attachment's text: one printed line per line (about 26 characters), cut mid-word,
# with blank lines between printed lines as extraction often leaves them.
WRAPPED_PLAN = """关于加快发展海洋装备产业的实施意见
为加快发展海洋装备产业，推动全省海洋经济高质量发

展，现提出如下意见。

一、主要目标

到2028年，全省海洋装备产业链条更加完整，创新能力明

显增强。培育海洋装备领军企业15家、专精特新企业200

家，建成省级以上创新平台30个，产业规模突破3000亿元

，形成一批具有国际竞争力的产业集群。

二、重点任务

（一）提升船舶与海工装备能力

支持骨干企业建设智能船厂，推动深远海养殖平台、海上

风电安装船等高端装备研发制造。

— 3 —

对首台（套）海洋装备给予最高800万元奖励，对新认定的

国家级创新平台给予一次性500万元支持。"""


def test_hard_wrapped_pdf_lines_are_rejoined_into_sentences() -> None:
    from pipeline.summarize import split_sentences

    sentences = split_sentences(WRAPPED_PLAN)
    assert "一、主要目标" in sentences and "（一）提升船舶与海工装备能力" in sentences  # headings stay lines
    assert any(s.startswith("培育海洋装备领军企业15家、专精特新企业200家，建成") for s in sentences)
    assert any(s.startswith("对首台（套）海洋装备给予最高800万元奖励，对新认定的国家级") for s in sentences)  # across a page number
    summary = release_summary("实施意见", WRAPPED_PLAN, doctype="实施意见")
    assert "专精特新企业200家" in summary or "最高800万元奖励" in summary
    assert "明\n" not in summary and "发展，现提出" not in summary


def test_text_whose_lines_are_paragraphs_is_not_rejoined() -> None:
    from pipeline.summarize import split_sentences

    page = "二、主要目标\n到2027年，建成示范社区100个\n（一）完善服务设施\n对新建社区食堂给予最高20万元补助。"
    assert split_sentences(page) == [
        "二、主要目标",
        "到2027年，建成示范社区100个",
        "（一）完善服务设施",
        "对新建社区食堂给予最高20万元补助。",
    ]


def test_a_comment_deadline_that_introduces_the_ways_to_comment_is_kept() -> None:
    draft = """为提高规章质量，现将《城市绿地管理规定（修订草案征求意见稿）》全文公布，征求社会各界意见。
社会各界可以在2026年8月15日前，通过以下方式提出意见：
（一）通过信函将意见寄至某市某区某路1号。
（二）通过电子邮件将意见发送至：lvdi@example.gov.cn。"""
    summary = release_summary("关于《城市绿地管理规定（修订草案征求意见稿）》公开征求意见的通知", draft, doctype="征求意见稿")
    assert "2026年8月15日前" in summary


def test_a_comment_deadline_given_without_its_year_is_the_deadline() -> None:
    draft = """《某市养犬管理条例（草案）》已经市人大常委会第一次审议。
为广泛听取意见，现将草案全文公布，欢迎社会各界提出意见。
意见请于9月30日前以信函或电子邮件方式寄至市人大常委会法工委。
第二条 本条例所称犬只，是指在本市行政区域内饲养的各类犬只，包括个人、单位饲养的犬只。"""
    summary = release_summary("关于《某市养犬管理条例（草案）》公开征求意见的公告", draft, doctype="征求意见稿")
    assert "9月30日前" in summary


def test_a_deadline_addressed_to_the_public_is_not_a_salutation() -> None:
    draft = """现将《河道采砂管理办法（征求意见稿）》全文公布，征求社会各界意见。
有关单位和社会公众可以在2026年9月1日前，通过以下途径提出意见：
（一）通过电子邮件将意见发送至：hedao@example.gov.cn。"""
    summary = release_summary("关于《河道采砂管理办法（征求意见稿）》公开征求意见的通知", draft, doctype="征求意见稿")
    assert "2026年9月1日前" in summary


def test_a_draft_put_up_for_comment_is_named_next_to_its_deadline() -> None:
    draft = """为了提高立法质量，现将市司法局起草的《某市物业管理条例（修订草案征求意见稿）》及其说明全文公布，征求社会各界意见。
社会各界可以在2026年10月8日前，通过以下方式提出意见：
（一）通过信函将意见寄至某市司法局立法处。"""
    summary = release_summary("关于《某市物业管理条例（修订草案征求意见稿）》公开征求意见的通知", draft, doctype="征求意见稿")
    assert "《某市物业管理条例（修订草案征求意见稿）》" in summary and "2026年10月8日前" in summary


def test_what_a_regulation_applies_to_is_quoted_for_a_tiaoli_as_for_a_banfa() -> None:
    text = """第一条 为了规范城市绿化管理，根据有关法律法规，结合本市实际，制定本条例。
第二条 本市行政区域内城市绿地的规划、建设、养护和管理，适用本条例。
第三条 本条例所称城市绿地，是指以植被为主要存在形态，用于改善生态、美化环境的城市用地。
第四条 城市绿化工作应当坚持政府主导、社会参与的原则。
第五条 鼓励单位和个人通过认建认养等方式参与城市绿化建设，对成绩显著的给予表彰奖励。"""
    summary = release_summary("某市城市绿化条例", text, doctype="政策文件")
    assert "适用本条例" in summary  # who and what it governs, as 适用于 would be


def test_land_water_energy_and_service_time_figures_are_quantities() -> None:
    rules = RULES
    for sentence in (
        "新建高标准农田5万亩，恢复湿地1200公顷。",
        "全年削减化学需氧量3000吨，新增供水能力20万立方米。",
        "新增储能装机50万千瓦，年发电量达到8亿千瓦时。",
        "城市建成区内40平方公里完成改造。",
        "企业投资项目备案在3个工作日内办结。",
    ):
        assert rules._has_cue("quantity", sentence), sentence
    assert not rules._has_cue("quantity", "自发布之日起3个月内完成清理。")  # a month count is no quantity


def test_a_paragraph_cut_by_a_page_break_runs_on() -> None:
    from pipeline.summarize import split_sentences

    text = """二、主要目标
到2027年，全市建成智慧养老服务平台1个，培育养老服务龙头企业20家，新增街道综合养老服务中心和社区嵌入式养老服务设施
300处，护理型床位占比达到65%以上。
三、重点任务"""
    assert (
        "到2027年，全市建成智慧养老服务平台1个，培育养老服务龙头企业20家，新增街道综合养老服务中心和社区嵌入式养老服务设施300处，护理型床位占比达到65%以上。"
        in split_sentences(text)
    )
    assert split_sentences(text)[0] == "二、主要目标" and split_sentences(text)[-1] == "三、重点任务"


def test_a_second_point_with_one_strong_cue_is_not_lost_to_position_or_length() -> None:
    # the second point sits late in the document: position decay and length lower its rank, not its content
    filler = "\n".join(f"（{n}）推进第{n}项工作。" for n in "一二三四五六七八")
    text = f"""到2027年，全市新增公共充电桩2万个。
{filler}
本方案适用于在本市注册并实际运营、服务范围覆盖全市各区的新能源汽车充电设施运营企业。"""
    summary = release_summary("实施方案", text, doctype="行动计划·方案")
    assert summary.startswith("到2027年，全市新增公共充电桩2万个。")
    assert "适用于在本市注册" in summary  # who it applies to: one strong cue, enough for a further point


def test_what_a_regulation_bans_from_a_date_is_a_point() -> None:
    text = """第一条 为加强塑料污染治理，结合本市实际，制定本规定。
第二条 本市行政区域内塑料制品的生产、销售和使用，适用本规定。
第三条 市生态环境部门负责本规定的组织实施。
第四条 商场、超市应当建立塑料购物袋使用台账。
自2027年1月1日起，全市餐饮行业禁止使用不可降解一次性塑料餐具。"""
    summary = release_summary("某市塑料污染治理规定", text, doctype="政策文件")
    assert "禁止使用不可降解一次性塑料餐具" in summary


def test_two_near_identical_sentences_are_not_both_quoted() -> None:
    text = """对符合条件的小微企业给予最高30万元贷款贴息，执行期限为2026年1月1日至2028年12月31日。
对符合条件的个体工商户给予最高10万元贷款贴息，执行期限为2026年1月1日至2028年12月31日。
上述政策适用于本市注册的小微企业，执行期限为2026年1月1日至2028年12月31日。
上述政策适用于本市注册的个体工商户，执行期限为2026年1月1日至2028年12月31日。"""
    summary = release_summary("若干措施", text, doctype="政策文件")
    assert summary.count("执行期限为2026年1月1日至2028年12月31日") <= 1


def test_where_a_measure_was_announced_is_not_what_it_does() -> None:
    news = """3月6日上午，在市政府新闻办举行的新闻发布会上，市商务局负责人就此作出介绍，明确以四项举措推动消费提质扩容。
聚力打造消费新场景
今年将新建特色商业街区10条，对新认定的市级特色街区给予最高100万元奖励。
聚力激发汽车消费
对个人消费者购买新能源乘用车的，按车价给予最高8000元补贴。"""
    summary = release_summary("市商务局：四项举措推动消费提质扩容", news, doctype="新闻动态")
    assert "新闻发布会" not in summary
    assert "最高100万元奖励" in summary


def test_why_a_policy_matters_is_not_what_it_does() -> None:
    for sentence in (
        "这一部署，不仅是城市能级跃升的内在要求，更是服务全省发展大局、打造区域消费高地的使命担当。",
        "加强城市商圈和消费设施建设，有利于扩大内需、提振消费信心，推动经济持续回升向好。",
        "开展社区嵌入式服务设施建设，是推动优质普惠公共服务惠及全民的重要举措。",
    ):
        assert RULES.score(sentence, "新闻动态") < RULES.rules.min_score, sentence  # not worth a further point
    assert RULES.score("《实施意见》提出，到2028年，全市社会消费品零售总额突破8000亿元。", "新闻动态") >= RULES.rules.min_score


def test_a_byline_with_a_timestamp_is_furniture() -> None:
    assert RULES.is_furniture("某某日报·城市频道 2026-03-06 09:15:23")
    assert RULES.is_furniture("发布时间：2026/03/06 10:00")
    assert not RULES.is_furniture("自2026年3月6日起，全市实行新的停车收费标准。")


def test_the_title_of_an_enclosed_document_is_a_heading_not_content() -> None:
    notice = """各县（区）人民政府，市政府各部门：
现将《某市国有企业投资监督管理办法》印发给你们，请认真遵照执行。
某市国有资产监督管理委员会投资监督管理办法（试行）
第一条 为规范国有企业投资行为，制定本办法。
第二条 本办法适用于市国资委履行出资人职责的国有独资和控股企业。"""
    summary = release_summary("关于印发某市国有企业投资监督管理办法的通知", notice, doctype="政策文件")
    assert "管理办法（试行）" not in summary and "适用于市国资委履行出资人职责" in summary
    assert RULES._is_heading("某市国有资产监督管理委员会投资监督管理办法（试行）")
    assert RULES._is_heading("某市城乡建设投资（集团）有限公司资产经营管理办法")
    assert RULES._is_heading("关于加快推进城市更新行动的实施方案(2026—2028年)")
    assert not RULES._is_heading("市财政局会同市住建局制定城市更新专项资金管理办法")  # a sentence about making one


def test_an_announcement_that_gives_the_figures_is_kept() -> None:
    assert not RULES.is_furniture("在今天举行的新闻发布会上，市发改委介绍，到2027年全市将建成充电站500座。")
    assert RULES.is_furniture("在今天举行的新闻发布会上，市发改委副主任就此作出介绍，明确以四项举措推动高质量发展。")


def test_a_wrapped_pdf_attachment_is_rejoined_on_its_own() -> None:
    body = "\n".join(
        [
            "各区人民政府，市政府各委、办、局：",
            "现将《某市低空经济发展行动方案》印发给你们，请结合实际认真贯彻落实。",
            "某市人民政府办公厅",
            "2026年5月8日",
        ]
        + [f"第{n}批次的材料已于上月报送市政府办公厅备案，各单位按照原渠道领取纸质文本。" for n in range(1, 31)]
    )
    plan = (
        "某市低空经济发展行动方案\n"
        "一、主要目标\n"
        "到2028年，全市低空经济产业规模突破500亿元，开通低空航线100条，建成起降场点300个，引育低空经济企业200家以上，"
        "形成具有区域影响力的低空经济产业集群。\n"
        "二、重点任务\n"
        "加快建设低空飞行服务保障体系，推动无人机物流、城市空中交通、应急救援等场景应用，支持企业开展适航审定和试飞验证。"
    )
    pdf = "\n".join(chunk for para in plan.split("\n") for chunk in (para[i : i + 26] for i in range(0, len(para), 26)))
    summary = release_summary("关于印发某市低空经济发展行动方案的通知", body, "【附件：行动方案.pdf】\n" + pdf, doctype="行动计划·方案")
    # line fragments picked one by one would read alike but stop mid-word (…低空经济产业 / 集群。)
    assert "产业规模突破500亿元，开通低空航线100条" in summary and summary.endswith(("。", "…"))


def test_places_and_batches_are_counted_and_a_news_dateline_is_stripped() -> None:
    assert RULES._has_cue("quantity", "全市新建口袋公园120处，分两批推进。")
    assert RULES._has_cue("quantity", "已公布3批共计45个试点项目名单。")
    news = "新华社北京3月6日电（记者某某）记者从交通运输部获悉，今年将新建改建农村公路3万公里，新增城市公交专用道800公里。"
    assert release_summary("今年将新建改建农村公路3万公里", news, doctype="新闻动态").startswith("记者从交通运输部获悉")


def test_a_preamble_ending_in_a_named_kind_of_plan_is_furniture() -> None:
    assert RULES.is_furniture(
        "为更好发挥园区带动作用，根据省里《关于推动开发区提质增效的若干意见》（某政发〔2026〕1号）要求，结合我区实际，制定本实施方案。"
    )
    assert RULES.is_furniture("为加快建设现代化产业体系，结合本市实际，制定本行动计划。")


def test_a_target_year_that_opens_the_sentence_is_a_target() -> None:
    for sentence in (
        "2027年，力争全市数字经济核心产业增加值占比达到15%。",
        "2026年基本完成老旧小区改造任务。",
        "2028年底全面建成“15分钟便民生活圈”。",
    ):
        assert RULES._has_cue("target_year", sentence), sentence
    assert not RULES._has_cue("target_year", "2024年基本完成了老旧小区改造任务。")  # done: where things stand


def test_a_chosen_list_lead_in_does_not_end_the_summary_on_a_colon() -> None:
    draft = """现将《某市公共数据管理办法（征求意见稿）》全文公布，征求社会各界意见。
社会各界可以在2026年11月20日前，通过以下方式提出意见：
（一）通过电子邮件将意见发送至：data@example.gov.cn。"""
    summary = release_summary("关于《某市公共数据管理办法（征求意见稿）》公开征求意见的通知", draft, doctype="征求意见稿")
    assert "2026年11月20日前" in summary and not summary.endswith(("：", ":"))


def test_a_news_lead_that_says_nothing_does_not_take_the_lead_bonus() -> None:
    news = """近来，这一话题持续引发市民热议，不少网友在评论区留言。
市里将推动老旧小区加装电梯工作，完善社区养老服务设施，方便老年人出行。"""
    summary = release_summary("老旧小区加装电梯", news, doctype="新闻动态")
    assert summary.startswith("市里将推动老旧小区加装电梯工作")


def test_suggestions_others_made_are_not_what_the_policy_sets_out() -> None:
    assert not RULES._has_cue("proposal", "会后，秘书处将座谈会上代表提出的意见建议分类转交有关部门办理。")
    assert RULES._has_cue("proposal", "《方案》提出，到2028年建成示范园区10个。")
    assert RULES._has_cue("proposal", "方案提出的重点任务包括建设算力中心。")


def test_an_exhortation_to_the_departments_is_not_a_measure() -> None:
    for sentence in (
        "各单位要站在长远发展的高度，积极配合园区企业做好安全生产检查工作，守住不发生重大事故的底线。",
        "各街道要充分认识垃圾分类工作的重要性和紧迫性，把思想和行动统一到市委市政府的部署上来。",
    ):
        assert RULES.score(sentence) <= 0, sentence  # marked down like the other closing duties


def test_the_printed_notices_copy_list_and_print_line_are_furniture() -> None:
    assert RULES.is_furniture("抄送：市委各部门，市人大常委会办公厅，市政协办公厅。")
    assert RULES.is_furniture("某市人民政府办公室 2026年3月2日印发")


def test_a_work_deadline_with_its_month_is_a_target() -> None:
    assert RULES._has_cue("target_year", "各区要于2026年9月底前完成全部摸排，建立问题台账。")
    assert RULES._has_cue("target_year", "2027年6月前，建成覆盖全市的充电服务网络。")
    assert not RULES._has_cue("target_year", "请于5月26日前将意见反馈至市司法局。")  # a comment date is no work target


def test_a_notice_recalling_the_earlier_document_it_follows_is_background() -> None:
    notice = """2025年6月，省政府办公厅印发《关于推进社区食堂建设的实施意见》，提出加快补齐社区助餐短板，并对食堂建设运营作出部署。
二、工作任务
新建社区食堂须配备不少于30个就餐座位，对新建并运营满一年的社区食堂给予最高20万元一次性建设补助。"""
    summary = release_summary("关于开展社区食堂建设工作的通知", notice, doctype="通知公告")
    assert summary.startswith("新建社区食堂须配备不少于30个就餐座位")
    assert "印发《" not in summary
    news = "2025年6月，省政府办公厅印发《关于推进社区食堂建设的实施意见》，明确到2027年建成社区食堂1000家。"
    assert RULES.score(news, "新闻动态") > RULES.score(news, "通知公告")  # for a news item the release is the news


def test_a_condition_on_what_is_already_built_is_not_a_baseline() -> None:
    assert not RULES._has_cue("status_quo", "对于已经建成、尚未移交的社区用房，原则上于2026年6月底前完成移交。")
    assert RULES._has_cue("status_quo", "全市已经建成社区食堂120家，覆盖老年人8万人。")


def test_a_news_lead_naming_the_system_to_apply_through_is_not_furniture() -> None:
    news = """港城讯 新学期临近，不少家长关心托育补贴怎么领？
近日，记者从市卫健委了解到，我市已开始受理2026年托育服务补贴申请，在备案托育机构入托的3周岁以下婴幼儿家庭可登录“港城政务服务平台”申请补贴。
哪些机构可以参加
根据办法，备案托育机构须配备保育人员，收费标准向社会公示，并接受年度检查。"""
    summary = release_summary("托育补贴开始申请", news, doctype="新闻动态")
    assert summary.startswith("近日，记者从市卫健委了解到，我市已开始受理2026年托育服务补贴申请")
    assert RULES.is_furniture("公众可登录市司法局网站，在“意见征集”栏目提交意见。")  # the how-to line still is


def test_who_may_apply_is_the_scope_of_a_policy() -> None:
    for sentence in ("符合条件的小微企业可申请最高50万元的贴息贷款。", "在本市参保满1年的灵活就业人员均可享受一次性补贴。"):
        assert RULES._has_cue("scope", sentence), sentence
    assert not RULES._has_cue("scope", "即可申请的事项由窗口当场办结。")


def test_a_draft_notice_that_says_what_it_puts_up_before_a_list_of_channels_keeps_that_sentence() -> None:
    draft = """我局会同市财政局拟订了《某市青年人才租房补贴办法（征求意见稿）》，现向社会公开征求意见，公众可以通过以下途径提出意见：
一、电子邮箱：rent@example.gov.cn。
二、通信地址：某市人力资源和社会保障局人才科。
意见反馈截止时间为2026年10月31日。"""
    summary = release_summary("关于公开征求《某市青年人才租房补贴办法（征求意见稿）》意见的通告", draft, doctype="征求意见稿")
    assert "拟订了《某市青年人才租房补贴办法（征求意见稿）》" in summary
    assert "2026年10月31日" in summary and not summary.endswith(("：", ":"))
    assert RULES.is_furniture("公众可以通过以下途径和方式提出反馈意见：") or RULES._is_heading("公众可以通过以下途径和方式提出反馈意见：")


def test_following_up_and_supervising_the_pilot_is_a_closing_duty() -> None:
    for sentence in (
        "各省要密切跟踪试点落实情况，积极创造条件，给予试点地区支持，并加强指导、监督和考核。",
        "各市要按照《方案》要求，结合实际抓好落实，确保试点各项任务按期完成。",
    ):
        assert RULES.score(sentence) < RULES.rules.min_score, sentence  # no strong point of its own
    assert RULES._has_cue("policy_says", "《方案》要求，到2027年建成示范园区10个。")  # what the plan itself requires


def test_a_jiedus_answer_on_why_the_rules_were_made_is_background_even_with_figures() -> None:
    jiedu = """近日，市人社局印发了《某市见习岗位管理办法》（以下简称《办法》），市人社局有关负责人回答了记者提问。
问：为什么要制定《办法》？
答：2016年以来全市见习岗位由300个增至1200个，原有做法已难以适应，见习补贴标准也需要随之调整。
问：《办法》如何支持见习单位？
答：对见习期满留用的单位，给予每人2000元的一次性留用补贴。"""
    summary = release_summary("某市人社局负责人就《某市见习岗位管理办法》答记者问", jiedu, doctype="政策解读")
    assert summary.startswith("对见习期满留用的单位，给予每人2000元") and "2016年" not in summary
    assert RULES._has_cue("document_layout", "《办法》分6章共30条，分别对见习单位、见习人员作出规定。")


def test_a_deadline_for_work_named_elsewhere_is_not_a_point_of_its_own() -> None:
    notice = """一、开展摸底排查
各区对辖区内养老机构消防设施开展全面排查，建立问题清单。
以上工作要在2026年5月底前完成。
二、加大资金支持
对完成消防改造的民办养老机构，给予最高30万元改造补助。"""
    summary = release_summary("关于开展养老机构消防安全整治的通知", notice, doctype="通知公告")
    assert "以上工作" not in summary and "给予最高30万元改造补助" in summary


def test_the_date_a_department_reports_back_is_not_a_target() -> None:
    plan = """（三）工作目标。
2027年6月底前，试点区县建成统一的基层治理数据平台，实现网格事件100%线上流转。
各试点区县要结合实际抓紧制定具体实施方案，细化任务措施，明确时间节点，并于2026年10月底前报送市政府办公室备案。
对建设成效突出的区县，市财政给予最高200万元奖励。"""
    summary = release_summary("基层治理数据平台建设试点工作方案", plan, doctype="行动计划·方案")
    assert summary.startswith("2027年6月底前，试点区县建成统一的基层治理数据平台")
    assert "报送市政府办公室备案" not in summary and "给予最高200万元奖励" in summary


def test_a_news_hook_that_only_says_a_document_came_out_gives_way_to_what_it_says() -> None:
    news = """2026年5月20日，市民政局召开发布会，发布《社区助浴服务建设管理规范》。
《规范》指出，要在每个街道至少建成1个社区助浴点，为失能老年人提供上门助浴服务，收费标准向社会公示。"""
    summary = release_summary("社区助浴服务规范发布", news, doctype="政策文件")
    assert summary.startswith("《规范》指出，要在每个街道至少建成1个社区助浴点")
    assert "召开发布会" not in summary
    assert RULES.score("市政府日前印发《关于支持新型储能发展的若干措施》。") < RULES.rules.min_score


PLAN_WITH_A_RECORD = """“十四五”期间，全省累计建成社区康复站1200个，为残疾人免费发放辅助器具20万件，康复服务体系初具规模。
一、任务目标
1 . 为困难残疾人免费适配辅助器具 50 万件，其中装配假肢 2 万例。
2 . 完善康复服务网络。"""


def test_a_plan_is_summarised_from_its_targets_not_the_last_periods_record() -> None:
    summary = release_summary("实施方案", PLAN_WITH_A_RECORD, doctype="行动计划·方案")
    assert "50 万件" in summary  # counted in 件 and 例, the units the plan's targets use
    assert "累计建成" not in summary  # what the last plan period achieved, not what this one sets out
    assert RULES.is_furniture("过去五年，全市新增就业岗位30万个。")
    assert not RULES.is_furniture("“十五五”期间目标任务分解如下，到2030年建成示范区5个。")  # no comma after the period: not a record
    assert RULES.is_furniture("“十三五”以来，全市已建成众创空间80家。")
    # the plan period the document itself covers: its targets, not a record
    assert not RULES.is_furniture("“十五五”期间，全省力争培育未来产业链主企业50家，累计建成中试平台100个。")
    assert not RULES.is_furniture("十四五期间，将新建城市公园200个，实现居民步行15分钟可达。")


def test_counts_in_pieces_and_cases_are_quantities() -> None:
    assert RULES.score("为困难残疾人免费适配辅助器具50万件。") >= 3
    assert RULES.score("全年完成白内障复明手术3000例。") >= 3


def test_an_item_number_fused_into_the_sentence_is_not_quoted() -> None:
    summary = release_summary("实施方案", PLAN_WITH_A_RECORD, doctype="行动计划·方案")
    assert summary.startswith("为困难残疾人免费适配辅助器具")  # not "1 . 为…"
    assert RULES._clean("（2）对新建项目给予最高100万元补助。") == "对新建项目给予最高100万元补助。"
    assert RULES._clean("1.5万元以下的项目由区级审批。") == "1.5万元以下的项目由区级审批。"  # a decimal, not an item number


def test_a_sentence_cut_out_of_a_quotation_does_not_open_a_quote_it_never_closes() -> None:
    report = """省药监局局长在座谈会上说：
“全省今年已有12个创新药获批上市，这是前所未有的突破。下一步要加快临床试验审评审批。”
会议提出38项重点任务，支持创新药械进入医院使用。"""
    summary = release_summary("创新药座谈会", report, doctype="新闻动态")
    assert summary.count("“") == summary.count("”"), summary
    assert RULES._clean("“全省今年已有12个创新药获批上市。") == "全省今年已有12个创新药获批上市。"
    assert RULES._clean("下一步要加快临床试验审评审批。”") == "下一步要加快临床试验审评审批。"
    assert RULES._clean("他说：“要加快审批。”") == "他说：“要加快审批。”"
