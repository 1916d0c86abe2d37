"""Main text and metadata from Chinese government HTML pages.

Sites run a handful of CMSs (TRS, Hanweb, UCAP …) with wildly different
markup, but the *labels* are stable: 发布日期, 来源, 索引号, 发文字号 … So
metadata is found by label wherever it sits (table cell, span, inline text),
and the body by text density, with per-source CSS selectors winning when a
source config provides them.
"""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import re
from dataclasses import dataclass
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree

from pipeline.dates import parse_cn_date
from pipeline.extraction_rules import load_rules
from pipeline.textutil import clean_inline, to_simplified

if TYPE_CHECKING:  # imported lazily: core.sources pulls pydantic, not needed at runtime here
    from core.release import Release
    from core.sources import DetailSelectors, SourceConfig

__all__ = ["HtmlExtract", "decode_html", "extract_html"]


@dataclass
class HtmlExtract:
    """Everything extraction learned from one detail page."""

    title: str | None
    text: str  # main text, one paragraph per line
    published: dt.date | None
    agency: str | None  # 发布机构 / 来源 / 发文机关
    doc_number: str | None  # 发文字号, e.g. 工信部联科〔2024〕12号
    index_number: str | None  # 索引号
    topic: str | None  # 主题分类
    written: dt.date | None  # 成文日期
    # where ``published`` was read: label:发布日期, time-element, beside-title, element:publishtime, meta:pubdate, url …
    date_source: str | None = None

    @property
    def text_normalized(self) -> str:
        """OpenCC t2s-folded text for matching, computed on demand.

        The crawl pipeline matches on pipeline.cnfold's table fold instead, and
        OpenCC's pure-Python converter cost ~3 ms per page (13 % of a release's CPU)
        when it ran for every page whether anyone read the result or not.
        """
        return to_simplified(self.text)


# ---------------------------------------------------------------- decoding

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "csgb2312", "cp936", "ms936", "euc-cn", "hz-gb-2312"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


def _canonical(enc: str | None) -> str | None:
    """Map a declared charset to the codec that decodes what sites really send.

    GB2312/GBK labels are widened to GB18030 (a strict superset), because pages
    labelled GB2312 routinely contain GBK-only characters such as 〔 or 镕.
    """
    if not enc:
        return None
    enc = enc.strip().strip("\"'").lower()
    if enc in _GB_FAMILY:
        return "gb18030"
    if enc in {"big5", "big5-hkscs", "cp950", "x-x-big5"}:
        return "big5hkscs"
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return None


def _strict(body: bytes, enc: str) -> str | None:
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(body: bytes, enc: str) -> str | None:
    """The body decoded with broken bytes replaced, when they are few (one in a thousand bytes, at least 4 allowed)."""
    try:
        text = body.decode(enc, errors="replace")
    except LookupError:
        return None
    return text if text.count("\ufffd") <= max(4, len(body) // 1000) else None


def decode_html(body: bytes, *, declared: str | None = None, override: str | None = None) -> str:
    """declared = charset from the HTTP header (may lie); override = the source config's encoding (wins).

    Order of trust: explicit override > BOM > valid UTF-8 (a non-ASCII body
    that decodes as UTF-8 is almost never anything else) > <meta> charset >
    HTTP header > GB18030 > the same with a few broken bytes tolerated >
    charset detection.  Each guess must first decode the body strictly before
    it is believed, which is what catches lying headers.
    """
    if override:
        enc = _canonical(override) or override
        return body.decode(enc, errors="replace")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(enc, errors="replace")
    if not body.isascii():
        text = _strict(body, "utf-8")
        if text is not None:
            return text
    m = _META_CHARSET.search(body[:4096])
    meta = _canonical(m.group(1).decode("ascii", "ignore")) if m else None
    for guess in (meta, _canonical(declared), "gb18030"):
        if guess and guess != "utf-8":
            text = _strict(body, guess)
            if text is not None:
                return text
    # Real pages often carry a few broken bytes (a multibyte character cut by the CMS's truncation, a pasted
    # fragment): no strict decode succeeds, and detection on the whole body then guesses a Cyrillic code page
    # for GBK text.  A declared or Chinese encoding that leaves only a handful of bad characters is the page's.
    for guess in dict.fromkeys((meta, _canonical(declared), "utf-8", "gb18030")):
        if guess:
            text = _lenient(body, guess)
            if text is not None:
                return text
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is not None:
            return str(best)
    except ImportError:  # pragma: no cover - charset-normalizer ships with httpx's deps
        pass
    return body.decode("gb18030", errors="replace")


# ---------------------------------------------------------------- metadata labels

# Label → field.  Whitespace inside labels (索 引 号, 文　　号) is removed before matching.
_LABELS: list[tuple[str, str]] = [
    ("索引号", "index_number"),
    ("信息索引号", "index_number"),
    ("主题分类", "topic"),
    ("主题词", "_keywords"),
    ("发文机关", "agency"),
    ("发布机构", "agency"),
    ("发文单位", "agency"),
    ("发布单位", "agency"),
    ("信息来源", "source"),
    ("文章来源", "source"),
    ("来源", "source"),
    ("发文字号", "doc_number"),
    ("文号", "doc_number"),
    ("成文日期", "written"),
    ("成文时间", "written"),
    ("发布日期", "published"),
    ("发布时间", "published"),
    ("公开日期", "published"),
    ("印发日期", "written"),
    ("日期", "published"),
    ("时间", "published"),
    ("标题", "_title"),
    ("名称", "_title"),
    ("有效性", "_validity"),
    ("浏览次数", "_views"),
    ("阅读次数", "_views"),
    ("访问量", "_views"),
    ("字号", "_fontsize"),
    ("作者", "_author"),
    ("编辑", "_author"),
    ("责任编辑", "_author"),
]
_RULES, _EDGES = load_rules()
# Date labels come from config/extraction.yaml (their order is the publish date's priority).
for _lbl in _RULES.dates.labels + _RULES.dates.written_labels:
    if _lbl not in dict(_LABELS):
        _LABELS.append((_lbl, "written" if _lbl in _RULES.dates.written_labels else "published"))
for _lbl in _RULES.doc_numbers.labels:
    if _lbl not in dict(_LABELS):
        _LABELS.append((_lbl, "doc_number"))
_DATE_LABELS = set(_RULES.dates.labels) | set(_RULES.dates.written_labels)
_LABEL_ALT = "|".join(re.escape(lbl) for lbl, _ in sorted(_LABELS, key=lambda p: -len(p[0])))
_LABEL_FIELD = dict(_LABELS)
_LABEL_HEAD = re.compile(rf"^[【\[]?(?P<label>{_LABEL_ALT})[】\]]?\s*[:：]\s*(?P<rest>.*)$", re.S)
# Labels inside running text such as "发布时间：2019-09-18 来源：新华社".
_LABEL_INLINE = re.compile(rf"[【\[]?(?P<label>{_LABEL_ALT})[】\]]?\s*[:：]")
_WS = re.compile(r"[\s\u00a0\u3000]+")
# 发文字号 forms (config/extraction.yaml doc_numbers); None when the rules file lists none
_DOC_NUMBER = re.compile("|".join(f"(?:{p})" for p in _RULES.doc_numbers.patterns)) if _RULES.doc_numbers.patterns else None
# a heading whose next line carries the number (config doc_numbers.split_heading: 某部令 over 第12号)
_SPLIT_HEADING = re.compile(_RULES.doc_numbers.split_heading)
_NUMBER_LINE = re.compile(r"第\d{1,5}号")
_TITLE_CLASSES = tuple(w.lower() for w in _RULES.titles.classes)
_SITE_NAME = re.compile(_RULES.titles.site_name)
# the headline's copy over the body with a note reference after it (config titles.footnote_mark)
_FOOTNOTE_AFTER = re.compile(f"(?:{_RULES.titles.footnote_mark})+$")
_META_NAMES = {
    "articletitle": "_title",
    "pubdate": "published",
    "publishdate": "published",
    "firstpublishedtime": "published",
    "article:published_time": "published",
    "contentsource": "source",
    "og:title": "_og_title",  # Open Graph / share-card title: the headline, sometimes with the site after it
    "twitter:title": "_og_title",
    "dc.title": "_og_title",
    "sitename": "_site",  # TRS/Hanweb templates name the site and the column: those pieces of <title> are not the headline
    "columnname": "_column",
    "source": "source",
}


def _nows(s: str) -> str:
    return _WS.sub("", s)


def _text_chunks(root: etree._Element) -> list[str]:
    """Visible text pieces in document order; element boundaries split pieces (that is what separates label cells from value cells)."""
    chunks: list[str] = []
    for el in root.iter():
        if isinstance(el, etree._Comment):
            pass
        elif el.tag in _DROP_TAGS:
            if el.tail and el.tail.strip():
                chunks.append(el.tail.strip())
            continue
        elif el.text and el.text.strip():
            chunks.append(el.text.strip())
        if el.tail and el.tail.strip() and el is not root:
            chunks.append(el.tail.strip())
    return chunks


def _split_inline(chunk: str) -> list[tuple[str, str]]:
    """'发布时间：2019-09-18 来源：新华社' → [('发布时间','2019-09-18'), ('来源','新华社')]."""
    squeezed = chunk.replace("\u3000", " ")
    marks = list(_LABEL_INLINE.finditer(_squeeze_label_spaces(squeezed)))
    if not marks:
        return []
    text = _squeeze_label_spaces(squeezed)
    lead = text[: marks[0].start()].strip(" 【[|")
    if lead and not _DATE_AT_START.fullmatch(lead):
        return []  # label not at the start: running prose, not a metadata line ("2024-05-11 18:32 来源：" is a byline)
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((m["label"], text[m.end() : end].strip(" |】]\t")))
    return out


_SPACED_LABEL = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ \u3000]+([\u4e00-\u9fff])(?:[ \u3000]+([\u4e00-\u9fff]))?(?:[ \u3000]+([\u4e00-\u9fff]))?\s*(?=[:：])"
)


