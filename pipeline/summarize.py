"""Extractive summaries that say what a policy does, in one to three of its own sentences.

A digest reader decides from two lines whether to open a document.  The
first lines of a Chinese government notice are the worst two lines for that:
a salutation (各省、自治区、直辖市…：), a transmittal (现将《…》印发给你们，请认真
贯彻执行) and a preamble (为贯彻落实…精神).  What an analyst quotes is further
down: targets (到2027年…不少于100项), money (给予最高500万元奖励), who it applies
to, when it takes effect, and for a 征求意见稿 the comment deadline.

So: split into sentences, drop the furniture, score the rest by cue words,
keep the best few in document order.  Extractive on purpose (no model to
download, nothing invented, every word traceable to the original), and the
cue words are data in ``config/summary.yaml`` so an analyst can tune them.
A transmittal notice's enclosed policy is in the page or in its attachment;
both are passed in, so its sentences compete on the same terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.paths import CONFIG_DIR
from core.yamlconfig import load_model, regular_expressions
from pipeline.cnfold import t2s_table
from pipeline.regexgate import PatternGroups

__all__ = ["Summarizer", "key_figure", "release_summary", "split_sentences", "summarize_document"]

SUMMARY_CONFIG = CONFIG_DIR / "summary.yaml"


class CueGroup(BaseModel):
    """Words that make a sentence worth quoting, and how much."""

    model_config = ConfigDict(extra="forbid")
    weight: float
    patterns: list[str]

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        return regular_expressions(v)


class SummaryRules(BaseModel):
    """The summary.yaml file."""

    model_config = ConfigDict(extra="forbid")
    max_chars: int = Field(150, ge=20)
    max_sentences: int = Field(3, ge=1)
    min_sentence_chars: int = Field(12, ge=1)
    min_score: float = 3.0
    position_decay: float = Field(0.0, ge=0.0, lt=1.0)
    fit_ratio: float = Field(1.0, gt=0.0, le=1.0)
    concise_chars: int = Field(80, ge=10)
    length_penalty: float = Field(0.0, ge=0.0, lt=1.0)
    clip_min_chars: int = Field(40, ge=10)
    clip_keep_share: float = Field(0.5, ge=0.0, le=1.0)
    further_ratio: float = Field(0.5, gt=0.0, le=1.0)
    section_lead_bonus: float = 0.0
    lead_bonus: dict[str, float] = Field(default_factory=dict)
    drop: dict[str, list[str]]
    keep_if: dict[str, list[str]] = Field(default_factory=dict)
    section_bonus: dict[str, float] = Field(default_factory=dict)
    cues: dict[str, CueGroup]
    doctype_bonus: dict[str, dict[str, float]] = Field(default_factory=dict)
    strip_prefixes: list[str] = Field(default_factory=list)

    @field_validator("drop")
    @classmethod
    def _drop_compiles(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in v.values():
            regular_expressions(patterns)
        return v

    @field_validator("strip_prefixes")
    @classmethod
    def _prefix_compiles(cls, v: list[str]) -> list[str]:
        return regular_expressions(v)

    @model_validator(mode="after")
    def _names_exist(self) -> "SummaryRules":
        """keep_if and doctype_bonus name drop groups and cues; a typo there would silently do nothing."""
        unknown = [g for g in self.keep_if if g not in self.drop]
        unknown += [c for cues in self.keep_if.values() for c in cues if c not in self.cues]
        unknown += [c for bonus in self.doctype_bonus.values() for c in bonus if c not in self.cues]
        if unknown:
            raise ValueError(f"names no drop group or cue: {', '.join(sorted(set(unknown)))}")
        return self


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")
_QUOTE_CLOSERS = "”’）)」』】"
# A sentence: up to an end mark and the closing quotes after it, or the rest of the line.
_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?][" + re.escape(_QUOTE_CLOSERS) + r"]*|$)")
_CLAUSE_END = "；;，,："
_CLIP_AT = "；;，,"  # a clipped second sentence ends at a clause, not before a list its colon introduces
_INNER_SPACE = re.compile(r"[ \t\u3000\u00a0]+")
# a mirror that re-encodes a page in Traditional script may annotate characters with their pinyin: 區(qū), 發(fā)
_PINYIN_NOTE = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")


@lru_cache(maxsize=1)
def _t2s() -> tuple[re.Pattern[str], dict[int, str]]:
    """Traditional characters and their Simplified forms, leaving out the few that are Simplified too (么)."""
    table = t2s_table()
    simplified = set(table.values())
    table = {k: v for k, v in table.items() if k not in simplified and len(k) == 1 and ord(k) < 0x10000}
    return re.compile("[" + "".join(re.escape(c) for c in sorted(table)) + "]"), {ord(k): v for k, v in table.items()}


def _matching_form(sentence: str) -> str:
    """The sentence as the rules read it: Traditional script folded to Simplified, pinyin notes removed.

    The cue and furniture patterns are written in Simplified; a page in Traditional script (現將…印發給你們,
    給予3萬元資金支持) says the same things and must be read by the same rules.  The summary still quotes the
    page's own characters.
    """
    klass, table = _t2s()
    if klass.search(sentence) is None:
        return sentence  # Simplified text (the usual case): one scan in C
    if "(" in sentence:
        sentence = _PINYIN_NOTE.sub("", sentence)
    return sentence.translate(table)


def _form_offsets(sentence: str) -> list[int]:
    """For each character of ``_matching_form(sentence)``, its index in ``sentence`` (pinyin notes are skipped)."""
    kept = [True] * len(sentence)
    if "(" in sentence:
        for m in _PINYIN_NOTE.finditer(sentence):
            kept[m.start() : m.end()] = [False] * (m.end() - m.start())
    return [i for i, k in enumerate(kept) if k]


# a clause that only sets a time (到2026年, 2025年底前) or says who speaks (《计划》提出) leads into the next clause
_DANGLING_LEAD = re.compile(
    r"[，,；;](?:预计)?(?:到|至|在)?\s?\d{4}\s?年(?:底|末)?(?:前|以前)?$|[，,；;][^，,；;]{0,30}(?:提出|明确|要求|规定)$"
)
_SPACE_BY_DIGIT = re.compile(r"(?<=\d) +(?=[^\W\d_])|(?<=[^\W\d_]) +(?=\d)")
_ATTACHMENT_HEADER = re.compile(r"^【附件[：:][^】]*】$")


# An addressee that opens a line and runs on into the text: 各市经信局：为保障春耕生产，…
_ADDRESSEE = re.compile(r"^(各[^。：:；]{0,120}|[^。，,：:；]{2,60}(?:人民政府|委员会|厅|局|办公室|部门|单位|机构|企业))[：:]")


_OPEN_END = "。！？!?；;：:" + _QUOTE_CLOSERS  # a line ending otherwise stops mid-sentence (or is a heading)
_FULL_STOP = "。！？!?"
# a line that starts a new block even after a full line: 一、 （一） 1. 第三条 附件 专栏, or a bullet (■ ● ◆)
_BLOCK_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、](?!\d)|第[一二三四五六七八九十百零\d]+[条章]|附\s*件|专栏"
    r"|[■●◆▪•◇□▲►★])"
)
# how a chosen sentence may end; a list item or a web line with no end mark gets a full stop in the summary
_SENTENCE_ENDS = "。！？!?…；;" + _QUOTE_CLOSERS + "）)」』"
_RUN_ON_CHARS = 50  # a line this long without an end mark is a paragraph cut short, not a heading
# a page's metadata line (来源：… 2022-05-20 15:33, 责任编辑：…, a bare web address) ends no paragraph short however long
_META_LINE = re.compile(r"(?:来源|來源|作者|编辑|編輯|发布时间|發布時間)\s*[：:]|\d{1,2}:\d{2}(?::\d{2})?(?!\d)|https?://\S+$")
_PAGE_NUMBER = re.compile(r"^[—\-－–]\s*\d{1,3}\s*[—\-－–]$")


def _unwrap(lines: list[str]) -> list[str]:
    """Rejoin the sentences of hard-wrapped text (a PDF's or a Word file's text, one printed line per line).

    Such text breaks every ~28 characters wherever the line ran out, mid-word and mid-sentence; split at
    line ends it gives fragments (…培育创新型中小企业和专 / 精特新企业1000家…).  It is recognised by its
    lines: most long lines end without an end mark and are of nearly one length (the printed width).
    Then a line of about that width that does not end a sentence runs on into the next, unless the next
    starts a block (一、 （一） 1. 第三条).  A shorter line ends its paragraph; headings stay lines.
    Text whose lines are paragraphs (a web page) is left as it is.
    """
    long = [ln for ln in lines if len(ln) >= 10]
    open_lens = sorted(len(ln) for ln in long if ln[-1] not in _OPEN_END)
    width = open_lens[len(open_lens) // 2] if open_lens else 0
    # a printed page has no line much wider than its width; a web page's paragraphs run far past its short headings
    over = sum(1 for ln in long if len(ln) > 1.5 * width)
    wrapped = len(open_lens) >= 5 and len(open_lens) >= 0.4 * len(long) and width >= 15 and over <= 0.2 * len(long)
    stops = _FULL_STOP  # a printed line ending in ，or ： still runs on
    paragraphs = False
    if not wrapped or sum(1 for n in open_lens if abs(n - width) <= 3) < 0.5 * len(open_lens):
        # paragraphs, one a line: only a paragraph cut by a page break runs on (a long line with no end mark;
        # headings and titles are shorter)
        width, stops, paragraphs = _RUN_ON_CHARS + 3, _OPEN_END, True
        if not any(len(ln) >= _RUN_ON_CHARS and ln[-1] not in _OPEN_END for ln in lines):
            return lines
    out: list[str] = []
    joinable = False
    for line in lines:
        if _PAGE_NUMBER.match(line):
            continue
        # a cut paragraph runs on into the text that finishes it, not into a short unpunctuated line after a
        # long one (a report's headline line, then its byline 新华社记者某某)
        if joinable and out and not _BLOCK_START.match(line) and not (paragraphs and _bare_line(line)):
            sep = " " if out[-1][-1].isascii() and out[-1][-1].isalpha() and line[0].isascii() and line[0].isalpha() else ""
            out[-1] += sep + line
        else:
            out.append(line)
        joinable = len(line) >= width - 3 and line[-1] not in stops and not (paragraphs and _META_LINE.search(line))
    return out


def _bare_line(line: str) -> bool:
    """A short line with no end mark: a byline, a sub-heading or a caption, never the rest of a paragraph."""
    return len(line) < _RUN_ON_CHARS and line[-1] not in _OPEN_END


def _unpaired_quotes_off(sentence: str) -> str:
    """A sentence cut out of a longer quotation without its partner mark: “我国…进步。 / …举措。”

    Quoted alone it would open a quotation that never closes (or close one never opened); the mark goes,
    the words stay.
    """
    opens, closes = sentence.count("“"), sentence.count("”")
    if opens > closes and sentence.startswith("“"):
        return sentence[1:]
    if closes > opens and sentence.endswith("”"):
        return sentence[:-1]
    return sentence


def split_sentences(text: str) -> list[str]:
    """Sentences at 。！？ and line ends, keeping the end mark (and a closing quote after it) with the sentence.

    A salutation on the same line as the first sentence is split off as a sentence of its own.  Hard-wrapped
    text (PDF) has its printed lines rejoined first (see ``_unwrap``).
    """
    out: list[str] = []
    lines = [ln for ln in (raw.strip() for raw in text.splitlines()) if ln]
    for line in _unwrap(lines):
        if not line:
            continue
        m = _ADDRESSEE.match(line)
        if m and m.end() < len(line):
            out.append(line[: m.end()])
            line = line[m.end() :].strip()
        out += [p for p in (piece.strip() for piece in _SENTENCE.findall(line)) if p]
    return out


@dataclass
class Scored:
    """One candidate sentence: where it was, what it says after lead-ins are stripped, and its score.

    ``score`` ranks (it includes position, length and section adjustments); ``cues`` is what the sentence
    itself says (its cue weights), which decides whether it is worth adding as a further point.
    """

    index: int
    text: str
    score: float
    cues: float = 0.0


class Summarizer:
    """Rules loaded once; ``summarize`` is pure and cheap (a few regex passes per sentence)."""

    def __init__(self, rules: SummaryRules, prefilter: bool = True):
        self.rules = rules
        # prefilter=False searches every pattern: the reference the tests hold the gated search to
        self._drop = PatternGroups(rules.drop, prefilter=prefilter)
        self._cue_groups = PatternGroups({name: g.patterns for name, g in rules.cues.items()}, prefilter=prefilter)
        self._weights = {name: g.weight for name, g in rules.cues.items()}
        self._strip = [re.compile(p) for p in rules.strip_prefixes]

    @classmethod
    def load(cls, path: str | Path = SUMMARY_CONFIG) -> "Summarizer":
        return cls(load_model(Path(path), SummaryRules, expand_env=False))

    def is_furniture(self, sentence: str) -> bool:
        """Salutation, transmittal, preamble, contact, 附件 list, signature, question, heading or promotion."""
        sentence = _matching_form(sentence)
        s = _INNER_SPACE.sub("", sentence) if len(sentence) < 60 else sentence
        matched = self._drop.matching(sentence)
        if s != sentence:  # a long sentence is searched once, not twice
            also = set(self._drop.matching(s))
            matched = [g for g in self._drop.names if g in also or g in matched]
        for group in matched:
            if not any(self._cue_groups.has(c, sentence) for c in self.rules.keep_if.get(group, [])):
                return True
        return False

    def _has_cue(self, cue: str, sentence: str) -> bool:
        return self._cue_groups.has(cue, _matching_form(sentence))

    def _clean(self, sentence: str) -> str:
        """The sentence without its lead-ins (答：, a dateline, an item number), read as the rules read it.

        The lead-in patterns are written in Simplified (新华社北京3月6日电); on a page in Traditional script
        (中新網5月20日電) they are matched on the folded form and the page's own text is cut at the same place.
        """
        form = _matching_form(sentence)
        if form == sentence:
            for p in self._strip:
                sentence = p.sub("", sentence, count=1)
            return _unpaired_quotes_off(sentence.strip())
        offsets = _form_offsets(sentence)
        for p in self._strip:
            m = p.match(form)
            if m and m.end():
                cut = offsets[m.end()] if m.end() < len(offsets) else len(sentence)
                sentence, form = sentence[cut:], form[m.end() :]
                offsets = [o - cut for o in offsets[m.end() :]]
        return _unpaired_quotes_off(sentence.strip())

    def score(self, sentence: str, doctype: str | None = None) -> float:
        """The sum of the weights of the cue groups the sentence matches (each group once).

        Text from PDFs often has a space on either side of a number (到 2027 年，培育 100 家); the cues are
        matched without those spaces so that such a target scores like 到2027年 does.
        """
        sentence = _matching_form(sentence)
        if " " in sentence:
            sentence = _SPACE_BY_DIGIT.sub("", sentence)
        bonus = self.rules.doctype_bonus.get(doctype or "", {})
        total = 0.0
        for name in self._cue_groups.matching(sentence):
            total += self._weights[name] + bonus.get(name, 0.0)
        return total

    def candidates(self, text: str, doctype: str | None = None) -> list[Scored]:
        out: list[Scored] = []
        seen: set[str] = set()
        sentences = split_sentences(text)
        decay = self.rules.position_decay / max(1, len(sentences))
        heading_bonus, heading_level, section_lead = 0.0, 0, 0.0
        for i, raw in enumerate(sentences):
            if self._is_heading(raw):
                # what follows 二、主要目标 (or a 解读's question about the main points) is what the section is for;
                # a sub-heading that names no section keeps its parent's bonus ((一) under 二、主要目标)
                level = _heading_level(raw)
                named = self._section_value(raw)
                if named is not None or level <= heading_level or not heading_level:
                    heading_bonus, heading_level = named or 0.0, level
                section_lead = self.rules.section_lead_bonus
                continue
            if _ATTACHMENT_HEADER.match(raw) or len(raw) < self.rules.min_sentence_chars and not self._cues_only_short(raw):
                continue
            if self.is_furniture(raw):
                continue
            clean = self._clean(raw)
            # a numbered item or article is read without its number too: 第二条 坚持以习近平…为统领 is the same
            # guiding-ideology line as an unnumbered one, and （三）联系人：… the same contact line
            if clean != raw and self.is_furniture(clean):
                continue
            if len(clean) < self.rules.min_sentence_chars or clean in seen:
                continue
            seen.add(clean)
            score = self.score(clean, doctype)
            # the 导语 says what was released; a first sentence that only says targets were set (net weak) is no 导语
            lead = self.rules.lead_bonus.get(doctype or "", 0.0) if not out and score >= self.rules.min_score else 0.0
            # a section's first sentence states what the section is for (its topic sentence)
            bonus = (lead + heading_bonus + section_lead) if score > 0 else min(0.0, heading_bonus)
            section_lead = 0.0
            # a sentence that would fill the summary alone leaves no room for a second point
            long = max(0, len(clean) - self.rules.concise_chars) / self.rules.max_chars
            rank = (score + bonus) * (1.0 - decay * i) * (1.0 - self.rules.length_penalty * min(1.0, long))
            # what a background section (为什么要制定…？ 起草背景) says counts for less as a point of its own as well
            out.append(Scored(i, clean, rank, score + min(0.0, heading_bonus)))
        return out

    def _section_value(self, heading: str) -> float | None:
        """The bonus of a heading that names a section: the best positive word plus the worst negative one.

        二、主要目标 earns its bonus; 一、起草背景 (negative) takes it away; 起草背景和主要内容 nets out.
        None when the heading names no section at all.
        """
        heading = _matching_form(heading)
        values = [w for word, w in self.rules.section_bonus.items() if word in heading]
        if not values:
            return None
        return max((v for v in values if v > 0), default=0.0) + min((v for v in values if v < 0), default=0.0)

    def _clip(self, sentence: str, room: int) -> str | None:
        """A strong sentence too long for the room left: its opening clauses, if they still carry a strong cue.

        到2027年，建成…100座，培育…；推动… says its target in the first clauses; stopping after one short
        sentence because the second does not fit whole wastes half the budget.  Cut only at a clause mark
        (，；), never inside a clause, and only when what is kept scores on its own.
        """
        head = sentence[:room]  # a clause mark at room - 1 still fits: the kept clauses and "…" fill the room
        end = max(head.rfind(ch) for ch in _CLIP_AT)
        if end < 0:
            return None  # no clause ends in the room: a cut here would fall inside a clause (…至2027年6月3…)
        kept = head[:end]
        if _DANGLING_LEAD.search(kept):  # …，到2026年 announces a target the clip would leave out
            kept = _DANGLING_LEAD.sub("", kept)
        if len(kept) < self.rules.clip_min_chars - 1:
            return None
        kept_score = self.score(kept)
        if kept_score < self.rules.min_score or kept_score < self.rules.clip_keep_share * self.score(sentence):
            return None  # 《计划》提出：… keeps the cue word and loses the point
        return kept + "…"

    def _is_heading(self, sentence: str) -> bool:
        """A section heading or a 解读's question: short and unpunctuated, or one of the heading/question patterns."""
        sentence = _matching_form(sentence)
        if len(sentence) <= 20 and sentence[-1] not in "。！？!?；;，,：:":
            return not self._cues_only_short(sentence)  # a bare comment window (3月1日至4月1日) is content
        for group in ("heading", "question"):
            if self._drop.has(group, sentence):
                # …可以在5月26日前，通过以下方式提出意见： leads into a list and is still the deadline (keep_if)
                return not any(self._cue_groups.has(c, sentence) for c in self.rules.keep_if.get(group, []))
        return False

    def _cues_only_short(self, sentence: str) -> bool:
        """A short line kept anyway: a comment window (2023年3月1日至2023年4月1日) is short and is the news.

        So is an indicator target on a line of its own: （一）地区生产总值增长7%左右 in a plan's or a work
        report's list of targets is short and unpunctuated like a heading, and it is the figure an analyst quotes.
        """
        sentence = _matching_form(sentence)
        return any(name in self._weights and self._cue_groups.has(name, sentence) for name in _SHORT_CUES)

    def summarize(self, text: str, doctype: str | None = None) -> str:
        """One to three sentences, at most ``max_chars`` characters, in document order."""
        limit, most = self.rules.max_chars, self.rules.max_sentences
        cands = self.candidates(text, doctype)
        if not cands:
            return ""
        # Best first; among equals the earlier sentence (documents put their main point first).
        ranked = sorted(cands, key=lambda c: (-c.score, c.index))
        best_score = ranked[0].score
        if len(cands) == 1 or best_score <= 0:
            ranked = cands  # nothing stands out: the document's own order
        elif len(ranked[0].text) > limit:
            # Whole sentences read better than a cut one: a nearly as good sentence that fits goes first.
            fits = [c for c in ranked if len(c.text) <= limit and c.score >= self.rules.fit_ratio * best_score]
            if fits:
                ranked = [fits[0]] + [c for c in ranked if c is not fits[0]]
        chosen: list[Scored] = []
        used = 0
        for c in ranked:
            if len(chosen) >= most:
                break
            if chosen and c.score < best_score * self.rules.further_ratio:
                break  # a weak sentence adds length, not information
            if chosen and c.cues < self.rules.min_score:
                continue  # a further point must carry a strong cue of its own (not only a section or lead bonus)
            room = limit - used
            if (
                chosen
                and (len(c.text) <= room or room >= self.rules.clip_min_chars)
                and _repeats(c.text, "\n".join(x.text for x in chosen))
            ):
                continue  # two rules sharing one clause (…，执行期限为…) say it once
            if len(c.text) <= room:
                chosen.append(c)
                used += len(c.text)
            elif not chosen:
                chosen.append(Scored(c.index, _cut(c.text, limit), c.score, c.cues))
                used = limit
            elif room >= self.rules.clip_min_chars and (head := self._clip(c.text, room)):
                chosen.append(Scored(c.index, head, c.score, c.cues))
                used += len(head)
            # else: try a shorter one further down the ranking
        chosen.sort(key=lambda c: c.index)
        # a quoted list lead-in (…通过以下方式提出意见：) ends the quote as a sentence, not as an opening
        # and a list item or a line without an end mark (■ 安排正式项目42项) is closed, not run into the next
        return "".join(
            c.text[:-1] + "。" if c.text[-1] in "：:" else c.text if c.text[-1] in _SENTENCE_ENDS else c.text + "。" for c in chosen
        )


