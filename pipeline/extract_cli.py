"""`radar extract FILE_OR_URL [--json]`: show exactly what the pipeline would extract.

Operators use it to check a new source or a puzzling attachment without
running a crawl, so it goes through the same decode/sniff/extract code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any

from pipeline.attachment_extract import ExtractionError, extract_attachment, sniff_kind

__all__ = ["extract_command"]

_USER_AGENT = "PolicyRadar/0.1 (+extract command)"


def _fetch(url: str) -> tuple[bytes, str | None, str]:
    import httpx

    with httpx.Client(follow_redirects=True, timeout=30, headers={"User-Agent": _USER_AGENT}) as client:
        resp = client.get(url)
        resp.raise_for_status()
        ctype = resp.headers.get("content-type")
        return resp.content, ctype, str(resp.url)


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    return obj


def _charset(ctype: str | None) -> str | None:
    if ctype and "charset=" in ctype.lower():
        return ctype.lower().split("charset=")[-1].split(";")[0].strip()
    return None


def _digest_summary(title: str, text: str, doc_number: str | None) -> tuple[str, str]:
    """The document type and summary the crawl would store and the digest show, by the same functions."""
    from pipeline.doctype import detect_doctype
    from pipeline.normalize import normalize_text
    from pipeline.summarize import release_summary

    doctype = detect_doctype(title, {"doc_number": doc_number, "kind": "government"})
    return doctype, release_summary(title, normalize_text(text), doctype=doctype)


def _stderr(message: str) -> None:
    print(f"错误 / error: {message}", file=sys.stderr)


def extract_command(target: str, as_json: bool, max_chars: int | None = None, report: Callable[[str], None] = _stderr) -> int:
    """Extract a local file or an http(s) URL; print text (or JSON metadata). Returns the exit code.

    The text is printed whole unless ``max_chars`` cuts it; a cut is never silent
    (``text_truncated`` in JSON, a closing note on stderr for plain text).  ``report``
    prints a failure (the CLI passes its own error printer: 中文 / English, like every other error).
    """
    try:
        if target.startswith(("http://", "https://")):
            data, ctype, url = _fetch(target)
            name = url.rsplit("/", 1)[-1] or "index.html"
        else:
            path = Path(target)
            if not path.is_file():
                report(f"文件不存在 / no such file: {target}")
                return 2
            data, ctype, url, name = path.read_bytes(), None, path.resolve().as_uri(), path.name
    except Exception as exc:  # noqa: BLE001 - network errors, HTTP status, permissions: one message, exit 2
        report(f"无法读取 / cannot fetch {target}: {exc}")
        return 2

    kind = sniff_kind(data, name, ctype) if data else "empty"
    # a web page gets page extraction; an attachment that is secretly HTML (Word "save as web page" .doc) does not
    is_page = (kind == "html" and not name.lower().endswith((".doc", ".docx", ".wps", ".xls"))) or (
        kind == "txt" and (ctype or "").startswith("text/html")
    )
    if is_page:
        from pipeline.html_extract import decode_html, extract_html

        page = extract_html(decode_html(data, declared=_charset(ctype)), url)
        out: dict[str, Any] = {"kind": "html", "url": url, **_jsonable(page)}
        out.pop("text_normalized", None)
        text = page.text
    else:
        try:
            res = extract_attachment(data, filename=name, content_type=ctype)
        except ExtractionError as exc:
            if as_json:
                print(json.dumps({"url": url, "error": str(exc)}, ensure_ascii=False, indent=2))
            else:
                report(f"无法提取 / cannot extract {name}: {exc}")
            return 1
        out = {"url": url, **_jsonable(res)}
        text = res.text
    cut = max_chars is not None and len(text) > max_chars
    if as_json:
        out["doctype"], out["summary"] = _digest_summary(out.get("title") or name, text, out.get("doc_number"))
        full = out.get("text", "")
        out["text"] = full[:max_chars] if max_chars is not None else full
        out["text_chars"] = len(text)
        out["text_truncated"] = cut
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(text[:max_chars] if cut else text)
        if cut:
            print(f"…（已截断：显示 {max_chars} / {len(text)} 字 / truncated to {max_chars} of {len(text)} characters）", file=sys.stderr)
    return 0
