"""Score HTML extraction and `radar sources new` on real pages nobody on the team wrote.

Reads ``../shared/eval/real-pages`` (``truth.json`` + ``pages/``; override with
``RADAR_EVAL_DIR``).  Pages are split into two halves with a fixed seed: tune on
``tune``, report ``held-out`` (and both, so nobody mistakes one for the other).

Detail pages: title (whitespace ignored), date (YYYY-MM-DD), 发文字号 (null = none),
body start (every extracted line before ``body_first`` is in ``allowed_prefix``),
body end (likewise after ``body_last``), and two sentence recalls: **body sentences**
(the container's text read block by block, as a reader sees its lines, from ``body_first``
to ``body_last``: the issue's "no body sentence lost") and, kept for comparison with earlier
figures, **container sentences** (the container's whole ``text_content()``, where a heading,
a byline or a caption line glues onto the sentence after it and so counts as that sentence).  List pages: the drafted list selectors of ``radar sources
new`` must read exactly ``items`` entries.

    python bench/eval_html.py [--half tune|held-out|all] [--failures]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.html_extract import decode_html, extract_html  # noqa: E402

SEED = 17
DEFAULT_DIR = Path(os.environ.get("RADAR_EVAL_DIR", REPO.parent / "shared" / "eval")) / "real-pages"
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_LEAD = re.compile(r"^[\x00-\x7f]+")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]")


def squeeze(s: str | None) -> str:
    return _WS.sub("", s or "")


def halves(keys: list[str]) -> dict[str, list[str]]:
    """Fixed-seed split: the first half tunes, the second is reported as held-out."""
    order = sorted(keys)
    random.Random(SEED).shuffle(order)
    cut = (len(order) + 1) // 2
    return {"tune": sorted(order[:cut]), "held-out": sorted(order[cut:])}


@dataclass
class DetailScore:
    page: str
    fields: dict[str, bool] = field(default_factory=dict)
    recall: float = 1.0  # body sentences
    container_recall: float = 1.0  # the earlier measure: the container's glued text
    why: list[str] = field(default_factory=list)


def _container_text(html: str, css: str) -> str:
    import lxml.html

    root = lxml.html.document_fromstring(html)
    for el in list(root.iter("script", "style")):
        el.getparent().remove(el)
    try:
        hits = root.cssselect(css) or root.cssselect(css, translator="xml")
    except Exception:  # noqa: BLE001 - a truth selector cssselect cannot parse scores as an empty container
        hits = []
    return "\n".join(h.text_content() for h in hits)


# Elements a browser starts on a new line: their text never runs into the sentence before or after.
_BLOCKS = frozenset(
    "p div br li ul ol tr table tbody h1 h2 h3 h4 h5 h6 section article header footer blockquote pre dd dt dl figure figcaption center hr".split()
)


def _container_lines(html: str, css: str) -> list[str]:
    """The container's text as lines, broken where a block element starts or ends (as rendered)."""
    import lxml.html

    root = lxml.html.document_fromstring(html)
    for el in list(root.iter("script", "style")):
        el.getparent().remove(el)
    try:
        hits = root.cssselect(css) or root.cssselect(css, translator="xml")
    except Exception:  # noqa: BLE001 - as in _container_text
        hits = []
    parts: list[str] = []

    def walk(el: Any) -> None:
        block = isinstance(el.tag, str) and el.tag.lower() in _BLOCKS
        if block:
            parts.append("\n")
        if isinstance(el.tag, str) and el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    for h in hits:
        walk(h)
        parts.append("\n")
    return [line for line in "".join(parts).split("\n") if line.strip()]


