"""The track taxonomy as a validated data file.

Which words put a release under which track is a domain decision that
analysts revise far more often than the code; keeping it in YAML lets them
edit, review and swap taxonomies (e.g. ``config/taxonomies/fyp15.yaml``)
without touching Python.  Validation is strict so a typo ("wieght") fails
loudly with file, line and field instead of silently weakening a track.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.paths import CONFIG_DIR
from core.yamlconfig import load_model

DEFAULT_TAXONOMY = CONFIG_DIR / "tracks.yaml"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _check_terms(terms: dict[str, float]) -> dict[str, float]:
    for term, weight in terms.items():
        if not term.strip():
            raise ValueError("empty term")
        if weight <= 0:
            raise ValueError(f"weight of {term!r} must be > 0 (use negative/exclude lists to suppress)")
    return terms


def _check_phrases(items: list[str]) -> list[str]:
    for item in items:
        if not item.strip():
            raise ValueError("empty phrase")
    return items


class Scoring(_Strict):
    """Knobs of the scoring rule; part of the taxonomy because a different term set needs different thresholds."""

    title_weight: float = Field(3.0, gt=0, description="multiplier for hits in the title")
    lead_weight: float = Field(1.5, gt=0, description="multiplier for hits in the first lead_chars of the body")
    body_weight: float = Field(1.0, gt=0)
    attachment_weight: float = Field(1.0, gt=0)
    lead_chars: int = Field(200, ge=0)
    alias_weight: float = Field(2.0, gt=0, description="weight of aliases given as a plain list")
    min_evidence: float = Field(6.0, ge=0, description="weighted hits a track needs at all")
    short_text_chars: int = Field(120, ge=0, description="texts up to this long (a list item, a headline) ...")
    min_evidence_short: float = Field(4.5, ge=0, description="... need only this much evidence: one strong term in the lead")
    anchor_weight: float = Field(
        2.0, ge=0, description="a track needs at least one term of this weight: weak terms alone never file a document"
    )
    weak_only_evidence: float | None = Field(
        None, ge=0, description="weak terms alone file a track when they add up to this much evidence ..."
    )
    weak_only_density: float = Field(12.0, ge=0, description="... at this density: the text is about the area (None: never)")
    min_density: float = Field(2.0, ge=0, description="weighted hits per 1000 characters a track needs")
    density_floor_chars: int = Field(400, ge=1, description="short texts count as this long, so a snippet is not over-rewarded")
    relative: float = Field(0.35, ge=0, le=1, description="a track needs this share of the strongest track's evidence ...")
    independent_evidence: float = Field(
        24.0, ge=0, description="... unless it has this much evidence of its own (long multi-topic reports)"
    )
    list_items_file: bool = Field(
        True,
        description="false: a track whose only word is one item of enumerations (生物医药 in 信息技术、生物医药、新能源等) "
        "is not filed: the text names the area and says nothing about it",
    )
    subtrack_relative: float = Field(0.2, ge=0, le=1, description="a sub-track needs this share of its strongest sibling")
    min_subtrack_evidence: float = Field(2.0, ge=0)
    score_scale: float = Field(8.0, gt=0, description="density at which score reaches 1-1/e")


class SubTrack(_Strict):
    """One area under a track; terms carry weights, aliases are abbreviations and English names."""

    id: str
    name: str
    description: str = ""
    sources: list[str] = Field(default_factory=list, description="lists this area comes from (MIIT, FYP15, ZJ, GZ ...)")
    terms: dict[str, float] = Field(default_factory=dict)
    aliases: list[str] | dict[str, float] = Field(default_factory=list)
    exclude: list[str] = Field(
        default_factory=list, description="longer phrases that contain a term but mean something else; they never count"
    )
    negative: list[str] = Field(
        default_factory=list, description="context words: a hit in the same sentence as one of these does not count"
    )

    @field_validator("id")
    @classmethod
    def _v_id(cls, v: str) -> str:
        return _valid_id(v)

    @field_validator("terms")
    @classmethod
    def _v_terms(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_terms(v)

    @field_validator("exclude", "negative")
    @classmethod
    def _v_phrases(cls, v: list[str]) -> list[str]:
        return _check_phrases(v)

    @field_validator("aliases")
    @classmethod
    def _v_aliases(cls, v: list[str] | dict[str, float]) -> list[str] | dict[str, float]:
        if isinstance(v, dict):
            return _check_terms(v)
        return _check_phrases(v)

    @model_validator(mode="after")
    def _has_terms(self) -> "SubTrack":
        if not self.terms and not self.aliases:
            raise ValueError(f"sub-track {self.id!r} has no terms and no aliases")
        return self

    def alias_weights(self, default: float) -> dict[str, float]:
        """Aliases as term → weight, applying the taxonomy default to plain lists."""
        if isinstance(self.aliases, dict):
            return dict(self.aliases)
        return {a: default for a in self.aliases}


class Track(_Strict):
    """A top-level track; its own terms (e.g. the track's name) count for the track but no sub-track."""

    id: str
    name: str
    description: str = ""
    terms: dict[str, float] = Field(default_factory=dict)
    subtracks: list[SubTrack] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _v_id(cls, v: str) -> str:
        return _valid_id(v)

    @field_validator("terms")
    @classmethod
    def _v_terms(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_terms(v)


class Taxonomy(_Strict):
    """The whole file: tracks in display order, global exclusions and scoring knobs."""

    name: str
    version: int = 1
    description: str = ""
    source: str = ""
    scoring: Scoring = Field(default_factory=Scoring)
    exclude: list[str] = Field(default_factory=list, description="phrases that never count for any track (brand names ...)")
    negative: list[str] = Field(
        default_factory=list,
        description="context words for every sub-track: a hit in the same sentence does not count (stock-market chatter ...)",
    )
    tracks: list[Track] = Field(min_length=1)

    @field_validator("exclude", "negative")
    @classmethod
    def _v_exclude(cls, v: list[str]) -> list[str]:
        return _check_phrases(v)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Taxonomy":
        seen: set[str] = set()
        for t in self.tracks:
            if t.id in seen:
                raise ValueError(f"duplicate track id {t.id!r}")
            seen.add(t.id)
        names = [t.name for t in self.tracks]
        if len(set(names)) != len(names):
            raise ValueError("duplicate track name")
        sub_seen: set[str] = set()
        for t in self.tracks:
            for s in t.subtracks:
                if s.id in sub_seen:
                    raise ValueError(f"duplicate sub-track id {s.id!r} (ids are global)")
                sub_seen.add(s.id)
        return self

    def track(self, key: str) -> Track:
        """A track by id or name."""
        for t in self.tracks:
            if key in (t.id, t.name):
                return t
        raise KeyError(key)


def _valid_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(f"id {value!r} must be lower-case ascii letters, digits and _")
    return value


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file; errors are ConfigError naming file, line and field."""
    return load_model(Path(path) if path is not None else DEFAULT_TAXONOMY, Taxonomy, expand_env=False)


def taxonomy_version(path: str | Path | None = None) -> str:
    """The first 16 hex digits of the sha256 of the taxonomy file's bytes.

    Stored on every label so that labels filed by an older taxonomy can be
    found and refiled (``radar reclassify``), and so an auditor knows which
    rules filed a document.  Bytes, not the parsed model: a comment that
    explains a term is part of the reviewed file too.
    """
    data = (Path(path) if path is not None else DEFAULT_TAXONOMY).read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]
