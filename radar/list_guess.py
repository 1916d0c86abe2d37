"""Guess the list selectors of a release list page (the list part of ``radar sources new``).

A release list is a run of sibling blocks that each hold one link and one date.
So every link is walked up to the smallest ancestor whose text carries a date
(the link's *entry*), entries are grouped by their markup, and the largest group
wins.  The selector is then made just specific enough to match exactly those
entries on the page (qualified by the list's own id or class when the bare tag
path also matches sidebars or layout cells).  Lists that templates keep inside an
HTML comment (filled in by a script) are read from the comment as a container, and
lists shipped as a JSON literal in a script (``articleList: [...]`` for a client-side
template) become an ``api.inline`` block.
"""

from __future__ import annotations

import re
from typing import Any
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from parsel import Selector

__all__ = ["InlineGuess", "ListGuess", "guess_list"]

DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_MAX_ENTRY_CHARS = 300  # an entry is a title, a date and a little furniture, not a paragraph
_MAX_LINKS = 3  # an entry may carry a PDF or 解读 link beside its own
_MAX_UP = 5  # levels from a link to its entry
_CSS_IDENT = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass
class ListGuess:
    """Selectors for the ``list:`` block of a source file, and how many entries they read on the page."""

    item: str
    link: str
    title: str
    date: str | None
    container: str | None
    entries: int

    def as_config(self) -> dict[str, object]:
        out: dict[str, object] = {"item": self.item, "link": self.link, "title": self.title, "date": self.date}
        if self.container:
            out["container"] = self.container
        return out

    def source_fields(self) -> dict[str, object]:
        """The source-file keys this guess fills in."""
        return {"list": self.as_config()}


@dataclass
class InlineGuess:
    """A list shipped as a JSON literal in a page script (rendered client-side by a template): an ``api.inline`` block."""

    key: str
    link: str
    title: str
    date: str | None
    entries: int

    def source_fields(self) -> dict[str, object]:
        return {"format": "json", "api": {"inline": self.key, "link": self.link, "title": self.title, "date": self.date}}


def _text(el: etree._Element) -> str:
    return re.sub(r"\s+", "", el.text_content() if hasattr(el, "text_content") else "".join(el.itertext()))


def _links(el: etree._Element) -> list[etree._Element]:
    return [a for a in el.iter("a") if _is_link(a)]


def _is_link(a: etree._Element) -> bool:
    href = (a.get("href") or "").strip()
    return bool(href) and not href.lower().startswith(("javascript:", "#", "mailto:"))


def _sig(el: etree._Element) -> str:
    classes = [c for c in (el.get("class") or "").split() if _CSS_IDENT.match(c)]
    return el.tag + "".join(f".{c}" for c in classes[:2])


def _entry_of(a: etree._Element) -> etree._Element | None:
    """The smallest ancestor with a date outside the link text (titles such as "2020年6月30日基金净值公告" carry dates too)."""
    own = _text(a)
    node: etree._Element | None = a
    fallback = a if DATE.search(own) else None
    for _ in range(_MAX_UP + 1):
        if node is None or not isinstance(node.tag, str) or node.tag in {"body", "html"}:
            break
        text = _text(node)
        if len(text) > _MAX_ENTRY_CHARS or len(_links(node)) > _MAX_LINKS:
            break
        if node is not a and DATE.search(text.replace(own, "", 1)):
            return node
        node = node.getparent()
    return fallback


def _groups(root: etree._Element) -> list[list[etree._Element]]:
    """Entries grouped by (parent, entry) markup, largest group first, deeper (more specific) first on ties."""
    groups: dict[tuple[str, str], list[etree._Element]] = defaultdict(list)
    for a in root.iter("a"):
        if not _is_link(a) or not (_text(a) or a.get("title")):
            continue
        entry = _entry_of(a)
        if entry is None:
            continue
        parent = entry.getparent()
        # zebra-striped rows (tr.current / tr) are one list: group by tag, keep only the classes all share
        key = (_sig(parent) if parent is not None else "", entry.tag)
        if entry not in groups[key]:
            groups[key].append(entry)
    ranked = sorted(groups.values(), key=lambda g: (-len(g), -_depth(g[0])))
    return [g for g in ranked if len(g) >= 3]


def _depth(el: etree._Element) -> int:
    return sum(1 for _ in el.iterancestors())


