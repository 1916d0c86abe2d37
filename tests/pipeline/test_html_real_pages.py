"""Extraction and list drafting on real pages nobody on the team wrote (../shared/eval/real-pages).

Only the tuning half is held to the goals here; the held-out half is reported by
bench/eval_html.py (README), so tests never become the place where it is tuned.
"""

from __future__ import annotations

import json

import pytest

from bench.eval_html import DEFAULT_DIR, drafted_count, halves, score_detail

pytestmark = pytest.mark.skipif(
    not (DEFAULT_DIR / "truth.json").is_file(), reason=f"real pages not found at {DEFAULT_DIR} (../shared/eval)"
)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((DEFAULT_DIR / "truth.json").read_text(encoding="utf-8"))


def test_tuning_half_detail_fields_meet_the_goals(truth: dict) -> None:
    pages = halves(list(truth["detail"]))["tune"]
    scores = [score_detail(p, truth["detail"][p], DEFAULT_DIR) for p in pages]
    for field, goal in (("title", 0.97), ("date", 0.97), ("doc_number", 0.97), ("body_start", 0.95), ("body_end", 0.95)):
        ok = sum(s.fields[field] for s in scores)
        assert ok >= goal * len(scores), (field, [s.why for s in scores if not s.fields[field]])


def test_tuning_half_list_drafts_read_exactly_the_items(truth: dict) -> None:
    pages = halves(list(truth["list"]))["tune"]
    wrong = {p: drafted_count(p, DEFAULT_DIR) for p in pages if drafted_count(p, DEFAULT_DIR)[0] != truth["list"][p]["items"]}
    assert wrong == {}
