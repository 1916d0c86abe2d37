"""The data half of HTML extraction: date labels and body-edge furniture (``config/extraction.yaml``).

Which label a site uses for its publish date, and what furniture its template puts
above and below an article, changes from CMS to CMS; an operator adds a label or a
furniture line to the YAML file instead of editing code, and a typo is reported
with file, line and field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.paths import CONFIG_DIR
from core.selector_syntax import XPATH_PREFIX, check_selector
from core.yamlconfig import load_model, regular_expressions

__all__ = ["BodyEdges", "BodyRules", "DateRules", "DocNumberRules", "EdgeRules", "ExtractionRules", "LeadBoxes", "TitleRules", "load_rules"]

DEFAULT_PATH = CONFIG_DIR / "extraction.yaml"


class DateRules(BaseModel):
    """Where the publish date is read, strongest source first."""

    model_config = ConfigDict(extra="forbid")
    labels: list[str] = Field(min_length=1)
    written_labels: list[str] = Field(default_factory=list)
    weak_labels: list[str] = Field(default_factory=list)  # consulted after the date beside the headline
    meta: list[str] = Field(default_factory=list)
    time_classes: list[str] = Field(default_factory=list)
    # elements a template names for the publish date (UCAP <publishtime>), read anywhere on the page
    elements: list[str] = Field(default_factory=list)
    near_title_window: int = Field(default=12, ge=0, le=100)

    @field_validator("labels", "written_labels", "weak_labels")
    @classmethod
    def _no_blank(cls, labels: list[str]) -> list[str]:
        if any(not lbl.strip() or re.search(r"\s", lbl) for lbl in labels):
            raise ValueError("labels are written without spaces (索 引 号 on a page still matches 索引号)")
        return labels

    @field_validator("elements")
    @classmethod
    def _tag_names(cls, names: list[str]) -> list[str]:
        if any(not re.fullmatch(r"[a-z][a-z0-9_-]*", name) for name in names):
            raise ValueError("date elements are tag names in lower case (publishtime), as the HTML parser gives them")
        return names


class TitleRules(BaseModel):
    """Where a headline is found when the page declares none (no ArticleTitle meta, no 标题 label)."""

    model_config = ConfigDict(extra="forbid")
    classes: list[str] = Field(default_factory=lambda: ["title"])
    site_name: str = "(?!)"  # a <title> that names only the site; the default never matches
    # a note reference after the headline repeated over the body (…统计公报[1]); the default never matches
    footnote_mark: str = "(?!)"

    @field_validator("site_name", "footnote_mark")
    @classmethod
    def _compiles(cls, v: str) -> str:
        return regular_expressions([v])[0]


class DocNumberRules(BaseModel):
    """How a 发文字号 is written, and how far into the body a line of its own may carry it."""

    model_config = ConfigDict(extra="forbid")
    patterns: list[str] = Field(default_factory=list)  # none: a number is read only from its label, as written
    head_lines: int = Field(default=8, ge=0, le=50)
    # how many text pieces after the headline may hold the number printed under it (in the heading block)
    near_title_window: int = Field(default=4, ge=0, le=20)
    # labels a site may put before the number (发文字号 and 文号 are always known)
    labels: list[str] = Field(default_factory=list)
    # a heading line that the number's own line completes (某部令 over 第12号); the default never matches
    split_heading: str = "(?!)"

    @field_validator("split_heading")
    @classmethod
    def _heading_compiles(cls, v: str) -> str:
        return regular_expressions([v])[0]

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        return regular_expressions(v)

    @field_validator("labels")
    @classmethod
    def _no_blank(cls, labels: list[str]) -> list[str]:
        if any(not lbl.strip() or re.search(r"\s", lbl) for lbl in labels):
            raise ValueError("labels are written without spaces (文 件 编 号 on a page still matches 文件编号)")
        return labels


class LeadBoxes(BaseModel):
    """How a template names the 导语/摘要 box it prints just before the text container."""

    model_config = ConfigDict(extra="forbid")
    classes: list[str] = Field(default_factory=list)  # words in the box's class or id (summary, daoyu …)
    label: str = "(?!)"  # the label the box opens with (【摘要】, 导语：); the default never matches

    @field_validator("classes")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        if any(not re.fullmatch(r"[a-z][a-z0-9]*", w) for w in v):
            raise ValueError("lead-box class words are lower-case letters and digits (summary, daoyu)")
        return v

    @field_validator("label")
    @classmethod
    def _compiles(cls, v: str) -> str:
        return regular_expressions([v])[0]


class BodyRules(BaseModel):
    """Where the body is when no source selector names it."""

    model_config = ConfigDict(extra="forbid")
    containers: list[str] = Field(default_factory=list)  # XPath of CMS body containers
    generic_containers: list[str] = Field(default_factory=list)  # XPath of names any box may carry
    markers: list[tuple[str, str]] = Field(default_factory=list)  # (begin, end) comment texts
    notices: list[str] = Field(default_factory=list)  # how a site's own notice block opens (免责声明 …)
    lead_boxes: LeadBoxes = LeadBoxes()

    @field_validator("notices")
    @classmethod
    def _notices_compile(cls, v: list[str]) -> list[str]:
        return regular_expressions(v)

    @field_validator("containers", "generic_containers")
    @classmethod
    def _xpaths(cls, v: list[str]) -> list[str]:
        for xp in v:
            check_selector(XPATH_PREFIX + xp)  # the sources' own selector check: one message for one mistake
        return v


class EndBlocks(BaseModel):
    """A heading at the end of a body that opens a short block of links (关联稿件, 附件下载 …)."""

    model_config = ConfigDict(extra="forbid")
    headings: list[str] = Field(default_factory=list)
    max_lines: int = Field(default=12, ge=1)
    max_chars: int = Field(default=200, ge=1)
    # a heading that opens a block nothing after belongs to the article (最新评论): it and the rest go, however long
    cut_headings: list[str] = Field(default_factory=list)

    @field_validator("headings", "cut_headings")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        return regular_expressions(v)


class BodyEdges(BaseModel):
    """Whole-line patterns for furniture at the start and at the end of a body."""

    model_config = ConfigDict(extra="forbid")
    start: list[str] = Field(default_factory=list)
    end: list[str] = Field(default_factory=list)
    # a line that reads as a sentence: no start or end rule takes it (its label may open the article's own prose) …
    sentence: str = r"(?!x)x"
    # … except these end rules: a site's notes that are sentences themselves (声明, 转载请注明 …)
    end_sentences: list[str] = Field(default_factory=list)
    end_blocks: EndBlocks = EndBlocks()

    @field_validator("start", "end", "end_sentences")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        return regular_expressions(v)

    @field_validator("sentence")
    @classmethod
    def _sentence_compiles(cls, v: str) -> str:
        return regular_expressions([v])[0]


class ExtractionRules(BaseModel):
    """The extraction file."""

    model_config = ConfigDict(extra="forbid")
    dates: DateRules
    titles: TitleRules = TitleRules()
    doc_numbers: DocNumberRules = DocNumberRules()
    body: BodyRules = BodyRules()
    body_edges: BodyEdges = BodyEdges()


class EdgeRules:
    """Compiled body-edge patterns (compiled once per rules file)."""

    def __init__(self, edges: BodyEdges):
        self.start = [re.compile(p, re.I) for p in edges.start]
        self.end = [re.compile(p, re.I) for p in edges.end]
        self.sentence = re.compile(edges.sentence)
        self.end_sentences = [re.compile(p, re.I) for p in edges.end_sentences]
        self.headings = [re.compile(p, re.I) for p in edges.end_blocks.headings]
        self.max_lines = edges.end_blocks.max_lines
        self.max_chars = edges.end_blocks.max_chars
        self.cuts = [re.compile(p, re.I) for p in edges.end_blocks.cut_headings]

    @staticmethod
    def _any(patterns: list[re.Pattern[str]], line: str) -> bool:
        return any(p.fullmatch(line) for p in patterns)

    def is_sentence(self, line: str) -> bool:
        """A line that reads as the article's prose (a comma inside, a full stop at the end)."""
        return self.sentence.fullmatch(line.strip()) is not None

    def is_start_furniture(self, line: str) -> bool:
        return not self.is_sentence(line) and self._any(self.start, line.strip())

    def is_end_furniture(self, line: str) -> bool:
        line = line.strip()
        return self._any(self.end_sentences, line) or (not self.is_sentence(line) and self._any(self.end, line))

    def cut_at(self, lines: list[str]) -> int | None:
        """Index of the first line (not the first of all) that opens a reader-comment block, or None."""
        for i, line in enumerate(lines[1:], start=1):
            if self._any(self.cuts, line.strip()):
                return i
        return None

    def trailing_block(self, lines: list[str]) -> int | None:
        """Index of a trailing link-block heading whose block is short enough to be furniture."""
        for i in range(len(lines) - 1, max(-1, len(lines) - self.max_lines - 2), -1):
            if self._any(self.headings, lines[i].strip()):
                tail = lines[i + 1 :]
                # sentences under such a heading are other articles' teasers (相关阅读 / 相关新闻 with a line of each),
                # far more often than an article's own last section: the block goes whole
                if len(tail) <= self.max_lines and all(len(t) <= self.max_chars for t in tail):
                    return i
        return None


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> tuple[ExtractionRules, EdgeRules]:
    """The validated rules file and its compiled edge patterns; ConfigError names file, line and field."""
    rules = load_model(Path(path) if path else DEFAULT_PATH, ExtractionRules, expand_env=False)
    return rules, EdgeRules(rules.body_edges)