def _qualifier(el: etree._Element) -> list[str]:
    """CSS naming this one ancestor: by id when it has a usable one, else by class."""
    out = []
    ident = el.get("id")
    if ident:
        out.append(f"{el.tag}#{ident}" if _CSS_IDENT.match(ident) else f'[id="{ident}"]')
    classes = [c for c in (el.get("class") or "").split() if _CSS_IDENT.match(c)]
    if classes:
        out.append(el.tag + "".join(f".{c}" for c in classes[:2]))
    return out


def _common_ancestor(nodes: list[etree._Element]) -> etree._Element | None:
    paths = [list(n.iterancestors()) for n in nodes]
    for anc in paths[0]:
        if all(anc in p for p in paths[1:]):
            return anc
    return None


def _shared_sig(group: list[etree._Element]) -> str:
    shared = None
    for e in group:
        classes = [c for c in (e.get("class") or "").split() if _CSS_IDENT.match(c)]
        shared = classes if shared is None else [c for c in shared if c in classes]
    return group[0].tag + "".join(f".{c}" for c in (shared or [])[:2])


def _xpath_qualifier(el: etree._Element) -> list[str]:
    out = []
    if el.get("id"):
        out.append(f'//*[@id="{el.get("id")}"]')
    classes = [c for c in (el.get("class") or "").split() if _CSS_IDENT.match(c)]
    if classes:
        out.append(f"//{el.tag}[contains(concat(' ', normalize-space(@class), ' '), ' {classes[0]} ')]")
    return out


_XPATH_ENTRY = "[count(.//a[@href]) >= 1 and count(.//a[@href]) <= %d and re:test(., '%s')]" % (_MAX_LINKS, DATE.pattern)


def _item_selector(sel: Selector, group: list[etree._Element]) -> str | None:
    """The least qualified selector that matches exactly the group's entries among nodes holding a link.

    CSS first (what an operator reads most easily); when layout cells share the
    entries' markup, an XPath that also asks for a date and at most three links.
    """
    parent = group[0].getparent()
    entry = _shared_sig(group)
    base = f"{_sig(parent)} > {entry}" if parent is not None else entry
    ancestors: list[Any] = []
    anc = _common_ancestor(group)
    while anc is not None and anc.tag not in {"html", "body"} and len(ancestors) < 8:
        ancestors.append(anc)
        anc = anc.getparent()
    candidates = [base] + [f"{q} {base}" for a in ancestors for q in _qualifier(a)]
    xbase = f"//{parent.tag if parent is not None else '*'}/{group[0].tag}{_XPATH_ENTRY}"
    candidates += ["xpath:" + xbase] + [f"xpath:{q}{xbase}" for a in ancestors for q in _xpath_qualifier(a)]
    wanted = set(group)
    for expr in candidates:
        try:
            found = sel.xpath(expr[6:]) if expr.startswith("xpath:") else sel.css(expr)
        except Exception:  # noqa: BLE001 - a class name cssselect (or an XPath lxml) cannot parse
            continue
        hits = [h.root for h in found if isinstance(h.root, etree._Element) and _links(h.root)]
        if len(hits) == len(group) and set(hits) == wanted:
            return expr
    return None


def _field_selectors(group: list[etree._Element]) -> tuple[str, str, str | None]:
    many = any(len(_links(e)) > 1 for e in group)
    link = "xpath:(.//a[@href])[1]/@href" if many else "a::attr(href)"
    titled = sum(1 for e in group if _links(e) and _links(e)[0].get("title")) >= 0.8 * len(group)
    if titled:
        title = "xpath:(.//a[@href])[1]/@title" if many else "a::attr(title)"
    else:
        title = "xpath:(.//a[@href])[1]//text()" if many else "a::text"
    votes: dict[str, int] = defaultdict(int)
    for e in group:
        for d in e.iter():
            if isinstance(d.tag, str) and d.tag != "a" and d is not e and DATE.search(d.text or ""):
                votes[_sig(d) + "::text"] += 1
                break
    date = max(votes, key=lambda k: votes[k]) if votes else None
    if date is None or votes[date] < 0.8 * len(group):
        date = "xpath:.//text()"  # date inside the link text or loose in the entry: the reader takes the first date
    return link, title, date


def _guess_in(sel: Selector) -> tuple[str, list[etree._Element]] | None:
    for group in _groups(sel.root)[:5]:
        css = _item_selector(sel, group)
        if css:
            return css, group
    return None


