"""News reports about a policy and transmittal notices: what the report or the enclosed policy sets out.

Replica texts written by the team in the shape of real news items and notices (no real document's sentences);
the real documents are scored by bench/eval_summary.py.
"""

from __future__ import annotations

from pipeline.summarize import Summarizer, release_summary, split_sentences

RULES = Summarizer.load()


def test_a_web_news_item_with_short_sub_headings_is_not_rejoined_as_printed_lines() -> None:
    # Short bold sub-headings (no end mark) of nearly one length look like a PDF's printed width, but the
    # paragraphs run far past that width: a web page, whose lines are paragraphs and stay apart.
    news = """近日，省政府印发《关于下达2026年全省重点建设计划的通知》。
《通知》明确产业投资、科技创新等六个方面的主要目标：
《通知》要求重点抓好八个方面的工作：
稳住工业投资基本盘加快推进产业转型升级
统筹谋划储备一批打基础利长远重大项目
全年安排省级预算内投资300亿元，新开工重大产业项目200个以上，力争完成重点项目投资4000亿元，带动社会投资明显增长。
优化营商环境持续降低各类经营主体成本
扎实推进审批制度改革提升政务服务效能
为各类经营主体减轻税费负担500亿元以上，新增减税降费政策在上半年全部落地，企业开办时间压缩至1个工作日以内。
听全文约12分钟文章较长可以试试收听"""
    sentences = split_sentences(news)
    assert "《通知》要求重点抓好八个方面的工作：" in sentences
    summary = release_summary("全省重点建设计划下达", news, doctype="新闻动态")
    assert "全年安排省级预算内投资300亿元" in summary
    assert "工作：稳住" not in summary


def test_a_news_lead_opening_with_a_preamble_clause_still_reports_what_was_issued() -> None:
    news = """为全面落实省委省政府关于稳就业的决策部署，省人社厅近日印发《关于支持返乡入乡创业的若干措施》，要求各地为返乡创业人员提供不超过30万元的创业担保贷款。
该厅有关负责人表示，措施将有力激发创业活力。"""
    summary = release_summary("省人社厅出台措施支持返乡入乡创业", news, doctype="新闻动态")
    assert summary.startswith("省人社厅近日印发《关于支持返乡入乡创业的若干措施》，要求各地")
    assert "决策部署" not in summary
    decided = "年初以来，市委市政府认真贯彻落实全省经济工作会议精神，决定延续执行小微企业房产税减半征收政策至2027年底。"
    assert not RULES.is_furniture(decided)
    assert RULES.is_furniture("为深入贯彻落实党中央决策部署，现就有关事项通知如下：")  # a preamble with no report stays out


def test_a_news_datelines_and_attributions_are_not_part_of_the_summary() -> None:
    for lead in (
        "某广播网杭州5月6日消息 据某台《早间新闻》报道，省政府日前印发《关于加快发展银发经济的实施意见》，到2028年建成社区嵌入式养老服务设施500个。",
        "本报讯（记者 某某）市政府日前印发《关于加快发展银发经济的实施意见》，到2028年建成社区嵌入式养老服务设施500个。",
        "某厅传出最新消息：市政府日前印发《关于加快发展银发经济的实施意见》，到2028年建成社区嵌入式养老服务设施500个。",
    ):
        summary = release_summary("银发经济实施意见印发", lead, doctype="新闻动态")
        assert summary.startswith(("省政府日前印发", "市政府日前印发")), summary


def test_a_rules_time_limit_cost_share_and_years_to_reach_a_target_are_what_it_sets() -> None:
    for cue, sentence in (
        ("quantity", "各级医疗机构发现疑似病例后，应当于2小时内进行网络直报。"),
        ("money_support", "驻村期间的生活补助所需经费由省、市、县三级财政按照5:3:2的比例分担。"),
        ("target_year", "争取用3—5年时间，做到每个行政村至少有一名专职网格员。"),
        ("target_year", "首先使沿江重点镇街基本具备应对百年一遇洪水的能力。"),
    ):
        assert RULES._has_cue(cue, sentence), (cue, sentence)
    notice = """一、充分认识做好农村网格化管理工作的重要性。
各级各有关部门要从讲大局的高度，把网格化管理摆在基层治理工作的首位，千方百计提高工作水平。
二、充实基层网格员队伍。
继续组织实施“网格员进村”等项目。
驻村期间的生活补助所需经费由省、市、县三级财政按照5:3:2的比例分担，培训经费由省财政解决。
争取用3—5年时间，做到每个行政村至少有一名专职网格员。"""
    summary = release_summary("关于加强农村网格化管理工作的通知", notice, doctype="通知公告")
    assert "按照5:3:2的比例分担" in summary