def _squeeze_label_spaces(s: str) -> str:
    """索 引 号： → 索引号：  (sites pad labels to align them)."""
    return _SPACED_LABEL.sub(lambda m: "".join(g for g in m.groups() if g), s)


def _find_labelled(chunks: list[str]) -> dict[str, str]:
    """First value for every known label; a label alone in its cell takes the next cell's text."""
    found: dict[str, str] = {}
    for i, chunk in enumerate(chunks):
        if len(chunk) > 200:
            continue
        pairs = _split_inline(chunk)
        if not pairs:
            bare = _nows(chunk).rstrip(":：").strip("【】[]")
            if bare in _LABEL_FIELD and len(_nows(chunk)) <= 8:
                pairs = [(bare, "")]
        for label, value in pairs:
            if not value and i + 1 < len(chunks) and len(pairs) == 1:
                nxt = chunks[i + 1]
                if not _split_inline(nxt) and _nows(nxt).rstrip(":：") not in _LABEL_FIELD:
                    value = nxt
            value = _WS.sub(" ", value).strip()
            field_name = _LABEL_FIELD[label]
            if value and field_name not in found:
                found[field_name] = value
            # every date label keeps its own first dated value ("@发布日期"), so the configured order can choose
            if label in _DATE_LABELS and "@" + label not in found and parse_cn_date(value):
                found["@" + label] = value
    return found


# ---------------------------------------------------------------- body

_DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "iframe",
    "select",
    "button",
    "input",
    "textarea",
    "svg",
    "object",
    "embed",
    "template",
    "head",
    "link",
    "meta",
}
_FURNITURE = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|bread|footer|foot|header|top-?bar|sidebar|side|share|bdshare|"
    r"jiathis|social|related|relate|recommend|comment|pager|pagination|print|qrcode|ewm|copyright|banner|search|"
    r"login|toolbar|tool|fenxiang|xgwz|xgxx|dyfx|position|location|weizhi|links?|friend|fjxz|attach|appendix|fujian)"
    r"($|[\s_-]|\d)",
    re.I,
)


def _one_scan(xpaths: list[str]) -> etree.XPath | None:
    """The rules' XPaths as one expression: ``//*[a]`` and ``//*[b]`` become ``//*[(a) or (b)]``.

    Each ``//`` expression walks the whole document; eleven of them cost ~5 ms
    per page, one walk testing every predicate a third less.
    """
    if not xpaths:
        return None
    preds = [xp[4:-1] for xp in xpaths if xp.startswith("//*[") and xp.endswith("]")]
    rest = [xp for xp in xpaths if not (xp.startswith("//*[") and xp.endswith("]"))]
    parts = (["//*[" + " or ".join(f"({p})" for p in preds) + "]"] if preds else []) + rest
    return etree.XPath(" | ".join(parts))


# Body containers of the CMS families, then names any box may carry (config/extraction.yaml body)
_BODY_HINTS = _one_scan(_RULES.body.containers)
_NOTICE = re.compile("|".join(f"(?:{p})" for p in _RULES.body.notices), re.I) if _RULES.body.notices else None
_GENERIC_HINTS = _one_scan(_RULES.body.generic_containers)
_BLOCK = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "center",
    "hr",
    "tbody",
    "thead",
}
_NOISE_LINE = re.compile(
    r"^(【?(打印|关闭|收藏|分享|返回顶部|打印本页|关闭窗口|我要打印|返回|顶部)(本页|窗口|此页)?】?\s*)+$"
    r"|^分享到[:：]?.*$|^扫一扫.*$|^.*(字号|字体)[:：]?\s*[【\[]?\s*大\s*中\s*小.*$|^(上一篇|下一篇)[:：].*$"
    r"|^(浏览|阅读|访问|点击)(次数|量)?[:：]?\s*\d*\s*次?$"
)  # 责任编辑 / 相关链接 lines are edge rules (config/extraction.yaml): inside an article they may be prose
_ATTACH_LINK = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|zip|rar|txt|ceb)(\?|$)", re.I)


_NON_HAN = re.compile("[^\u4e00-\u9fff]+")


def _cjk_len(s: str) -> int:
    # Deleting the non-Han runs in C is ~10x faster than a per-character generator; it ran 1.5 M times per 300 pages.
    return len(_NON_HAN.sub("", s))


def _link_text_len(el: etree._Element) -> int:
    return sum(_cjk_len(a.text_content()) for a in el.iter("a"))


# A sentence: fifteen or more characters of running Chinese text ending in 。！？.
_PROSE = re.compile(r"[\u4e00-\u9fff][^。！？\n|]{14,}[。！？]")


_INLINE = {"a", "span", "font", "em", "strong", "b", "i", "u"}


def _in_running_text(el: etree._Element) -> bool:
    """An inline element with Chinese text on either side inside its paragraph (a keyword link in a sentence)."""
    if el.tag not in _INLINE:
        return False
    parent = el.getparent()
    if parent is None:
        return False
    prev = el.getprevious()
    before = (prev.tail if prev is not None else parent.text) or ""
    return _cjk_len(before[-20:]) > 0 or _cjk_len((el.tail or "")[:20]) > 0


def _is_notice(el: etree._Element) -> bool:
    """A block that opens with a site's own notice (【免责声明】本文仅代表作者…): not the article, however prose-like."""
    if not _NOTICE or el.tag not in {"p", "div", "td", "section", "span"}:
        return False
    text = el.text_content().strip()
    return len(text) <= 400 and _NOTICE.match(text) is not None


def _is_furniture(el: etree._Element) -> bool:
    if el.tag in {"nav", "footer", "header", "aside"}:
        # …unless it holds the article: a template that never closes its <header> hangs the page inside it; an
        # <aside> of sentences between the text's paragraphs (a boxed passage, an editor's note) is the article's
        if el.tag == "aside" and _sentences(el, 1) and _between_prose(el):
            return False
        return not _sentences(el, 3)
    if el.tag == "form":  # a search or login box; ASP.NET pages wrap the whole page, article and all, in one <form>
        return el.find(".//input[@type='password']") is not None or not _PROSE.search(el.text_content())
    if _is_notice(el):
        return True
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
    if attrs and _FURNITURE.search(attrs) and not _in_running_text(el):
        # a furniture-looking name on a text-heavy block is a false alarm (class="content side-pad"), and so is
        # one on a short article (id="print-content" around a two-sentence notice): share bars, breadcrumbs
        # and link lists hold no sentence
        text = el.text_content()
        total = _cjk_len(text)
        if _link_text_len(el) > 0.5 * total:
            return True
        return total < 200 and not _PROSE.search(text)
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style and not _hidden_prose(el)


def _between_prose(el: etree._Element) -> bool:
    """Sentences in the blocks on both sides: the element sits inside the running text."""
    prev, nxt = el.getprevious(), el.getnext()
    return (
        prev is not None
        and nxt is not None
        and _PROSE.search(prev.text_content()) is not None
        and _PROSE.search(nxt.text_content()) is not None
    )


def _sentences(el: etree._Element, at_least: int) -> list[str]:
    """The element's sentences when it has at_least of them and few links (prose, not a menu), else []."""
    text = el.text_content()
    sentences = _PROSE.findall(text)
    if len(sentences) < at_least or _link_text_len(el) > 0.25 * _cjk_len(text):
        return []
    return sentences


# Elements with no text of their own to show (a void <embed>, an <iframe>'s or <object>'s fallback, a form
# control): the parser hangs the rest of the page inside one the markup leaves open.
_HANGERS = ("embed", "iframe", "object", "select", "button", "textarea")


def _unhang(root: etree._Element) -> None:
    """Take the page back out of an element it was hung in: an unclosed <iframe>, a void <embed> written open …

    Only an element holding sentences is unwrapped; its own fallback text (您的浏览器不支持…) goes with it.
    """
    for el in list(root.iter(*_HANGERS)):
        if el.getparent() is None:
            continue
        if el.tag in {"iframe", "textarea"} and not len(el) and "<" in (el.text or "") and len(_PROSE.findall(el.text or "")) >= 2:
            # the parser keeps an <iframe>'s or a <textarea>'s content as raw text: an unclosed <iframe> holds the rest of
            # the page as a string, and some templates keep the article's markup in a hidden <textarea> a script shows
            if el.tag == "textarea" and _shown_elsewhere(el):
                continue
            try:
                pieces = lxml.html.fragments_fromstring(el.text or "")
            except (etree.ParserError, ValueError):
                continue
            el.text = None
            for piece in pieces:
                if isinstance(piece, str):
                    el.text = (el.text or "") + piece
                else:
                    el.append(piece)
        if _sentences(el, 2):
            for option in list(el.iter("option")):
                _drop(option)
            el.text = None
            el.drop_tag()


_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.){40,})"|\'((?:[^\'\\\n]|\\.){40,})\'|`((?:[^`\\]|\\.){40,})`', re.S)
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_ESCAPES = {"n": "\n", "t": " ", "r": ""}
_MARKUP = re.compile(r"<(p|br|div|span|font)\b", re.I)


