"""The literal prefilter may only skip a pattern that cannot match: same answers as searching every pattern."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from core.paths import CONFIG_DIR
from pipeline.html_extract import extract_page
from pipeline.regexgate import PatternGroups, required_literals
from pipeline.summarize import SUMMARY_CONFIG, Summarizer, split_sentences

SHARED = Path(__file__).resolve().parents[3] / "shared"
DEMO = Path(__file__).resolve().parents[2] / "demo"


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("印发给你们|现予印发", {"印发给你们", "现予印发"}),
        (r"(不少于|超过)\s*[\d.]+", {"不少于", "超过"}),
        (r"给予[^。]{0,30}(奖励|补贴)", {"给予"}),  # the longer of two equally selective sets
        (r"[？?]$", {"？", "?"}),
        (r"(网址|网站)[：:]?\s*(https?://|www\.)", {"http", "www."}),
        (r"(?<!截)至\d{4}年", {"至"}),
    ],
)
def test_required_literals_of_cue_patterns(pattern: str, literals: set[str]) -> None:
    assert required_literals(pattern) == literals


@pytest.mark.parametrize("pattern", [r"\d{4}", r"(了)?", r"(?i)abc", r"(?i:ab)c?", r"a|\d", r".*", "(", r"[^。]+"])
def test_patterns_without_a_required_literal_are_always_searched(pattern: str) -> None:
    assert required_literals(pattern) is None


def test_optional_parts_and_empty_alternatives_require_nothing_of_their_own() -> None:
    assert required_literals(r"(截止|截至)(时间|日期)?[为是]?\d{4}年") == {"截"}  # the common prefix the parser factors out
    assert required_literals(r"ab(c|)") == {"ab"}


def _texts() -> list[str]:
    """Sentences from the repository's own material and, where present, the shared real documents and seeds."""
    out: list[str] = []
    for page in sorted(DEMO.rglob("*.html")):
        out.append(extract_page(page.read_bytes(), "http://127.0.0.1/" + page.name).text)
    for path in sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []:
        out.append(path.read_text(encoding="utf-8"))
    for page in sorted((SHARED / "eval" / "summaries").rglob("*.html")) if (SHARED / "eval").is_dir() else []:
        out.append(extract_page(page.read_bytes(), "http://127.0.0.1/" + page.name).text)
    return out


def test_every_group_answers_as_an_unfiltered_search_does() -> None:
    rules = yaml.safe_load((CONFIG_DIR / "summary.yaml").read_text(encoding="utf-8"))
    groups = {**rules["drop"], **{name: cue["patterns"] for name, cue in rules["cues"].items()}}
    gated, plain = PatternGroups(groups), PatternGroups(groups, prefilter=False)
    sentences = [s for text in _texts() for s in split_sentences(text)]
    rng = random.Random(7)
    sentences += ["".join(rng.sample(s, len(s))) for s in sentences[:300]]  # shuffled: literals in odd places
    assert len(sentences) > 300
    for s in sentences:
        assert gated.matching(s) == plain.matching(s), s
        assert all(gated.has(name, s) == plain.has(name, s) for name in groups)


def test_summaries_are_the_same_with_and_without_the_prefilter() -> None:
    fast, reference = Summarizer.load(SUMMARY_CONFIG), Summarizer(Summarizer.load(SUMMARY_CONFIG).rules, prefilter=False)
    for text in _texts():
        for doctype in (None, "政策解读", "征求意见稿"):
            assert fast.summarize(text, doctype) == reference.summarize(text, doctype)


def test_a_group_whose_every_pattern_needs_a_missing_literal_is_skipped_without_searching() -> None:
    groups = PatternGroups({"deadline": [r"截止\d{4}年"], "any_year": [r"\d{4}"]})
    assert groups.matching("计划到2027年完成") == ["any_year"]
    assert groups.matching("截止2027年") == ["deadline", "any_year"]
    assert groups.names == ["deadline", "any_year"]