def test_the_title_line_of_enclosed_work_rules_is_no_summary() -> None:
    notice = """各县（市、区）人民政府，市政府各部门：
新修订的《某市人民政府工作规则》已经市政府常务会议审议通过，现印发给你们，请认真贯彻执行。
某市人民政府
2026年3月2日
某市人民政府工作规则(2026年3月修订)
一、根据有关法律，参照省人民政府工作规则，制定本规则。
二、市政府各部门办理群众来信，应当在15个工作日内答复。"""
    summary = release_summary("某市人民政府关于印发某市人民政府工作规则的通知", notice, doctype="通知公告")
    assert summary == "市政府各部门办理群众来信，应当在15个工作日内答复。"
    assert RULES._has_cue("scope", "市级财政专项资金实行项目负责制，由主管部门统一管理。")


def test_last_years_statistics_and_a_call_to_take_responsibility_are_not_the_point() -> None:
    notice = """各地、各部门要按照有关要求，切实负起责任，抓好各项工作和措施的落实。
据初步统计，上年全省山洪灾害共造成12人死亡，直接经济损失约3亿元。
当前及今后一个时期，应以城乡结合部的老旧小区为重点，建成智能消防监测点位300个以上。"""
    summary = release_summary("关于转发省水利厅山洪灾害防治工作意见的通知", notice, doctype="通知公告")
    assert summary.startswith("当前及今后一个时期，应以城乡结合部的老旧小区为重点")
    assert "切实负起责任" not in summary and "据初步统计" not in summary


def test_a_reporters_comment_on_the_policy_gives_way_to_its_targets() -> None:
    news = """近期，市农业农村局发布了《关于推进和美乡村建设的实施意见》《村庄清洁行动方案》两份文件。
从内容来看，这些文件的方向非常明确——通过改善人居环境、提升公共服务，分类推进和美乡村建设，为乡村振兴提供有力支撑。
根据《实施意见》，到2028年底，全市建成和美乡村示范村120个，农村生活污水治理率达到75%。
可以说，这次提出的目标可谓雄心勃勃。"""
    summary = release_summary("和美乡村建设实施意见发布", news, doctype="新闻动态")
    assert "到2028年底，全市建成和美乡村示范村120个" in summary
    assert "从内容来看" not in summary and "可谓" not in summary


def test_who_is_responsible_under_a_rule_is_who_it_applies_to() -> None:
    rules = """第一条 为加强本市电动自行车充电安全管理，根据有关法律法规，结合本市实际，制定本规定。
第二条 物业服务企业、充电设施运营单位及车辆所有人是电动自行车充电安全的责任主体，应当遵守消防安全规定。
第三条 充电设施的设置条件
（一）充电设施运营单位必须具备国家规定的资质和条件，落实日常巡查制度。"""
    summary = release_summary("某市电动自行车充电安全管理规定", rules, doctype="管理办法·规定")
    assert summary.startswith("物业服务企业、充电设施运营单位及车辆所有人是电动自行车充电安全的责任主体")


def test_a_decision_to_extend_a_policy_outranks_what_the_old_policy_achieved() -> None:
    news = """2023年至2025年，相关收费优惠政策累计减免各项费用约12亿元。
上述政策执行期满后，为进一步稳定市场预期，更好地服务稳增长稳就业大局，支持全市中小微企业和个体工商户持续健康发展，市政府决定2026年1月1日至2027年12月31日延续执行除占道费以外的其余4项收费优惠政策。"""
    best = max(RULES.candidates(news, "政策文件"), key=lambda c: c.score)
    assert "决定2026年1月1日至2027年12月31日延续执行" in best.text  # what the old policy did is background