def body_sentences(html: str, truth: dict[str, Any]) -> list[str]:
    """Sentences of the body proper: per rendered line, from ``body_first`` to ``body_last`` inclusive.

    Lines outside that span are the page furniture or the allowed prefix/suffix the truth names; an
    extractor is free to drop them, so they are not the body's sentences.
    """
    lines = _container_lines(html, truth["container"])
    found: list[tuple[int, str]] = []
    joined = ""
    for line in lines:
        sq_line = squeeze(line)
        for m in _SENTENCE.finditer(line):
            s = _LEAD.sub("", squeeze(m.group(0)))
            if len(s) >= 8:
                found.append((len(joined) + sq_line.find(s) if s in sq_line else len(joined), s))
        joined += sq_line
    first, last = squeeze(truth.get("body_first")), squeeze(truth.get("body_last"))
    start = joined.find(first) if first else -1
    end = joined.rfind(last) if last else -1
    start = 0 if start < 0 else start
    end = len(joined) if end < 0 else end + len(last)
    return [s for pos, s in found if start <= pos and pos + len(s) <= end]


def _find_line(lines: list[str], needle: str, last: bool) -> int | None:
    n = squeeze(needle)
    idx = [i for i, line in enumerate(lines) if n and n in squeeze(line)]
    if not idx:  # a truth sentence split across rendered lines: find where the joined text holds it
        return None
    return idx[-1] if last else idx[0]


def score_detail(page: str, truth: dict[str, Any], base: Path) -> DetailScore:
    raw = (base / page).read_bytes()
    html = decode_html(raw)
    url = "https://example.invalid/" + page
    ext = extract_html(html, url)
    sc = DetailScore(page)
    sc.fields["title"] = squeeze(ext.title) == squeeze(truth["title"])
    if not sc.fields["title"]:
        sc.why.append(f"title {ext.title!r}")
    sc.fields["date"] = (ext.published.isoformat() if ext.published else None) == truth["date"]
    if not sc.fields["date"]:
        sc.why.append(f"date {ext.published} ({getattr(ext, 'date_source', None)}) want {truth['date']}")
    sc.fields["doc_number"] = squeeze(ext.doc_number) == squeeze(truth["doc_number"])
    if not sc.fields["doc_number"]:
        sc.why.append(f"doc_number {ext.doc_number!r} want {truth['doc_number']!r}")
    lines = [line for line in ext.text.split("\n") if line.strip()]
    first = _find_line(lines, truth["body_first"], last=False)
    last = _find_line(lines, truth["body_last"], last=True)
    prefix = {squeeze(p) for p in truth["allowed_prefix"]}
    suffix = {squeeze(p) for p in truth["allowed_suffix"]}
    if first is None:
        sc.fields["body_start"] = False
        sc.why.append(f"body_first not found; text starts {lines[:2]!r}")
    else:
        extra = [line for line in lines[:first] if squeeze(line) not in prefix]
        sc.fields["body_start"] = not extra
        if extra:
            sc.why.append(f"before body: {extra[:3]!r}")
    if last is None:
        sc.fields["body_end"] = False
        sc.why.append(f"body_last not found; text ends {lines[-2:]!r}")
    else:
        extra = [line for line in lines[last + 1 :] if squeeze(line) not in suffix]
        sc.fields["body_end"] = not extra
        if extra:
            sc.why.append(f"after body: {extra[:3]!r}")
    # text_content() glues player/UI words to the first sentence ("PlayVideo0:00/2:54新华社…"): start at its first Han
    sentences = [_LEAD.sub("", squeeze(s)) for s in _SENTENCE.findall(_container_text(html, truth["container"]))]
    sentences = [s for s in sentences if len(s) >= 8]
    text = squeeze(ext.text)
    if sentences:
        lost = [s for s in sentences if s not in text]
        sc.container_recall = 1 - len(lost) / len(sentences)
        if lost:
            sc.why.append(f"container: {len(lost)}/{len(sentences)} glued sentences lost, e.g. {lost[0][:40]!r}")
    body = body_sentences(html, truth)
    if body:
        lost = [s for s in body if s not in text]
        sc.recall = 1 - len(lost) / len(body)
        if lost:
            sc.why.append(f"body: {len(lost)}/{len(body)} sentences lost, e.g. {lost[0][:40]!r}")
    return sc