def _js_unescape(s: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if len(e) > 1 and e[0] in "ux":
            return chr(int(e[1:], 16))
        return _JS_ESCAPES.get(e, e)

    return _JS_ESCAPE.sub(one, s)


def _unscript(root: etree._Element) -> None:
    """Text a script writes into the page (``var content = "<p>…</p>"``, ``document.write('<p>…')``): a string literal of
    paragraph markup holding two sentences or more that the page shows nowhere else is put where the script stood.

    Only scripts carrying a Chinese sentence and paragraph markup are read, so most pages never pay for it.
    """
    shown: str | None = None
    for script in list(root.iter("script")):
        code = script.text or ""
        if "<" not in code or not _MARKUP.search(code) or not _PROSE.search(code):
            continue
        pieces = []
        for m in _JS_STRING.finditer(code):
            literal = _js_unescape(next(g for g in m.groups() if g is not None))
            if not _MARKUP.search(literal):
                continue
            sentences = _PROSE.findall(_TAG.sub("", literal))
            if len(sentences) < 2:
                continue
            if shown is None:
                shown = "".join(str(t) for t in _VISIBLE_TEXT(root))
            # a page showing as many sentences elsewhere has its text; the script holds a feed or a copy
            if sentences[0] in shown or len(sentences) <= len(_PROSE.findall(shown)):
                continue
            pieces.append(literal)
        if not pieces or script.getparent() is None:
            continue
        try:
            nodes = lxml.html.fragments_fromstring("".join(pieces))
        except (etree.ParserError, ValueError):
            continue
        box = script.makeelement("div", {})
        for node in nodes:
            if isinstance(node, str):
                box.text = (box.text or "") + node
            else:
                box.append(node)
        box.tail = script.tail
        script.getparent().replace(script, box)


_VISIBLE_TEXT = etree.XPath("//text()[not(ancestor::script) and not(ancestor::style)]")


def _shown_elsewhere(el: etree._Element) -> bool:
    """The element's first sentence also stands outside it: a hidden copy of text the page shows (a print version)."""
    first = _PROSE.search(_TAG.sub("", el.text_content()))
    if first is None:
        return False
    return el.getroottree().getroot().text_content().count(first.group(0)) > 1


def _hidden_prose(el: etree._Element) -> bool:
    """A hidden block of sentences (the rest of an article a 展开全文 button reveals), not a hidden menu or layer."""
    sentences = _sentences(el, 2)
    if not sentences:
        return False
    # a hidden copy of text shown elsewhere (a share card's summary, a print version) stays out
    return el.getroottree().getroot().text_content().count(sentences[0]) == 1


def _prune(root: etree._Element, article: bool = False) -> None:
    """Drop scripts, navigation, share bars, link lists and attachment lists in place.

    ``article``: root is the chosen text container, where a list of links between the article's own paragraphs
    (a 名单 of linked projects under "名单如下：") is the article's, not a menu.
    """
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            if isinstance(el, etree._Comment):
                doomed.append(el)
            continue
        if el.tag in _DROP_TAGS or _is_furniture(el):
            doomed.append(el)
    for el in doomed:
        _drop(el)
    # link-dominated blocks (menus, 相关链接, 附件 lists) after the structural pass
    for el in list(root.iter("ul", "ol", "div", "p", "table", "dl", "td")):
        if el.getparent() is None:
            continue
        txt = _cjk_len(el.text_content())
        links = list(el.iter("a"))
        if not links or txt == 0:
            continue
        linked = _link_text_len(el)
        if linked >= 0.7 * txt and (len(links) >= 3 or any(_ATTACH_LINK.search(a.get("href") or "") for a in links)):
            if not _linked_sentence(el) and not _holds_prose(el) and not (article and _list_in_text(el, links)):
                _drop(el)
        elif linked >= txt and txt <= 30 and _promo_caption(el):
            _drop(el)


def _list_in_text(el: etree._Element, links: list[etree._Element]) -> bool:
    """A <ul>/<ol> of links inside the text container with the article going on after it: the paragraph before it
    is prose or introduces it (…名单如下：), the one after it is prose.  A menu or a 相关链接 block sits at the
    container's edge or under a heading of its own; an attachment list is never the text.
    """
    if el.tag not in {"ul", "ol"} or any(_ATTACH_LINK.search(a.get("href") or "") for a in links):
        return False
    prev, nxt = el.getprevious(), el.getnext()
    if prev is None or nxt is None or _PROSE.search(nxt.text_content()) is None:
        return False
    before = " ".join(prev.text_content().split())
    if _PROSE.search(before) is not None:
        return True
    return before.endswith(("：", ":")) and not any(h.fullmatch(before) for h in _EDGES.headings)


def _lead_links(el: etree._Element, lines: list[str]) -> int:
    """How many of the text's first lines are one link and nothing else (发送…到6666 随时查行情, a channel's promo):
    not a sentence, not a document's name in 《》, at most 40 Han characters.  The article's first line is its own
    words, so the lines go; a line with any text outside its link ends the count.

    The line is compared with the link holding the container's first text, as rendered, so a link the parser
    left outside any paragraph (a <p> closed early by a table) counts as well.
    """
    done: set[etree._Element] = set()
    n = 0
    for t, holder in _texts_in_order(el):
        if n >= min(3, len(lines)):
            break
        if not t.strip():
            continue
        link = holder
        while link is not None and link is not el and link.tag != "a":
            link = link.getparent()
        if link is None or link is el:
            break
        if link in done:
            continue
        text = _nows(link.text_content())
        han = _cjk_len(text)
        if _nows(lines[n]) != text or not han or han > 40 or _FULL_STOP.search(text) or (text.startswith("《") and text.endswith("》")):
            break
        done.add(link)
        n += 1
    return n


def _texts_in_order(el: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """The element's text pieces in reading order with the element each belongs to, walked lazily (the caller stops
    at the first line that is not a link, so a long article is never walked whole).  Asked after _prune, which has
    dropped comments and moved their tails onto the text around them."""
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if event == "start" and node.text and isinstance(node.tag, str):
            yield node.text, node
        elif event == "end" and node is not el and node.tail:
            parent = node.getparent()
            if parent is not None:
                yield node.tail, parent


def _promo_caption(el: etree._Element) -> bool:
    """A box of link text only (checked by the caller) ending in a colon over a picture (网站客户端：[QR], 下载 App：[icon]): a promo.

    A sentence or a heading of the article is never all link text with nothing but an image after its colon.
    """
    return el.text_content().rstrip().endswith((":", "：")) and el.find(".//img") is not None


_OUTSIDE_LINKS = etree.XPath(".//text()[not(ancestor::a)]")
_SENTENCE_END = re.compile(r"[。！？][”’」』）)]?\s*$")


def _linked_sentence(el: etree._Element) -> bool:
    """A paragraph whose nouns are links (依据《…》、《…》和《…》的规定，…。): it ends a sentence in its own text, between links.

    A menu or a 相关链接 list is links with at most separators between them; a
    sentence has Chinese words of its own joining the links and its full stop
    outside them.
    """
    if el.tag not in {"p", "div", "td"}:
        return False
    own = "".join(str(t) for t in _OUTSIDE_LINKS(el))
    return _cjk_len(own) >= 2 and _SENTENCE_END.search(own) is not None and _SENTENCE_END.search(el.text_content()) is not None


def _holds_prose(el: etree._Element) -> bool:
    """Somewhere inside, a run of text outside links that is a sentence (25 Chinese characters and a full stop).

    A table-layout page puts its one paragraph of article in the same table as a long menu: the table is mostly
    link text, yet dropping it drops the article.  The menus inside it are link lists of their own and go one
    by one.
    """
    return any(_cjk_len(t) >= 25 and _FULL_STOP.search(t) for t in _OUTSIDE_LINKS(el))


_FULL_STOP = re.compile(r"[。！？]")


def _drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text (lxml would delete it with the element)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail and tail.strip():
        joined = ((prev.tail if prev is not None else parent.text) or "") + tail
        try:
            _put_text(parent, prev, joined)
        except ValueError:
            # a stray C0 control character (\x14 pasted from Word) is kept by the parser but refused when text is
            # written back: the whole page failed with ValueError; it is whitespace to a reader.  Cleaned only here,
            # where it fails, so the common page pays nothing.
            _put_text(parent, prev, _CONTROL_CHARS.sub(" ", joined))


def _put_text(parent: etree._Element, prev: etree._Element | None, text: str) -> None:
    if prev is not None:
        prev.tail = text
    else:
        parent.text = text


def _render(el: etree._Element) -> str:
    """Element → text with one paragraph per line; table rows keep cells apart with ' | '."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        # source newlines are whitespace; only block elements (marked \x1e) break paragraphs
        if not isinstance(node.tag, str):
            if node.tail:
                parts.append(node.tail.replace("\n", " "))
            return
        tag = node.tag.lower()
        if tag in _DROP_TAGS:
            if node.tail:
                parts.append(node.tail.replace("\n", " "))
            return
        block = tag in _BLOCK
        if block:
            parts.append("\x1e")
        if tag in {"td", "th"}:
            parts.append(" | ")
        if node.text:
            parts.append(node.text.replace("\n", " "))
        for child in node:
            walk(child)
        if block:
            parts.append("\x1e")
        if node.tail and node is not el:
            parts.append(node.tail.replace("\n", " "))

    walk(el)
    lines = []
    for raw in "".join(parts).split("\x1e"):
        line = clean_inline(raw).strip(" |")
        line = re.sub(r"^(?:\|\s*)+|(?:\s*\|)+$", "", line).strip()
        if line and not _NOISE_LINE.match(line):
            lines.append(line)
    return "\n".join(lines)


_MARKERS = [(b.strip().lower(), e.strip().lower()) for b, e in _RULES.body.markers]


def _marker(node: etree._Element) -> str | None:
    """The text a template marker carries: a comment's text, or the name of <meta name="ContentStart">."""
    if isinstance(node, etree._Comment):
        return (node.text or "").strip().lower() or None
    if node.tag == "meta" and node.get("name") and not node.get("content"):
        return (node.get("name") or "").strip().lower()
    return None


def _between_markers(root: etree._Element) -> etree._Element | None:
    """The nodes between a template's begin and end markers, copied under one new element.

    The markers must be siblings (the template writes them around its body
    field); anything else is left to the container hints and text density.
    """
    if not _MARKERS:
        return None
    marks = [n for n in root.iter(etree.Comment, "meta") if _marker(n)]
    for begin, end in _MARKERS:
        for c in marks:
            if _marker(c) != begin:
                continue
            box = root.makeelement("div", {})
            if c.tail:
                box.text = c.tail
            for sib in c.itersiblings():
                if _marker(sib) == end:
                    if _cjk_len(box.text_content()) >= 30:
                        return box
                    break
                box.append(copy.deepcopy(sib))
    return None


def _prose_len(el: etree._Element) -> int:
    """Han characters outside links: how much article an element holds."""
    return _cjk_len(el.text_content()) - 2 * _link_text_len(el)


def _unless_elsewhere(root: etree._Element, hinted: etree._Element) -> etree._Element:
    """The hinted container, unless the densest text block lies outside it and holds far more text.

    A CMS class name (``.content``, ``#zoom``) also sits on sidebar boxes and
    footers; when the article is in an unnamed container elsewhere, the
    hint would keep the box and lose every sentence of the article.
    """
    body = root.find("body")
    dense = _score_candidates(body if body is not None else root)
    if dense is None or dense is hinted:
        return hinted
    if hinted in set(dense.iterancestors()) or dense in set(hinted.iterancestors()):
        return hinted
    return dense if _prose_len(dense) > 2 * max(_prose_len(hinted), 0) else hinted


def _score_candidates(root: etree._Element) -> etree._Element | None:
    """Readability-style density: each text node credits its parent fully and grandparent by half."""
    scores = _density_scores(root)
    if not scores:
        return None
    return max(scores, key=lambda e: scores[e])


def _density_scores(root: etree._Element) -> dict[etree._Element, float]:
    """The scores :func:`_score_candidates` ranks blocks by."""
    scores: dict[etree._Element, float] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in {"a", "body", "html"}:
            continue
        own = _cjk_len((el.text or "") + "".join((c.tail or "") for c in el))
        if own < 10:
            continue
        punct = sum((el.text or "").count(p) for p in "，。；、")
        value = own + 5 * punct
        node = el.getparent() if el.tag in _PARAGRAPHS or _leaf_block(el) else el
        if node is not None and node.tag == "tr" and len(node) == 1:  # one-column table: each row is a paragraph
            node = node.getparent()
        if node is not None and node.tag in {"ul", "ol"} and el.tag == "li" and node.getparent() is not None:
            node = node.getparent()  # a list of sentences inside the text (一是…；二是…) is the text box's own
        while node is not None and node.tag == "div" and len(node) == 1 and not (node.text or "").strip():
            node = node.getparent()  # a wrapper around this paragraph alone (<div><div><p>…</p></div></div>)
        weight = 1.0
        while node is not None and weight > 0.2:
            if node.tag not in {"p", "span", "font", "strong", "b", "em", "i", "u"}:
                scores[node] = scores.get(node, 0.0) + value * weight
                weight /= 2
            node = node.getparent()
    return scores


_PARAGRAPHS = {"p", "span", "font", "strong", "b", "br", "em", "i", "u", "li", "td", "h1", "h2", "h3", "h4"}


def _leaf_block(el: etree._Element) -> bool:
    """A <div> or <dd> with no block inside: an editor's paragraph (UEditor writes <div>…</div> per paragraph)."""
    return el.tag in {"div", "dd"} and not any(isinstance(c.tag, str) and c.tag in _BLOCK and c.tag != "br" for c in el)


_HAN_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")


def _pairs(s: str) -> set[str]:
    return set(_HAN_PAIR.findall(s))


def _continuations(body_el: etree._Element, title: str | None = None) -> list[etree._Element]:
    """The body container and the rest of the article beside it, in document order.

    Two cases lose the end of an article otherwise: a CMS that splits its editor
    box around a table or an image (two sibling ``div.TRS_Editor``), and broken
    markup that closes the box early so the parser hangs the last paragraphs
    after it as loose ``<p>`` siblings.  The span from the first to the last
    same-named sibling is taken whole (what lies between is the article's own);
    loose paragraphs are taken while they read as sentences.
    """
    parent = body_el.getparent()
    if parent is None:
        return [body_el]
    key = (body_el.tag, body_el.get("class"), body_el.get("id"))
    if key[1] or key[2]:
        wrapped = _wrapped_twins(body_el, key)
        if wrapped is not None:
            return wrapped
    siblings = [el for el in parent if isinstance(el.tag, str)]
    same = [i for i, el in enumerate(siblings) if (el.tag, el.get("class"), el.get("id")) == key and _prose_len(el) >= 20]
    me = next(i for i, el in enumerate(siblings) if el is body_el)
    if key[1] or key[2]:
        first, last = min(same + [me]), max(same + [me])
    else:
        first = last = me
    taken = last
    while last + 1 < len(siblings):
        nxt = siblings[last + 1]
        if nxt.tag in _SPACERS:  # <br>, <hr> or an image between the loose paragraphs
            last += 1
            continue
        if not _loose_paragraph(nxt):
            break
        last = taken = last + 1
    while first > 0 and siblings[first - 1].tag in _SPACERS:
        first -= 1
    if first > 0 and _lead_box(siblings[first - 1], title):
        first -= 1
    elif first == 0:  # the container is first in a wrapper box: the lead sits before the wrapper
        lead = _lead_before_wrapper(parent, title)
        if lead is not None:
            return [lead, *siblings[first : taken + 1]]
    return siblings[first : taken + 1]


def _lead_before_wrapper(box: etree._Element, title: str | None) -> etree._Element | None:
    """The lead box before the wrappers around the text container (<div class="summary">…</div><div class="con">
    <div class="TRS_Editor">…</div></div>): up through at most two wrappers that open with the container, past
    empty boxes (a clearing <div>), to the first element with text."""
    for _ in range(2):
        if box.tag in {"body", "html"}:
            return None
        prev = box.getprevious()
        while prev is not None and (not isinstance(prev.tag, str) or prev.tag in _SPACERS or not prev.text_content().strip()):
            prev = prev.getprevious()
        if prev is not None:
            return prev if _lead_box(prev, title) else None
        up = box.getparent()
        if up is None or _cjk_len(up.text or ""):
            return None
        box = up
    return None


def _lead_box(el: etree._Element, title: str | None) -> bool:
    """A 导语/摘要 box just before the text container: a <div> or <p> of sentences with no block, link or heading inside
    that the template names or labels as the lead (class="summary", 【摘要】, 导语：; config body.lead_boxes), or that
    sums up the article, so shares the words of the headline's topic (what follows 关于; a 温馨提示 about browsers
    shares none, a footer naming the issuer shares only the issuer's name)."""
    if el.tag not in {"div", "p"} or _is_furniture(el) or _link_text_len(el):
        return False
    if any(isinstance(c.tag, str) and c.tag in _BLOCK and c.tag not in {"p", "br"} for c in el.iterdescendants()):
        return False
    text = el.text_content()
    if _PROSE.search(text) is None:
        return False
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
    if (attrs and _LEAD_CLASS.search(attrs)) or _LEAD_LABEL.match(" ".join(text.split())):
        return True
    want = _pairs(_nows(title or "").split("关于", 1)[-1])
    return len(want) >= 4 and len(want & _pairs(text)) >= 0.3 * len(want)


_LEAD_WORDS = "|".join(map(re.escape, _RULES.body.lead_boxes.classes)) or "(?!)"
_LEAD_CLASS = re.compile(r"(^|[\s_-])(" + _LEAD_WORDS + r")($|[\s_-]|\d)", re.I)
_LEAD_LABEL = re.compile(_RULES.body.lead_boxes.label)


_SPACERS = {"br", "hr", "img"}


def _is_twin(el: etree._Element, key: tuple[str, str | None, str | None]) -> bool:
    return (el.tag, el.get("class"), el.get("id")) == key and _prose_len(el) >= 20


def _wrapped_twins(body_el: etree._Element, key: tuple[str, str | None, str | None]) -> list[etree._Element] | None:
    """The article's boxes when the template wraps each in a box of its own (<div class="a1"><div class="TRS_Editor">…
    </div></div><p><img></p><div class="a2"><div class="TRS_Editor">…</div></div>): from the box with the first to
    the box with the last same-named container, taken whole; None when the container has a twin beside it or none.

    Climbs only through wrappers holding no other text (at most three), so a column of other boxes is never joined.
    """
    parent = body_el.getparent()
    if parent is None or any(el is not body_el and _is_twin(el, key) for el in parent):
        return None
    box = body_el
    for _ in range(3):
        up = box.getparent()
        if up is None or up.tag in {"body", "html"}:
            return None
        if any(c is not box and isinstance(c.tag, str) and _cjk_len(c.text_content()) for c in up) or _cjk_len(up.text or ""):
            break
        box = up
    if box is body_el:
        return None
    up = box.getparent()
    if up is None:
        return None
    siblings = [el for el in up if isinstance(el.tag, str)]
    me = next(i for i, el in enumerate(siblings) if el is box)
    holding = [i for i, el in enumerate(siblings) if i != me and el.tag == box.tag and any(_is_twin(d, key) for d in el.iter(key[0]))]
    if not holding:
        return None
    first, last = min(holding + [me]), max(holding + [me])
    held = set(holding + [me])
    for i in range(first, last):
        # what split the field lies between two parts: an image or a table, never text of its own (a column of news)
        if i in held and i + 1 in held:
            return None
        if i not in held and siblings[i].tag != "table" and _cjk_len(siblings[i].text_content()):
            return None
    return [body_el if i == me else siblings[i] for i in range(first, last + 1)]


_BOX_PARTS = ("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol")


def _prose_siblings(best: etree._Element) -> list[etree._Element]:
    """The densest block and the blocks of the same kind beside it that read as sentences, in order.

    Density credits a paragraph's parent fully and its grandparent by half, so an
    article a template splits over two or three unnamed boxes (div.part1, div.part2)
    scores each box above their wrapper, and the densest box alone is half the text.
    Neighbours of the same tag are taken while they hold sentences and few links.
    """
    parent = best.getparent()
    if parent is None or best.tag in {"body", "html", "td", "th", "li"}:  # table cells and list items are columns and entries
        return [best]
    # a box holding only an image or nothing between the article's boxes is a spacer too
    siblings = [el for el in parent if isinstance(el.tag, str) and el.tag not in _SPACERS and (el is best or _cjk_len(el.text_content()))]
    me = next(i for i, el in enumerate(siblings) if el is best)

    def prose(el: etree._Element) -> bool:
        """Two sentences or more, few links, no heading or list (a side column's box has both; a headline block is one line);
        a box of the best one's own class (div.section after div.section) needs one sentence and may open with a heading."""
        if el.tag != best.tag or _is_furniture(el):
            return False
        twin = bool(best.get("class")) and el.get("class") == best.get("class")  # section after section of one article
        if not twin and next(el.iter(*_BOX_PARTS), None) is not None:
            return False
        text = el.text_content()
        return len(_PROSE.findall(text)) >= (1 if twin else 2) and _link_text_len(el) <= 0.25 * _cjk_len(text)

    first = last = me
    while first > 0 and prose(siblings[first - 1]):
        first -= 1
    while last + 1 < len(siblings) and prose(siblings[last + 1]):
        last += 1
    return siblings[first : last + 1]


def _loose_paragraph(el: etree._Element) -> bool:
    """A paragraph the parser hung after a box closed too early: a <p> (Word's p.MsoNormal too) or a
    <font>/<span> run, or an unnamed <div> of such paragraphs, that reads as sentences and links nowhere."""
    named = el.get("class") or el.get("id")
    if el.tag in {"p", "font", "span"}:
        if named and _FURNITURE.search(named):
            return False
    elif el.tag != "div" or named or any(True for _ in el.iter("h1", "h2", "h3", "table", "ul", "ol")):
        return False
    return _PROSE.search(el.text_content()) is not None and not _link_text_len(el) and not _is_furniture(el)


def _headline_block(root: etree._Element, chosen: etree._Element, title: str | None) -> etree._Element | None:
    """The text under the headline, when the block chosen by density is something else.

    A two-sentence notice on a page with a long prose box (市情概况, a leader's
    profile) loses to the box on density alone.  An article follows its
    headline and shares its words; a box that precedes the headline or shares
    almost none of its words is not the article when a block after the headline
    shares most of them.  Asked only when the chosen block fails that test, so
    most pages never pay for it.
    """
    want = _pairs(_nows(title or ""))
    if len(want) < 4:
        return None
    anchors = _title_elements(root, title)
    if not anchors:
        return None
    anchor = anchors[0]
    order = {el: i for i, el in enumerate(root.iter())}
    first = order.get(anchor)
    if first is None:
        return None

    def shared(el: etree._Element) -> float:
        return len(want & _pairs(el.text_content())) / len(want)

    def before_headline(el: etree._Element) -> bool:
        last = max((order.get(d, -1) for d in el.iter()), default=-1)
        return last < first

    if shared(chosen) >= 0.2 and not before_headline(chosen):
        return None
    body = root.find("body")
    scores = _density_scores(body if body is not None else root)
    for el in sorted(scores, key=lambda e: -scores[e]):
        if el is chosen or el is anchor or anchor in set(el.iterdescendants()) or chosen in set(el.iterdescendants()):
            continue
        if order.get(el, -1) < first or _prose_len(el) < 20:
            continue
        if shared(el) >= 0.5:
            return el
    # No block repeats most of the headline's words (a notice seldom does): the text under the headline in the
    # headline's own box (<div class="left"><h1>…</h1><div>notice</div></div><div class="right">…</div>) when the
    # chosen block lies outside that box and the text shares the words of the headline's topic (what follows 关于),
    # as a one-line 导语 in a title box above an article need not
    box = anchor.getparent()
    if box is None or box.tag in {"body", "html"} or box in set(chosen.iterancestors()):
        return None
    topic = _pairs(_nows(title or "").split("关于", 1)[-1])
    headline_text = anchor.text_content()
    for el in sorted(scores, key=lambda e: -scores[e]):
        if el is anchor or (el is not box and box not in set(el.iterancestors())):
            continue
        if el is not box and order.get(el, -1) < first:
            continue
        text = el.text_content().replace(headline_text, "", 1)
        if _prose_len(el) >= 20 and _PROSE.search(text) and not _link_text_len(el):
            return el if len(topic & _pairs(text)) >= 0.3 * len(topic) else None
    return None


def _select(root: etree._Element, css: str | None) -> list[etree._Element]:
    """Per-source selector: CSS, or XPath with the ``xpath:`` prefix (as list selectors allow)."""
    if not css:
        return []
    if css.startswith("xpath:"):
        try:
            hits = root.xpath(css[len("xpath:") :])
        except etree.XPathError:
            return []
        return [
            h if isinstance(h, etree._Element) else h.getparent() for h in hits if isinstance(h, etree._Element) or hasattr(h, "getparent")
        ]
    try:
        hits = root.cssselect(css)
        # cssselect's HTML mode folds #ID case; retry case-sensitively before giving up
        return hits or root.cssselect(css, translator="xml")
    except Exception:  # noqa: BLE001 - bad selector in a source config: fall back to generic extraction
        return []


# ---------------------------------------------------------------- title

_TAG = re.compile(r"<[^>]*>")
_IDEO_RUN = re.compile(r"[ \t\r\n\u00a0]*\u3000[\s\u3000]*")


def _clean_title(s: str) -> str:
    """clean_inline for headlines, except that an ideographic space stays one: it separates 主题 and 副题 on purpose."""
    parts = [clean_inline(p) for p in _IDEO_RUN.split(s)]
    return "\u3000".join(p for p in parts if p)


# "标题-中国科普网", "标题-EDN 电子技术设计": a bare hyphen before a short site name (not 2021-2025, not COVID-19)
_HYPHEN_SUFFIX = re.compile(r"^(?P<head>.{6,}?)(?:(?<!\d)[-－]|[-－](?!\d))(?P<site>[^-－]{2,20})$")


def _site_suffix_off(title: str) -> str:
    m = _HYPHEN_SUFFIX.match(title)
    if m and _cjk_len(m["head"]) >= 4 and not re.search(r"[，。：；！？]", m["site"]):
        if _SITE_NAME.fullmatch(m["head"]) and not _SITE_NAME.fullmatch(m["site"]):
            return m["site"].strip()  # "某市人民政府-标题": the site name came first
        return m["head"].strip()
    return title


_DASHES = re.compile(r"[-－—–―]+")


def _nodash(s: str) -> str:
    """A headline with its dashes dropped: <title> often writes the heading's —— as '-' (…增强-前4个月…)."""
    return _DASHES.sub("", s)


_HYPHEN = re.compile(r"\s*[-－]\s*")
_MIN_HEADLINE = 6  # Han characters: a <title> piece shorter than this is a column name (新闻, 通知公告), not a headline
_TITLE_SPLIT = re.compile(r"\s*(?:_{1,2}|\||｜| - | – | — |-{2,})\s*")
# what a heading may add to the headline <title> gives: a bracketed status (（征求意见稿）, （试行）, （2025年修订）)
# or a ——副题; not a date or a byline run into the heading
_FULLER_TAIL = re.compile(
    r"[（(【\[][^（(【\[）)】\]]*[\u4e00-\u9fff]{2}[^（(【\[）)】\]]*[）)】\]]|[—－-]{1,2}(?=[^，。；！？]*[\u4e00-\u9fff]{2})[^，。；！？]{2,40}"
)
_TRUNCATED = re.compile(r"(?:\.{2,}|…+)$")


_LEAD_PIECE = re.compile(r"^\s*(?P<p>[^-－—]{2,30}?)\s*[-－—]{1,2}\s*(?P<rest>.*\S.*)$")
_BRACKETED_LEAD = re.compile(r"^\s*[【\[](?P<p>[^】\]]{2,30})[】\]]\s*(?P<rest>.+)$")
_SURE_SITE = re.compile(r"[\u4e00-\u9fff（）()]{1,24}(人民政府|政府|门户网站|网站|政府网|网)")
_ANY_SEPARATOR = re.compile(r"[-－—–_|｜]")
_SPACED_TAIL = re.compile(r"^(?P<rest>.+?)[ \u3000\u00a0]+(?P<p>\S{2,30})$")
_SPACED_LEAD = re.compile(r"^(?P<p>\S{2,30})[ \u3000\u00a0]+(?P<rest>.+)$")


def _site_wrap_off(piece: str, is_site: Callable[[str], bool]) -> str:
    """A <title> piece with the site's name stuck to the headline: "某市人民政府-政务公开-标题", "【某市人民政府】标题".

    The name (and the short column names after it) go only when a headline is left.
    """
    rest, dropped = piece, False
    while (m := _LEAD_PIECE.match(rest)) is not None:
        if is_site(m["p"]):
            dropped = True
        elif _cjk_len(m["p"]) >= _MIN_HEADLINE or re.search(r"\d", m["p"]):  # the headline, or its 2024-2026
            break
        rest = m["rest"]
    if not dropped:
        rest = piece
        for pattern in (_BRACKETED_LEAD,):
            m = pattern.match(piece)
            if m and is_site(m["p"]):
                rest, dropped = m["rest"], True
                break
    return rest.strip() if dropped and _cjk_len(rest) >= _MIN_HEADLINE else piece


def _headline_candidates(root: etree._Element) -> list[tuple[str, bool]]:
    """Texts of headings and of elements whose class or id names a title, in document order; True for h1–h3."""
    out: list[tuple[str, bool]] = []
    for el in root.iter("h1", "h2", "h3", "div", "p", "td", "span", "strong"):
        heading = el.tag in {"h1", "h2", "h3"}
        if not heading:
            cls = " ".join(filter(None, (el.get("class"), el.get("id")))).lower()
            if not cls or not any(w in cls for w in _TITLE_CLASSES):
                continue
        txt = _clean_title(_text_without_dates(el))
        if not txt:  # a headline set as a picture (<div class="bt"><img alt="headline"></div>): its alt text is the headline
            img = el.find(".//img[@alt]")
            txt = _clean_title(img.get("alt") or "") if img is not None else ""
        if 4 <= len(txt) <= 150 and _cjk_len(txt) >= 4:
            out.append((txt, heading))
    return out


def _text_without_dates(el: etree._Element) -> str:
    """The element's text without the date a template tucks into the heading (<h1>…<span class="time">…</span></h1>)."""
    words = [w.lower() for w in _RULES.dates.time_classes]
    dated = [
        d
        for d in el.iterdescendants()
        if isinstance(d.tag, str)
        and any(w in " ".join(filter(None, (d.get("class"), d.get("id")))).lower() for w in words)
        and _DATE_AT_START.match(d.text_content().strip())
    ]
    if not dated:
        return el.text_content()
    text = el.text_content()
    for d in dated:
        text = text.replace(d.text_content(), " ", 1)
    return text


_CENTERED = re.compile(r"text-align\s*:\s*center", re.I)


def _display_line(root: etree._Element, is_site: Callable[[str], bool]) -> str | None:
    """The first centred or all-bold short line that reads as a headline, not a sentence.

    Old CMS pages paste the Word document whole: no heading element, a <title>
    that names only the site, and the headline as the text's first centred,
    bold paragraph.  Used only when nothing else on the page names the headline.
    """
    for el in root.iter("p", "div", "td"):
        txt = _clean_title(el.text_content())
        if not (_MIN_HEADLINE <= _cjk_len(txt) and len(txt) <= 80) or _SENTENCE_PUNCT.search(txt) or is_site(txt):
            continue
        centred = el.get("align", "").lower() == "center" or bool(_CENTERED.search(el.get("style") or ""))
        bold = any(_nows(_clean_title(b.text_content())) == _nows(txt) for b in el.iter("strong", "b"))
        if centred or bold:
            return txt
    return None


def _title(root: etree._Element, labelled: dict[str, str], metas: dict[str, str]) -> str | None:
    """Prefer the page's own headline; <title> carries site suffixes (…_国务院公报_中国政府网).

    Order: the ArticleTitle meta; a 标题/名称 label that <title> or a heading confirms (the
    same words label a column of a table in the body); the longest heading that <title>
    contains; the heading a cut-short <title> begins; the first heading when <title> names
    only the site; the headline piece of <title>; the first heading.
    """
    cand = _TAG.sub("", metas.get("_title") or "")  # CMSs put markup into ArticleTitle (<font color=…>, <div>副题</div>)
    if len(cand.strip()) >= 4:
        return _clean_title(cand)
    title_tag = root.find(".//title")
    raw_title = " ".join(title_tag.text_content().split()) if title_tag is not None else ""
    page_title = _clean_title(raw_title)
    squeezed_title = _nows(page_title)
    candidates = _headline_candidates(root)
    pieces = [p for p in _TITLE_SPLIT.split(page_title) if p]
    declared = {_nows(metas[k]) for k in ("_site", "_column") if metas.get(k)}

    def is_site(piece: str) -> bool:
        return _nows(piece) in declared or _SITE_NAME.fullmatch(_nows(piece)) is not None

    def surely_site(piece: str) -> bool:
        """A name only a site has (…人民政府, …网, …网站): what is cut off a headline it is glued to (a headline may
        end in 局 or 中心: 十大骗局)."""
        return _nows(piece) in declared or _SURE_SITE.fullmatch(_nows(piece)) is not None

    # "标题 某市人民政府": a space before the site's name, which cleaning would glue to the headline
    # (only a <title> with no separator at all: "主题 副题_某网" is read piece by piece below)
    for pattern in (_SPACED_TAIL, _SPACED_LEAD) if not _ANY_SEPARATOR.search(raw_title) else ():
        m = pattern.match(raw_title)
        if m and surely_site(m["p"]) and _cjk_len(m["rest"]) >= _MIN_HEADLINE:
            page_title = _clean_title(m["rest"])
            squeezed_title = _nows(page_title)
            pieces = [page_title]
            break

    if len(pieces) == 1:
        # "标题——通知公告——某市人民政府": dashes as separators, known by the site's name at the end (a headline's
        # own ——副题 does not end in one); the column names between go with it
        parts = _DASHES.split(pieces[0])
        if len(parts) > 1 and is_site(parts[-1]):
            while len(parts) > 1 and (is_site(parts[-1]) or _cjk_len(parts[-1]) < _MIN_HEADLINE):
                parts.pop()
            pieces = ["——".join(parts)] if _cjk_len(parts[0]) >= 4 else pieces
    pieces = [_site_wrap_off(p, surely_site) for p in pieces]
    head = pieces[0] if pieces else ""

    site_first = bool(head) and is_site(head)
    stem = _nows(_TRUNCATED.sub("", head))
    truncated = stem != _nows(head) and len(stem) >= 4

    labelled_title = _clean_title(_TAG.sub("", labelled.get("_title") or ""))
    # a <title> of site and column names only (某市人民政府门户网站, 信息公开) confirms nothing and contradicts nothing
    no_headline_piece = not any(_cjk_len(b) >= _MIN_HEADLINE and not is_site(b) for p in pieces for b in _HYPHEN.split(p))
    if len(labelled_title) >= 4:
        n = _nows(labelled_title)
        if (
            not squeezed_title
            or (no_headline_piece and _cjk_len(labelled_title) >= _MIN_HEADLINE)
            or n in squeezed_title
            or (truncated and n.startswith(stem))
            or any(n in _nows(t) or _nows(t) in n for t, _h in candidates)
        ):
            return labelled_title
    # the share-card title (og:title …), when it is a headline and not the site's name again
    og_pieces = [p for p in _TITLE_SPLIT.split(_clean_title(metas.get("_og_title") or "")) if p]
    og = next((p for p in og_pieces if _cjk_len(p) >= _MIN_HEADLINE and not is_site(p)), None)
    later_pieces = {_nodash(_nows(p)) for p in pieces[1:]} if not site_first else set()
    dashless_title = _nodash(squeezed_title)
    best: str | None = None
    # the site's own name as a heading (<h1>某市农业农村局</h1>) matches a <title> that is only that name; the headline
    # is another heading
    # …and so does a column name as heading (<h2>通知公告</h2> under <title>通知公告_某市人民政府</title>) when the
    # share card or another heading names a headline
    headline_elsewhere = any(_cjk_len(t) >= _MIN_HEADLINE and not is_site(t) for t, _h in candidates)
    for txt, _heading in candidates:
        if no_headline_piece and (headline_elsewhere or og) and (is_site(txt) or _cjk_len(txt) < _MIN_HEADLINE):
            continue
        n = _nodash(_nows(txt))
        # a column name (…_通知公告_某市人民政府) is in <title> too, after the headline; <title> may write the
        # headline's —— as a hyphen
        if dashless_title and n and n in dashless_title and n not in later_pieces:
            if best is None or len(txt) > len(best):
                best = txt

    def fuller(found: str) -> str:
        """A heading that holds the whole headline and a little more ("…（征求意见稿）") is the fuller headline."""
        n = _nows(found)
        if len(n) < _MIN_HEADLINE:
            return found
        more = [t for t, _h in candidates if _nows(t).startswith(n) and _FULLER_TAIL.fullmatch(_nows(t)[len(n) :])]
        return max(more, key=len) if more else found

    if best:
        return fuller(best)
    if truncated:  # "关于推动未来产业创新…": the heading it starts
        for txt, _heading in candidates:
            if _nows(txt).startswith(stem):
                return txt
    ordered = [t for t, h in candidates if h] + [t for t, h in candidates if not h]
    # a heading that is the site's own name (<h1 class="logo">某市人民政府门户网站</h1>) is not the headline
    ordered = [t for t in ordered if not is_site(t)] or ordered
    if not pieces or (len(pieces) == 1 and site_first):
        if og:
            return og
        if ordered and not is_site(ordered[0]):
            return ordered[0]
        shown = _display_line(root, is_site)
        if shown:
            return shown
        if ordered:
            return ordered[0]
    # "北医新闻网_(新闻)", "科普中国-辟谣文章": no piece of <title> but site and column names, so it holds no
    # headline; the first heading or title-named element long enough to be one is the page's
    bits = [b for p in pieces for b in _HYPHEN.split(p) if b.strip()]
    if not any(_cjk_len(b) >= _MIN_HEADLINE and not is_site(b) for b in bits):
        if og:
            return og
        long = next((t for t in ordered if _cjk_len(t) >= _MIN_HEADLINE and not is_site(t)), None)
        if long:
            return long
    if pieces:
        if site_first:  # "某市人民政府_通知公告_标题": the first piece long enough for a headline, else the first that is no site name
            rest = [p for p in pieces[1:] if not is_site(p)]
            head = next((p for p in rest if _cjk_len(p) >= _MIN_HEADLINE), rest[0] if rest else head)
        return fuller(_site_suffix_off(head))
    return og


# ---------------------------------------------------------------- entry point


def _metas(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").lower()
        field_name = _META_NAMES.get(name)
        content = (m.get("content") or "").strip()
        if field_name and content and field_name not in out:
            out[field_name] = content
    return out


def _clean_agency(value: str | None) -> str | None:
    if not value:
        return None
    value = re.split(r"\s{2,}|\s*[|｜]\s*|(?:浏览|阅读|点击|访问|字号|作者|编辑)", value)[0].strip(" ：:")
    return value or None


def _clean_doc_number(value: str | None) -> str | None:
    if not value:
        return None
    m = _DOC_NUMBER.search(value.replace(" ", "")) if _DOC_NUMBER else None
    if m:
        return m.group(0).replace("[", "〔").replace("]", "〕").replace("［", "〔").replace("］", "〕")
    value = value.strip()
    # a number has digits: 暂无, ——, 无 in the 发文字号 cell say there is none
    return value if 2 <= len(value) <= 40 and _HAS_DIGIT.search(value) else None


_HAS_DIGIT = re.compile(r"[0-9０-９〇○零一二三四五六七八九十]")


def extract_release_page(item: "Release", source: "SourceConfig") -> HtmlExtract:
    """A crawled release's page (the spider's item), decoded with the source's encoding rules, then extracted."""
    return extract_page(item.body or b"", item.url, item.declared_encoding, source.encoding, source.detail)


def extract_page(
    body: bytes, url: str, declared: str | None = None, override: str | None = None, selectors: "DetailSelectors | Any | None" = None
) -> HtmlExtract:
    """``extract_html`` of raw page bytes; ``selectors``: anything with the DetailSelectors attributes.

    Plain arguments so a worker process (pipeline.extract_pool) can run it without the source config's classes.
    """
    return extract_html(decode_html(body, declared=declared, override=override), url, selectors)


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def extract_html(html: str, url: str, selectors: "DetailSelectors | None" = None) -> HtmlExtract:
    """selectors: optional per-source CSS selectors (fields title, body, date, doc_number, agency; each may be None → generic extraction)."""
    if not html or not html.strip():
        return HtmlExtract(None, "", None, None, None, None, None, None)
    # lxml refuses str input that carries an XML encoding declaration
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return HtmlExtract(None, "", None, None, None, None, None, None)

    metas = _metas(root)
    _unhang(root)
    _unscript(root)
    for el in list(root.iter("script", "style", "noscript", "template")):
        _drop(el)
    labelled = _find_labelled(_text_chunks(root))

    def sel_text(css: str | None) -> str | None:
        hits = _select(root, css)
        return clean_inline(" ".join(h.text_content() for h in hits)) or None if hits else None

    title_hits = _select(root, getattr(selectors, "title", None))
    # a configured headline keeps its ideographic spaces (U+3000 between 主题 and 副题), as a generic one does
    title = _clean_title(" ".join(h.text_content() for h in title_hits)) or None if title_hits else None
    title = title or _title(root, labelled, metas)
    # before the body is pruned: the number printed under the headline may sit in the heading block, outside the text
    number_under_title = _doc_number_near_title(root, title)
    # before the body is pruned: the date line under the headline may sit in a block pruning removes
    date_raw = sel_text(getattr(selectors, "date", None))
    published, date_source = (parse_cn_date(date_raw), "selector") if date_raw else (None, None)
    if published is None:
        published, date_source = _publish_date(root, html, labelled, title, url)

    body_el = None
    trusted = True  # a source's selector, the CMS's own markers or a CMS family's container name the body
    hits = _select(root, getattr(selectors, "body", None))
    if hits:
        body_el = hits[0]
    elif (marked := _between_markers(root)) is not None:
        body_el = marked
    else:
        specific = [el for el in (_BODY_HINTS(root) if _BODY_HINTS else []) if _cjk_len(el.text_content()) >= 30]
        generic = [el for el in (_GENERIC_HINTS(root) if _GENERIC_HINTS else []) if _cjk_len(el.text_content()) >= 30]
        if specific and generic:  # a generic name on the page's wrapper (gov.cn's div.article around #UCAP-CONTENT)
            inner = {a for el in specific for a in el.iterancestors()}
            generic = [el for el in generic if el not in inner]
        if specific or generic:
            body_el = max(specific + generic, key=_prose_len)
            if not any(body_el is el for el in specific):
                trusted = False
                body_el = _unless_elsewhere(root, body_el)
    if body_el is not None and not trusted:
        under = _headline_block(root, body_el, title)
        body_el = under if under is not None else body_el
    text = ""
    if body_el is not None:
        parts = _continuations(body_el, title) if not hits else [body_el]
        for part in parts:
            _prune(part, article=True)
        text = "\n".join(t for t in (_render(part) for part in parts) if t)
        if text and parts:
            lines = text.split("\n")
            text = "\n".join(lines[_lead_links(parts[0], lines) :])
    if _cjk_len(text) < 20:
        body = root.find("body")
        scope = body if body is not None else root
        _prune(scope)
        best = _score_candidates(scope)
        if best is not None:
            under = _headline_block(root, best, title)
            parts = _prose_siblings(under if under is not None else best)
            if under is not None:  # the block density chose is not the article: it does not join it as a neighbour
                parts = [p for p in parts if p is not best and p not in set(best.iterancestors())]
            text = "\n".join(t for t in (_render(part) for part in parts) if t)
        if not text:  # a tiny page: everything that survived pruning is the text
            text = _render(scope)
    text = _trim_edges(text, title)
    written = parse_cn_date(labelled.get("written", "")) or _signing_date(text)
    doc_number = _clean_doc_number(sel_text(getattr(selectors, "doc_number", None)) or labelled.get("doc_number"))
    if doc_number is None:
        doc_number = _doc_number_unlabelled(text, title)
    if doc_number is None:
        doc_number = number_under_title
    agency = _clean_agency(
        sel_text(getattr(selectors, "agency", None)) or labelled.get("agency") or labelled.get("source") or metas.get("source")
    )
    return HtmlExtract(
        title=title,
        text=text,
        published=published,
        agency=agency,
        doc_number=doc_number,
        index_number=(labelled.get("index_number") or "").split(" ")[0] or None,
        topic=labelled.get("topic"),
        written=written,
        date_source=date_source if published else None,
    )


_SENTENCE_PUNCT = re.compile(r"[，。；！？]")
_TITLE_TAIL_NUMBER = re.compile(r"[（(【\[]\s*(?P<no>[^（(【\[）)】\]]{4,40})\s*[）)】\]]\s*$")


def _doc_number_unlabelled(text: str, title: str | None) -> str | None:
    """发文字号 when no label names it: a line of its own at the head of the body, else the title's closing bracket.

    Only a short line without sentence punctuation counts (the number printed under the
    headline, or beside 签发人); a number inside a sentence is a document being cited.
    """
    if _DOC_NUMBER is None:
        return None
    above = ""
    for line in text.split("\n")[: _RULES.doc_numbers.head_lines]:
        squeezed, heading = _nows(line), above
        above = squeezed
        if heading and _SPLIT_HEADING.fullmatch(heading) and _NUMBER_LINE.fullmatch(squeezed):
            joined = heading + squeezed  # 某部令 over 第12号
            if _DOC_NUMBER.fullmatch(joined):
                return _clean_doc_number(joined)
        if len(squeezed) <= 40 and not _SENTENCE_PUNCT.search(squeezed):
            m = _DOC_NUMBER.search(squeezed)
            rest = squeezed[m.end() :] if m else ""
            # the line is the number (in brackets at most), or the number and its 签发人 (上行文)
            if m and m.start() <= 1 and (len(rest) <= 1 or rest.startswith("签发人")):
                return _clean_doc_number(m.group(0))
    m = _TITLE_TAIL_NUMBER.search(title or "")  # 关于…的通知（某政发〔2024〕3号）
    if m and _DOC_NUMBER.fullmatch(_nows(m["no"])):
        return _clean_doc_number(m["no"])
    return None


def _doc_number_near_title(root: etree._Element, title: str | None) -> str | None:
    """发文字号 printed in the heading block: a piece that is the number alone (in brackets at most), among the
    first few text pieces after the headline (<div class="title"><h1>…</h1><p>某政办发〔2024〕3号</p></div>)."""
    if _DOC_NUMBER is None:
        return None
    for title_el in _title_elements(root, title)[:2]:
        seen, after, inside = 0, False, set(title_el.iter())
        for el in root.iter():
            if el is title_el:
                after = True
                continue
            if not after or el in inside or not isinstance(el.tag, str) or el.tag in _DROP_TAGS:
                continue
            for piece in ((el.text or "").strip(), (el.tail or "").strip()):
                if not piece:
                    continue
                seen += 1
                squeezed = _nows(piece).strip("（()）【】[]")
                if len(squeezed) <= 40 and _DOC_NUMBER.fullmatch(squeezed):
                    return _clean_doc_number(squeezed)
            if seen >= _RULES.doc_numbers.near_title_window:
                break
    return None


# ---------------------------------------------------------------- publish date

_DATE_AT_START = re.compile(
    r"^[\s(（\[【]*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
_ENP_DATE = re.compile(r"<!--\s*enpproperty\b.*?<date>\s*([^<]+?)\s*</date>", re.S | re.I)


def _publish_date(
    root: etree._Element, html: str, labelled: dict[str, str], title: str | None, url: str
) -> tuple[dt.date | None, str | None]:
    """The date a reader is shown, and where it was read.

    What the page shows wins over what its template declares: a visible label
    (in the configured order), then a <time> element, a *time*/*date* class or a
    date line just under the headline, then a date element the template names (<publishtime>), then the
    weak labels (时间, 日期), then meta tags (which CMSs fill with the last edit or the export time), the
    Founder ENP property comment, the URL.
    """
    weak = set(_RULES.dates.weak_labels)
    for label in _RULES.dates.labels:
        day = parse_cn_date(labelled.get("@" + label, "")) if label not in weak else None
        if day:
            return day, f"label:{label}"
    near = _date_near_title(root, title)
    if near[0]:
        return near
    for el in root.iter(*_RULES.dates.elements) if _RULES.dates.elements else ():  # the template's own date element
        day = parse_cn_date(clean_inline(el.text_content()))
        if day:
            return day, f"element:{el.tag}"
    for label in _RULES.dates.labels:  # "时间：" also opens lines of a meeting notice's body
        day = parse_cn_date(labelled.get("@" + label, "")) if label in weak else None
        if day:
            return day, f"label:{label}"
    metas = {(m.get("name") or m.get("property") or m.get("itemprop") or "").lower(): m.get("content") or "" for m in root.iter("meta")}
    for name in _RULES.dates.meta:
        day = parse_cn_date(metas.get(name, ""))
        if day:
            return day, f"meta:{name}"
    m = _ENP_DATE.search(html)
    if m and parse_cn_date(m.group(1)):
        return parse_cn_date(m.group(1)), "meta:enpproperty"
    day = parse_cn_date(_url_date(url))
    return (day, "url") if day else (None, None)


def _title_elements(root: etree._Element, title: str | None) -> list[etree._Element]:
    """Elements showing the headline, most likely first: headings, then other blocks, each in document order.

    The same headline also appears in menus, carousels and related-news lists, far from its date; the
    caller tries the candidates in turn (at most a few) until one has a date beside it.
    """
    want = _nows(title or "")
    if len(want) < 4:
        return []
    body = root.find("body")
    scope = body if body is not None else root
    headings: list[etree._Element] = []
    others: list[etree._Element] = []
    for el in scope.iter("h1", "h2", "h3", "h4", "div", "p", "td", "span", "strong", "font"):
        got = _nows(el.text_content())
        if got and (got == want or (len(got) >= 0.6 * len(want) and got in want)):
            (headings if el.tag in {"h1", "h2", "h3", "h4"} else others).append(el)
    return (headings + others)[:6]


def _date_near_title(root: etree._Element, title: str | None) -> tuple[dt.date | None, str | None]:
    """A <time> element, a *time*/*date* element, or a line that starts with a date, a few text pieces after the headline."""
    for title_el in _title_elements(root, title):
        found = _date_after(root, title_el)
        if found[0]:
            return found
    return None, None


def _date_after(root: etree._Element, title_el: etree._Element) -> tuple[dt.date | None, str | None]:
    words = [w.lower() for w in _RULES.dates.time_classes]
    seen = 0
    after = False
    inside = set(title_el.iter())
    for el in root.iter():
        if el is title_el:
            after = True
            continue
        if not after or el in inside or not isinstance(el.tag, str):
            continue
        if el.tag in _DROP_TAGS:
            continue
        own = (el.text or "").strip()
        if el.tag == "time":
            day = parse_cn_date(el.get("datetime") or "") or parse_cn_date(el.text_content())
            if day:
                return day, "time-element"
        attrs = " ".join(filter(None, (el.get("class"), el.get("id")))).lower()
        if attrs and any(w in attrs for w in words):
            txt = clean_inline(el.text_content())
            if len(txt) <= 60 and _DATE_AT_START.search(txt.split("：")[-1] if "：" in txt[:8] else txt):
                return parse_cn_date(txt), "time-class"
        for piece in (own, (el.tail or "").strip()):
            if not piece:
                continue
            seen += 1
            m = _DATE_AT_START.match(piece)
            if m and _is_date_line(piece, m.end()):
                return parse_cn_date(piece), "beside-title"
            byline = _BYLINE_DATE.match(piece)
            if byline:
                return parse_cn_date(byline["date"]), "beside-title"
        if seen > _RULES.dates.near_title_window:
            break
    return None, None


# "某市科技局　2025-03-01 10:00": the issuing body's name, then the day (a byline under the headline)
_BYLINE_DATE = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,24}[\s\u3000]*(?P<date>(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)


def _is_date_line(piece: str, date_end: int) -> bool:
    """A byline such as '2021-11-25 16:26 来源：太原晚报', not prose that opens with a date ('2024年5月9日，…')."""
    rest = piece[date_end:]
    return len(rest) <= 40 and not re.search(r"[，。；！？]", rest)


# ---------------------------------------------------------------- body edges


_SIGNING_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_DATE_ONLY = re.compile(r"[\d〇○零一二三四五六七八九十年月日\s]{6,20}")


def _signing_date(text: str) -> dt.date | None:
    """成文日期 from the 落款 when no label gives it: a date alone on a line under a short signer line, near the end."""
    lines = [line.strip() for line in text.split("\n")[-8:]]
    for i in range(len(lines) - 1, 0, -1):
        if _DATE_ONLY.fullmatch(lines[i]) and "年" in lines[i]:
            signer = _nows(lines[i - 1])
            if 2 <= len(signer) <= 40 and not _SENTENCE_PUNCT.search(signer):
                return parse_cn_date(lines[i])
    return None


_TITLE_PUNCT = re.compile(r"[\W_]+")


def _trim_edges(text: str, title: str | None) -> str:
    """Remove furniture lines at the start and end of a body (rules in config/extraction.yaml).

    Only the outermost lines are tested, one at a time, so a sentence that
    happens to look like furniture inside the article is never dropped.  The
    headline repeated above the body goes when it is the whole headline, or a
    part of it followed by more header lines (date, 来源 …); a heading that
    merely shares words with the headline ("《报告》全文" over "报告") is the
    article's own and stays.  A signing date under the signer (落款) is the
    document's, not a publication stamp, and stays.
    """
    lines = text.split("\n")
    squeezed_title = _nows(title or "")
    bare_title = _TITLE_PUNCT.sub("", squeezed_title)

    def is_meta(line: str) -> bool:
        if _EDGES.is_sentence(line):  # 来源：…，…。 is the article's prose under a label's word
            return False
        pairs = _split_inline(line)
        if not pairs:
            pairs = cell_pairs(line)
        return bool(pairs) and len(line) <= 120 and all(not _LABEL_FIELD[lbl].startswith("_title") for lbl, _ in pairs)

    def cell_pairs(line: str) -> list[tuple[str, str]]:
        """'索 引 号 | 001/2024-00012 | 发布机构 | 某局': a 信息公开 table row whose label cells carry no colon."""
        cells = [_nows(c).rstrip(":：") for c in line.split(" | ")]
        if len(cells) < 2 or len(line) > 200 or cells[0] not in _LABEL_FIELD:
            return []
        return [(cells[0], cells[1])]

    def is_date(line: str) -> bool:
        m = _DATE_AT_START.match(line)
        return m is not None and _is_date_line(line, m.end())

    def is_title_row(line: str) -> bool:
        """'标题： | <the headline>' from a 信息公开 table above the text: the headline again, with its label."""
        if not bare_title or len(line) > 200:
            return False
        pairs = _split_inline(line) or cell_pairs(line)
        titled = [value for lbl, value in pairs if _LABEL_FIELD[lbl] == "_title"]
        return bool(titled) and all(_TITLE_PUNCT.sub("", _nows(value)) == bare_title for value in titled)

    def is_header(line: str) -> bool:
        return is_meta(line) or is_date(line) or _EDGES.is_start_furniture(line) or is_title_row(line)

    def title_run() -> int:
        """How many leading lines repeat the headline (0: none, or only a heading that shares its words)."""
        joined, k = "", 0
        while k < min(len(lines), 4):
            n = _nows(lines[k])
            if joined + n not in squeezed_title:
                n = _FOOTNOTE_AFTER.sub("", n)
            if len(n) < 2 or joined + n not in squeezed_title:
                break
            joined, k = joined + n, k + 1
        if not k or not squeezed_title:
            return 0
        if joined == squeezed_title or _TITLE_PUNCT.sub("", joined) == bare_title:
            return k
        if len(joined) >= 0.5 * len(squeezed_title) and (k == len(lines) or is_header(lines[k])):
            return k
        return 0

    def is_signing_date(i: int) -> bool:
        """'2024年5月6日' alone under a short signer line such as '某市人民政府'."""
        line = lines[i].strip()
        m = _SIGNING_DATE.fullmatch(line)
        if m is None or i == 0:
            return False
        signer = _nows(lines[i - 1])
        return 2 <= len(signer) <= 40 and not _SENTENCE_PUNCT.search(signer) and not is_meta(lines[i - 1])

    def value_line(line: str) -> bool:
        """The value a label left alone on its line carries on the next (<dt>信息来源：</dt><dd>某局</dd>): short, no
        sentence, not itself a label or an addressee (各区县人民政府：)."""
        n = _nows(line)
        return 0 < len(n) <= 30 and not _SENTENCE_PUNCT.search(n) and not n.endswith((":", "：")) and not _split_inline(line)

    while lines:
        if is_header(lines[0]):
            pairs = _split_inline(lines.pop(0))
            if pairs and not pairs[-1][1] and lines and value_line(lines[0]):
                lines.pop(0)
            continue
        k = title_run()
        if k:
            del lines[:k]
            continue
        break
    cut = _EDGES.cut_at(lines)
    if cut is not None:  # a reader-comment block (最热评论 …) and all after it
        del lines[cut:]
    while lines:
        if is_meta(lines[-1]) or (is_date(lines[-1]) and not is_signing_date(len(lines) - 1)) or _EDGES.is_end_furniture(lines[-1]):
            lines.pop()
            continue
        cut = _EDGES.trailing_block(lines)
        if cut is not None and cut > 0:
            del lines[cut:]
            continue
        break
    return "\n".join(lines)


_URL_DATE = re.compile(r"(?:/|t)((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))|/((?:19|20)\d{2}-\d{2}/\d{2})/")


def _url_date(url: str) -> str:
    """TRS-style URLs carry the publish day (t20190918_693227.shtml); last resort when the page shows none."""
    m = _URL_DATE.search(url or "")
    return (m.group(1) or m.group(2)) if m else ""
