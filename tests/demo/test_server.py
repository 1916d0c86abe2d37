"""The loopback server behaves like the government web servers the crawler meets: charsets, validators, 304s, 404s."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from demo.edits import EDITED, apply_demo_edit
from demo.server import serve_sites

SITES = Path(__file__).resolve().parents[2] / "demo" / "sites"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve_sites(SITES) as url:
        yield url


def test_list_page_is_served_with_the_site_charset(base: str) -> None:
    r = httpx.get(f"{base}/miit/wjfb/index.html")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "工业和信息化部等七部门关于推动未来产业创新发展的实施意见" in r.text
    assert r.text.count('<span class="date">') == 4
    assert httpx.get(f"{base}/miit/wjfb/index_2.html").status_code == 200


def test_gbk_pages_are_declared_and_decode_as_gbk(base: str) -> None:
    r = httpx.get(f"{base}/zj/tzgg/art_1229_01.html")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=gbk"
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    text = r.content.decode("gbk")
    assert "charset=gb2312" in text and "关于加快培育未来产业的实施意见（二次征求意见稿）" in text
    assert "到2027年，完成重点领域前瞻布局" in text
    assert r.text == text  # httpx follows the header charset


def test_pdf_attachment_has_extractable_chinese_text(base: str) -> None:
    import pdfplumber

    r = httpx.get(f"{base}/miit/wjfb/files/gov_notice.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(r.content)) as pdf:
        assert len(pdf.pages) >= 2
        texts = [page.extract_text() or "" for page in pdf.pages]
    assert "未来产业" in texts[0] and "- 2 -" in texts[1]
    assert all(t.startswith("工业和信息化部等七部门文件") for t in texts)  # the running header extraction must strip


def test_the_broken_pdf_is_served_truncated(base: str) -> None:
    r = httpx.get(f"{base}/miit/wjfb/files/hydrogen_guide.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-") and len(r.content) == 300


def test_etag_and_last_modified_round_trip_to_304(base: str) -> None:
    url = f"{base}/miit/wjfb/art_2025_0305_01.html"
    first = httpx.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    again = httpx.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert httpx.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert httpx.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_missing_files_404_and_robots_is_served(base: str) -> None:
    assert httpx.get(f"{base}/miit/wjfb/no-such-page.html").status_code == 404
    assert httpx.get(f"{base}/miit/_site.json").status_code == 404  # server config is not content
    robots = httpx.get(f"{base}/robots.txt")
    assert robots.status_code == 200 and "User-agent: *" in robots.text


def test_path_traversal_is_refused(base: str) -> None:
    import socket
    from urllib.parse import urlsplit

    host, port = urlsplit(base).hostname, urlsplit(base).port
    for raw in ("/../../../../etc/passwd", "/miit/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fpyproject.toml"):
        with socket.create_connection((host, port), timeout=5) as sock:  # raw request line: clients normalise "../" away
            sock.sendall(f"GET {raw} HTTP/1.0\r\n\r\n".encode())
            reply = sock.recv(4096)
        assert reply.split(b"\r\n", 1)[0].split()[1] == b"404", (raw, reply[:80])


def test_apply_demo_edit_changes_one_sentence_and_is_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "sites"
    shutil.copytree(SITES, root)
    before = (root / EDITED).read_text(encoding="utf-8")
    assert apply_demo_edit(root) == EDITED
    once = (root / EDITED).read_text(encoding="utf-8")
    assert apply_demo_edit(root) == EDITED
    assert (root / EDITED).read_text(encoding="utf-8") == once != before
    assert "预计到2027年" in before and "预计到2028年" in once and "预计到2027年" not in once
    assert once.count("<p") == before.count("<p") + 1
    assert (SITES / EDITED).read_text(encoding="utf-8") == before, "the bundled tree itself is never edited"


def test_an_edited_page_gets_a_new_etag(tmp_path: Path) -> None:
    root = tmp_path / "sites"
    shutil.copytree(SITES, root)
    with serve_sites(root) as url:
        etag = httpx.get(f"{url}/{EDITED}").headers["etag"]
        apply_demo_edit(root)
        r = httpx.get(f"{url}/{EDITED}", headers={"If-None-Match": etag})
    assert r.status_code == 200 and "预计到2028年" in r.text
