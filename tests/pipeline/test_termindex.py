"""The phrase index: one C pass (fold + leftmost-longest scan) that must agree with Aho-Corasick on every text."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from pipeline import cnfold
from pipeline.classify import Classifier
from pipeline.cnfold import fold_utf16, sentence_ends
from pipeline.termindex import TermIndex

SHARED = Path(__file__).resolve().parents[3] / "shared"
REAL = SHARED / "eval" / "tracks-real-dev.jsonl"
SEEDS = SHARED / "seeds"


ENDS = "。！？!?；;\n"


def two_step(index: TermIndex, text: str) -> tuple[str, list[tuple[int, int, int]], list[int] | None]:
    """The separate passes: fold, scan the folded text, list the sentence ends of the text as given."""
    folded, utf16 = fold_utf16(text)
    return folded, index.scan_indexes(folded, utf16), sentence_ends(text, ENDS)


@pytest.fixture(scope="module")
def index() -> TermIndex:
    return Classifier.load()._index


def test_the_c_scanner_is_used_when_built(index: TermIndex) -> None:
    if cnfold._textprep is None:
        pytest.skip("C extension not built: fold_scan takes the two-step path")
    assert index._c is not None


def test_longest_phrase_wins_and_matches_do_not_overlap() -> None:
    idx = TermIndex({"量子": "q", "量子计算": "qc", "计算机": "pc", "ab": "x", "abc": "y"})
    folded, found, ends = idx.fold_scan("發展量子計算機與ABCD。好！", ENDS)
    assert folded == "发展量子计算机与abcd。好！"
    assert [(idx.payloads[i], s, e) for i, s, e in found] == [("qc", 2, 6), ("y", 8, 11)]
    assert ends == [12, 14]  # sentence ends, found in the same pass
    assert (folded, found, ends) == two_step(idx, "發展量子計算機與ABCD。好！")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "量",
        "量子",
        "６Ｇ与ＣＡＲ－Ｔ细胞治疗、脑机接口",
        "扩展B区 𠀀 字符和 emoji 🚀 商业航天",  # beyond the BMP: the Python path
        "希腊 ΣΟΦΙΑ 与人形机器人",  # capital sigma folds by context: the Python path
        "氢能氢能氢能燃料电池燃料电池",
    ],
)
def test_fold_scan_equals_fold_then_scan(index: TermIndex, text: str) -> None:
    assert index.fold_scan(text, ENDS) == two_step(index, text)


def test_random_texts_made_of_phrase_pieces_agree(index: TermIndex) -> None:
    """Texts stitched from phrase prefixes and suffixes are where a greedy scanner would go wrong."""
    rng = random.Random(20261203)
    pool = index.phrases
    for _ in range(300):
        pieces = []
        for _ in range(rng.randrange(1, 30)):
            p = rng.choice(pool)
            cut = rng.randrange(0, len(p) + 1)
            pieces.append(rng.choice([p, p[:cut], p[cut:], "，", "的"]))
        text = "".join(pieces)
        assert index.fold_scan(text, ENDS) == two_step(index, text), text


@pytest.mark.skipif(not REAL.is_file() or not SEEDS.is_dir(), reason="../shared/eval and ../shared/seeds not present beside the repository")
def test_real_texts_agree(index: TermIndex) -> None:
    texts = [json.loads(line)["text"] for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for text in texts:
        assert index.fold_scan(text, ENDS) == two_step(index, text)