def test_a_first_sentence_that_only_says_targets_were_set_is_no_lead() -> None:
    news = """某区融媒体中心 2026-02-10 10:20:00
在区人大会议新闻发布会上，区生态环境局负责人作出通报。
聚力突破污染防治
计划提出了2026年全区生态环境保护主要目标，区生态环境局将积极会同有关部门和街道，紧盯重点行业、重点企业做好帮扶指导，全力保障各项举措落地见效。
聚力突破重点工程
深入实施“清水入河”工程，新建污水管网120公里，确保全年完成生态环境领域投资30亿元以上。"""
    summary = release_summary("区生态环境局：两大突破推动生态环境持续改善", news, doctype="新闻动态")
    assert summary.startswith("深入实施“清水入河”工程，新建污水管网120公里"), summary
    assert RULES._has_cue("target_pointer", "计划提出了2026年全区生态环境保护主要目标，")
    assert not RULES._has_cue("target_pointer", "方案明确了主要目标：到2028年建成示范区5个。")
    # a plan's 发展目标 / 总体目标 named without their values points at them just the same
    assert RULES._has_cue("target_pointer", "该方案提出了到2027年的发展目标，旨在推动产业全面发展。")
    assert not RULES._has_cue("target_pointer", "方案明确了总体目标：到2028年培育链主企业10家。")


def test_a_report_quoting_the_notice_says_what_it_sets() -> None:
    news = """一位业内人士认为，水价调整实际上意味着企业用水成本上升。
3月2日，某水务公司接到了市发展改革委的一份通知。
通知称，“非居民用水价格由原来的每立方米4.10元调整为每立方米4.45元”。
按照初步测算，上述调整将使该公司全年增加营业收入约2600万元，公司人士表示这是意料之中的好消息。"""
    summary = release_summary("非居民用水价格上调", news, doctype="新闻动态")
    assert summary.startswith("通知称，“非居民用水价格由原来的每立方米4.10元调整为每立方米4.45元”。"), summary
    assert RULES._has_cue("policy_says", "文件指出，全年新增光伏装机5万千瓦以上。")


def test_a_reports_statistics_on_where_things_stand_are_not_the_plan_it_reports() -> None:
    # 会上发布的数据显示，…累计培育… says what was done so far; the news is what the department will do next
    news = """全省工业和信息化工作会议日前在省城召开，会议部署了明年的重点工作。
会上发布的数据显示，全省累计培育省级智能工厂320家、专精特新企业4500家，工业技改投资增长12%。
省工信厅提出，明年将实施新兴产业培育行动，推进首台套装备和首批次材料推广应用。"""
    summary = release_summary("省工信厅部署明年重点工作", news, doctype="新闻动态")
    assert "数据显示" not in summary
    assert "明年将实施新兴产业培育行动" in summary


def test_an_experts_gloss_and_an_example_are_not_what_the_policy_sets_out() -> None:
    for aside in (
        "这要求各县立足自身资源禀赋，制定差异化的发展方案，培育发展新动能100项。",
        "“比如，去年某县通过这项政策新增就业岗位3000个，带动农户增收20%。”",
    ):
        assert RULES.score(aside) < RULES.score("到2027年，全省建成县域商业中心100个。"), aside
    news = """省商务厅日前印发方案，到2027年，全省建成县域商业中心100个。
这要求各县立足自身资源禀赋，制定差异化的发展方案，培育发展新动能100项。"""
    assert "这要求" not in release_summary("县域商业方案印发", news, doctype="新闻动态")


def test_a_headline_line_does_not_run_on_into_the_reporters_byline() -> None:
    # a long first line without an end mark (the wire service's 题：… headline) is not a paragraph cut by a page
    # break when the next line is a short byline with no end mark of its own
    news = """某通讯社北京3月2日电 题：如何推动县域经济发展壮大、培育特色产业集群？省发展改革委明确今年县域经济工作的着力点
某通讯社记者某某、某某
省发展改革委负责人在会上表示，今年将实施县域经济强县培育行动，安排省级专项资金20亿元支持县域特色产业集群。"""
    sentences = split_sentences(news)
    assert "某通讯社记者某某、某某" in sentences
    assert not any("着力点某通讯社" in s for s in sentences)
    assert "记者某某" not in release_summary("县域经济着力点", news, doctype="新闻动态")


