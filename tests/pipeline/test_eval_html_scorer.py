"""The real-page scorer's sentence measure: what counts as a body sentence an extractor must keep.

Team-written pages. The scorer reads the truth container line by line, as a reader sees it, and
counts the sentences from ``body_first`` to ``body_last``: a byline or a heading line before the
body is furniture the extractor may drop, while a dropped sentence inside the body is a loss.
"""

from __future__ import annotations

from bench.eval_html import _container_text, _SENTENCE, body_sentences

PAGE = """<html><body><div id="art">
<p>本报讯（记者 林一舟）2026年3月2日 来源：示例日报。</p>
<h2>示范区建设迈出新步伐</h2>
<p>示范区今年计划新建十个中试平台，覆盖新材料和生物制造。</p>
<p>首批平台将在年内投入运行，服务中小企业超过两百家。</p>
<p>责任编辑：周安</p>
</div></body></html>"""

TRUTH = {
    "container": "div#art",
    "body_first": "示范区今年计划新建十个中试平台，覆盖新材料和生物制造。",
    "body_last": "首批平台将在年内投入运行，服务中小企业超过两百家。",
}


def test_only_sentences_between_the_first_and_last_body_sentence_count() -> None:
    assert body_sentences(PAGE, TRUTH) == [
        "示范区今年计划新建十个中试平台，覆盖新材料和生物制造。",
        "首批平台将在年内投入运行，服务中小企业超过两百家。",
    ]


def test_a_heading_line_is_not_glued_onto_the_next_sentence() -> None:
    glued = [s for s in _SENTENCE.findall(_container_text(PAGE, "div#art")) if "示范区建设迈出新步伐" in s]
    assert glued, "the container's text_content() glues the heading onto the sentence below it"
    assert all("示范区建设迈出新步伐" not in s for s in body_sentences(PAGE, TRUTH))


def test_without_first_and_last_every_line_of_the_container_counts() -> None:
    found = body_sentences(PAGE, {"container": "div#art", "body_first": None, "body_last": None})
    assert any(s.startswith("本报讯") for s in found)
    assert len(found) == 3