_SHORT_CUES = ("comment_deadline", "indicator_value")  # cues that make a short, heading-like line content

_REPEAT_RUN = 16  # characters two sentences share before the second only repeats the first


def _repeats(text: str, chosen: str) -> bool:
    """Whether ``text`` shares a run with the sentences already chosen (joined in ``chosen``).

    Windows of ``_REPEAT_RUN`` characters are tried every half window, so any shared run of one and a half
    windows is found; a shorter common phrase (有关规定, 2026年1月1日) is not a repeat.
    """
    step = _REPEAT_RUN // 2
    return any(text[i : i + _REPEAT_RUN] in chosen for i in range(0, len(text) - _REPEAT_RUN + 1, step))


_LEVEL_2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_LEVEL_3 = re.compile(r"^(?:\d+[.．、]|[（(]\d+[）)]|[一二三四五六七八九十]+是)")


def _heading_level(heading: str) -> int:
    """1 for 一、/第一章/a question/an unnumbered heading, 2 for （一）, 3 for 1. and 一是."""
    if _LEVEL_2.match(heading):
        return 2
    if _LEVEL_3.match(heading):
        return 3
    return 1


def _cut(sentence: str, limit: int) -> str:
    """A long sentence to at most ``limit`` characters, at a clause boundary where one is near."""
    if len(sentence) <= limit:
        return sentence
    head = sentence[:limit]  # a clause that ends at limit - 1 fits with its "…"
    end = max(head.rfind(ch) for ch in _CLAUSE_END)
    if end >= limit // 3:
        kept = _DANGLING_LEAD.sub("", head[:end])  # not …，到2030年… with the target cut off
        return (kept if len(kept) >= limit // 3 else head[:end]) + "…"
    return head[:-1] + "…"


@lru_cache(maxsize=4)
def _summarizer(path: str) -> Summarizer:
    return Summarizer.load(path)


def summarize_document(body: str, attachments_text: str = "", *, doctype: str | None = None, path: str | Path = SUMMARY_CONFIG) -> str:
    """The summary the digest shows for a release: the page body and the text of its attachments.

    A transmittal notice's page is mostly furniture; its enclosed policy (later
    in the page or in the attachment) then supplies the sentences.  The body's
    own sentences come first, so a plan published on the page is summarised
    from the page even when its attachment is a form.
    """
    s = _summarizer(str(path))
    own = s.summarize(body, doctype)
    if attachments_text and _thin(s, body, doctype):
        combined = s.summarize(body + "\n" + _unwrap_each(attachments_text), doctype)
        return combined or own
    return own


def _unwrap_each(attachments_text: str) -> str:
    """Each attachment's printed lines rejoined on its own (one may be a PDF, the next a web table)."""
    parts: list[list[str]] = [[]]
    for raw in attachments_text.splitlines():
        line = raw.strip()
        if _ATTACHMENT_HEADER.match(line):
            parts.append([line])
        elif line:
            parts[-1].append(line)
    return "\n".join(
        ln for part in parts for ln in (part[:1] + _unwrap(part[1:]) if part and _ATTACHMENT_HEADER.match(part[0]) else _unwrap(part))
    )


def _thin(s: Summarizer, body: str, doctype: str | None) -> bool:
    """The page says little beyond its furniture: at most two sentences with any cue."""
    return sum(1 for c in s.candidates(body, doctype) if c.score >= 3) < 2


_FIGURE = re.compile(
    r"\d[\d.]*\s*(?:万|亿|千)?(?:元|家|项|个(?![月工])|座|辆|条|所|人|名|户|套|台|架|吉瓦|万千瓦|千瓦时|千瓦|兆瓦|平方米|平方公里|公里|亩|公顷|吨|立方米|处|批|倍|%|％)"
)
_TIME_TAIL = re.compile(r"(?:到|至)\d{4}年(?:底|末)?(?:前)?$")
_DEADLINE = re.compile(r"(?:截止|截至|之前|以前|前)[^，。]*?\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日(?:前|之前|以前)")
_TARGET_YEAR = re.compile(r"(?:到|至)20\d{2}年")
_PURPOSE = re.compile(r"^(?:为了?|按照|根据|依据)")
# a clause that only says when: 到2027年, 2025年3月5日, 近日, 今年以来
_TIME_ONLY = re.compile(
    r"^(?:预计)?(?:到|至|截至|在|于)?(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:底|末|前|以前|上旬|中旬|下旬)?$"
    r"|^(?:近日|日前|近期|目前|当前|此前|最近|今年以来|去年以来|近年来|年初以来)$"
)


def key_figure(summary: str, limit: int = 48) -> str:
    """The clause of a summary that carries its main number (for 本期要点), with its 到20XX年 lead when it has one.

    "到2027年，建设加氢站100座以上" reads as a target; "建设加氢站100座以上" alone
    loses the year, and "到2027年" alone says nothing.
    """
    sentences = [x for x in re.split(r"(?<=[。！？；;])", summary) if x.strip()]
    for sentence in sentences:
        clauses = [c.strip() for c in re.split(r"[，,。；;！？：:]", sentence) if c.strip()]
        for i, clause in enumerate(clauses):
            if _FIGURE.search(clause):
                lead = next((m.group(0) for c in reversed(clauses[:i]) if (m := _TIME_TAIL.search(c))), None)
                figure = f"{lead}，{clause}" if lead and len(lead) + len(clause) < limit else clause
                return _clip(figure, limit)
    clauses = [c.strip() for c in re.split(r"[，,。；;！？：:]", summary) if c.strip()]
    if not clauses:
        return ""
    # no quantity: a draft's comment deadline, then a dated target, then the first clause that is not the
    # purpose a notice opens with (为广泛听取社会各界意见 says nothing about the policy)
    for pattern in (_DEADLINE, _TARGET_YEAR):
        hit = next((c for c in clauses if pattern.search(c)), None)
        if hit:
            return _clip(hit, limit)
    # …and never a bare time word (近日, 2025年3月5日): it is read with the clause it dates
    at = next((k for k, c in enumerate(clauses) if not _PURPOSE.match(c) and not _TIME_ONLY.match(c)), None)
    if at is None:
        return _clip(clauses[0], limit)
    if at > 0 and _TIME_ONLY.match(clauses[at - 1]):
        return _clip(f"{clauses[at - 1]}，{clauses[at]}", limit)
    return _clip(clauses[at], limit)


def _clip(s: str, limit: int) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def release_summary(title: str, body: str, attachments_text: str = "", *, doctype: str | None = None) -> str:
    """What the crawl stores and the digest shows for one release (one path for pipeline, CLI and benchmark).

    A body too short to say anything (a page that only links its attachment)
    is summarised from the attachments.  The digest prints the title next to the summary, so a body line
    that only repeats it (a news page's headline above the dateline) is left out: quoting it wastes the
    two lines on what the reader has just read.
    """
    if doctype not in (_NEWS, _INTERPRETATION) and _reads_as_news(body):
        doctype = _NEWS  # a news story whose headline reads like a document's title is still a story
    trimmed = _without_headline(body, title)
    if trimmed != body:
        summary = summarize_document(trimmed, attachments_text, doctype=doctype)
        if summary:
            return summary
    return summarize_document(body, attachments_text, doctype=doctype)


_NEWS, _INTERPRETATION = "新闻动态", "政策解读"
_NEWS_OPENING = 400  # characters of a body in which a news story shows its dateline or byline
# the marks of a news story's opening: a dateline (新华社北京3月6日电, 中新网5月20日电, 某某日报讯), a byline
# in brackets (（记者 某某）, （全媒体记者 某某 通讯员 某某）) or the reporter's source (记者从市科技局获悉)
_NEWS_MARK = re.compile(
    r"(?:社|网|报|台|电视台|广播)[^。，,；\n]{0,12}\d{1,2}月\d{1,2}日(?:电|讯|消息)"
    r"|(?:本报|[^\s，,。；（(]{2,10}(?:报|网))讯"
    r"|[（(](?:全媒体|融媒体|本报|见习)?记者[^）)\n]{1,30}[）)]"
    r"|记者[^。，,；\n]{0,24}(?:获悉|了解到)"
)

_NEWS_WORDS = ("电", "讯", "记者", "電", "訊", "記者")


def _reads_as_news(body: str) -> bool:
    """Whether the page is a news story: a dateline or byline in its opening, whatever its headline says.

    A headline (昌江出台若干措施 企业最高可获100万元奖励, 图解政府工作报告) is classified by its words and often
    lands on 政策文件 or even 征求意见稿; the story's lead (导语) is still what says what was released.
    """
    head = body[:_NEWS_OPENING]
    if not any(mark in head for mark in _NEWS_WORDS):
        return False  # most pages: no dateline or byline word at all, and no pattern search
    return _NEWS_MARK.search(_matching_form(head)) is not None


_HEADLINE_MIN = 8  # a title this short (通知, 公告) names no headline a body line could repeat
_HEADER_BLOCK_SHARE = 0.3  # at most this share of the page lies between two copies of its headline when it is the header


_NOT_LETTERS = re.compile(r"[\W_]+")


def _letters(text: str) -> str:
    """Letters and digits only, in the rules' reading (Simplified, no pinyin notes): how a headline line is compared."""
    return _NOT_LETTERS.sub("", unicodedata.normalize("NFKC", _matching_form(text)))


_COLUMN_LABEL = 12  # letters of a site's column label a headline line may carry before the headline (要闻, 信息公开)


def _repeats_headline(line: str, key: str) -> bool:
    """Whether a line (letters only) is the headline, alone or after a short column label (【要闻】, “政务公开”)."""
    return line == key or (line.endswith(key) and len(line) - len(key) <= _COLUMN_LABEL)


def _without_headline(body: str, title: str) -> str:
    """The body without the lines that repeat its title (punctuation, spacing, script and decoration aside).

    News pages print the headline again above the dateline, often with a mark after it (******) or in the other
    script; the line says nothing the title does not.
    """
    key = _letters(title)
    if len(key) < _HEADLINE_MIN:
        return body
    lines = body.splitlines()
    # only a line of about the title's length can repeat it (decoration and pinyin notes lengthen it a little)
    longest = 2 * len(title) + 40
    repeats = [i for i, ln in enumerate(lines) if len(key) <= len(ln) <= longest and _repeats_headline(_letters(ln), key)]
    if not repeats:
        return body
    # a page that prints its headline twice puts its header block between the two: a teaser lifted from further
    # down the story, a share bar, a summary box.  The story starts at the last copy; what sits between is the
    # page's header, not the lead, as long as it is a short block (a long one would be the story itself).
    first, last = repeats[0], repeats[-1]
    between = lines[first + 1 : last]
    if between and sum(len(ln) for ln in between) <= _HEADER_BLOCK_SHARE * sum(len(ln) for ln in lines):
        return "\n".join(lines[:first] + lines[last + 1 :])
    return "\n".join(ln for i, ln in enumerate(lines) if i not in repeats)