def _comment_lists(sel: Selector) -> list[tuple[str, Selector]]:
    """Comments holding list markup (templates that keep the static list commented out for a script)."""
    out = []
    for c in sel.root.iter(etree.Comment):
        body = c.text or ""
        if body.count("href") < 3 or not DATE.search(body):
            continue
        parent = c.getparent()
        if parent is None:
            continue
        where = f"//{parent.tag}"
        if parent.get("id"):
            where += f'[@id="{parent.get("id")}"]'
        elif parent.get("class"):
            where += f'[@class="{parent.get("class")}"]'
        out.append((f"xpath:{where}/comment()[contains(., 'href')]", Selector(text=f"<html><body>{body}</body></html>")))
    return out


_INLINE_START = re.compile(r"""(?<![\w$])["']?([A-Za-z_$][\w$]*)["']?\s*[:=]\s*(?=\[\s*\{)""")
_URLISH = re.compile(r"^(?:https?://|/|\.{1,2}/)?[^\s<>\"']*\.(?:s?html?|jsp|aspx?|php)(?:\?[^\s]*)?$", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _leaves(item: dict, prefix: str = "", depth: int = 0) -> dict[str, object]:
    """Scalar fields of one JSON item by dot path, going into nested objects and JSON-in-string values."""
    import json

    out: dict[str, object] = {}
    for k, v in item.items():
        path = f"{prefix}{k}"
        if isinstance(v, str) and v.lstrip().startswith("{") and depth < 2:
            try:
                v = json.loads(v)
            except ValueError:
                pass
        if isinstance(v, dict) and depth < 2:
            out.update(_leaves(v, path + ".", depth + 1))
        elif isinstance(v, (str, int, float)):
            out[path] = v
    return out


def _pick(rows: list[dict[str, object]], test: "Callable[[object], bool]") -> list[str]:
    keys = set().union(*(r.keys() for r in rows))
    return [k for k in sorted(keys) if sum(1 for r in rows if k in r and test(r[k])) >= 0.8 * len(rows)]


def _inline_guess(html: str) -> InlineGuess | None:
    """The largest JSON array of release-like objects (title, date, page URL) in an inline script."""
    import json

    from spiders.listing import ListFormatError, inline_json

    best: InlineGuess | None = None
    decoder = json.JSONDecoder()
    for m in _INLINE_START.finditer(html):
        try:
            value, _ = decoder.raw_decode(html, m.end())
        except ValueError:
            continue
        rows = [_leaves(v) for v in value if isinstance(v, dict)] if isinstance(value, list) else []
        if len(rows) < 3:
            continue
        links = _pick(rows, lambda v: isinstance(v, str) and bool(_URLISH.match(v.strip())))
        titles = _pick(rows, lambda v: isinstance(v, str) and "<" not in v and len(_HAN.findall(v)) >= 4)
        dates = _pick(rows, lambda v: isinstance(v, str) and bool(DATE.search(v)))
        if not links or not titles:
            continue

        def mean_len(k: str, rows: list[dict[str, object]] = rows) -> float:
            return sum(len(str(r.get(k, ""))) for r in rows) / len(rows)

        # a headline, not an abstract: a title-named key first, then the longest field of headline length
        title = max(
            titles,
            key=lambda k: (
                k.lower().rsplit(".", 1)[-1] == "title",
                not any("<" in str(r.get(k, "")) for r in rows),
                "title" in k.lower(),
                mean_len(k) <= 100,
                sum(1 for r in rows if r.get(k)),
                mean_len(k),
            ),
        )
        if sum(len(_HAN.findall(str(r.get(title, "")))) for r in rows) < 8 * len(rows):
            continue  # column or menu names (政务公开, 规范性文件), not release titles
        try:  # the crawl reads the first value after the key: it must be this list
            if inline_json(html, m.group(1)) != value:
                continue
        except ListFormatError:
            continue
        if best is None or len(rows) > best.entries:
            best = InlineGuess(m.group(1), links[0], title, dates[0] if dates else None, len(rows))
    return best


def guess_list(html: str) -> "ListGuess | InlineGuess":
    """Selectors for the page's release list; ValueError when no repeated dated entry is found."""
    sel = Selector(text=html)
    best: ListGuess | None = None
    found = _guess_in(sel)
    if found:
        css, group = found
        best = ListGuess(css, *_field_selectors(group), container=None, entries=len(group))
    for container, frag in _comment_lists(sel):
        found = _guess_in(frag)
        if found and (best is None or len(found[1]) > best.entries):
            css, group = found
            best = ListGuess(css, *_field_selectors(group), container=container, entries=len(group))
    inline = _inline_guess(html)
    if inline is not None and (best is None or inline.entries > best.entries):
        return inline
    if best is None:
        raise ValueError("no repeated block with a link and a date found; write list.item by hand")
    return best