# ---- news stories: headline, metadata lines, captions, quotes and outside views ----------------------------------

STORY = """某市出台新政支持人工智能企业发展 最高奖励1000万元******
2026-03-06 09:30 来源：某某日报 作者：某某
某某日报讯（全媒体记者 张某 通讯员 李某）记者昨日从市科技局获悉，《某市促进人工智能产业发展若干措施》近日印发，从算力补贴、场景开放、人才引进等方面提出20条措施。
资料图：市民在人工智能展会上体验机器人。
“人工智能是新一轮科技革命的关键领域，这次出台的措施含金量很高，”市科技局有关负责人表示。
根据措施，对企业购买算力服务的，按实际费用的30%给予补贴，单个企业每年最高500万元。
业内人士认为，新政将进一步增强本地企业竞争力，预计带动产业规模增长20%以上。
（责任编辑：王某）"""


def test_a_headline_repeated_above_the_story_is_not_quoted_back_to_the_reader() -> None:
    # the digest prints the title next to the summary; the page's own copy of it (with its decoration) adds nothing
    title = "某市出台新政支持人工智能企业发展 最高奖励1000万元"
    summary = release_summary(title, STORY, doctype="新闻动态")
    assert "新政支持人工智能企业发展" not in summary and "******" not in summary
    assert "从算力补贴、场景开放、人才引进等方面提出20条措施" in summary
    # a body that is nothing but its headline still gets a summary: the headline, as the page's only content
    only = "省里出台十条措施支持企业扩大招工规模，对新招用员工给予每人1000元补贴。"
    assert release_summary(only, only + "\n") == only


def test_a_metadata_line_does_not_run_on_into_the_lead() -> None:
    # a long 来源/time-stamp line has no end mark, like a paragraph cut by a page break; it is a line of its own
    # (joined, the whole lead would be dropped as a source line)
    sentences = split_sentences(STORY)
    assert any(s.startswith("2026-03-06 09:30 来源") and s.endswith("作者：某某") for s in sentences)
    long_source = "来源：某某省人民政府门户网站 2026-03-06 09:30:15 https://www.example.gov.cn/xwdt/2026/0306/"
    joined = split_sentences(long_source + "\n日前，省政府印发《关于促进民营经济发展的若干措施》，提出30条措施。")
    assert joined[-1].startswith("日前，省政府印发")


def test_captions_credits_quoted_remarks_and_outside_views_are_not_what_the_policy_does() -> None:
    summary = release_summary("人工智能新政", STORY, doctype="新闻动态")
    for aside in ("资料图", "含金量", "业内人士", "责任编辑", "张某"):
        assert aside not in summary, aside
    assert "按实际费用的30%给予补贴" in summary
    for caption in ("制图/某某", "图为：工人在生产线上作业。", "图片来源：某某网"):
        assert RULES.is_furniture(caption), caption
    measure = RULES.score("对企业购买算力服务的，按实际费用的30%给予补贴。")
    for remark in (
        "“这次出台的措施将有效降低企业成本，惠及全市3000家企业，”市发展改革委负责人说。",
        "某研究院首席研究员认为，新政有望带动全市新增投资100亿元。",
        "如果要完成全年目标，意味着下半年每月增速要达到8%以上。",
    ):
        assert RULES.score(remark) < measure, remark
    # a remark that gives the rule's own figures still counts for something
    assert RULES.score("“自7月1日起，报销比例由50%提高到60%，”该负责人介绍。") > 0


def test_a_dateline_in_traditional_script_is_stripped_like_a_simplified_one() -> None:
    lead = "某新網(wǎng)5月6日電 據(jù)某政府網(wǎng)消息,國務(wù)院辦公廳日前印發(fā)《某某規劃》,到2030年建成社區養老服務設施5000個。"
    summary = release_summary("規劃印發", lead, doctype="新闻动态")
    assert summary.startswith("國務(wù)院辦公廳日前印發"), summary