def drafted_count(page: str, base: Path) -> tuple[int, str]:
    """Entries the `radar sources new` draft reads from the page (0 when it finds no list), read as a crawl reads them."""
    from scrapy.http import HtmlResponse

    from radar.source_tools import guess_source
    from core.sources import SourceConfig
    from spiders.listing import ListFormatError, read_entries

    html = decode_html((base / page).read_bytes())
    url = "https://example.invalid/" + page
    try:
        draft = guess_source(url, html)
    except ValueError as exc:
        return 0, f"no draft ({exc})"
    source = SourceConfig.model_validate(draft)
    resp = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    try:
        n = len(read_entries(resp, source))
    except ListFormatError as exc:
        return 0, f"draft unreadable ({exc})"
    how = f"api.inline {source.api.inline!r}" if source.api else f"item {source.list.item!r}" if source.list else "?"
    if source.list and source.list.container:
        how += f" container {source.list.container!r}"
    return n, how


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f} % ({n}/{d})" if d else "  n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--half", choices=["tune", "held-out", "all"], default=None, help="default: print both halves and all")
    ap.add_argument("--failures", action="store_true", help="print why each failing page fails")
    args = ap.parse_args(argv)
    truth_path = args.dir / "truth.json"
    if not truth_path.is_file():
        print(f"real pages not found at {args.dir} (set RADAR_EVAL_DIR); nothing scored", file=sys.stderr)
        return 2
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    dsplit, lsplit = halves(list(truth["detail"])), halves(list(truth["list"]))
    details = {p: score_detail(p, t, args.dir) for p, t in truth["detail"].items()}
    lists = {p: (drafted_count(p, args.dir), t["items"]) for p, t in truth["list"].items()}
    names = [args.half] if args.half else ["tune", "held-out", "all"]
    print(f"real pages: {args.dir} (seed {SEED})")
    for half in names:
        dkeys = list(truth["detail"]) if half == "all" else dsplit[half]
        lkeys = list(truth["list"]) if half == "all" else lsplit[half]
        print(f"\n== {half}: {len(dkeys)} detail pages, {len(lkeys)} list pages")
        for f in ("title", "date", "doc_number", "body_start", "body_end"):
            print(f"  {f:<12} {pct(sum(details[k].fields[f] for k in dkeys), len(dkeys))}")
        for label, attr in (("recall", "recall"), ("(container)", "container_recall")):
            recalls = [getattr(details[k], attr) for k in dkeys]
            full = sum(r >= 1.0 for r in recalls)
            what = "body sentence" if attr == "recall" else "glued container sentence"
            print(f"  {label:<12} mean {100 * sum(recalls) / max(1, len(recalls)):5.1f} %, pages losing no {what} {pct(full, len(dkeys))}")
        exact = sum(lists[k][0][0] == lists[k][1] for k in lkeys)
        print(f"  {'sources new':<12} {pct(exact, len(lkeys))} list pages with exactly the items")
        failing = [k for k in dkeys if not all(details[k].fields.values()) or details[k].recall < 1]  # by the body measure
        if failing:
            print("  failing detail pages: " + ", ".join(Path(k).parent.name for k in failing))
        lfail = [k for k in lkeys if lists[k][0][0] != lists[k][1]]
        if lfail:
            print(
                "  failing list pages: " + ", ".join(f"{k.split('/')[1]}/{Path(k).stem} ({lists[k][0][0]} of {lists[k][1]})" for k in lfail)
            )
    if args.failures:
        shown_d = set(truth["detail"]) if args.half in (None, "all") else set(dsplit[args.half])
        shown_l = set(truth["list"]) if args.half in (None, "all") else set(lsplit[args.half])
        print(f"\n== why ({args.half or 'all'})")
        for k, sc in details.items():
            if sc.why and k in shown_d:
                print(f"{k}:\n    " + "\n    ".join(sc.why))
        for k, ((n, how), want) in lists.items():
            if k in shown_l:
                print(f"{k}: {n} entries, want {want}; {how}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
