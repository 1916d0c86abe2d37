"""Source sites as data: the YAML schema an operator writes to add a site.

One file per site in the sources directory.  The models are strict
(unknown keys are errors) so a typo such as ``selctor`` is reported with its
line instead of being silently ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from radar.yamlconfig import ConfigError, ConfigIssue, load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pagination(_Strict):
    """How to reach list pages after the first.

    ``template``: ``url_template`` with ``{n}`` filled from ``start`` upward
    (``index_{n}.html`` where page 1 is ``index.html``); ``next``: follow the
    link matched by ``next_selector``; ``none``: only the start URLs.
    """

    type: Literal["none", "template", "next"] = "none"
    url_template: str | None = None
    start: int = 1
    next_selector: str | None = None
    max_pages: int = Field(default=5, ge=1, le=10_000)

    @model_validator(mode="after")
    def _needs_fields(self) -> "Pagination":
        if self.type == "template" and (not self.url_template or "{n}" not in self.url_template):
            raise ValueError("pagination type 'template' needs url_template containing {n}")
        if self.type == "next" and not self.next_selector:
            raise ValueError("pagination type 'next' needs next_selector")
        return self


class ListSelectors(_Strict):
    """CSS selectors on list pages; link/title/date are relative to one item."""

    item: str
    link: str = "a::attr(href)"
    title: str | None = "a::text"
    date: str | None = None


class DetailSelectors(_Strict):
    """CSS selectors on detail pages; anything left empty falls back to generic extraction."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    doc_number: str | None = None
    agency: str | None = None


class Politeness(_Strict):
    """Per-site manners: seconds between requests and parallel requests to the site."""

    delay: float = Field(default=1.0, ge=0)
    concurrency: int = Field(default=2, ge=1, le=16)
    obey_robots: bool = True


class Schedule(_Strict):
    """When the site is crawled: a cron expression (Asia/Shanghai) or an interval in minutes."""

    cron: str | None = None
    interval_minutes: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> "Schedule":
        if self.cron and self.interval_minutes:
            raise ValueError("give either cron or interval_minutes, not both")
        if self.cron and len(self.cron.split()) != 5:
            raise ValueError("cron needs five fields: minute hour day month weekday")
        return self


class SourceConfig(_Strict):
    """One site PolicyRadar watches."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="stable id, used in CLI and storage")
    title: str = Field(description="human name, e.g. 工业和信息化部 文件发布")
    region: str = Field(description="全国 for national bodies, else the province/city, e.g. 浙江")
    agency: str
    kind: Literal["government", "thinktank", "media"] = "government"
    start_urls: list[str] = Field(min_length=1)
    list: ListSelectors
    pagination: Pagination = Pagination()
    detail: DetailSelectors = DetailSelectors()
    attachment_pattern: str = r"\.(pdf|docx?|wps|xlsx?|ofd|zip)(\?.*)?$"
    encoding: str | None = None
    schedule: Schedule = Schedule(cron="0 */6 * * *")
    politeness: Politeness = Politeness()
    enabled: bool = True

    @field_validator("start_urls")
    @classmethod
    def _http(cls, urls: list[str]) -> list[str]:
        for u in urls:
            if not re.match(r"^https?://", u):
                raise ValueError(f"not an http(s) URL: {u!r}")
        return urls

    @field_validator("attachment_pattern")
    @classmethod
    def _regex(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return pattern

    @field_validator("encoding")
    @classmethod
    def _codec(cls, enc: str | None) -> str | None:
        if enc is None:
            return None
        import codecs

        try:
            codecs.lookup(enc)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {enc!r}") from exc
        return enc


def load_source(path: str | Path) -> SourceConfig:
    """Load one source file; the file stem must equal ``name`` so files are findable by name."""
    src = load_model(path, SourceConfig)
    if Path(path).stem != src.name:
        raise ConfigError([ConfigIssue(str(path), None, "name", f"must equal the file name {Path(path).stem!r}")])
    return src


def load_sources(directory: str | Path) -> list[SourceConfig]:
    """Load every ``*.yaml``/``*.yml`` in ``directory``; all files' issues are reported together."""
    sources: list[SourceConfig] = []
    issues: list[ConfigIssue] = []
    for path in sorted(Path(directory).glob("*.y*ml")):
        try:
            sources.append(load_source(path))
        except ConfigError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ConfigError(issues)
    names = [s.name for s in sources]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError([ConfigIssue(str(directory), None, "name", f"duplicate source names: {sorted(dupes)}")])
    return sources