def test_a_story_is_read_as_a_story_whatever_its_headline_looks_like() -> None:
    from pipeline.summarize import _reads_as_news

    for opening in (
        "新华社北京3月2日电（记者某某）国务院办公厅日前印发《意见》。",
        "某某晚报讯（记者 某某）市政府近日出台若干措施。",
        "（全媒体记者 某某 通讯员 某某）市医保局近日发布通知。",
        "記者從市教育局獲悉，今年秋季起全市推行課後服務。",
    ):
        assert _reads_as_news(opening), opening
    assert not _reads_as_news("各区人民政府，市政府各委、办、局：\n现将《某某办法》印发给你们，请认真贯彻执行。")
    # a headline that reads like a draft's title (…规划纲要草案) does not make a story's application window its point
    story = """本报讯（记者 某某）市科技局日前印发《关于支持企业研发投入的若干措施》，对年度研发投入增长20%以上的企业给予最高200万元奖励。
2026年4月1日至2026年4月30日，企业可登录平台提交申报材料。"""
    summary = release_summary("图解：研发支持规划纲要草案", story, doctype="征求意见稿")
    assert summary.startswith("市科技局日前印发"), summary


def test_where_things_stand_and_what_the_year_means_are_background() -> None:
    for background in (
        "该负责人表示，今年以来，外贸形势复杂严峻，全年增长5%的任务十分艰巨。",
        "2016年至2020年，全省人均预期寿命从77.1岁提高到78.3岁，婴儿死亡率从6‰降至4‰。",
        "2026年是“十五五”开局之年，也是推进产业转型的关键之年。",
    ):
        assert RULES.score(background) <= 0, background  # its figures are offset, not counted
    # a plan period with a target is no record
    assert RULES.score("2026年至2030年，力争全省人均预期寿命从79岁提高到80岁。") > 0


def test_a_count_of_indicators_gives_way_to_their_values() -> None:
    news = """围绕增长、结构、效率提出3项指标。
其中，提出全社会研发经费投入年均增长7%以上。
为更好满足群众需求，针对性提出就业、收入、教育等7项指标。"""
    summary = release_summary("规划纲要主要指标", news, doctype="新闻动态")
    assert summary.startswith("其中，提出全社会研发经费投入年均增长7%以上"), summary
    assert "3项指标" not in summary and "7项指标" not in summary


# ---- transmittal notices: the notice's own requirements, forwarded documents, decisions ------------------------------

WRAPPER_WITH_REQUIREMENTS = """各县（市、区）人民政府，市政府各部门：
现将《某市加快培育低空经济产业实施方案》印发给你们，并提出以下要求，请一并贯彻落实。
一、提高思想认识。发展低空经济是培育新质生产力的重要抓手，各地各部门要高度重视，把这项工作摆上重要议事日程。
二、加强组织领导。各县（市、区）要建立相应工作机制，明确责任分工，细化工作举措，确保各项任务落地见效。
三、强化督促检查。市发展改革委要会同有关部门加强跟踪调度，定期通报工作进展情况。
某市人民政府办公室
2026年2月3日
某市加快培育低空经济产业实施方案
为抢抓低空经济发展机遇，结合我市实际，制定本方案。
一、发展目标
到2028年，全市低空经济产业规模突破200亿元，建成通用机场3个、起降点150个，培育链主企业5家。
二、重点任务
（一）完善基础设施。支持各县（市、区）布局建设起降场站，对新建的公共起降点给予每个最高50万元补助。"""


def test_a_wrappers_own_requirements_give_way_to_the_enclosed_plan() -> None:
    summary = release_summary("关于印发某市加快培育低空经济产业实施方案的通知", WRAPPER_WITH_REQUIREMENTS, doctype="通知公告")
    assert summary.startswith("到2028年，全市低空经济产业规模突破200亿元")
    for requirement in ("高度重视", "工作机制", "责任分工", "跟踪调度", "印发给你们"):
        assert requirement not in summary, requirement
    for duty in ("各地区要高度重视，切实把各项工作抓实抓细。", "各部门要明确责任分工，细化工作措施，确保政策落到实处。"):
        assert RULES.score(duty) <= 0, duty  # its 明确 is no proposal


