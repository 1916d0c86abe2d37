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
