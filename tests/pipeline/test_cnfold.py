"""The C whitespace and fold passes give exactly what the Python reference gives.

pipeline/_textprep.c exists only for speed; pipeline.cnfold keeps the Python
versions as the reference and as the fallback (text beyond the BMP, capital
sigma, an install without a compiler).  These tests hold the two together.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import cnfold
from pipeline.cnfold import _clean_whitespace_py, _fold_reference, _fold_utf16_py, clean_whitespace, fold, fold_utf16

SEEDS = next((d for d in (Path("/work/shared/seeds"), Path(__file__).resolve().parents[3] / "shared" / "seeds") if d.is_dir()), None)

TRICKY = [
    "",
    " ",
    "\n\t \u3000",
    "氢能",
    "  前导和结尾空白  ",
    "PDF 换行\n把词\n切开：量子\n计算",
    "AI   for\tScience 与 6G",
    "Industry 4.0\n升级",
    "零\u200b宽\ufeff字符\u2060不\u200c留\u200d",
    "a\u200b b",
    "全角：６Ｇ、ＥＶＴＯＬ、ＣＡＲ－Ｔ，破折号——和–短划",
    "繁體：量子計算、腦機介面、氫能與核聚變",
    "台灣「人形機器人」產業",
    "希腊 ΣΟΦΙΑ 与 σοφία，ὈΔΥΣΣΕΎΣ",
    "土耳其 İstanbul 和 DİGİTAL",
    "麼麽薴",
    "扩展B区 𠀀𠀁 字符和 emoji 🚀 火箭",
    "\x00\x1f控制字符\x85\xa0不间断空格\u2028行分隔",
    "ASCII only, with  double  spaces\nand lines.",
    "Ａ\u3000Ｂ",
]


@pytest.mark.parametrize("text", TRICKY)
def test_clean_whitespace_matches_reference(text: str) -> None:
    assert clean_whitespace(text) == _clean_whitespace_py(text)


@pytest.mark.parametrize("text", TRICKY)
def test_fold_matches_reference(text: str) -> None:
    folded, utf16 = fold_utf16(text)
    assert folded == _fold_reference(text) == fold(text)
    assert (folded, utf16) == _fold_utf16_py(text)
    if utf16 is not None:
        assert utf16 == folded.encode("utf-16-le")


def test_fold_examples() -> None:
    """What folding is for: one term list matches Traditional, full-width and upper-case spellings."""
    assert fold("量子計算") == "量子计算"
    assert fold("６Ｇ与ＣＡＲ－Ｔ") == "6g与car-t"
    assert clean_whitespace("脑机\n接口 与 BCI  technology") == "脑机接口与BCI technology"


@pytest.mark.skipif(SEEDS is None, reason="../shared/seeds not present beside the repository")
def test_real_texts_match_reference() -> None:
    assert SEEDS is not None
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for piece in (text, text[:5000], text.upper()[:3000]):
            assert clean_whitespace(piece) == _clean_whitespace_py(piece), path.name
            cleaned = clean_whitespace(piece)
            assert fold_utf16(cleaned) == _fold_utf16_py(cleaned), path.name


def test_every_bmp_character_folds_like_the_reference() -> None:
    """The C fold's table, character by character, against the string fold (64k characters, one text)."""
    chars = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c < 0xE000]
    assert [fold_utf16(c) for c in chars] == [_fold_utf16_py(c) for c in chars]
    text = "".join(chars)
    assert fold_utf16(text) == _fold_utf16_py(text)


def test_every_bmp_character_cleans_like_the_reference() -> None:
    """The C cleanup skips the Unicode database for most characters; every BMP character, between CJK and ASCII."""
    chars = [chr(c) for c in range(0x01, 0x10000) if not 0xD800 <= c < 0xE000]
    text = "".join(f"中{c}a {c}文" for c in chars)
    assert clean_whitespace(text) == _clean_whitespace_py(text)


@pytest.mark.skipif(
    shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler: the optional extension cannot be built here"
)
def test_c_passes_are_built() -> None:
    """With a compiler, `pip install` builds the extension; the classifier's speed figure depends on it."""
    assert cnfold._textprep is not None


@pytest.mark.parametrize("text", TRICKY + ["一句。两句！三句？four! five? 六；七;\n八", "。。\n\n"])
def test_sentence_ends_match_the_regex(text: str) -> None:
    from pipeline.classify import _SENTENCE_END_CHARS, _sentence_bounds
    from pipeline.cnfold import sentence_ends

    if cnfold._textprep is None:
        pytest.skip("C extension not built: sentence_ends returns None and callers search lazily")
    assert sentence_ends(text, _SENTENCE_END_CHARS) == _sentence_bounds(text)