def test_a_forwarding_notice_is_summarised_from_what_it_adds_not_from_its_exhortations() -> None:
    forwarded = """各市、县人民政府，省政府各部门：
现将《国务院办公厅关于进一步做好稳就业工作的通知》（国办发〔2026〕8号）转发给你们，并结合我省实际提出以下意见，请一并贯彻执行。
一、各地要充分认识稳就业工作的重要意义，从讲政治、讲大局的高度，把稳就业摆在突出位置。
二、对吸纳离校未就业高校毕业生的中小微企业，按每人1500元标准给予一次性扩岗补助，政策执行至2026年12月31日。
三、各级人力资源社会保障部门要加强统筹协调，抓好政策宣传解读。
附件：国务院办公厅关于进一步做好稳就业工作的通知"""
    summary = release_summary("关于转发国务院办公厅关于进一步做好稳就业工作的通知的通知", forwarded, doctype="通知公告")
    assert summary.startswith("对吸纳离校未就业高校毕业生的中小微企业，按每人1500元标准给予一次性扩岗补助"), summary
    assert "转发给你们" not in summary and "讲政治" not in summary


def test_a_numbered_guiding_ideology_is_as_much_a_preamble_as_an_unnumbered_one() -> None:
    rules = """第一条 为提升城市管理水平，根据有关规定，结合本区实际，制定本细则。
第二条 坚持以习近平新时代中国特色社会主义思想为统领，践行以人民为中心的发展思想，完善城市功能，提升服务效能。
第三条 本细则适用于本区建成区范围内的市容环境、市政设施和园林绿化管理。"""
    summary = release_summary("某区城市精细化管理实施细则", rules, doctype="政策文件")
    assert summary.startswith("本细则适用于本区建成区范围内"), summary
    assert "为统领" not in summary


def test_what_the_notice_decides_is_quoted_without_the_purpose_clauses_before_it() -> None:
    notice = """各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
为进一步健全正向激励机制，充分调动各地干事创业的积极性，国务院决定，将督查激励措施由20项调整增加为26项，对真抓实干成效明显的地方加大支持力度。
经国务院同意，现将有关事项通知如下：
一、对科技创新成效明显的省（区、市），优先支持其建设创新平台。"""
    summary = release_summary("关于进一步加大激励支持力度的通知", notice, doctype="通知公告")
    assert summary.startswith("国务院决定，将督查激励措施由20项调整增加为26项"), summary


# ---- page layout around a story, briefing reports, positioning, work-report targets ------------------------------


def test_the_block_between_two_copies_of_the_headline_is_the_pages_header_not_the_lead() -> None:
    # the page prints the headline, a teaser lifted from further down, the headline again and the source line;
    # the story starts after the second copy
    page = """某省多措并举稳外贸
在拓展新兴市场方面，支持企业参加境外展会，加快建设海外仓，展望全年，外贸有望保持平稳。
某省多措并举稳外贸
来源：某某日报 2026-04-02 08:00
4月1日，省商务厅负责人介绍，省里将从拓市场、稳主体、优服务三方面推动外贸稳规模、优结构。
在拓展新兴市场方面，支持企业参加境外展会，加快建设海外仓。"""
    summary = release_summary("某省多措并举稳外贸", page, doctype="新闻动态")
    assert summary.startswith("4月1日，省商务厅负责人介绍，省里将从拓市场、稳主体、优服务三方面"), summary
    assert "展望全年" not in summary
    # a headline line may carry the site's column label in front of it
    labelled = """【要闻动态】某市出台措施支持首店经济发展
某市近日召开专题会议，部署推动首店经济发展工作。"""
    summary = release_summary("某市出台措施支持首店经济发展", labelled, doctype="新闻动态")
    assert summary.startswith("某市近日召开专题会议"), summary
    # a long block between two copies is the story itself, not a header: only the copies go
    long_story = (
        "某市出台措施支持首店经济发展\n" + "某市近日召开专题会议，部署推动首店经济发展工作。\n" * 6 + "某市出台措施支持首店经济发展"
    )
    assert release_summary("某市出台措施支持首店经济发展", long_story, doctype="新闻动态").startswith("某市近日召开专题会议")


