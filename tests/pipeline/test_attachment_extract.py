"""Attachment dispatch and the non-PDF formats (tests/fixtures/office, built by make_fixtures.py).

notice.* is the same short 通知 with a 3-row table saved as DOCX, DOC and
WPS (a Word-97 compound file, which is what Kingsoft WPS writes), as OFD and
as a GB18030 text file; tasks.* is a small task list as XLSX and XLS.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.attachment_extract import ExtractionError, extract_attachment, sniff_kind
from pipeline.extract_cli import extract_command

OFFICE = Path(__file__).resolve().parents[1] / "fixtures" / "office"
PDF = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
NOTICE = (OFFICE / "notice.expected.txt").read_text(encoding="utf-8")
TASKS = (OFFICE / "tasks.expected.txt").read_text(encoding="utf-8")
needs_libreoffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")


def squeeze(s: str) -> str:
    return re.sub(r"[ \t]+", " ", s).strip()


def extract(name: str, filename: str | None = None):  # type: ignore[no-untyped-def]
    return extract_attachment((OFFICE / name).read_bytes(), filename=filename or name)


def test_docx_paragraphs_and_table_rows() -> None:
    res = extract("notice.docx")
    assert res.kind == "docx"
    assert squeeze(res.text) == squeeze(NOTICE)
    assert res.meta == {"doc_number": "浙政办发〔2025〕8号", "written": "2025-04-10", "issuer": "浙江省人民政府办公厅"}


@needs_libreoffice
@pytest.mark.parametrize("name", ["notice.doc", "notice.wps"])
def test_doc_and_wps_via_libreoffice(name: str) -> None:
    res = extract(name)
    assert res.kind == name.rsplit(".", 1)[1]
    assert squeeze(res.text) == squeeze(NOTICE)


def test_doc_without_libreoffice_uses_the_builtin_word97_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_NO_LIBREOFFICE", "1")
    res = extract("notice.doc")
    assert res.kind == "doc"
    assert squeeze(res.text) == squeeze(NOTICE)


@pytest.mark.parametrize(("name", "kind"), [("tasks.xlsx", "xlsx"), ("tasks.xls", "xls")])
def test_spreadsheets_become_rows(name: str, kind: str) -> None:
    res = extract(name)
    assert res.kind == kind
    assert res.text == TASKS.strip()


def test_gb18030_text_file() -> None:
    res = extract("notice.txt")
    assert res.kind == "txt"
    assert squeeze(res.text) == squeeze(NOTICE)


def test_ofd_read_from_its_xml_with_pdf_layout_rules() -> None:
    res = extract("notice.ofd")
    assert res.kind == "ofd"
    body = "\n".join(ln for ln in NOTICE.splitlines() if " | " not in ln)  # the OFD fixture carries no table
    assert squeeze(res.text) == squeeze(body)
    assert res.meta["doc_number"] == "浙政办发〔2025〕8号"


# ---------------------------------------------------------------- dispatch


def test_magic_bytes_beat_the_file_name() -> None:
    pdf = (PDF / "thinktank_brief.pdf").read_bytes()
    assert sniff_kind(pdf, "附件1.doc") == "pdf"
    assert sniff_kind((OFFICE / "notice.docx").read_bytes(), "download.aspx?id=3") == "docx"
    assert sniff_kind((OFFICE / "tasks.xls").read_bytes(), "tasks.doc") == "xls"
    assert sniff_kind((OFFICE / "notice.doc").read_bytes(), "notice.wps") == "wps"
    res = extract_attachment(pdf, filename="附件1.doc", content_type="application/msword")
    assert res.kind == "pdf" and res.page_count == 5


def test_word_saved_as_web_page_but_named_doc() -> None:
    html = "<html><head><meta charset='gbk'></head><body><p>关于申报2025年度未来产业项目的通知</p><p>各有关单位：请于3月底前提交材料。</p></body></html>"
    res = extract_attachment(html.encode("gbk"), filename="通知.doc")
    assert res.kind == "html"
    assert res.text == "关于申报2025年度未来产业项目的通知\n各有关单位：请于3月底前提交材料。"
    assert any("really html" in w for w in res.warnings)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.docx", "empty"),
        (b"PK\x03\x04" + b"\x00" * 50, "a.docx", "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls", "corrupt"),
        (bytes(range(256)) * 4, "archive.rar", "unsupported"),
    ],
    ids=["empty", "broken-zip", "broken-ole", "unknown-binary"],
)
def test_unreadable_attachments_raise_extraction_error(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_attachment(data, filename=filename)


# ---------------------------------------------------------------- radar extract


def test_extract_command_prints_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert extract_command(str(PDF / "gov_notice.pdf"), False) == 0
    out = capsys.readouterr().out
    assert out.startswith("浙经信规〔2025〕3号\n关于加快培育未来产业的实施意见")
    assert extract_command(str(PDF / "gov_notice.pdf"), True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "pdf" and data["page_count"] == 12
    assert data["meta"]["doc_number"] == "浙经信规〔2025〕3号"


def test_extract_command_reports_unreadable_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert extract_command(str(PDF / "password_protected.pdf"), False) == 1
    assert "password-protected" in capsys.readouterr().err
    assert extract_command(str(PDF / "does-not-exist.pdf"), False) == 2


def test_extract_command_fetches_a_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import functools
    import http.server
    import threading

    page = "<html><head><title>关于推动未来产业发展的通知_浙江省人民政府</title></head><body><div class='content'><p>发布日期：2025年3月5日</p><p>为加快培育未来产业，现将有关事项通知如下。</p></div></body></html>"
    (tmp_path / "a.html").write_bytes(page.encode("gbk"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/a.html"
        assert extract_command(url, True) == 0
    finally:
        server.shutdown()
        server.server_close()
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "html"
    assert data["title"] == "关于推动未来产业发展的通知"
    assert data["published"] == "2025-03-05"
    assert data["text"] == "为加快培育未来产业，现将有关事项通知如下。"
