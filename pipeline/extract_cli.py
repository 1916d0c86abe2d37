"""`radar extract FILE_OR_URL [--json]`: show exactly what the pipeline would extract.

Operators use it to check a new source or a puzzling attachment without
running a crawl, so it goes through the same decode/sniff/extract code.  A
page of a configured source (named with ``--source``, or found by its address:
``core.sources.source_for_url``) is read with that source's selectors,
encoding, noise patterns and fallbacks, exactly as the crawl reads it
(``pipeline.release_fields``), so the date and summary shown are the ones the
digest will use; the output says which configuration was applied.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.attachment_extract import ExtractionError, extract_attachment, sniff_kind

if TYPE_CHECKING:
    from core.sources import SourceConfig

__all__ = ["extract_command"]

_USER_AGENT = "PolicyRadar/0.1 (+extract command)"


def _fetch(url: str, source: SourceConfig | None = None) -> tuple[bytes, str | None, str]:
    """The page as the crawl would request it: a source's own headers (a Referer a site insists on) and cookies."""
    import httpx

    headers = {"User-Agent": _USER_AGENT, **(source.headers if source else {})}
    cookies = dict(source.cookies) if source else None
    with httpx.Client(follow_redirects=True, timeout=30, headers=headers, cookies=cookies) as client:
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


def choose_source(target: str, sources: Sequence[SourceConfig], source: SourceConfig | None = None) -> tuple[SourceConfig | None, str]:
    """The source whose rules read ``target`` and why, in the words the output shows (中文 / English)."""
    if source is not None:
        return source, f"命令行指定 / given with --source {source.name}"
    if not target.startswith(("http://", "https://")):
        return None, "本地文件，未指定 --source：通用提取 / a local file without --source: generic extraction"
    from core.sources import source_for_url

    found, tied = source_for_url(target, list(sources))
    if found is not None:
        return found, f"网址属于来源 {found.name} 的站点 / the address belongs to source {found.name}"
    if tied:
        names = ", ".join(sorted(s.name for s in tied))
        return None, (
            f"网址同时属于多个来源（{names}），各自规则不同：通用提取，请用 --source 指定 / "
            f"the address belongs to several sources ({names}) that read pages differently: generic extraction; pass --source"
        )
    return None, "没有配置的来源匹配此网址：通用提取 / no configured source matches this address: generic extraction"


def extract_command(
    target: str,
    as_json: bool,
    max_chars: int | None = None,
    report: Callable[[str], None] = _stderr,
    *,
    sources: Sequence[SourceConfig] = (),
    source: SourceConfig | None = None,
) -> int:
    """Extract a local file or an http(s) URL; print text (or JSON metadata). Returns the exit code.

    The text is printed whole unless ``max_chars`` cuts it; a cut is never silent
    (``text_truncated`` in JSON, a closing note on stderr for plain text).  ``report``
    prints a failure (the CLI passes its own error printer: 中文 / English, like every other error).
    ``source`` (``--source``) or the one of ``sources`` the address belongs to supplies the crawl's
    reading rules for a page; the JSON names it under ``source`` and ``source_match``.
    """
    applied, why = choose_source(target, sources, source)
    try:
        if target.startswith(("http://", "https://")):
            data, ctype, url = _fetch(target, applied)
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
    out: dict[str, Any]
    if is_page and applied is not None:
        from core.sources import compile_pattern
        from pipeline.html_extract import extract_page
        from pipeline.release_fields import release_fields

        page = extract_page(data, url, declared=_charset(ctype), override=applied.encoding, selectors=applied.detail)
        fields = release_fields(page, applied, url=url, noise=[compile_pattern(p) for p in applied.noise_patterns])
        out = {"kind": "html", "url": url, **_jsonable(page)}
        out.pop("text_normalized", None)
        out.update(_jsonable({k: fields.meta[k] for k in ("agency", "doc_number", "published", "date_source", "written")}))
        out.update(title=fields.title, text=fields.body, region=fields.meta["region"])
        out["doctype"], out["summary"] = fields.meta["doctype"], fields.summary
        text = fields.body
    elif is_page:
        from pipeline.html_extract import decode_html, extract_html

        page = extract_html(decode_html(data, declared=_charset(ctype)), url)
        out = {"kind": "html", "url": url, **_jsonable(page)}
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
        if applied is not None:  # the crawl reads attachments the same way for every source
            why += "；附件不用来源的页面规则 / an attachment: the source's page rules do not apply"
    cut = max_chars is not None and len(text) > max_chars
    if as_json:
        if "summary" not in out:
            out["doctype"], out["summary"] = _digest_summary(out.get("title") or name, text, out.get("doc_number"))
        out["source"] = applied.name if applied is not None else None
        out["source_match"] = why
        full = out.get("text", "")
        out["text"] = full[:max_chars] if max_chars is not None else full
        out["text_chars"] = len(text)
        out["text_truncated"] = cut
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"提取规则 / rules: {why}", file=sys.stderr)
        print(text[:max_chars] if cut else text)
        if cut:
            print(f"…（已截断：显示 {max_chars} / {len(text)} 字 / truncated to {max_chars} of {len(text)} characters）", file=sys.stderr)
    return 0