def test_a_spokespersons_statement_of_what_the_ministry_will_do_is_the_briefings_news() -> None:
    # where it was said (在发布会上) does not make the statement furniture when it says what comes next
    lead = "某部新闻发言人某某在例行发布会上表示，为稳定就业，某部将会同有关部门推动出台支持青年就业的新举措。"
    assert not RULES.is_furniture(lead)
    # a frame that only says a briefing took place is still furniture
    assert RULES.is_furniture("在今天举行的新闻发布会上，市发改委副主任就此作出介绍，明确以四项举措推动高质量发展。")
    # an outside expert's 将 is no statement of the ministry's plan
    assert RULES.score("某研究院研究员在发布会上表示，相关政策将推动出台更多配套措施。") < RULES.score(lead)


def test_the_position_a_plan_sets_out_to_reach_is_quoted_without_its_guiding_ideology_clauses() -> None:
    plan = """一、总体要求
深入贯彻党的二十大精神和省委重要讲话精神，坚持稳中求进工作总基调，统筹发展和安全，将本市打造成区域性先进制造业基地、现代物流枢纽和对外开放门户。
二、重点任务
（一）提升产业基础能力。"""
    summary = release_summary("某市贯彻落实区域协调发展规划工作方案", plan, doctype="政策文件")
    assert summary.startswith("将本市打造成区域性先进制造业基地"), summary
    assert "重要讲话" not in summary
    # the same position in other words: 使…成为…, or a forwarded report's 建议将…建成…
    assert RULES.score("使本区成为全省营商环境最优的城区之一。") >= 3
    assert RULES.score("建议将沿江地区建成全省防汛减灾综合示范区。") >= 3


def test_a_work_rules_guiding_ideology_line_is_a_preamble_in_its_own_words() -> None:
    assert RULES.is_furniture("县政府工作的指导思想是，以习近平新时代中国特色社会主义思想为指导，全面正确履行政府职能。")
    rules = """一、县政府工作的指导思想是，高举中国特色社会主义伟大旗帜，坚持以人民为中心，建设人民满意的服务型政府。
二、县政府实行县长负责制，县长主持县政府全面工作。"""
    summary = release_summary("某县人民政府工作规则", rules, doctype="政策文件")
    assert summary.startswith("县政府实行县长负责制"), summary


def test_a_government_sites_metadata_table_is_not_content() -> None:
    for line in (
        "索引号 00000000/2026-00001 发文日期 2026-01-03",
        "发布机构 区人民政府办公室 文号 某政办〔2026〕1号",
        "有效性：有效",
        "组配分类：规范性文件发布",
    ):
        assert RULES.is_furniture(line), line


def test_a_target_figure_on_a_line_of_its_own_is_content_not_a_heading() -> None:
    # a work report's list of targets, each an item number and a figure, with the responsible unit below it
    report = """各街道办事处，区政府各部门：
《2026年区政府工作报告目标任务分解方案》已经区政府同意，现印发给你们，并就有关事项通知如下：
一、各责任单位要高度重视，切实加强领导，明确责任分工，确保各项任务落到实处。
一、2026年全区经济社会发展主要预期目标
（一）地区生产总值增长6%左右
责任单位：区发展改革局
（二）城镇调查失业率控制在5.5%以内
责任单位：区人力资源社会保障局"""
    summary = release_summary("关于印发2026年区政府工作报告目标任务分解方案的通知", report, doctype="通知公告")
    assert "地区生产总值增长6%左右" in summary and "城镇调查失业率控制在5.5%以内" in summary, summary
    assert "高度重视" not in summary
    # a short heading without a figure is still a heading
    assert RULES.is_furniture("（一）加快发展先进制造业")
