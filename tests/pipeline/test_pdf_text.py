"""PDF extraction against typeset ground truth (tests/fixtures/pdf, built by make_fixtures.py).

The fixtures are government-style A4 documents made with LibreOffice and an
embedded Noto CJK font: running header with a rule, centred page numbers in
three styles (- 3 -, 第3页, 3/5), 2-character indents, a footnote, a ruled
table that breaks across pages, a signature block, and one image-only scan.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from pipeline.attachment_extract import AttachmentText, ExtractionError, extract_attachment
from pipeline.extract_pool import ExtractCache, ExtractPool
from pipeline.pdf_text import extract_pdf

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
TEXT_PDFS = ["gov_notice", "city_digest", "thinktank_brief", "proposal_ref", "task_table", "reportlab_report"]


def cer(out: str, truth: str) -> float:
    a, b = re.sub(r"\s+", "", out), re.sub(r"\s+", "", truth)
    return Levenshtein.distance(a, b) / len(b)


def lines(s: str) -> list[str]:
    return [ln for ln in s.splitlines() if ln.strip()]


_cache: dict[str, AttachmentText] = {}


def extracted(name: str) -> AttachmentText:
    if name not in _cache:
        _cache[name] = extract_pdf((FIX / f"{name}.pdf").read_bytes())
    return _cache[name]


def truth(name: str) -> str:
    return (FIX / f"{name}.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the quality bar


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_character_error_rate_at_most_0_3_percent(name: str) -> None:
    assert cer(extracted(name).text, truth(name)) <= 0.003


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_one_line_per_paragraph_within_15_percent(name: str) -> None:
    assert len(lines(extracted(name).text)) <= 1.15 * len(lines(truth(name)))


def test_whole_corpus_beats_raw_pdfplumber_by_far() -> None:
    import io

    import pdfplumber

    name = "thinktank_brief"
    with pdfplumber.open(io.BytesIO((FIX / f"{name}.pdf").read_bytes())) as pdf:
        raw = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert cer(raw, truth(name)) > 5 * cer(extracted(name).text, truth(name)) + 0.005
    assert len(lines(raw)) > 3 * len(lines(extracted(name).text))


# ---------------------------------------------------------------- what the cleaning does


@pytest.mark.parametrize(
    ("name", "page_mark"), [("gov_notice", r"^- ?\d+ ?-$"), ("city_digest", r"^第 ?\d+ ?页$"), ("thinktank_brief", r"^\d+ ?/ ?\d+$")]
)
def test_page_numbers_and_running_headers_are_gone(name: str, page_mark: str) -> None:
    text = extracted(name).text
    assert not [ln for ln in lines(text) if re.match(page_mark, ln)]
    header = {
        "gov_notice": "浙江省经济和信息化厅文件",
        "city_digest": "区域动态 · 未来产业观察",
        "thinktank_brief": "领导学刊 2025年第6期",
    }[name]
    assert header not in text


def test_paragraphs_rejoined_across_page_breaks_without_spaces_between_cjk() -> None:
    text = extracted("gov_notice").text
    # this paragraph starts on page 1 and ends on page 2
    assert "加快形成规模和集群优势。积极布局量子科技" in text
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text)


def test_spaces_between_latin_words_are_kept() -> None:
    text = extracted("gov_notice").text
    assert "镥-177 PSMA治疗核药" in text


def test_footnote_moves_to_the_end_with_its_marker() -> None:
    text = extracted("city_digest").text
    last = lines(text)[-1]
    assert last.startswith("1") and "数据来源：各城市2025年政府工作报告" in last
    assert text.count("数据来源：各城市2025年政府工作报告") == 1
    assert "专精特新企业 10 家以上。1" in text or "专精特新企业10家以上。1" in text.replace(" ", "")


def test_table_kept_as_rows_even_when_a_row_breaks_across_pages() -> None:
    got = lines(extracted("task_table").text)
    want = lines(truth("task_table"))
    rows = [ln for ln in got if ln.count(" | ") == 3]
    assert rows[0] == "序号 | 重点任务 | 牵头单位 | 完成时限"
    assert len(rows) == len([ln for ln in want if ln.count(" | ") == 3])
    assert [r.split(" | ")[0] for r in rows[1:]] == [str(i) for i in range(1, len(rows))]


def test_issuing_metadata_from_first_and_last_page() -> None:
    meta = extracted("gov_notice").meta
    expected = json.loads((FIX / "gov_notice.meta.json").read_text(encoding="utf-8"))
    assert meta["doc_number"] == expected["doc_number"] == "浙经信规〔2025〕3号"
    assert meta["written"] == expected["written"] == "2025-03-05"
    assert meta["issuer"] == expected["issuer"] == "浙江省经济和信息化厅"


# ---------------------------------------------------------------- scanned pages


def test_scanned_pdf_is_ocred_with_confidence() -> None:
    res = extracted("scanned_notice")
    assert res.ocr is True
    assert res.ocr_confidence is not None and 0.8 < res.ocr_confidence <= 1.0
    assert cer(res.text, truth("scanned_notice")) <= 0.03
    assert "关于做好未来产业先导区培育工作的通知" in res.text
    assert not [ln for ln in lines(res.text) if re.match(r"^- ?1 ?-$", ln)]  # page number dropped by position
    assert res.meta.get("written") == "2025-04-10"


def test_scanned_pdf_without_ocr_package_is_flagged_not_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    # simulate a worker image built without the OCR wheel: the import fails
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    res = extract_pdf((FIX / "scanned_notice.pdf").read_bytes())
    assert res.ocr is False and res.page_count == 1
    assert any("no OCR package" in w for w in res.warnings)


# ---------------------------------------------------------------- broken and protected files


def test_encrypted_but_openable_pdf_is_read() -> None:
    res = extract_attachment((FIX / "encrypted_openable.pdf").read_bytes(), filename="a.pdf")
    assert "关于开展未来产业先导区申报工作的通知" in res.text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: (FIX / "password_protected.pdf").read_bytes(), "password-protected"),
        (lambda d: d[: len(d) // 2], "corrupt or truncated"),
        (lambda d: d[:400], "corrupt or truncated"),
        (lambda d: b"%PDF-1.7\n" + bytes(range(256)) * 40, "corrupt or truncated"),
        (lambda d: b"", "empty"),
    ],
    ids=["password", "truncated-half", "truncated-header", "garbage", "zero-bytes"],
)
def test_unreadable_pdfs_raise_a_clear_extraction_error(make, message: str) -> None:  # type: ignore[no-untyped-def]
    data = make((FIX / "thinktank_brief.pdf").read_bytes())
    with pytest.raises(ExtractionError, match=message) as err:
        extract_attachment(data, filename="x.pdf")
    # the crawl history and the CLI show this text to Chinese readers: Chinese first, the English after it
    assert "\u4e00" <= str(err.value)[0] <= "\u9fff" or str(err.value).startswith(("PDF", "x.pdf")), str(err.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value)), str(err.value)


# ---------------------------------------------------------------- pool and cache


def test_pool_extracts_across_processes_and_never_twice_for_the_same_bytes(tmp_path: Path) -> None:
    files = [(FIX / f"{n}.pdf").read_bytes() for n in ("thinktank_brief", "gov_notice")]
    broken = b"%PDF-1.7\n" + b"\x00" * 100
    cache = ExtractCache(tmp_path / "cache")
    with ExtractPool(workers=2, cache=cache) as pool:
        first = pool.map([(files[0], "a.pdf", None), (files[1], "b.pdf", None), (broken, "c.pdf", None), (files[0], "copy-of-a.pdf", None)])
        assert isinstance(first[0], AttachmentText) and first[0].text == extracted("thinktank_brief").text
        assert isinstance(first[2], ExtractionError) and "corrupt" in str(first[2])
        assert first[3].text == first[0].text  # type: ignore[union-attr]
        misses = cache.misses
        again = pool.map([(files[1], "b-again.pdf", None), (broken, "c-again.pdf", None)])
        assert cache.misses == misses and cache.hits >= 2
        assert again[0].text == first[1].text  # type: ignore[union-attr]
    # the on-disk cache serves a fresh process / pool too
    with ExtractPool(workers=0, cache=ExtractCache(tmp_path / "cache")) as pool2:
        assert pool2.extract(files[0], "a.pdf").text == first[0].text  # type: ignore[union-attr]
        assert pool2.cache.hits == 1 and pool2.cache.misses == 0


# ---------------------------------------------------------------- page joins (make_pagejoin.py)

PAGEJOIN_PDFS = ["pagejoin_justified", "pagejoin_ragged", "pagejoin_table"]


@pytest.mark.parametrize("name", PAGEJOIN_PDFS)
def test_paragraphs_running_over_page_ends_come_out_whole(name: str) -> None:
    """Justified and ragged type, running header and '- N -' footer, a table at a page foot: one line per paragraph."""
    assert lines(extracted(name).text) == lines(truth(name))


def test_the_fixtures_really_break_paragraphs_at_page_ends() -> None:
    """Guards the fixtures themselves: without page joins these documents would come out with extra lines."""
    from pipeline.pdf_text import read_layout, remove_furniture

    crossing = 0
    for name in PAGEJOIN_PDFS:
        pages, _ = read_layout((FIX / f"{name}.pdf").read_bytes())
        remove_furniture(pages)
        paras = lines(truth(name))
        for a, b in zip(pages, pages[1:]):
            if a.lines and b.lines:
                last, first = max(a.lines, key=lambda ln: ln.top).text, min(b.lines, key=lambda ln: ln.top).text
                crossing += any(last in p and first in p and p.index(last) < p.index(first) for p in paras)
    assert crossing >= 10


def test_a_ragged_line_a_few_glyphs_short_still_runs_on_over_the_page() -> None:
    from pipeline.pdf_text import Line, PageLayout, assemble

    def page(n: int, rows: list[tuple[float, float, str]]) -> PageLayout:
        return PageLayout(n, 595, 842, lines=[Line(t, x0, x1, 100 + 28 * i, 114 + 28 * i) for i, (x0, x1, t) in enumerate(rows)])

    body = "推动未来产业创新发展加快培育新质生产力各地要"  # 23 full-width glyphs of 15 pt from x=80 reach 425
    p1 = page(1, [(110, 425, body[:21]), (80, 425, body), (80, 425, body), (80, 395, body[:21] + "完善首台")])
    p2 = page(2, [(80, 425, "（套）装备和首批次材料的推广应用政策，"), (80, 200, "确保落地见效。"), (110, 425, body)])
    text, _ = assemble([p1, p2])
    assert text.split("\n")[0].endswith("确保落地见效。") and "首台（套）装备" in text
